/**
 * Egress allow-lists from the approved-service policy and the catalog: per role, business unit or host, the
 * approved services' domains, exported as Squid ACL lines, a plain domain list (a Palo Alto external dynamic
 * list) and CSV. Source addresses for Squid come from the inventory's IPs and CIDRs.
 */
import Papa from 'papaparse';
import type { Catalog } from '../context/catalog.ts';
import { hostMatchesPattern } from '../context/host.ts';
import { normalizeRole, type InventoryEntry } from '../context/inventory.ts';
import type { PolicyRow } from '../context/policy.ts';

export type EgressGroupKind = 'role' | 'business_unit' | 'host';

export interface AllowedService {
  id: string;
  name: string;
  category: string;
  /** Catalog host patterns, each matching itself and its subdomains; none covered by another. */
  domains: string[];
  /** Notes of the policy rows that approve it. */
  notes: string[];
}

export interface EgressGroup {
  kind: EgressGroupKind;
  value: string;
  services: AllowedService[];
  /** Inventory IPs and CIDRs of the group's hosts (Squid src values). */
  sources: string[];
}

export interface AllowLists {
  groups: EgressGroup[];
  /** Policy rows no proxy allow-list can express ('*' services, process scopes), with why. */
  skipped: string[];
}

const eq = (a: string | null, b: string | null) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** Drops patterns a shorter pattern of the list already covers (Squid warns about such overlaps). */
export function minimalDomains(patterns: readonly string[]): string[] {
  const unique = [...new Set(patterns.map((p) => p.toLowerCase()))].sort((a, b) => a.length - b.length || a.localeCompare(b));
  const kept: string[] = [];
  for (const p of unique) if (!kept.some((k) => hostMatchesPattern(p, k))) kept.push(p);
  return kept.sort();
}

function rowApplies(row: PolicyRow, group: { kind: EgressGroupKind; value: string }): boolean {
  if (row.scope_kind === 'all') return true;
  if (row.scope_kind !== group.kind) return false;
  return group.kind === 'role' ? normalizeRole(row.scope_value ?? '') === normalizeRole(group.value) : eq(row.scope_value, group.value);
}

function groupSources(group: { kind: EgressGroupKind; value: string }, inventory: readonly InventoryEntry[]): string[] {
  const addresses = (entries: readonly InventoryEntry[]) => entries.filter((e) => e.match_kind !== 'host').map((e) => e.match);
  let found: string[];
  if (group.kind === 'role') found = addresses(inventory.filter((e) => e.role && normalizeRole(e.role) === normalizeRole(group.value)));
  else if (group.kind === 'business_unit') found = addresses(inventory.filter((e) => eq(e.business_unit, group.value)));
  else {
    // A host rule names an IP, or a host whose inventory line also lists its IP.
    const lines = new Set(inventory.filter((e) => e.match_kind === 'host' && (eq(e.match, group.value) || eq(e.match.split('.')[0], group.value))).map((e) => e.source));
    found = [...addresses(inventory.filter((e) => lines.has(e.source))), ...inventory.filter((e) => e.match_kind === 'ip' && e.match === group.value).map((e) => e.match)];
    if (!found.length && /^[0-9.]+$|:/.test(group.value)) found = [group.value];
  }
  return [...new Set(found)].sort();
}

/**
 * Builds one allow-list per role (every role in the inventory or the policy), per business unit named by the
 * policy or the inventory, and per host the policy names. A group's services are those approved for everyone
 * plus those approved for that group.
 */
export function buildAllowLists(policy: readonly PolicyRow[], catalog: Catalog, inventory: readonly InventoryEntry[]): AllowLists {
  const skipped: string[] = [];
  const usable: PolicyRow[] = [];
  for (const row of policy) {
    const scope = row.scope_kind === 'all' ? 'everyone' : `${row.scope_kind} ${row.scope_value}`;
    if (row.service_id === '*') skipped.push(`'*' for ${scope}: approves every service, which no allow-list can enumerate`);
    else if (row.scope_kind === 'process') skipped.push(`${row.service_id} for process ${row.scope_value}: a proxy cannot see processes; enforce it on the endpoint`);
    else usable.push(row);
  }
  const keys = new Map<string, { kind: EgressGroupKind; value: string }>();
  const add = (kind: EgressGroupKind, value: string | null) => {
    if (!value) return;
    const canonical = kind === 'role' ? normalizeRole(value) : value;
    const id = `${kind}\u0000${canonical.toLowerCase()}`;
    if (!keys.has(id)) keys.set(id, { kind, value: canonical });
  };
  for (const e of inventory) {
    add('role', e.role);
    add('business_unit', e.business_unit);
  }
  for (const row of usable) if (row.scope_kind !== 'all') add(row.scope_kind as EgressGroupKind, row.scope_value);

  const services = new Map(catalog.services.map((s) => [s.id, s]));
  const groups: EgressGroup[] = [...keys.values()].map((group) => {
    const approved = new Map<string, AllowedService>();
    for (const row of usable) {
      const service = services.get(row.service_id);
      if (!service || !rowApplies(row, group)) continue;
      const entry = approved.get(service.id) ?? {
        id: service.id, name: service.name, category: service.category, domains: minimalDomains(service.hosts.map((h) => h.pattern)), notes: [],
      };
      if (row.note) entry.notes.push(row.note);
      approved.set(service.id, entry);
    }
    return { ...group, services: [...approved.values()].sort((a, b) => a.id.localeCompare(b.id)), sources: groupSources(group, inventory) };
  });
  const order: EgressGroupKind[] = ['role', 'business_unit', 'host'];
  groups.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.value.localeCompare(b.value));
  return { groups, skipped };
}

/** A Squid ACL name part: [a-z0-9_] only. */
export function aclPart(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
}

const GROUP_PREFIX: Record<EgressGroupKind, string> = { role: '', business_unit: 'bu_', host: 'host_' };
const VALUES_PER_LINE = 12;

/** Names for one group's ACLs: `rw_<group>_<service>` and the source ACL `rw_src_<group>`. */
export function aclNames(group: Pick<EgressGroup, 'kind' | 'value'>): { source: string; service: (id: string) => string } {
  const part = `${GROUP_PREFIX[group.kind]}${aclPart(group.value)}`;
  return { source: `rw_src_${part}`, service: (id) => `rw_${part}_${aclPart(id)}` };
}

function aclLines(name: string, type: string, values: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += VALUES_PER_LINE) lines.push(`acl ${name} ${type} ${values.slice(i, i + VALUES_PER_LINE).join(' ')}`);
  return lines;
}

const describeGroup = (g: Pick<EgressGroup, 'kind' | 'value'>) => `${g.kind.replace('_', ' ')} ${g.value}`;
/** Comments carry policy text; keep them on one line. */
const commentText = (text: string) => text.replace(/[\r\n]+/g, ' ').slice(0, 200);

/** Squid configuration lines for the groups: a src ACL per group, a dstdomain ACL per service, http_access rules. */
export function toSquidAcl(groups: readonly EgressGroup[]): string {
  const out = ['# Relaywatch egress allow-list (from the approved-service policy and the web-service catalog).',
    '# Paste before your final "http_access deny all"; a leading dot matches the domain and its subdomains.'];
  for (const group of groups) {
    const names = aclNames(group);
    out.push('', `# ${commentText(describeGroup(group))}: ${group.services.length} approved service${group.services.length === 1 ? '' : 's'}`);
    if (group.sources.length) out.push(...aclLines(names.source, 'src', group.sources));
    else out.push(`# no IP or CIDR for ${commentText(describeGroup(group))} in the inventory: define ${names.source} by hand`);
    for (const service of group.services) {
      out.push(`# ${commentText(service.name)}${service.notes.length ? ` (${commentText(service.notes.join('; '))})` : ''}`);
      out.push(...aclLines(names.service(service.id), 'dstdomain', service.domains.map((d) => `.${d}`)));
      const rule = `http_access allow ${names.source} ${names.service(service.id)}`;
      out.push(group.sources.length ? rule : `# ${rule}`);
    }
  }
  return out.join('\n') + '\n';
}

/** One domain per line (an external dynamic list of type domain); enable "include subdomains" where offered. */
export function toDomainList(groups: readonly EgressGroup[]): string {
  const domains = minimalDomains(groups.flatMap((g) => g.services.flatMap((s) => s.domains)));
  return domains.length ? domains.join('\n') + '\n' : '';
}

/** Every (group, service, domain) as CSV, spreadsheet formulas escaped. */
export function toAllowListCsv(groups: readonly EgressGroup[]): string {
  const fields = ['group_kind', 'group', 'service_id', 'service_name', 'category', 'domain', 'policy_note'];
  const data = groups.flatMap((g) =>
    g.services.flatMap((s) => s.domains.map((d) => [g.kind, g.value, s.id, s.name, s.category, d, s.notes.join('; ')])),
  );
  return Papa.unparse({ fields, data }, { escapeFormulae: true });
}
