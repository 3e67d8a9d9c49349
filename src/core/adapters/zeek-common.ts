/**
 * What Zeek TSV and Zeek JSON share once a line is a record of named fields: timestamps, and the mapping of
 * conn / dns / http / ssl / notice onto canonical events. Every other log path is kept as a raw context row
 * in `zeek_<path>` with Zeek's own field names.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Outcome, type Sink } from '../ingest/adapter.ts';
import { epochSecondsToMicros, isoToMicros } from '../ingest/time.ts';
import {
  clipText,
  extraJson,
  getInteger,
  getNumber,
  getString,
  rawText,
  type JsonRecord,
} from './json-record.ts';

/** Connection 4-tuple and link id, present in most Zeek logs. */
export const ENDPOINT_FIELDS: readonly string[] = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p'];

/** Zeek time as epoch seconds (number or text) or ISO-8601 text → UTC epoch micros, else null. */
export function zeekTimeToMicros(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? epochSecondsToMicros(String(value)) : null;
  if (typeof value !== 'string') return null;
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? epochSecondsToMicros(value) : isoToMicros(value);
}

/** Epoch micros → `2018-03-24T17:15:20.865716Z` (microseconds kept, unlike microsToIso). */
export function microsToIsoMicros(micros: number): string {
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const seconds = (micros - fraction) / 1_000_000;
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(fraction).padStart(6, '0')}Z`;
}

/** A log path or event type made safe as part of a table or format name (`known_hosts`, `dns`). */
export function safeName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 48);
  return cleaned === '' ? 'unknown' : cleaned;
}

/** Field-set fingerprints of Zeek logs, for records that do not name their path; first match wins. */
const PATH_SIGNATURES: ReadonlyArray<[string, (has: (key: string) => boolean) => boolean]> = [
  ['x509', (has) => has('certificate.subject') || has('certificate.serial')],
  ['notice', (has) => has('note') && has('msg')],
  ['conn', (has) => has('conn_state') || (has('orig_bytes') && has('resp_bytes'))],
  ['dns', (has) => has('query') && (has('qtype') || has('qtype_name') || has('trans_id') || has('rcode'))],
  ['http', (has) => has('method') && (has('uri') || has('host'))],
  ['ssl', (has) => has('server_name') || has('ssl_history') || (has('version') && has('cipher'))],
  ['files', (has) => has('fuid') && (has('mime_type') || has('seen_bytes') || has('tx_hosts'))],
  ['weird', (has) => has('name') && (has('addl') || has('peer'))],
  ['software', (has) => has('software_type')],
  ['known_services', (has) => has('port_num') && has('service')],
  ['known_certs', (has) => has('issuer_subject') && has('serial')],
  ['smtp', (has) => has('mailfrom') || has('rcptto') || has('helo')],
  ['ntp', (has) => has('stratum') && has('ref_id')],
  ['ssh', (has) => has('auth_success') || has('hassh')],
  ['dhcp', (has) => has('assigned_addr') || has('msg_types')],
  ['pe', (has) => has('machine') && has('compile_ts')],
  ['packet_filter', (has) => has('filter') && has('init')],
  ['capture_loss', (has) => has('percent_lost') && has('gaps')],
  ['stats', (has) => has('pkts_proc') || (has('mem') && has('events_proc'))],
  ['reporter', (has) => has('level') && has('message') && has('location')],
  ['arp', (has) => has('operation') && (has('src_mac') || has('orig_hw'))],
  ['tunnel', (has) => has('tunnel_type') && has('action')],
];

/**
 * Logs that map like conn / ssl / http: the still-open connections of RITA's Zeek script (`open_conn`...) and the
 * long-connection package's interim records (`conn_long`) carry the same fields.
 */
const MAPPING_ALIASES: ReadonlyMap<string, string> = new Map([
  ['open_conn', 'conn'],
  ['conn_long', 'conn'],
  ['open_ssl', 'ssl'],
  ['open_http', 'http'],
]);

/** The log path whose mapping a log of `path` uses (itself unless it is an alias above). */
export function mappingPath(path: string): string {
  return MAPPING_ALIASES.get(path) ?? path;
}

/** Logs that need a time to load: those mapped to canonical events (and notice, which adds an alert event). */
export function needsTime(path: string): boolean {
  const mapped = mappingPath(path);
  return mapped in MAPPED_FIELDS || mapped === 'notice';
}

/** Guess the Zeek log path from field names (`known_hosts` is just ts + host); 'unknown' when nothing fits. */
export function inferZeekPath(fieldNames: Iterable<string>): string {
  const names = new Set(fieldNames);
  const has = (key: string) => names.has(key);
  for (const [path, matches] of PATH_SIGNATURES) if (matches(has)) return path;
  if (names.size === 2 && has('ts') && has('host')) return 'known_hosts';
  if (names.size === 1 && has('name')) return 'loaded_scripts';
  return 'unknown';
}

/**
 * Map one Zeek record of log `path` onto the sink: conn/dns/http/ssl (and their aliases) as canonical events,
 * notice as a raw row plus an 'alert' event, anything else as a raw row in `zeek_<path>`. Rejects a record of a
 * mapped log whose ts is missing or unreadable; other logs (`loaded_scripts` has no ts) load without one.
 */
export function emitZeekRecord(path: string, record: JsonRecord, sink: Sink): Outcome {
  const tsValue = record.get('ts');
  const ts = tsValue === undefined || tsValue === null ? null : zeekTimeToMicros(tsValue);
  if (ts === null && !needsTime(path)) {
    sink.raw(`zeek_${safeName(path)}`, rawRow(record, null));
    return LOADED;
  }
  if (tsValue === undefined || tsValue === null) return reject('no ts field');
  if (ts === null) return reject(`unreadable ts "${clipText(String(tsValue), 40)}"`);

  const mapper = EVENT_MAPPERS.get(mappingPath(path));
  if (mapper) {
    // One object, filled in place: spreading three objects per record showed up in ingest profiles.
    const event = Object.assign(endpoint(record, ts), mapper.map(record)) as EventRecord;
    event.extra = extraJson(record, mapper.used);
    sink.event(event);
    return LOADED;
  }
  sink.raw(`zeek_${safeName(path)}`, rawRow(record, ts));
  if (path === 'notice') sink.event(noticeAlert(record, ts));
  return LOADED;
}

interface EventMapper {
  /** Fields the mapper turns into columns besides the endpoint ones (the rest go to `extra`). */
  fields: readonly string[];
  map(record: JsonRecord): Partial<EventRecord> & Pick<EventRecord, 'kind'>;
}

/** Fields a notice alert turns into columns. */
export const NOTICE_FIELDS: readonly string[] = [...ENDPOINT_FIELDS, 'note', 'msg', 'src', 'dst', 'p', 'proto'];
const NOTICE_USED: ReadonlySet<string> = new Set(NOTICE_FIELDS);

const MAPPER_DEFINITIONS = {
  conn: {
    fields: ['proto', 'service', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state'],
    map: (r: JsonRecord) => ({
      kind: 'flow',
      protocol: lower(getString(r, 'proto')),
      app_protocol: serviceNames(r.get('service')),
      duration: getNumber(r, 'duration'),
      bytes_out: getInteger(r, 'orig_bytes'),
      bytes_in: getInteger(r, 'resp_bytes'),
      conn_state: getString(r, 'conn_state'),
    }),
  },
  dns: {
    fields: ['proto', 'query', 'qtype_name', 'qtype', 'rcode_name', 'rcode', 'answers'],
    map: (r: JsonRecord) => {
      const query = getString(r, 'query');
      return {
        kind: 'dns',
        protocol: lower(getString(r, 'proto')),
        app_protocol: 'dns',
        dns_query: query,
        dst_host: hostName(query),
        dst_host_origin: query ? 'dns-query' : null,
        dns_qtype: getString(r, 'qtype_name', 'qtype'),
        dns_rcode: getString(r, 'rcode_name', 'rcode'),
        dns_answers: joinList(r.get('answers')),
      };
    },
  },
  http: {
    fields: [
      'host', 'uri', 'method', 'status_code', 'user_agent', 'referrer', 'request_body_len', 'response_body_len',
      'resp_mime_types',
    ],
    map: (r: JsonRecord) => {
      const method = getString(r, 'method');
      const uri = getString(r, 'uri');
      const connectTarget = method?.toUpperCase() === 'CONNECT' ? uri : null;
      const host = hostName(getString(r, 'host')) ?? hostName(connectTarget);
      return {
        kind: 'http',
        app_protocol: 'http',
        dst_host: host,
        dst_host_origin: host ? (getString(r, 'host') ? 'http-host' : 'connect') : null,
        url_path: connectTarget ? null : urlPath(uri),
        method,
        status: getInteger(r, 'status_code'),
        user_agent: getString(r, 'user_agent'),
        referrer: getString(r, 'referrer'),
        content_type: firstOf(r.get('resp_mime_types')),
        bytes_out: getInteger(r, 'request_body_len'),
        bytes_in: getInteger(r, 'response_body_len'),
      };
    },
  },
  ssl: {
    fields: ['server_name', 'version', 'ja3', 'ja4'],
    map: (r: JsonRecord) => {
      const host = hostName(getString(r, 'server_name'));
      return {
        kind: 'tls',
        app_protocol: 'tls',
        dst_host: host,
        dst_host_origin: host ? 'sni' : null,
        tls_version: getString(r, 'version'),
        tls_ja3: getString(r, 'ja3'),
        tls_ja4: getString(r, 'ja4'),
      };
    },
  },
} satisfies Record<string, EventMapper>;

/** For each log path mapped to canonical events, the fields its mapping turns into columns (besides the endpoint ones). */
export const MAPPED_FIELDS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(MAPPER_DEFINITIONS).map(([path, mapper]) => [path, mapper.fields]),
);

const EVENT_MAPPERS = new Map<string, EventMapper & { used: ReadonlySet<string> }>(
  Object.entries(MAPPER_DEFINITIONS).map(([path, mapper]) => [
    path,
    { ...mapper, used: new Set([...ENDPOINT_FIELDS, ...mapper.fields]) },
  ]),
);

function endpoint(r: JsonRecord, ts: number): Omit<EventRecord, 'kind'> {
  return {
    ts,
    uid: getString(r, 'uid'),
    src_ip: getString(r, 'id.orig_h'),
    src_port: getInteger(r, 'id.orig_p'),
    dst_ip: getString(r, 'id.resp_h'),
    dst_port: getInteger(r, 'id.resp_p'),
  };
}

/** A notice as an alert event: "note: msg", addresses from the connection or the notice's own src/dst/p. */
function noticeAlert(r: JsonRecord, ts: number): EventRecord {
  const text = [getString(r, 'note'), getString(r, 'msg')].filter(Boolean).join(': ');
  return {
    kind: 'alert',
    ts,
    uid: getString(r, 'uid'),
    src_ip: getString(r, 'id.orig_h', 'src'),
    src_port: getInteger(r, 'id.orig_p'),
    dst_ip: getString(r, 'id.resp_h', 'dst'),
    dst_port: getInteger(r, 'id.resp_p', 'p'),
    protocol: lower(getString(r, 'proto')),
    alert: text || null,
    extra: extraJson(r, NOTICE_USED),
  };
}

/** A raw context row: Zeek's field names, booleans as T/F like Zeek TSV, sets joined with ',', a readable ts as ISO. */
function rawRow(r: JsonRecord, ts: number | null): Record<string, string | null> {
  const row: Record<string, string | null> = Object.create(null);
  for (const [key, value] of r) {
    row[key] = typeof value === 'boolean' ? (value ? 'T' : 'F') : rawText(value);
  }
  if (ts !== null) row.ts = microsToIsoMicros(ts);
  return row;
}

function lower(text: string | null): string | null {
  return text === null ? null : text.toLowerCase();
}

/** Zeek service names ('ssl,http') as canonical app protocols ('tls,http'). */
function serviceNames(value: unknown): string | null {
  const list = joinList(value);
  if (!list) return null;
  if (list === 'ssl') return 'tls';
  return list
    .split(',')
    .map((name) => (name.toLowerCase() === 'ssl' ? 'tls' : name.toLowerCase()))
    .join(',');
}

/** A Zeek set/vector (array from JSON or TSV, or already-joined text) as comma-separated text. */
function joinList(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : clipText(value);
  if (!Array.isArray(value)) return null;
  const items = value.filter((item) => item !== null && item !== '').map(String);
  return items.length ? clipText(items.join(',')) : null;
}

function firstOf(value: unknown): string | null {
  if (Array.isArray(value)) return value.length && value[0] !== null ? clipText(String(value[0])) : null;
  return typeof value === 'string' && value !== '' ? clipText(value.split(',')[0]) : null;
}

/** A Host header, SNI or query name as a lower-case host: port, IPv6 brackets and trailing dot removed. */
export function hostName(text: string | null): string | null {
  if (!text) return null;
  let host = text.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) host = bracketed[1];
  else if (/^[^:]+:\d+$/.test(host)) host = host.slice(0, host.lastIndexOf(':'));
  host = host.replace(/\.$/, '');
  return host === '' ? null : host;
}

/** A request target as path and query: absolute URLs (proxied requests) lose their scheme and host. */
export function urlPath(uri: string | null): string | null {
  if (!uri) return null;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(uri);
  if (!absolute) return uri;
  const rest = uri.slice(absolute[0].length);
  return rest === '' ? '/' : rest;
}
