/**
 * Suricata EVE JSON lines. flow, dns, http, tls, quic and alert records become canonical events; every other
 * event type (fileinfo, anomaly, stats, netflow, smb, ssh, ...) is kept as a raw row in `suricata_<event_type>`
 * with dotted field names, so nothing is dropped. `flow_id` becomes `uid` and links the records of one flow.
 *
 * DNS: v1 and v2 logs write one record for the query and one for the answer; both are loaded as 'dns'
 * events (the query carries no rcode or answers; `extra` keeps `dns.type`). v3 (Suricata 8) uses
 * `dns.queries[]` and is read the same way.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import {
  clipText,
  extraJson,
  get,
  getInteger,
  getString,
  parseJsonRecord,
  rawText,
  sniffJsonLines,
  type JsonRecord,
} from './json-record.ts';
import { hostName, microsToIsoMicros, safeName, urlPath } from './zeek-common.ts';

/** Fields every event type carries, turned into the common columns. */
const COMMON_FIELDS = ['timestamp', 'flow_id', 'event_type', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto'];

type MappedEvent = Partial<EventRecord> & Pick<EventRecord, 'kind'>;

interface EventMapper {
  /** Fields the mapper turns into columns (the rest go to `extra`). */
  fields: readonly string[];
  map(record: JsonRecord): MappedEvent;
}

/** Alert actions as canonical device decisions. */
const ALERT_ACTIONS: ReadonlyMap<string, string> = new Map([
  ['allowed', 'allow'],
  ['blocked', 'drop'],
]);

const MAPPER_DEFINITIONS: [string, EventMapper][] = [
  [
    'flow',
    {
      fields: ['app_proto', 'flow.start', 'flow.end', 'flow.bytes_toserver', 'flow.bytes_toclient', 'flow.state'],
      map: (r) => {
        // Flow records are written when the flow ends; its start is the time to compare with other logs.
        const start = isoOrNull(getString(r, 'flow.start'));
        const end = isoOrNull(getString(r, 'flow.end'));
        return {
          kind: 'flow',
          ...(start !== null ? { ts: start } : {}),
          app_protocol: appProtocol(r),
          bytes_out: getInteger(r, 'flow.bytes_toserver'),
          bytes_in: getInteger(r, 'flow.bytes_toclient'),
          duration: start !== null && end !== null && end >= start ? (end - start) / 1e6 : null,
          conn_state: getString(r, 'flow.state'),
        };
      },
    },
  ],
  [
    'dns',
    {
      fields: ['dns.rrname', 'dns.rrtype', 'dns.rcode', 'dns.rdata', 'dns.answers', 'dns.queries'],
      map: (r) => {
        const firstQuery = firstObject(r.get('dns.queries'));
        const query = getString(r, 'dns.rrname') ?? stringIn(firstQuery, 'rrname');
        const host = hostName(query);
        return {
          kind: 'dns',
          app_protocol: 'dns',
          dst_host: host,
          dst_host_origin: host ? 'dns-query' : null,
          dns_query: query,
          dns_qtype: getString(r, 'dns.rrtype') ?? stringIn(firstQuery, 'rrtype'),
          dns_rcode: getString(r, 'dns.rcode'),
          dns_answers: dnsAnswers(r),
        };
      },
    },
  ],
  [
    'http',
    {
      fields: [
        'http.hostname', 'http.url', 'http.http_method', 'http.status', 'http.http_user_agent', 'http.http_refer',
        'http.http_content_type', 'http.length',
      ],
      map: (r) => ({
        kind: 'http',
        app_protocol: 'http',
        ...destinationHost(r),
        url_path: urlPath(getString(r, 'http.url')),
        method: getString(r, 'http.http_method'),
        status: getInteger(r, 'http.status'),
        user_agent: getString(r, 'http.http_user_agent'),
        referrer: getString(r, 'http.http_refer'),
        content_type: getString(r, 'http.http_content_type'),
        bytes_in: getInteger(r, 'http.length'),
      }),
    },
  ],
  ['tls', tlsMapper('tls', 'tls')],
  ['quic', tlsMapper('quic', 'quic')],
  [
    'alert',
    {
      fields: ['app_proto', 'alert.signature', 'alert.action', 'http.hostname', 'tls.sni', 'http.url'],
      map: (r) => ({
        kind: 'alert',
        app_protocol: appProtocol(r),
        alert: getString(r, 'alert.signature'),
        action: alertAction(getString(r, 'alert.action')),
        ...destinationHost(r),
        url_path: urlPath(getString(r, 'http.url')),
      }),
    },
  ],
];

const EVENT_MAPPERS = new Map<string, EventMapper & { used: ReadonlySet<string> }>(
  MAPPER_DEFINITIONS.map(([type, mapper]) => [type, { ...mapper, used: new Set([...COMMON_FIELDS, ...mapper.fields]) }]),
);

/** TLS-handshake records (tls, and quic whose handshake is TLS 1.3) as kind 'tls'. */
function tlsMapper(prefix: string, appProtocolName: string): EventMapper {
  return {
    fields: [`${prefix}.sni`, `${prefix}.version`, `${prefix}.ja3.hash`, `${prefix}.ja4`],
    map: (r) => {
      const host = hostName(getString(r, `${prefix}.sni`));
      return {
        kind: 'tls',
        app_protocol: appProtocolName,
        dst_host: host,
        dst_host_origin: host ? 'sni' : null,
        tls_version: getString(r, `${prefix}.version`),
        tls_ja3: getString(r, `${prefix}.ja3.hash`),
        tls_ja4: getString(r, `${prefix}.ja4`),
      };
    },
  };
}

function isoOrNull(text: string | null): number | null {
  return text === null ? null : isoToMicros(text);
}

/** Suricata's app_proto, except 'failed' (detection failed), which names no protocol. */
function appProtocol(r: JsonRecord): string | null {
  const name = getString(r, 'app_proto')?.toLowerCase() ?? null;
  return name === 'failed' ? null : name;
}

function alertAction(action: string | null): string | null {
  if (action === null) return null;
  const lowered = action.toLowerCase();
  return ALERT_ACTIONS.get(lowered) ?? lowered;
}

/** The HTTP Host, else the TLS SNI, of an http or alert record. */
function destinationHost(r: JsonRecord): Pick<EventRecord, 'dst_host' | 'dst_host_origin'> {
  const httpHost = hostName(getString(r, 'http.hostname'));
  if (httpHost) return { dst_host: httpHost, dst_host_origin: 'http-host' };
  const sni = hostName(getString(r, 'tls.sni'));
  return sni ? { dst_host: sni, dst_host_origin: 'sni' } : { dst_host: null, dst_host_origin: null };
}

/** Answer data in answer order: v2/v3 `answers[].rdata`, else v2 `grouped` lists, else v1 `rdata`. */
function dnsAnswers(r: JsonRecord): string | null {
  const answers = r.get('dns.answers');
  let data: string[] = [];
  if (Array.isArray(answers)) {
    data = answers.map((answer) => stringIn(answer, 'rdata')).filter((value): value is string => value !== null);
  } else {
    for (const [key, value] of r) {
      if (key.startsWith('dns.grouped.') && Array.isArray(value)) data.push(...value.map(String));
    }
  }
  if (data.length === 0) {
    const single = getString(r, 'dns.rdata');
    if (single !== null) data = [single];
  }
  return data.length ? clipText(data.join(',')) : null;
}

function firstObject(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}

/** A string or number property of a parsed JSON object (nested in an array), read without touching prototypes. */
function stringIn(value: unknown, key: string): string | null {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return null;
  const field = (value as Record<string, unknown>)[key];
  if (typeof field === 'string') return clipText(field);
  return typeof field === 'number' ? String(field) : null;
}

function commonColumns(r: JsonRecord, ts: number): Omit<EventRecord, 'kind'> {
  const flowId = get(r, 'flow_id');
  return {
    ts,
    uid: flowId === undefined ? null : String(flowId),
    src_ip: getString(r, 'src_ip'),
    src_port: getInteger(r, 'src_port'),
    dst_ip: getString(r, 'dest_ip'),
    dst_port: getInteger(r, 'dest_port'),
    protocol: getString(r, 'proto')?.toLowerCase() ?? null,
  };
}

function rawRow(r: JsonRecord, ts: number): Record<string, string | null> {
  const row: Record<string, string | null> = Object.create(null);
  for (const [key, value] of r) row[key] = rawText(value);
  row.timestamp = microsToIsoMicros(ts);
  return row;
}

class SuricataEveParser implements RecordParser {
  readonly format = 'suricata-eve-json';

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    const record = parseJsonRecord(text);
    if (typeof record === 'string') return reject(record);
    const eventType = getString(record, 'event_type');
    if (!eventType) return reject('no event_type');
    const timestamp = getString(record, 'timestamp');
    if (!timestamp) return reject('no timestamp');
    const ts = isoToMicros(timestamp);
    if (ts === null) return reject(`unreadable timestamp "${clipText(timestamp, 40)}"`);

    const type = safeName(eventType);
    const mapper = EVENT_MAPPERS.get(type);
    if (!mapper) {
      sink.raw(`suricata_${type}`, rawRow(record, ts));
      return LOADED;
    }
    sink.event({ ...commonColumns(record, ts), ...mapper.map(record), extra: extraJson(record, mapper.used) });
    return LOADED;
  }
}

/** Suricata EVE JSON (`eve.json`), one event per line. */
export const suricataEveAdapter: Adapter = {
  id: 'suricata-eve',
  title: 'Suricata EVE JSON',
  sniff: (head: string) =>
    sniffJsonLines(head, (record) => (record.has('event_type') && record.has('timestamp') ? 0.95 : 0)),
  open: () => new SuricataEveParser(),
};
