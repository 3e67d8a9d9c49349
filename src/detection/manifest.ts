/**
 * The detection pack as data: every `.sql` file under src/detection/ starts with a header that this loader
 * turns into a typed manifest. The browser feeds it through `import.meta.glob` (manifest-browser.ts), Node
 * through a directory read (manifest-node.ts); both hand `{path, text}[]` to `loadDetectionPack`.
 *
 * HEADER FORMAT (strict; the header is the run of `-- ` lines at the top of the file, ended by the first other line)
 *   -- id: periodic-beacon                       required; equals the file name without `.sql`
 *   -- title: Periodic beacon to a web service     analytics only
 *   -- attack: T1102, T1102.002                    analytics only; comma-separated ATT&CK ids
 *   -- family: timing                              analytics only; timing | context | client | content | sequence
 *   -- probability: 0.55                           analytics only; base probability that a full-strength hit is C2
 *   -- description: one line
 *   -- false_positive: one line                    repeatable (analytics need at least one)
 *   -- tables: events, rw_events                   tables and views the file reads
 *   -- param: name | type | default | description  repeatable; fields separated by ' | ' (a bare '|' stays in a
 *                                                  regex default); type is integer | double | varchar | boolean |
 *                                                  timestamp; default `null` means "derived from the data"
 * Parameters are global DuckDB variables (read in SQL with getvariable('name')), bound by the runner with
 * setVariables(); two files declaring one name must agree on type and default.
 *
 * FOLDERS
 *   baselines/*.sql  statements run in file-name order before any analytic; they build the TEMP tables
 *                    (rw_events, rw_host_service, rw_peer_service, ...) that analytics reuse.
 *   stages/*.sql     single SELECTs the runner issues itself (periodicity candidates, finding facts).
 *   analytics/*.sql  one analytic each: a single SELECT returning SIGNAL ROWS (below).
 *
 * SIGNAL ROW SHAPE (every analytic returns exactly these columns, in this order, then optional evidence_*):
 *   signal_id   VARCHAR    the analytic id
 *   src_key     VARCHAR    source key: short host name when known, else IP (rw_events.src_key)
 *   src_ip      VARCHAR    most frequent source IP of the key
 *   src_host    VARCHAR    host name, when known
 *   src_user    VARCHAR    most frequent user, when known
 *   process     VARCHAR    image path when the evidence is about one process, else NULL (host-level signal)
 *   service_id  VARCHAR    catalogued service id, NULL when the destination is not catalogued
 *   dst_host    VARCHAR    destination name the evidence is about (the finding key when service_id is NULL)
 *   weight      DOUBLE     strength of this evidence in [0, 1]; scoring multiplies it by the analytic probability
 *   events      BIGINT     events behind the evidence
 *   first_seen  TIMESTAMP  first of those events
 *   last_seen   TIMESTAMP  last of those events
 *   explanation VARCHAR    one plain sentence with the numbers
 *   evidence_*  any        scalar evidence (numbers, short strings) exported under the name without the prefix
 */

export type ParamType = 'integer' | 'double' | 'varchar' | 'boolean' | 'timestamp';
export type ParamValue = string | number | boolean | null;

export interface ParamSpec {
  name: string;
  type: ParamType;
  default: ParamValue;
  description: string;
}

export type SqlFolder = 'baselines' | 'stages' | 'analytics';

export interface SqlUnit {
  id: string;
  path: string;
  folder: SqlFolder;
  description: string;
  tables: string[];
  params: ParamSpec[];
  /** The whole file; DuckDB ignores the header comment. */
  sql: string;
}

export interface AnalyticSpec extends SqlUnit {
  folder: 'analytics';
  title: string;
  attack: string[];
  family: string;
  probability: number;
  falsePositives: string[];
}

export interface DetectionPack {
  baselines: SqlUnit[];
  stages: Map<string, SqlUnit>;
  analytics: AnalyticSpec[];
  /** Every parameter of every file, by name. */
  params: Map<string, ParamSpec>;
}

/** Columns every analytic returns, in order, before its optional evidence_* columns. */
export const SIGNAL_COLUMNS = [
  'signal_id',
  'src_key',
  'src_ip',
  'src_host',
  'src_user',
  'process',
  'service_id',
  'dst_host',
  'weight',
  'events',
  'first_seen',
  'last_seen',
  'explanation',
] as const;

const SINGLE_KEYS = new Set(['id', 'title', 'attack', 'family', 'probability', 'description', 'tables']);
const REPEATED_KEYS = new Set(['param', 'false_positive']);
const PARAM_TYPES: readonly ParamType[] = ['integer', 'double', 'varchar', 'boolean', 'timestamp'];
const FAMILIES = new Set(['timing', 'context', 'client', 'content', 'sequence']);

function fail(path: string, message: string): never {
  throw new Error(`${path}: ${message}`);
}

function parseDefault(path: string, type: ParamType, text: string): ParamValue {
  if (text === 'null') return null;
  switch (type) {
    case 'integer':
    case 'double': {
      const value = Number(text);
      if (!Number.isFinite(value) || (type === 'integer' && !Number.isInteger(value))) {
        fail(path, `default ${text} is not a valid ${type}`);
      }
      return value;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') fail(path, `default ${text} is not a boolean`);
      return text === 'true';
    default:
      return text;
  }
}

function parseParam(path: string, text: string): ParamSpec {
  // ' | ' (with spaces) separates fields, so regex defaults may use a bare '|'.
  const parts = text.split(' | ');
  if (parts.length < 4) fail(path, `param needs "name | type | default | description": ${text}`);
  const [name, type, defaultText] = parts.map((p) => p.trim());
  const description = parts.slice(3).join(' | ').trim();
  if (!/^[a-z][a-z0-9_]*$/.test(name)) fail(path, `bad param name ${name}`);
  if (!PARAM_TYPES.includes(type as ParamType)) fail(path, `param ${name}: unknown type ${type}`);
  if (!description) fail(path, `param ${name}: description missing`);
  return { name, type: type as ParamType, default: parseDefault(path, type as ParamType, defaultText), description };
}

/** Parses the header of one SQL file (see the format at the top of this module). */
export function parseSqlUnit(path: string, text: string): SqlUnit | AnalyticSpec {
  const folderMatch = /(?:^|\/)(baselines|stages|analytics)\/([a-z0-9-]+)\.sql$/.exec(path);
  if (!folderMatch) fail(path, 'expected baselines/, stages/ or analytics/<kebab-case>.sql');
  const folder = folderMatch[1] as SqlFolder;
  const single = new Map<string, string>();
  const repeated = new Map<string, string[]>([
    ['param', []],
    ['false_positive', []],
  ]);
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('-- ')) break;
    const m = /^-- ([a-z_]+): (.+)$/.exec(line.trimEnd());
    if (!m) fail(path, `header line is not "-- key: value": ${line}`);
    const [, key, value] = m;
    if (REPEATED_KEYS.has(key)) repeated.get(key)!.push(value.trim());
    else if (SINGLE_KEYS.has(key)) {
      if (single.has(key)) fail(path, `duplicate header key ${key}`);
      single.set(key, value.trim());
    } else fail(path, `unknown header key ${key}`);
  }
  const id = single.get('id') ?? fail(path, 'id missing');
  const fileId = path.replace(/^.*\//, '').replace(/\.sql$/, '').replace(/^\d+-/, '');
  if (id !== fileId) fail(path, `id ${id} does not match the file name`);
  const unit: SqlUnit = {
    id,
    path,
    folder,
    description: single.get('description') ?? fail(path, 'description missing'),
    tables: (single.get('tables') ?? fail(path, 'tables missing')).split(',').map((t) => t.trim()),
    params: repeated.get('param')!.map((p) => parseParam(path, p)),
    sql: text,
  };
  if (folder !== 'analytics') return unit;
  const attack = (single.get('attack') ?? fail(path, 'attack missing')).split(',').map((a) => a.trim());
  for (const a of attack) if (!/^T\d{4}(\.\d{3})?$/.test(a)) fail(path, `bad ATT&CK id ${a}`);
  const family = single.get('family') ?? fail(path, 'family missing');
  if (!FAMILIES.has(family)) fail(path, `unknown family ${family}`);
  const probability = Number(single.get('probability'));
  if (!(probability > 0 && probability < 1)) fail(path, 'probability must be in (0, 1)');
  const falsePositives = repeated.get('false_positive')!;
  if (falsePositives.length === 0) fail(path, 'at least one false_positive line is required');
  return {
    ...unit,
    folder,
    title: single.get('title') ?? fail(path, 'title missing'),
    attack,
    family,
    probability,
    falsePositives,
  };
}

/** Builds the pack from SQL sources, checking unique ids and consistent parameter declarations. */
export function loadDetectionPack(sources: readonly { path: string; text: string }[]): DetectionPack {
  const units = [...sources]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((s) => parseSqlUnit(s.path, s.text));
  const params = new Map<string, ParamSpec>();
  const ids = new Set<string>();
  for (const unit of units) {
    const qualified = `${unit.folder}/${unit.id}`;
    if (ids.has(qualified)) fail(unit.path, `duplicate id ${unit.id}`);
    ids.add(qualified);
    for (const p of unit.params) {
      const known = params.get(p.name);
      if (known && (known.type !== p.type || known.default !== p.default)) {
        fail(unit.path, `param ${p.name} redeclared with a different type or default`);
      }
      params.set(p.name, p);
    }
  }
  const analytics = units.filter((u): u is AnalyticSpec => u.folder === 'analytics');
  if (analytics.length === 0) throw new Error('detection pack has no analytics');
  return {
    baselines: units.filter((u) => u.folder === 'baselines'),
    stages: new Map(units.filter((u) => u.folder === 'stages').map((u) => [u.id, u])),
    analytics,
    params,
  };
}
