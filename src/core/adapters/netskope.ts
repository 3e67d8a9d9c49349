/**
 * Netskope web traffic exported as JSON (the events API's `{"result":[…]}`, arrays or NDJSON) or CSV with the
 * same field names: page / connection events (`timestamp`, `srcip`, `dstip`, `url`, `domain`, `user`,
 * `useragent`, `client_bytes`, `server_bytes`, `action`) and web transactions named as W3C fields
 * (`date`, `time`, `c-ip`, `cs-host`, `cs-method`, `sc-status`, `cs-bytes`, `sc-bytes`, `x-cs-app` …).
 * Transactions in W3C extended log files (`#Fields:` header) are read by the W3C adapter.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { epochSecondsToMicros, isoToMicros } from '../ingest/time.ts';
import { extraJson, intOrNull, normaliseAction, splitUrl } from './csv-mapped.ts';
import { csvHeader, eachCsvRecord } from './endpoint-csv.ts';
import { cleanDocument, isJsonObject, own, parseJson, scalarText, splitJsonObjects, type JsonObject } from './endpoint-json.ts';
import { hostName } from './zeek-common.ts';

type Row = Map<string, string>;

const MARKERS = ['srcip', 'dstip', 'access_method', 'ur_normalized', 'client_bytes', 'x-cs-app', 'x-c-device', 'cs-host'];

function get(row: Row, ...names: string[]): string | null {
  for (const name of names) {
    const v = row.get(name)?.trim();
    if (v && v !== '-') return v;
  }
  return null;
}

const USED = new Set([
  'timestamp',
  'date',
  'time',
  'srcip',
  'userip',
  'c-ip',
  'srcport',
  'c-port',
  'dstip',
  's-ip',
  'dstport',
  'cs-uri-port',
  'url',
  'cs-uri',
  'cs-uri-scheme',
  'cs-host',
  'cs-uri-path',
  'cs-uri-query',
  'domain',
  'http_method',
  'cs-method',
  'sc-status',
  'useragent',
  'cs(user-agent)',
  'cs-user-agent',
  'user',
  'cs-username',
  'hostname',
  'x-c-device',
  'client_bytes',
  'cs-bytes',
  'server_bytes',
  'sc-bytes',
  'action',
  'x-policy-action',
  'sc-content-type',
  'rs(content-type)',
  'cs(referer)',
  'cs-referer',
]);

/** The transaction's time: event `timestamp` (epoch seconds) or W3C `date` + `time` (UTC). */
function timeOf(row: Row): number | null {
  const epoch = get(row, 'timestamp');
  if (epoch) return /^\d{9,10}(?:\.\d+)?$/.test(epoch) ? epochSecondsToMicros(epoch) : isoToMicros(epoch);
  const date = get(row, 'date');
  const time = get(row, 'time');
  return date && time ? isoToMicros(`${date}T${time}Z`) : null;
}

export function emitNetskopeRow(row: Row, sink: Sink): Outcome {
  const ts = timeOf(row);
  if (ts === null)
    return reject(
      get(row, 'timestamp', 'date')
        ? `unreadable time "${(get(row, 'timestamp') ?? `${get(row, 'date')} ${get(row, 'time')}`).slice(0, 40)}"`
        : 'no timestamp',
    );
  const w3cHost = get(row, 'cs-host');
  const w3cUrl = w3cHost
    ? `${get(row, 'cs-uri-scheme') ?? 'https'}://${w3cHost}${get(row, 'cs-uri-path') ?? '/'}${get(row, 'cs-uri-query') ? `?${get(row, 'cs-uri-query')!.replace(/^\?/, '')}` : ''}`
    : null;
  const url = get(row, 'url', 'cs-uri') ?? w3cUrl;
  const parts = url ? splitUrl(url, true) : null;
  const host = hostName(get(row, 'cs-host', 'domain')) ?? (parts ? hostName(parts.host) : null);
  const event: EventRecord = {
    ts,
    kind: 'proxy',
    src_ip: get(row, 'srcip', 'userip', 'c-ip'),
    src_port: intOrNull(get(row, 'srcport', 'c-port')),
    src_user: get(row, 'user', 'cs-username'),
    src_host: get(row, 'hostname', 'x-c-device'),
    dst_ip: get(row, 'dstip', 's-ip'),
    dst_port: intOrNull(get(row, 'dstport', 'cs-uri-port')) ?? parts?.port ?? null,
    dst_host: host,
    dst_host_origin: host ? (get(row, 'cs-host', 'domain') ? 'log' : 'url') : null,
    url_path: parts?.path ?? null,
    method: get(row, 'http_method', 'cs-method')?.toUpperCase() ?? null,
    status: intOrNull(get(row, 'sc-status')),
    user_agent: get(row, 'useragent', 'cs(user-agent)', 'cs-user-agent'),
    referrer: get(row, 'cs(referer)', 'cs-referer'),
    content_type: get(row, 'sc-content-type', 'rs(content-type)'),
    bytes_out: intOrNull(get(row, 'client_bytes', 'cs-bytes')),
    bytes_in: intOrNull(get(row, 'server_bytes', 'sc-bytes')),
    action: normaliseAction(get(row, 'action', 'x-policy-action')),
    extra: extraJson([...row].filter(([name]) => !USED.has(name))),
  };
  sink.event(event);
  return LOADED;
}

function rowOf(object: JsonObject): Row {
  const row: Row = new Map();
  for (const key of Object.keys(object)) {
    const value = own(object, key);
    const text = value !== null && typeof value === 'object' ? JSON.stringify(value) : scalarText(value);
    if (text !== null) row.set(key, text);
  }
  return row;
}

/** Netskope events as JSON. */
export const netskopeJsonAdapter: Adapter = {
  id: 'netskope-json',
  title: 'Netskope web events (JSON)',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('{') && !start.startsWith('[')) return 0;
    const markers = MARKERS.filter((m) => head.includes(`"${m}"`)).length;
    return /"(?:timestamp|date)"\s*:/.test(head) && markers >= 3 ? 0.85 : 0;
  },
  open(): RecordParser {
    return {
      format: 'netskope-json',
      mode: 'document',
      document(text, sink, each) {
        let recordNo = 0;
        for (const piece of splitJsonObjects(cleanDocument(text))) {
          const sample = piece.text.slice(0, 500);
          const parsed = piece.truncated ? undefined : parseJson(piece.text);
          if (!isJsonObject(parsed)) {
            each(reject(piece.truncated ? 'truncated JSON record' : 'not a JSON object'), ++recordNo, sample);
            continue;
          }
          const wrapped = own(parsed, 'result') ?? own(parsed, 'data');
          const events = Array.isArray(wrapped) ? wrapped.filter(isJsonObject) : [parsed];
          for (const event of events) each(emitNetskopeRow(rowOf(event), sink), ++recordNo, sample);
        }
      },
    };
  },
};

/** Netskope events or web transactions as CSV with the field names as the header. */
export const netskopeCsvAdapter: Adapter = {
  id: 'netskope-csv',
  title: 'Netskope web events / transactions (CSV)',
  sniff(head) {
    const header = csvHeader(head);
    if (!header || !(header.includes('timestamp') || (header.includes('date') && header.includes('time')))) return 0;
    return MARKERS.filter((m) => header.includes(m)).length >= 3 ? 0.85 : 0;
  },
  open(): RecordParser {
    return {
      format: 'netskope-csv',
      mode: 'document',
      document(text, sink, each) {
        eachCsvRecord(text, (record) => {
          if (record.problem) return each(reject(record.problem), record.recordNo, record.sample);
          each(emitNetskopeRow(new Map([...record.values].filter(([, v]) => v.trim() !== '')), sink), record.recordNo, record.sample);
        });
      },
    };
  },
};
