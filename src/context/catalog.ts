import Papa from 'papaparse';
import schema from './catalog.schema.json';
import shipped from './data/catalog.json';
import { hostMatchesPattern, isValidHostPattern } from './host.ts';
import { validatePatterns, type AccountPattern, type SecretPattern } from './account-patterns.ts';
import { regexProblem } from './regex.ts';

export { regexProblem };

/** Service categories and path uses, taken from the JSON Schema so the two never disagree. */
export const CATEGORIES: readonly string[] = schema.$defs.service.properties.category.enum;
export const PATH_USES: readonly string[] = schema.$defs.service.properties.paths.items.properties.use.enum;
export const PROCESS_ROLES: readonly string[] = schema.$defs.process_role.properties.role.enum;

export interface CatalogHost {
  pattern: string;
  /** The same pattern may also appear in other services. */
  shared?: boolean;
  note?: string;
  sources: string[];
}

export interface CatalogPath {
  /** Restrict to this catalog host pattern; null = any host of the service. */
  host_pattern?: string | null;
  /** Matched case-insensitively against url_path (path and query). */
  regex: string;
  use: string;
  note?: string;
  sources: string[];
}

export interface CatalogClient {
  /** Case-insensitive regex over the process image name (not the path). */
  process?: string | null;
  /** Case-insensitive regex over the user agent. */
  user_agent?: string | null;
  signer?: string | null;
  note?: string;
  sources: string[];
}

/** A process image name's role in process-lineage rules: a launcher started by a server is exploitation evidence. */
export interface CatalogProcessRole {
  role: 'server' | 'launcher' | 'proxy-executor';
  /** Case-insensitive regex over the process image name (not the path). */
  process: string;
  note?: string;
  sources: string[];
}

export interface CatalogService {
  id: string;
  name: string;
  category: string;
  subtechniques: string[];
  consumer: boolean;
  description?: string;
  sources: string[];
  hosts: CatalogHost[];
  paths: CatalogPath[];
  clients: CatalogClient[];
}

export interface Catalog {
  version: string;
  description?: string;
  source_definitions?: Record<string, string>;
  /** Clients valid for every service (browsers); loaded with service_id '*'. */
  common_clients?: CatalogClient[];
  /** Server and launcher image names (process-lineage rules). */
  process_roles?: CatalogProcessRole[];
  services: CatalogService[];
  /** Patterns that read the adversary's account from a request (account-patterns.ts). */
  accounts?: AccountPattern[];
  /** Patterns of secrets redacted from every output (account-patterns.ts). */
  secrets?: SecretPattern[];
}

const SERVICE_ID = /^[a-z0-9][a-z0-9-]*$/;
const ATTACK_ID = /^T1102(\.00[1-3])?$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Lints a catalog (parsed JSON of unknown shape): structure, unique service ids, unique host patterns across
 * services unless every occurrence is marked `shared`, valid lower-case host patterns, RE2-compatible regexes,
 * a known source on every entry, categories and path uses from the allowed lists, well-formed ATT&CK ids.
 * Returns one message per problem, each naming where it is; an empty list means the catalog is usable.
 */
export function validateCatalog(value: unknown): string[] {
  const issues: string[] = [];
  if (!isObject(value)) return ['catalog: not a JSON object'];
  if (typeof value.version !== 'string' || !value.version) issues.push('catalog: missing version');
  if (!Array.isArray(value.services) || value.services.length === 0) return [...issues, 'catalog: no services'];
  const knownSources = isObject(value.source_definitions) ? new Set(Object.keys(value.source_definitions)) : null;
  const checkSources = (where: string, sources: unknown) => {
    if (!isStringArray(sources) || sources.length === 0) return issues.push(`${where}: needs at least one source`);
    for (const s of sources) if (knownSources && !knownSources.has(s)) issues.push(`${where}: unknown source '${s}'`);
  };
  const checkRegex = (where: string, source: unknown) => {
    if (typeof source !== 'string' || !source) return issues.push(`${where}: regex missing`);
    const problem = regexProblem(source);
    if (problem) issues.push(`${where}: regex ${JSON.stringify(source)} ${problem}`);
  };
  const checkClient = (where: string, client: unknown) => {
    if (!isObject(client)) return issues.push(`${where}: not an object`);
    if (!client.process && !client.user_agent) issues.push(`${where}: needs a process or user_agent regex`);
    if (client.process) checkRegex(`${where} process`, client.process);
    if (client.user_agent) checkRegex(`${where} user_agent`, client.user_agent);
    checkSources(where, client.sources);
  };
  (Array.isArray(value.common_clients) ? value.common_clients : []).forEach((c, i) => checkClient(`common_clients[${i}]`, c));
  (Array.isArray(value.process_roles) ? value.process_roles : []).forEach((r, i) => {
    const where = `process_roles[${i}]`;
    if (!isObject(r)) return issues.push(`${where}: not an object`);
    if (typeof r.role !== 'string' || !PROCESS_ROLES.includes(r.role))
      issues.push(`${where}: role '${String(r.role)}' is not one of ${PROCESS_ROLES.join(', ')}`);
    checkRegex(`${where} process`, r.process);
    checkSources(where, r.sources);
  });

  const serviceIds = new Set<string>();
  const hostOwners = new Map<string, { ids: string[]; allShared: boolean }>();
  const pathHostRefs: { where: string; pattern: string }[] = [];
  value.services.forEach((raw, index) => {
    if (!isObject(raw)) return issues.push(`services[${index}]: not an object`);
    const id = typeof raw.id === 'string' ? raw.id : '';
    const where = `service '${id || `#${index}`}'`;
    if (!SERVICE_ID.test(id)) issues.push(`${where}: id must be lower-case kebab-case`);
    else if (serviceIds.has(id)) issues.push(`${where}: duplicate id`);
    serviceIds.add(id);
    if (typeof raw.name !== 'string' || !raw.name.trim()) issues.push(`${where}: missing name`);
    if (typeof raw.category !== 'string' || !CATEGORIES.includes(raw.category))
      issues.push(`${where}: category '${String(raw.category)}' is not one of ${CATEGORIES.join(', ')}`);
    if (!isStringArray(raw.subtechniques)) issues.push(`${where}: subtechniques must be a list`);
    else for (const t of raw.subtechniques) if (!ATTACK_ID.test(t)) issues.push(`${where}: malformed ATT&CK id '${t}'`);
    if (typeof raw.consumer !== 'boolean') issues.push(`${where}: consumer must be true or false`);
    checkSources(where, raw.sources);

    if (!Array.isArray(raw.hosts) || raw.hosts.length === 0) issues.push(`${where}: needs at least one host pattern`);
    const ownPatterns = new Set<string>();
    (Array.isArray(raw.hosts) ? raw.hosts : []).forEach((host, h) => {
      const pattern = isObject(host) && typeof host.pattern === 'string' ? host.pattern : '';
      const at = `${where} host '${pattern || `#${h}`}'`;
      if (!isValidHostPattern(pattern)) return issues.push(`${at}: not a valid lower-case host pattern`);
      if (ownPatterns.has(pattern)) return issues.push(`${at}: listed twice`);
      ownPatterns.add(pattern);
      checkSources(at, (host as Record<string, unknown>).sources);
      const owner = hostOwners.get(pattern) ?? { ids: [], allShared: true };
      owner.ids.push(id);
      owner.allShared &&= (host as Record<string, unknown>).shared === true;
      hostOwners.set(pattern, owner);
    });
    (Array.isArray(raw.paths) ? raw.paths : []).forEach((path, p) => {
      const at = `${where} path #${p + 1}`;
      if (!isObject(path)) return issues.push(`${at}: not an object`);
      checkRegex(at, path.regex);
      if (typeof path.use !== 'string' || !PATH_USES.includes(path.use))
        issues.push(`${at}: use '${String(path.use)}' is not one of ${PATH_USES.join(', ')}`);
      if (path.host_pattern != null) pathHostRefs.push({ where: at, pattern: String(path.host_pattern) });
      checkSources(at, path.sources);
    });
    if (!Array.isArray(raw.paths)) issues.push(`${where}: paths must be a list`);
    if (!Array.isArray(raw.clients)) issues.push(`${where}: clients must be a list`);
    else raw.clients.forEach((c, i) => checkClient(`${where} client #${i + 1}`, c));
  });
  for (const [pattern, owner] of hostOwners)
    if (owner.ids.length > 1 && !owner.allShared)
      issues.push(`host '${pattern}' appears in ${owner.ids.join(', ')}; mark every occurrence shared or keep one`);
  for (const ref of pathHostRefs)
    if (!hostOwners.has(ref.pattern)) issues.push(`${ref.where}: host_pattern '${ref.pattern}' is not a catalog host pattern`);
  issues.push(...validatePatterns(value, serviceIds, checkSources));
  return issues;
}

/** Returns `value` typed as a Catalog, or throws with every problem validateCatalog() finds. */
export function loadCatalog(value: unknown): Catalog {
  const issues = validateCatalog(value);
  if (issues.length) throw new Error(`Invalid catalog (${issues.length} problems):\n${issues.join('\n')}`);
  return value as Catalog;
}

/** A fresh copy of the catalog shipped with Relaywatch (src/context/data/catalog.json). */
export function shippedCatalog(): Catalog {
  return loadCatalog(structuredClone(shipped));
}

/** Finds the catalog service for a normalised host: the longest matching pattern wins, then the lowest id. */
export function matchService(catalog: Catalog, host: string): { service: CatalogService; pattern: string } | null {
  let best: { service: CatalogService; pattern: string } | null = null;
  for (const service of catalog.services)
    for (const { pattern } of service.hosts)
      if (hostMatchesPattern(host, pattern)) {
        const better = !best || pattern.length > best.pattern.length || (pattern.length === best.pattern.length && service.id < best.service.id);
        if (better) best = { service, pattern };
      }
  return best;
}

/** Columnar rows for one table, ready for SqlEngine.append(). */
export interface TableRows {
  columns: Record<string, unknown[]>;
  types: Record<string, string>;
}

function tableRows(types: Record<string, string>): TableRows {
  return { columns: Object.fromEntries(Object.keys(types).map((k) => [k, []])), types };
}

function pushRow(table: TableRows, row: Record<string, unknown>): void {
  for (const name of Object.keys(table.types)) table.columns[name].push(row[name] ?? null);
}

/** Columnar rows for the catalog_* tables (src/core/context-schema.ts). */
export function catalogToRows(
  catalog: Catalog,
): Record<'catalog_services' | 'catalog_hosts' | 'catalog_paths' | 'catalog_clients' | 'catalog_accounts' | 'catalog_process_roles', TableRows> {
  const V = 'VARCHAR';
  const services = tableRows({ service_id: V, name: V, category: V, subtechniques: V, consumer: 'BOOLEAN', description: V, sources: V });
  const hosts = tableRows({ service_id: V, pattern: V, note: V });
  const paths = tableRows({ service_id: V, host_pattern: V, path_regex: V, use: V, note: V });
  const clients = tableRows({ service_id: V, process_regex: V, ua_regex: V, signer: V, note: V });
  const accounts = tableRows({ service_id: V, kind: V, account_regex: V, note: V });
  const processRoles = tableRows({ role: V, process_regex: V, note: V });
  const addClient = (serviceId: string, c: CatalogClient) =>
    pushRow(clients, { service_id: serviceId, process_regex: c.process, ua_regex: c.user_agent, signer: c.signer, note: c.note });
  for (const s of catalog.services) {
    pushRow(services, { ...s, service_id: s.id, subtechniques: s.subtechniques.join(','), sources: s.sources.join(',') });
    for (const h of s.hosts) pushRow(hosts, { service_id: s.id, pattern: h.pattern, note: h.note });
    for (const p of s.paths) pushRow(paths, { service_id: s.id, host_pattern: p.host_pattern, path_regex: p.regex, use: p.use, note: p.note });
    for (const c of s.clients) addClient(s.id, c);
  }
  for (const c of catalog.common_clients ?? []) addClient('*', c);
  for (const a of catalog.accounts ?? []) pushRow(accounts, { service_id: a.service_id, kind: a.kind, account_regex: a.regex, note: a.note });
  for (const r of catalog.process_roles ?? []) pushRow(processRoles, { role: r.role, process_regex: r.process, note: r.note });
  return {
    catalog_services: services, catalog_hosts: hosts, catalog_paths: paths, catalog_clients: clients, catalog_accounts: accounts,
    catalog_process_roles: processRoles,
  };
}

/** Columns of the flat CSV form: one row per host, path or client, with the service columns repeated. */
export const CATALOG_CSV_COLUMNS = [
  'service_id', 'name', 'category', 'subtechniques', 'consumer', 'description', 'service_sources',
  'entry', 'pattern', 'host_pattern', 'use', 'user_agent', 'signer', 'shared', 'note', 'sources',
] as const;
type CsvRow = Record<(typeof CATALOG_CSV_COLUMNS)[number], string>;

const LIST_SEPARATOR = ';';
const splitList = (v: string) => v.split(LIST_SEPARATOR).map((x) => x.trim()).filter(Boolean);

/**
 * Undoes papaparse's `escapeFormulae` on import: exported cells that began with = + - @ got a leading
 * quote so spreadsheets do not run them as formulas.
 */
export function unescapeFormula(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/**
 * The catalog as flat CSV (entry = host | path | client | process-role; service_id '*' rows are the common clients and
 * the process roles, whose role is in the `use` column).
 * Lists use ';'. Cells that a spreadsheet would run as a formula are escaped.
 */
export function catalogToCsv(catalog: Catalog): string {
  const rows: CsvRow[] = [];
  const blank = Object.fromEntries(CATALOG_CSV_COLUMNS.map((c) => [c, ''])) as CsvRow;
  const clientRow = (base: CsvRow, c: CatalogClient): CsvRow => ({
    ...base, entry: 'client', pattern: c.process ?? '', user_agent: c.user_agent ?? '', signer: c.signer ?? '', note: c.note ?? '', sources: c.sources.join(LIST_SEPARATOR),
  });
  for (const s of catalog.services) {
    const base: CsvRow = {
      ...blank, service_id: s.id, name: s.name, category: s.category, subtechniques: s.subtechniques.join(LIST_SEPARATOR),
      consumer: String(s.consumer), description: s.description ?? '', service_sources: s.sources.join(LIST_SEPARATOR),
    };
    for (const h of s.hosts)
      rows.push({ ...base, entry: 'host', pattern: h.pattern, shared: h.shared ? 'true' : '', note: h.note ?? '', sources: h.sources.join(LIST_SEPARATOR) });
    for (const p of s.paths)
      rows.push({ ...base, entry: 'path', pattern: p.regex, host_pattern: p.host_pattern ?? '', use: p.use, note: p.note ?? '', sources: p.sources.join(LIST_SEPARATOR) });
    for (const c of s.clients) rows.push(clientRow(base, c));
  }
  for (const c of catalog.common_clients ?? []) rows.push(clientRow({ ...blank, service_id: '*' }, c));
  for (const r of catalog.process_roles ?? [])
    rows.push({ ...blank, service_id: '*', entry: 'process-role', pattern: r.process, use: r.role, note: r.note ?? '', sources: r.sources.join(LIST_SEPARATOR) });
  return Papa.unparse({ fields: [...CATALOG_CSV_COLUMNS], data: rows.map((r) => CATALOG_CSV_COLUMNS.map((c) => r[c])) }, { escapeFormulae: true });
}

/**
 * Merges a flat catalog CSV (the CLI's `--catalog extra.csv`, or an edited export) into `base` (default: the
 * shipped catalog). Rows for an existing service add hosts/paths/clients and overwrite service fields that are
 * filled in; rows for a new service create it (name and category required). The base is not modified.
 * Returns the merged catalog and every problem, each naming its CSV line; use the catalog only if `issues` is empty.
 */
export function catalogFromCsv(text: string, base: Catalog = shippedCatalog()): { catalog: Catalog; issues: string[] } {
  const catalog = structuredClone(base);
  const issues: string[] = [];
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: 'greedy' });
  for (const e of parsed.errors) issues.push(`CSV line ${(e.row ?? 0) + 1}: ${e.message}`);
  const [header = [], ...records] = parsed.data;
  const index = new Map(header.map((name, i) => [name.trim().toLowerCase(), i]));
  const missing = ['service_id', 'entry', 'pattern'].filter((c) => !index.has(c));
  if (missing.length) return { catalog: base, issues: [...issues, `CSV header: missing column(s) ${missing.join(', ')}`] };
  const services = new Map(catalog.services.map((s) => [s.id, s]));

  records.forEach((record, i) => {
    const line = i + 2;
    const cell = (name: (typeof CATALOG_CSV_COLUMNS)[number]) => {
      const at = index.get(name);
      const value = at === undefined ? '' : unescapeFormula(record[at] ?? '');
      // Spaces are significant inside regexes; every other cell is trimmed.
      return name === 'pattern' || name === 'user_agent' ? value : value.trim();
    };
    const id = cell('service_id');
    const entry = cell('entry');
    const sources = splitList(cell('sources')).length ? splitList(cell('sources')) : ['user'];
    const note = cell('note') || undefined;
    if (id === '*' && entry === 'process-role') {
      const roles = (catalog.process_roles ??= []);
      const role = cell('use') as CatalogProcessRole['role'];
      if (!roles.some((r) => r.role === role && r.process === cell('pattern'))) roles.push({ role, process: cell('pattern'), ...(note ? { note } : {}), sources });
      return;
    }
    if (id === '*') {
      if (entry !== 'client') return issues.push(`CSV line ${line}: service_id '*' is only for client and process-role rows`);
      (catalog.common_clients ??= []).push({ process: cell('pattern') || null, user_agent: cell('user_agent') || null, signer: cell('signer') || null, note, sources });
      return;
    }
    let service = services.get(id);
    if (!service) {
      if (!cell('name') || !cell('category')) return issues.push(`CSV line ${line}: new service '${id}' needs a name and a category`);
      service = { id, name: '', category: '', subtechniques: [], consumer: false, sources: ['user'], hosts: [], paths: [], clients: [] };
      services.set(id, service);
      catalog.services.push(service);
    }
    if (cell('name')) service.name = cell('name');
    if (cell('category')) service.category = cell('category');
    if (cell('subtechniques')) service.subtechniques = splitList(cell('subtechniques'));
    if (cell('consumer')) service.consumer = cell('consumer').toLowerCase() === 'true';
    if (cell('description')) service.description = cell('description');
    if (cell('service_sources')) service.sources = splitList(cell('service_sources'));
    const pattern = cell('pattern');
    if (entry === 'host') {
      const host = pattern.trim().toLowerCase();
      if (!service.hosts.some((h) => h.pattern === host))
        service.hosts.push({ pattern: host, ...(cell('shared') === 'true' ? { shared: true } : {}), ...(note ? { note } : {}), sources });
    } else if (entry === 'path') {
      const hostPattern = cell('host_pattern') || null;
      if (!service.paths.some((p) => p.regex === pattern && (p.host_pattern ?? null) === hostPattern))
        service.paths.push({ host_pattern: hostPattern, regex: pattern, use: cell('use'), ...(note ? { note } : {}), sources });
    } else if (entry === 'client') {
      const process = pattern || null;
      const userAgent = cell('user_agent') || null;
      if (!service.clients.some((c) => (c.process ?? null) === process && (c.user_agent ?? null) === userAgent))
        service.clients.push({ process, user_agent: userAgent, signer: cell('signer') || null, ...(note ? { note } : {}), sources });
    } else {
      issues.push(`CSV line ${line}: entry must be host, path or client, not '${entry}'`);
    }
  });
  // Rows from the CSV may cite 'user' as their source; make that a known source before linting.
  catalog.source_definitions = { ...catalog.source_definitions, user: 'added by the user (imported CSV)' };
  issues.push(...validateCatalog(catalog));
  return { catalog, issues };
}
