import Papa from 'papaparse';
import type { TableRows } from './catalog.ts';
import { canonicalIpv6, ipv6Bits, isIpv4, normalizeHost } from './host.ts';

/** One asset-inventory entry, as loaded into the `inventory` table. */
export interface InventoryEntry {
  /** Canonical IP, CIDR (network address / prefix) or lower-case host name. */
  match: string;
  match_kind: 'ip' | 'cidr' | 'host';
  role: string | null;
  os: string | null;
  business_unit: string | null;
  owner: string | null;
  criticality: string | null;
  /** Which inventory file (and line) the entry came from. */
  source: string;
  /** IPv6 only: the address, or the network's first `prefix` bits, as a '0'/'1' string (for SQL prefix matching). */
  ip_bits: string | null;
  /**
   * IP entries only: the host name the same inventory row gives, so sources seen only by IP (Zeek, firewalls) are
   * named like the ones endpoint logs name. Optional because entries restored from older saves lack it.
   */
  hostname?: string | null;
}

export type InventoryField = 'role' | 'os' | 'business_unit' | 'owner' | 'criticality';
const FIELDS: readonly InventoryField[] = ['role', 'os', 'business_unit', 'owner', 'criticality'];
/** Fields a later inventory can replace for the same key. */
const MERGED_FIELDS: readonly (InventoryField | 'hostname')[] = [...FIELDS, 'hostname'];

/** Which CSV columns hold what. `match` may list several columns (e.g. an IP and a host-name column). */
export interface InventoryMapping {
  match: string[];
  role?: string;
  os?: string;
  business_unit?: string;
  owner?: string;
  criticality?: string;
}

/** Header names recognised by guessInventoryMapping(), compared after lower-casing and dropping non-letters. */
const HEADER_SYNONYMS: Record<keyof InventoryMapping, string[]> = {
  match: ['ip', 'ipaddress', 'address', 'ipv4', 'ipv6', 'cidr', 'subnet', 'network', 'range', 'prefix', 'host', 'hostname', 'fqdn', 'name', 'asset', 'assetname', 'computername', 'device', 'devicename', 'dnsname', 'match'],
  role: ['role', 'assetrole', 'type', 'assettype', 'devicetype', 'function', 'class', 'category'],
  os: ['os', 'operatingsystem', 'platform', 'osname'],
  business_unit: ['businessunit', 'bu', 'department', 'dept', 'division', 'org', 'organisation', 'organization', 'unit', 'team'],
  owner: ['owner', 'contact', 'responsible', 'custodian', 'assetowner', 'email'],
  criticality: ['criticality', 'tier', 'priority', 'importance', 'severity', 'crit'],
};

const MAX_VALUE_LENGTH = 256;
const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Guesses the column mapping from header names; every column whose name means IP/CIDR/host becomes a match column. */
export function guessInventoryMapping(header: readonly string[]): InventoryMapping {
  const mapping: InventoryMapping = { match: [] };
  for (const column of header) {
    const key = squash(column);
    if (HEADER_SYNONYMS.match.includes(key)) mapping.match.push(column);
    else
      for (const field of FIELDS)
        if (!mapping[field] && HEADER_SYNONYMS[field].includes(key)) {
          mapping[field] = column;
          break;
        }
  }
  return mapping;
}

/** Classifies and canonicalises one match value: an IPv4/IPv6 address, a CIDR, or a host name; null if none. */
export function classifyMatch(raw: string): Pick<InventoryEntry, 'match' | 'match_kind' | 'ip_bits'> | null {
  const value = raw.trim();
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (cidr) {
    const prefix = Number(cidr[2]);
    if (isIpv4(cidr[1]) && prefix <= 32) {
      const int = cidr[1].split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
      const network = prefix === 0 ? 0 : Math.floor(int / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
      const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
      return { match: `${dotted}/${prefix}`, match_kind: 'cidr', ip_bits: null };
    }
    const bits = ipv6Bits(cidr[1]);
    if (bits && prefix <= 128) return { match: `${canonicalIpv6(cidr[1])}/${prefix}`, match_kind: 'cidr', ip_bits: bits.slice(0, prefix) };
    return null;
  }
  if (isIpv4(value)) return { match: value, match_kind: 'ip', ip_bits: null };
  const bits = ipv6Bits(value.replace(/^\[|\]$/g, ''));
  if (bits) return { match: canonicalIpv6(value.replace(/^\[|\]$/g, ''))!, match_kind: 'ip', ip_bits: bits };
  const host = normalizeHost(value);
  return host ? { match: host, match_kind: 'host', ip_bits: null } : null;
}

/** Roles are compared as lower-case kebab-case ('Domain Controller' → 'domain-controller'). */
export function normalizeRole(role: string): string {
  return role.trim().toLowerCase().replace(/[\s_]+/g, '-');
}

/**
 * Parses an inventory CSV. The mapping is guessed from the header unless given. Rows whose match columns hold
 * nothing usable are reported (with their line) and skipped; every other row yields one entry per match column.
 */
export function parseInventoryCsv(
  text: string,
  options: { source: string; mapping?: InventoryMapping },
): { entries: InventoryEntry[]; issues: string[]; mapping: InventoryMapping } {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: 'greedy' });
  const issues = parsed.errors.map((e) => `${options.source} line ${(e.row ?? 0) + 1}: ${e.message}`);
  const [header = [], ...records] = parsed.data;
  const columns = header.map((h) => h.trim());
  const mapping = options.mapping ?? guessInventoryMapping(columns);
  const columnIndex = (name: string | undefined) => (name === undefined ? -1 : columns.indexOf(name));
  const matchIndexes = mapping.match.map(columnIndex);
  const missing = mapping.match.filter((_, i) => matchIndexes[i] < 0);
  if (mapping.match.length === 0 || missing.length)
    return { entries: [], mapping, issues: [...issues, `${options.source}: no IP/CIDR/host column (${missing.join(', ') || `header: ${columns.join(', ')}`})`] };
  const fieldIndexes = FIELDS.map((f) => columnIndex(mapping[f]));

  const entries: InventoryEntry[] = [];
  records.forEach((record, i) => {
    const line = i + 2;
    const cell = (at: number) => (at < 0 ? '' : (record[at] ?? '').trim().slice(0, MAX_VALUE_LENGTH));
    const values = Object.fromEntries(FIELDS.map((f, k) => [f, cell(fieldIndexes[k]) || null])) as Record<InventoryField, string | null>;
    if (values.role) values.role = normalizeRole(values.role);
    const keys: Pick<InventoryEntry, 'match' | 'match_kind' | 'ip_bits'>[] = [];
    for (const at of matchIndexes) {
      const raw = cell(at);
      if (!raw) continue;
      const key = classifyMatch(raw);
      if (key) keys.push(key);
      else issues.push(`${options.source} line ${line}: '${raw.slice(0, 80)}' is not an IP, CIDR or host name`);
    }
    const hostname = keys.find((k) => k.match_kind === 'host')?.match ?? null;
    for (const key of keys) {
      const named = key.match_kind === 'ip' ? { hostname } : {};
      entries.push({ ...key, ...values, ...named, source: `${options.source}:${line}` });
    }
    if (keys.length === 0 && matchIndexes.every((at) => !cell(at))) issues.push(`${options.source} line ${line}: no IP, CIDR or host name`);
  });
  return { entries, issues, mapping };
}

/**
 * Merges inventories in order. Entries are keyed by (match_kind, match); when a later inventory has the same
 * key, its non-empty fields win and its empty fields keep the earlier values. `overrides` says what was replaced.
 */
export function mergeInventories(lists: readonly (readonly InventoryEntry[])[]): { entries: InventoryEntry[]; overrides: string[] } {
  const byKey = new Map<string, InventoryEntry>();
  const overrides: string[] = [];
  for (const list of lists)
    for (const entry of list) {
      const key = `${entry.match_kind} ${entry.match}`;
      const earlier = byKey.get(key);
      if (!earlier) {
        byKey.set(key, { ...entry });
        continue;
      }
      const changed = MERGED_FIELDS.filter((f) => entry[f] != null && entry[f] !== (earlier[f] ?? null));
      if (changed.length) overrides.push(`${entry.match}: ${changed.join(', ')} from ${entry.source} replace ${earlier.source}`);
      for (const f of changed) earlier[f] = entry[f] ?? null;
      if (changed.length) earlier.source = entry.source;
    }
  return { entries: [...byKey.values()], overrides };
}

/**
 * Columnar rows for the `inventory` table. An IP entry without a host name takes the one of a host entry from the
 * same inventory row (entries restored from saves made before `hostname` existed).
 */
export function inventoryToRows(entries: readonly InventoryEntry[]): TableRows {
  const hostBySource = new Map<string, string>();
  for (const e of entries) if (e.match_kind === 'host' && !hostBySource.has(e.source)) hostBySource.set(e.source, e.match);
  const hostname = (e: InventoryEntry) => (e.match_kind === 'ip' ? (e.hostname ?? hostBySource.get(e.source) ?? null) : null);
  const names = ['match', 'match_kind', 'role', 'os', 'business_unit', 'owner', 'criticality', 'source', 'ip_bits'] as const;
  return {
    columns: { ...Object.fromEntries(names.map((n) => [n, entries.map((e) => e[n])])), hostname: entries.map(hostname) },
    types: Object.fromEntries([...names, 'hostname'].map((n) => [n, 'VARCHAR'])),
  };
}
