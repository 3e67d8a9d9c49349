/**
 * Editing state of the context data (web-service catalog, asset inventories, approved-service policy): validated
 * edits that are applied through the workbench (which re-applies the context and re-scores at query time), and
 * an undo of the last edits. An invalid catalog or policy row is never applied; its problems are kept for display.
 */
import {
  catalogFromCsv,
  catalogToCsv,
  shippedCatalog,
  validateCatalog,
  type Catalog,
  type CatalogService,
} from '../context/catalog.ts';
import { guessInventoryMapping, mergeInventories, parseInventoryCsv, type InventoryEntry, type InventoryMapping } from '../context/inventory.ts';
import { checkPolicyRow, parsePolicyCsv, policyToCsv, type PolicyRow } from '../context/policy.ts';
import type { Finding } from '../detection/detect.ts';
import Papa from 'papaparse';

/** How many earlier versions an editor keeps for undo. */
const UNDO_DEPTH = 20;
/** Source key given to catalog entries the analyst adds by hand. */
export const USER_SOURCE = 'user';

/** Runs `apply`, keeping the message of anything it throws. */
async function attempt(apply: () => Promise<void>): Promise<string | null> {
  try {
    await apply();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------------------------------------

export interface CatalogTarget {
  readonly catalog: Catalog;
  setCatalog(catalog: Catalog): Promise<void>;
}

export type ConsumerFilter = 'any' | 'consumer' | 'business';

export interface ServiceFilter {
  /** Matched case-insensitively against id, name, description, host patterns and path regexes. */
  text: string;
  /** A category, or '' for all. */
  category: string;
  /** An ATT&CK id such as 'T1102.002', or '' for all. */
  subtechnique: string;
  consumer: ConsumerFilter;
}

export const EMPTY_FILTER: ServiceFilter = { text: '', category: '', subtechnique: '', consumer: 'any' };

/** The services that pass every part of `filter`, in catalog order. */
export function filterServices(services: readonly CatalogService[], filter: ServiceFilter): CatalogService[] {
  const needle = filter.text.trim().toLowerCase();
  return services.filter(
    (s) =>
      (!filter.category || s.category === filter.category) &&
      (!filter.subtechnique || s.subtechniques.includes(filter.subtechnique)) &&
      (filter.consumer === 'any' || s.consumer === (filter.consumer === 'consumer')) &&
      (!needle ||
        [s.id, s.name, s.description ?? '', ...s.hosts.map((h) => h.pattern), ...s.paths.map((p) => p.regex)].some((v) =>
          v.toLowerCase().includes(needle),
        )),
  );
}

/** An empty service for the "add service" form. */
export function blankService(): CatalogService {
  return {
    id: '', name: '', category: '', subtechniques: [], consumer: false, description: '', sources: [USER_SOURCE],
    hosts: [{ pattern: '', sources: [USER_SOURCE] }], paths: [], clients: [],
  };
}

const optional = (value: string | null | undefined): string | undefined => value?.trim() || undefined;
const nullable = (value: string | null | undefined): string | null => value?.trim() || null;
const withSources = (sources: readonly string[]) => (sources.length ? [...sources] : [USER_SOURCE]);

/** A form draft made canonical: trimmed text, lower-case host patterns, empty optional fields dropped, sources filled. */
export function normalizeService(draft: CatalogService): CatalogService {
  return {
    id: draft.id.trim(),
    name: draft.name.trim(),
    category: draft.category,
    subtechniques: [...draft.subtechniques],
    consumer: draft.consumer,
    ...(optional(draft.description) ? { description: optional(draft.description) } : {}),
    sources: withSources(draft.sources),
    hosts: draft.hosts
      .filter((h) => h.pattern.trim())
      .map((h) => ({
        pattern: h.pattern.trim().toLowerCase(),
        ...(h.shared ? { shared: true } : {}),
        ...(optional(h.note) ? { note: optional(h.note) } : {}),
        sources: withSources(h.sources),
      })),
    // Path and client regexes keep their spaces: they are significant.
    paths: draft.paths
      .filter((p) => p.regex)
      .map((p) => ({ host_pattern: nullable(p.host_pattern), regex: p.regex, use: p.use, ...(optional(p.note) ? { note: optional(p.note) } : {}), sources: withSources(p.sources) })),
    clients: draft.clients
      .filter((c) => c.process || c.user_agent)
      .map((c) => ({
        process: c.process || null, user_agent: c.user_agent || null, signer: nullable(c.signer),
        ...(optional(c.note) ? { note: optional(c.note) } : {}), sources: withSources(c.sources),
      })),
  };
}

/** The catalog with 'user' as a known source, so hand-made entries pass validation. */
function withUserSource(catalog: Catalog): Catalog {
  if (catalog.source_definitions?.[USER_SOURCE]) return catalog;
  return { ...catalog, source_definitions: { ...catalog.source_definitions, [USER_SOURCE]: 'added by the user' } };
}

/**
 * Replaces the service `replacingId` (null: adds a new one) with `draft`. The base catalog is not modified.
 * Returns the candidate catalog and every validateCatalog() problem; use the catalog only when there are none.
 */
export function upsertService(catalog: Catalog, draft: CatalogService, replacingId: string | null): { catalog: Catalog; issues: string[] } {
  const service = normalizeService(draft);
  const issues: string[] = [];
  if (replacingId === null && catalog.services.some((s) => s.id === service.id)) issues.push(`service '${service.id}': id already in the catalog`);
  const services = replacingId === null ? [...catalog.services, service] : catalog.services.map((s) => (s.id === replacingId ? service : s));
  // A renamed service keeps its account patterns.
  const accounts = catalog.accounts?.map((a) => (replacingId !== null && a.service_id === replacingId ? { ...a, service_id: service.id } : a));
  const next = withUserSource({ ...catalog, services, ...(accounts ? { accounts } : {}) });
  issues.push(...validateCatalog(next));
  return { catalog: next, issues };
}

/**
 * The catalog without service `id` (and its account patterns), with any problem this causes (an empty catalog,
 * dangling path host patterns).
 */
export function removeService(catalog: Catalog, id: string): { catalog: Catalog; issues: string[] } {
  const accounts = catalog.accounts?.filter((a) => a.service_id !== id);
  const next = { ...catalog, services: catalog.services.filter((s) => s.id !== id), ...(accounts ? { accounts } : {}) };
  return { catalog: next, issues: validateCatalog(next) };
}

/** Editing state of the catalog view. */
export class CatalogEditing {
  filter = $state<ServiceFilter>({ ...EMPTY_FILTER });
  /** Problems of the last rejected edit or import (nothing was applied). */
  issues = $state.raw<string[]>([]);
  /** What the last successful action did, for a status line. */
  message = $state('');
  busy = $state(false);
  private past = $state.raw<{ catalog: Catalog; label: string }[]>([]);

  constructor(private readonly target: CatalogTarget) {}

  /** The services passing the current filter. */
  get visible(): CatalogService[] {
    return filterServices(this.target.catalog.services, this.filter);
  }

  get canUndo(): boolean {
    return this.past.length > 0 && !this.busy;
  }

  get undoLabel(): string | null {
    return this.past.at(-1)?.label ?? null;
  }

  /** Saves a service from the edit form; false (and `issues` set) when the resulting catalog would be invalid. */
  save(draft: CatalogService, replacingId: string | null): Promise<boolean> {
    const label = replacingId === null ? `adding ${draft.id.trim()}` : `editing ${replacingId}`;
    return this.apply(upsertService(this.target.catalog, draft, replacingId), label);
  }

  remove(id: string): Promise<boolean> {
    return this.apply(removeService(this.target.catalog, id), `deleting ${id}`);
  }

  /** Merges a flat catalog CSV into the current catalog (see catalogFromCsv); applied only if it has no problems. */
  importCsv(text: string, fileName: string): Promise<boolean> {
    return this.apply(catalogFromCsv(text, this.target.catalog), `importing ${fileName}`);
  }

  /** Replaces the catalog with a JSON catalog file (the format of the JSON export). */
  importJson(text: string, fileName: string): Promise<boolean> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.issues = [`${fileName}: not JSON (${(error as Error).message})`];
      return Promise.resolve(false);
    }
    return this.apply({ catalog: value as Catalog, issues: validateCatalog(value) }, `importing ${fileName}`);
  }

  resetToShipped(): Promise<boolean> {
    return this.apply({ catalog: shippedCatalog(), issues: [] }, 'resetting to the shipped catalog');
  }

  exportCsv(): string {
    return catalogToCsv(this.target.catalog);
  }

  exportJson(): string {
    return `${JSON.stringify(this.target.catalog, null, 2)}\n`;
  }

  /** Restores the catalog as it was before the last applied action. */
  async undo(): Promise<void> {
    const last = this.past.at(-1);
    if (!last || this.busy) return;
    await this.run(`Undid ${last.label}`, () => this.target.setCatalog(last.catalog));
    if (!this.issues.length) this.past = this.past.slice(0, -1);
  }

  private async apply(candidate: { catalog: Catalog; issues: string[] }, label: string): Promise<boolean> {
    if (candidate.issues.length) {
      this.issues = candidate.issues;
      this.message = '';
      return false;
    }
    const before = this.target.catalog;
    const ok = await this.run(`Done: ${label}`, () => this.target.setCatalog(candidate.catalog));
    if (ok) this.past = [...this.past, { catalog: before, label }].slice(-UNDO_DEPTH);
    return ok;
  }

  private async run(message: string, body: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    const error = await attempt(body);
    this.busy = false;
    this.issues = error ? [error] : [];
    this.message = error ? '' : message;
    return !error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------------------------

export interface PolicyTarget {
  readonly catalog: Catalog;
  readonly policy: readonly PolicyRow[];
  setPolicy(rows: PolicyRow[]): Promise<void>;
}

const samePolicyRow = (a: PolicyRow, b: PolicyRow) =>
  a.service_id === b.service_id && a.scope_kind === b.scope_kind && a.scope_value === b.scope_value;

/** The label the detection's finding-approvals stage writes into a finding's `approved_by` for this row. */
export function approvalLabel(row: PolicyRow): string {
  return `${row.service_id} for ${row.scope_kind}${row.scope_value === null ? '' : ` ${row.scope_value}`}`;
}

/** The findings a policy row down-weights, read from their 'approved-service' signal. */
export function findingsApprovedBy(row: PolicyRow, findings: readonly Finding[]): Finding[] {
  const label = approvalLabel(row);
  return findings.filter((f) =>
    f.signals.some((s) => s.id === 'approved-service' && String(s.evidence.approved_by ?? '').split('; ').includes(label)),
  );
}

/** Editing state of the policy view. */
export class PolicyEditing {
  issues = $state.raw<string[]>([]);
  message = $state('');
  busy = $state(false);
  private past = $state.raw<{ rows: readonly PolicyRow[]; label: string }[]>([]);

  constructor(private readonly target: PolicyTarget) {}

  get canUndo(): boolean {
    return this.past.length > 0 && !this.busy;
  }

  get undoLabel(): string | null {
    return this.past.at(-1)?.label ?? null;
  }

  /** Adds (index null) or replaces a row after checkPolicyRow(); returns the problem instead when there is one. */
  async saveRow(row: PolicyRow, index: number | null): Promise<string | null> {
    const checked = checkPolicyRow(row, this.target.catalog);
    if (typeof checked === 'string') return checked;
    if (this.target.policy.some((r, i) => i !== index && samePolicyRow(r, checked))) return `'${approvalLabel(checked)}' is already in the policy`;
    const rows = index === null ? [...this.target.policy, checked] : this.target.policy.map((r, i) => (i === index ? checked : r));
    return this.apply(rows, `${index === null ? 'adding' : 'editing'} ${approvalLabel(checked)}`);
  }

  removeRow(index: number): Promise<string | null> {
    const row = this.target.policy[index];
    if (!row) return Promise.resolve(null);
    return this.apply(this.target.policy.filter((_, i) => i !== index), `deleting ${approvalLabel(row)}`);
  }

  /**
   * Adds the rows of a policy CSV that are valid and not yet present. Invalid lines are skipped and listed in
   * `issues`; returns how many rows were added.
   */
  async importCsv(text: string, fileName: string): Promise<number> {
    const parsed = parsePolicyCsv(text, this.target.catalog, fileName);
    const added: PolicyRow[] = [];
    for (const row of parsed.rows) if (![...this.target.policy, ...added].some((r) => samePolicyRow(r, row))) added.push(row);
    const error = added.length ? await this.apply([...this.target.policy, ...added], `importing ${fileName}`) : null;
    this.issues = error ? [error, ...parsed.issues] : parsed.issues;
    this.message = error ? '' : `${fileName}: ${added.length} row${added.length === 1 ? '' : 's'} added, ${parsed.rows.length - added.length} already present`;
    return error ? 0 : added.length;
  }

  exportCsv(): string {
    return policyToCsv(this.target.policy);
  }

  async undo(): Promise<void> {
    const last = this.past.at(-1);
    if (!last || this.busy) return;
    this.busy = true;
    const error = await attempt(() => this.target.setPolicy([...last.rows]));
    this.busy = false;
    this.issues = error ? [error] : [];
    this.message = error ? '' : `Undid ${last.label}`;
    if (!error) this.past = this.past.slice(0, -1);
  }

  private async apply(rows: PolicyRow[], label: string): Promise<string | null> {
    const before = this.target.policy;
    this.busy = true;
    const error = await attempt(() => this.target.setPolicy(rows));
    this.busy = false;
    this.issues = error ? [error] : [];
    this.message = error ? '' : `Done: ${label}`;
    if (!error) this.past = [...this.past, { rows: before, label }].slice(-UNDO_DEPTH);
    return error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Inventories
// ---------------------------------------------------------------------------------------------------------

export interface InventoryTarget {
  readonly inventories: readonly (readonly InventoryEntry[])[];
  setInventories(lists: InventoryEntry[][]): Promise<void>;
}

/** Rows shown in the import dialog's preview. */
export const PREVIEW_ROWS = 6;
/** Largest inventory file read (a CSV of this size holds millions of assets). */
export const MAX_INVENTORY_BYTES = 64 * 1024 * 1024;

/** An inventory file being mapped: its header, first rows and the current column mapping. */
export interface InventoryDraft {
  name: string;
  text: string;
  header: string[];
  rows: string[][];
  mapping: InventoryMapping;
}

/** Reads the header and first rows of an inventory CSV and guesses its mapping (parseInventoryCsv's guess). */
export function inventoryDraft(name: string, text: string): InventoryDraft {
  const preview = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: 'greedy', preview: PREVIEW_ROWS + 1 });
  const [rawHeader = [], ...rows] = preview.data;
  const header = rawHeader.map((h) => h.trim());
  return { name, text, header, rows, mapping: guessInventoryMapping(header) };
}

/** A mapping is usable when it names at least one IP/CIDR/host column and a role or business-unit column. */
export function mappingIsComplete(mapping: InventoryMapping): boolean {
  return mapping.match.length > 0 && Boolean(mapping.role || mapping.business_unit);
}

/** Name of the inventory file an entry list came from (entries carry 'file:line'). */
export function inventoryName(entries: readonly InventoryEntry[]): string {
  return entries[0]?.source.replace(/:\d+$/, '') ?? '(empty)';
}

/** Editing state of the asset inventories: a later inventory wins where two give the same IP, CIDR or host. */
export class InventoryEditing {
  issues = $state.raw<string[]>([]);
  message = $state('');
  busy = $state(false);

  constructor(private readonly target: InventoryTarget) {}

  /** Field values a later inventory replaced in an earlier one. */
  get overrides(): string[] {
    return mergeInventories(this.target.inventories).overrides;
  }

  /**
   * Parses `draft` with its mapping and applies it: it replaces the inventory of the same file name if one is
   * loaded (re-mapping), else it is added last. Returns false when no entry could be read.
   */
  async apply(draft: InventoryDraft): Promise<boolean> {
    const parsed = parseInventoryCsv(draft.text, { source: draft.name, mapping: draft.mapping });
    if (!parsed.entries.length) {
      this.issues = parsed.issues.length ? parsed.issues : [`${draft.name}: no rows`];
      this.message = '';
      return false;
    }
    const lists = this.target.inventories.map((l) => [...l]);
    const at = lists.findIndex((l) => inventoryName(l) === draft.name);
    if (at >= 0) lists[at] = parsed.entries;
    else lists.push(parsed.entries);
    return this.run(lists, parsed.issues, `${draft.name}: ${parsed.entries.length} entries ${at >= 0 ? 're-applied' : 'applied'}`);
  }

  remove(index: number): Promise<boolean> {
    const name = inventoryName(this.target.inventories[index] ?? []);
    return this.run(this.target.inventories.filter((_, i) => i !== index).map((l) => [...l]), [], `${name} removed`);
  }

  private async run(lists: InventoryEntry[][], warnings: string[], message: string): Promise<boolean> {
    this.busy = true;
    const error = await attempt(() => this.target.setInventories(lists));
    this.busy = false;
    this.issues = error ? [error] : warnings;
    this.message = error ? '' : message;
    return !error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Role inference, explained from the SQL's own header
// ---------------------------------------------------------------------------------------------------------

/**
 * The behavioural rules host-roles.sql documents in its header ("--     role  rule text"), with its parameter
 * names replaced by their default values, keyed by role. The SQL file is the single source of these texts.
 */
export function inferenceRules(hostRolesSql: string): Map<string, string> {
  const header = hostRolesSql.split('\n').filter((l) => l.startsWith('--'));
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, filled and returned
  const defaults = new Map<string, string>();
  for (const line of header) for (const m of line.matchAll(/rw_(\w+) = ([\d.]+)/g)) defaults.set(m[1], m[2]);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, filled and returned
  const rules = new Map<string, string>();
  for (const line of header) {
    const m = /^--\s{3,}([a-z][a-z-]*[a-z])\s{2,}(\S.*)$/.exec(line);
    if (m) rules.set(m[1], m[2].replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (name) => defaults.get(name) ?? name).trim());
  }
  return rules;
}
