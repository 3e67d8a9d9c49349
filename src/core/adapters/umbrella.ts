/**
 * Cisco Umbrella logs as its S3 export writes them: headerless, quoted CSV with a fixed column order per log
 * type. DNS logs ("Timestamp","Most Granular Identity","Identities","Internal IP","External IP","Action",
 * "QueryType","ResponseCode","Domain","Categories", …) become 'dns' events; they carry no answers, so they
 * name no flows. Proxy (SWG) logs ("Timestamp","Identities","Internal IP","External IP","Destination IP",
 * "Content Type","Verdict","URL","Referer","userAgent","statusCode","requestSize","responseSize", …) become
 * 'proxy' events. Timestamps are UTC. Columns newer schema versions append go to `extra` by position.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import {
  confidenceFromShare,
  extraJson,
  intOrNull,
  normaliseAction,
  shareOfLines,
  splitDelimitedLine,
  splitUrl,
  textOrNull,
} from './csv-mapped.ts';
import { hostName } from './zeek-common.ts';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DNS_COLUMNS = [
  'Timestamp',
  'Most Granular Identity',
  'Identities',
  'Internal IP',
  'External IP',
  'Action',
  'QueryType',
  'ResponseCode',
  'Domain',
  'Categories',
  'Most Granular Identity Type',
  'Identity Types',
  'Blocked Categories',
];
const PROXY_COLUMNS = [
  'Timestamp',
  'Identities',
  'Internal IP',
  'External IP',
  'Destination IP',
  'Content Type',
  'Verdict',
  'URL',
  'Referer',
  'userAgent',
  'statusCode',
  'requestSize',
  'responseSize',
  'responseBodySize',
  'SHA-SHA256',
  'Categories',
  'AVDetections',
  'PUAs',
  'AMP Disposition',
  'AMP Malware Name',
  'AMP Score',
  'Identity Types',
  'Blocked Categories',
];
const HTTP_METHOD = /^(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH|CONNECT|TRACE)$/;

type Kind = 'dns' | 'proxy';

/** Which Umbrella log a line is, or null. */
function kindOfLine(fields: readonly string[] | null): Kind | null {
  if (!fields || !TIMESTAMP.test(fields[0] ?? '')) return null;
  if (fields.length >= 10 && /^(?:Allowed|Blocked)$/i.test(fields[5]) && /^\d+ \([\w*]+\)$/.test(fields[6])) return 'dns';
  if (fields.length >= 21 && /^https?:\/\//i.test(fields[7] ?? '')) return 'proxy';
  return null;
}

const split = (line: string) => splitDelimitedLine(line, ',');

/** Named columns, then later (newer-version) columns by position. */
function extras(fields: readonly string[], names: readonly string[], used: ReadonlySet<number>): string | null {
  return extraJson(fields.flatMap((value, i): [string, string][] => (used.has(i) ? [] : [[names[i] ?? `column${i + 1}`, value]])));
}

/**
 * The computer and the user among a record's identities. Umbrella lists every identity a request matched (a user,
 * a computer, the network or site it came from…) with their types in a parallel column; a network or site name is
 * no host, so only identities typed as computers or devices name the source, and users its user. Without the
 * types (older schemas) nothing is guessed: the source is its internal IP.
 */
export function umbrellaIdentities(names: string | undefined, types: string | undefined): { host: string | null; user: string | null } {
  const kinds = (types ?? '').split(',').map((t) => t.trim());
  let host: string | null = null;
  let user: string | null = null;
  (names ?? '').split(',').forEach((raw, i) => {
    const name = textOrNull(raw.trim());
    if (name === null) return;
    if (/user/i.test(kinds[i] ?? '')) user ??= name;
    else if (/computer|device/i.test(kinds[i] ?? '') && !/network device/i.test(kinds[i])) host ??= name;
  });
  return { host, user };
}

function emitDns(f: readonly string[], ts: number, sink: Sink): Outcome {
  const query = textOrNull(f[8])?.replace(/\.$/, '') ?? null;
  if (!query) return reject('no Domain');
  const identity = umbrellaIdentities(f[2], f[11]);
  sink.event({
    ts,
    kind: 'dns',
    app_protocol: 'dns',
    src_host: identity.host,
    src_user: identity.user,
    src_ip: textOrNull(f[3]),
    dns_query: query,
    dst_host: hostName(query),
    dst_host_origin: 'dns-query',
    dns_qtype: /\(([\w*]+)\)/.exec(f[6])?.[1] ?? textOrNull(f[6]),
    dns_rcode: textOrNull(f[7]),
    action: normaliseAction(f[5]),
    extra: extras(f, DNS_COLUMNS, new Set([0, 3, 5, 6, 7, 8])),
  });
  return LOADED;
}

function emitProxy(f: readonly string[], ts: number, sink: Sink): Outcome {
  const parts = splitUrl(f[7]);
  const methodAt = f.findIndex((v, i) => i >= PROXY_COLUMNS.length && HTTP_METHOD.test(v));
  const identity = umbrellaIdentities(f[1], f[21]);
  const event: EventRecord = {
    ts,
    kind: 'proxy',
    src_host: identity.host,
    src_user: identity.user,
    src_ip: textOrNull(f[2]),
    dst_ip: textOrNull(f[4]),
    content_type: textOrNull(f[5]),
    action: normaliseAction(f[6]),
    dst_host: parts ? hostName(parts.host) : null,
    dst_host_origin: parts ? 'url' : null,
    dst_port: parts?.port ?? null,
    url_path: parts?.path ?? null,
    referrer: textOrNull(f[8]),
    user_agent: textOrNull(f[9]),
    status: intOrNull(f[10]),
    bytes_out: intOrNull(f[11]),
    bytes_in: intOrNull(f[12]),
    // The request method is a later column whose position moved between schema versions.
    method: methodAt >= 0 ? f[methodAt] : null,
  };
  event.extra = extras(f, PROXY_COLUMNS, new Set([0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, ...(methodAt >= 0 ? [methodAt] : [])]));
  sink.event(event);
  return LOADED;
}

class UmbrellaParser implements RecordParser {
  private kind: Kind | null = null;

  get format(): string {
    return this.kind ? `umbrella-${this.kind}-csv` : 'umbrella-csv';
  }

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    const fields = split(text);
    if (!fields) return reject('unbalanced quotes');
    this.kind ??= kindOfLine(fields);
    if (this.kind === null) return reject('not an Umbrella DNS or proxy log line');
    const minimum = this.kind === 'dns' ? 10 : 21;
    if (fields.length < minimum) return reject(`expected at least ${minimum} fields, got ${fields.length}`);
    const ts = TIMESTAMP.test(fields[0]) ? isoToMicros(fields[0].replace(' ', 'T') + 'Z') : null;
    if (ts === null) return reject(`unreadable Timestamp "${fields[0].slice(0, 40)}"`);
    return this.kind === 'dns' ? emitDns(fields, ts, sink) : emitProxy(fields, ts, sink);
  }
}

/** Umbrella DNS and proxy logs (S3 export CSV). */
export const umbrellaAdapter: Adapter = {
  id: 'umbrella-csv',
  title: 'Cisco Umbrella DNS / proxy log (CSV)',
  sniff: (head) => confidenceFromShare(shareOfLines(head, (line) => kindOfLine(split(line)) !== null)),
  open: () => new UmbrellaParser(),
};
