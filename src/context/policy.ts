import Papa from 'papaparse';
import { unescapeFormula, type Catalog, type TableRows } from './catalog.ts';
import { normalizeHost } from './host.ts';
import { normalizeRole } from './inventory.ts';

export const SCOPE_KINDS = ['all', 'role', 'business_unit', 'host', 'process'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** One approved-service rule: `service_id` (or '*') is approved for every source matching scope_kind = scope_value. */
export interface PolicyRow {
  service_id: string;
  scope_kind: ScopeKind;
  /** null for 'all'; a role, business unit, host name or IP, or process image name. */
  scope_value: string | null;
  note: string | null;
}

export const POLICY_CSV_COLUMNS = ['service_id', 'scope_kind', 'scope_value', 'note'] as const;
const MAX_VALUE_LENGTH = 256;

/**
 * Checks and canonicalises one rule: the service id must be '*' or in the catalog, the scope kind known, and a
 * value present unless the scope is 'all'. Roles become kebab-case, hosts are normalised, a process path is cut
 * to its image name, all lower-case. Returns the canonical row or an error message.
 */
export function checkPolicyRow(row: PolicyRow, catalog: Catalog): PolicyRow | string {
  const serviceId = row.service_id.trim();
  if (serviceId !== '*' && !catalog.services.some((s) => s.id === serviceId))
    return `unknown service id '${serviceId.slice(0, 80)}' (use a catalog id or '*')`;
  if (!SCOPE_KINDS.includes(row.scope_kind)) return `scope_kind '${String(row.scope_kind).slice(0, 40)}' is not one of ${SCOPE_KINDS.join(', ')}`;
  const raw = (row.scope_value ?? '').trim().slice(0, MAX_VALUE_LENGTH);
  const note = row.note?.trim().slice(0, MAX_VALUE_LENGTH) || null;
  if (row.scope_kind === 'all') return { service_id: serviceId, scope_kind: 'all', scope_value: null, note };
  if (!raw) return `scope '${row.scope_kind}' needs a scope_value`;
  let value: string | null = raw;
  if (row.scope_kind === 'role') value = normalizeRole(raw);
  else if (row.scope_kind === 'host') value = normalizeHost(raw);
  else if (row.scope_kind === 'process') value = raw.split(/[\\/]/).pop()!.toLowerCase();
  if (!value) return `'${raw.slice(0, 80)}' is not a host name or IP`;
  return { service_id: serviceId, scope_kind: row.scope_kind, scope_value: value, note };
}

/** Parses a policy CSV (columns service_id, scope_kind, scope_value, note); every problem names its line. */
export function parsePolicyCsv(text: string, catalog: Catalog, source = 'policy'): { rows: PolicyRow[]; issues: string[] } {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: 'greedy' });
  const issues = parsed.errors.map((e) => `${source} line ${(e.row ?? 0) + 1}: ${e.message}`);
  const [header = [], ...records] = parsed.data;
  const index = new Map(header.map((h, i) => [h.trim().toLowerCase(), i]));
  const missing = ['service_id', 'scope_kind'].filter((c) => !index.has(c));
  if (missing.length) return { rows: [], issues: [...issues, `${source}: missing column(s) ${missing.join(', ')}`] };
  const rows: PolicyRow[] = [];
  records.forEach((record, i) => {
    const cell = (name: string) => unescapeFormula((record[index.get(name) ?? -1] ?? '').trim());
    const checked = checkPolicyRow(
      { service_id: cell('service_id'), scope_kind: cell('scope_kind').toLowerCase() as ScopeKind, scope_value: cell('scope_value') || null, note: cell('note') || null },
      catalog,
    );
    if (typeof checked === 'string') issues.push(`${source} line ${i + 2}: ${checked}`);
    else rows.push(checked);
  });
  return { rows, issues };
}

/** The policy as CSV, with spreadsheet formulas escaped. */
export function policyToCsv(rows: readonly PolicyRow[]): string {
  return Papa.unparse(
    { fields: [...POLICY_CSV_COLUMNS], data: rows.map((r) => POLICY_CSV_COLUMNS.map((c) => r[c] ?? '')) },
    { escapeFormulae: true },
  );
}

/** Columnar rows for the `approved_services` table. */
export function policyToRows(rows: readonly PolicyRow[]): TableRows {
  return {
    columns: Object.fromEntries(POLICY_CSV_COLUMNS.map((c) => [c, rows.map((r) => r[c])])),
    types: Object.fromEntries(POLICY_CSV_COLUMNS.map((c) => [c, 'VARCHAR'])),
  };
}
