/**
 * Splunk search results exported as CSV or JSON (the export's `{"result":{…}}` lines, the REST API's
 * `{"results":[…]}`, or plain objects). Fields with Common Information Model names map by data model:
 * Network_Resolution (`query`, `answer`) → dns, Web (`url`, `http_method`, `http_user_agent`, `status`) → proxy,
 * Network_Traffic (`src`, `dest`, `dest_port`, `transport`, `bytes_in/out`, `app`) → flow (firewall when it
 * carries an `action`), Endpoint (`process`, `process_path`) → process. Records of the Zeek add-on
 * (sourcetype `bro:conn:json`, `zeek:dns`, … or Zeek's own `id.orig_h` names) go through the Zeek mapping.
 */
import type { EventKind, EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { epochSecondsToMicros } from '../ingest/time.ts';
import { csvHeader, eachCsvRecord } from './endpoint-csv.ts';
import { cleanDocument, isJsonObject, own, parseJson, splitJsonObjects, type JsonObject } from './endpoint-json.ts';
import { flexibleTimeToMicros } from './endpoint-time.ts';
import { extraJson, ipProtocolName, normaliseAction, splitUrl } from './csv-mapped.ts';
import { FamilyFormat } from './family-format.ts';
import { clipText, type JsonRecord } from './json-record.ts';
import { emitZeekRecord, hostName, inferZeekPath, microsToIsoMicros, safeName } from './zeek-common.ts';

type SplunkRow = Map<string, string>;

/** CIM fields (and Splunk's own) that say a header or object is a Splunk export. */
const CIM_FIELDS = [
  'src',
  'dest',
  'src_ip',
  'dest_ip',
  'dest_port',
  'src_port',
  'transport',
  'bytes_in',
  'bytes_out',
  'app',
  'url',
  'http_method',
  'http_user_agent',
  'query',
  'answer',
  'process',
  'process_path',
  'sourcetype',
  'index',
  '_raw',
  'splunk_server',
];

/** Splunk's internal fields: bookkeeping, left out of `extra`. */
const INTERNAL =
  /^(?:_(?:time|raw|cd|bkt|si|serial|indextime|sourcetype|kv|eventtype_color)|splunk_server(?:_group)?|linecount|punct|timestartpos|timeendpos|date_\w+|timestamp|eventtype|tag(?:::\w+)?)$/;

/** A multi-value field as one comma-joined value (CSV cells keep the values on separate lines). */
const joined = (value: string) => value.replace(/\s*\n\s*/g, ',');

const IP = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

function get(row: SplunkRow, ...names: string[]): string | null {
  for (const name of names) {
    const v = row.get(name)?.trim();
    if (v && v !== '-' && v !== 'unknown') return clipText(v);
  }
  return null;
}

function int(row: SplunkRow, ...names: string[]): number | null {
  const v = get(row, ...names);
  return v !== null && /^\d{1,15}$/.test(v) ? Number(v) : null;
}

const seconds = (text: string | null) => (text !== null && /^\d{1,12}(?:\.\d+)?$/.test(text) ? Number(text) : null);

/** `_time` as ISO-8601 with its offset (CSV/JSON exports) or epoch seconds (some API answers). */
function splunkTime(text: string | null, utcOffsetMinutes: number): number | null {
  if (text === null) return null;
  return /^\d{9,10}(?:\.\d+)?$/.test(text) ? epochSecondsToMicros(text) : flexibleTimeToMicros(text, utcOffsetMinutes);
}

/** The Zeek log path of an add-on record: from its sourcetype (`bro:conn:json`, `zeek_dns`), else its fields. */
function zeekPath(row: SplunkRow): string | null {
  const sourcetype = get(row, 'sourcetype');
  const named = sourcetype ? /^(?:bro|zeek|corelight)[:_]([a-z0-9_]+)/i.exec(sourcetype) : null;
  if (named) return safeName(named[1]);
  return row.has('id.orig_h') || row.has('id_orig_h') ? inferZeekPath(row.keys()) : null;
}

/** 'zeek' for the Zeek add-on's records, else none (CIM fields of any source). */
const familyOf = (row: SplunkRow) => (zeekPath(row) !== null ? 'zeek' : null);

function emitZeekRow(path: string, row: SplunkRow, sink: Sink): Outcome {
  const record: JsonRecord = new Map();
  for (const [key, value] of row) {
    if (INTERNAL.test(key) || ['host', 'source', 'sourcetype', 'index'].includes(key)) continue;
    record.set(key.replace(/^id_(orig|resp)_([hp])$/, 'id.$1_$2'), joined(value));
  }
  if (!record.has('ts')) {
    const time = splunkTime(get(row, '_time'), 0);
    if (time !== null) record.set('ts', microsToIsoMicros(time));
  }
  return emitZeekRecord(path, record, sink);
}

const USED = new Set([
  'src',
  'src_ip',
  'src_port',
  'src_host',
  'src_user',
  'user',
  'dest',
  'dest_ip',
  'dest_port',
  'dest_host',
  'transport',
  'protocol',
  'app',
  'bytes_in',
  'bytes_out',
  'duration',
  'action',
  'url',
  'url_domain',
  'site',
  'uri_path',
  'uri_query',
  'http_method',
  'status',
  'http_user_agent',
  'http_referrer',
  'http_content_type',
  'query',
  'answer',
  'record_type',
  'reply_code',
  'process',
  'process_path',
  'process_id',
  'parent_process',
  'parent_process_path',
  'process_exec',
  'session_id',
  'dvc',
  'dns_query',
]);

function kindOf(row: SplunkRow): EventKind {
  if (get(row, 'query')) return 'dns';
  if (get(row, 'url', 'http_method', 'uri_path')) return 'proxy';
  if (!get(row, 'dest', 'dest_ip') && get(row, 'process', 'process_path')) return 'process';
  return get(row, 'action') ? 'firewall' : 'flow';
}

/** Map one exported result onto the sink. */
export function emitSplunkRow(row: SplunkRow, sink: Sink, utcOffsetMinutes: number): Outcome {
  const path = zeekPath(row);
  if (path !== null) return emitZeekRow(path, row, sink);
  const time = get(row, '_time');
  const ts = splunkTime(time, utcOffsetMinutes);
  if (ts === null) return reject(time ? `unreadable _time "${time.slice(0, 40)}"` : 'no _time');
  const kind = kindOf(row);
  // CIM `src` / `dest` hold an address or a host name, whichever the source had.
  const src = get(row, 'src_ip', 'src');
  const dest = get(row, 'dest_ip', 'dest');
  const url = get(row, 'url');
  const parts = url ? splitUrl(url, true) : null;
  const query = get(row, 'query');
  const named = hostName(get(row, 'dest_host', 'url_domain', 'site') ?? (dest && !IP.test(dest) ? dest : null));
  const host = kind === 'dns' ? hostName(query) : (named ?? (parts ? hostName(parts.host) : null));
  const uriPath = get(row, 'uri_path');
  const uriQuery = get(row, 'uri_query');
  const event: EventRecord = {
    ts,
    kind,
    src_ip: src && IP.test(src) ? src : null,
    src_host: get(row, 'src_host') ?? (src && !IP.test(src) ? src : null),
    src_port: int(row, 'src_port'),
    src_user: get(row, 'src_user', 'user'),
    dst_ip: dest && IP.test(dest) ? dest : null,
    dst_port: int(row, 'dest_port') ?? parts?.port ?? null,
    dst_host: host,
    dst_host_origin: host ? (kind === 'dns' ? 'dns-query' : named ? 'log' : 'url') : null,
    url_path: parts?.path ?? (uriPath ? (uriQuery ? `${uriPath}${uriQuery.startsWith('?') ? '' : '?'}${uriQuery}` : uriPath) : null),
    method: get(row, 'http_method')?.toUpperCase() ?? null,
    status: int(row, 'status'),
    user_agent: get(row, 'http_user_agent'),
    referrer: get(row, 'http_referrer'),
    content_type: get(row, 'http_content_type'),
    bytes_out: int(row, 'bytes_out'),
    bytes_in: int(row, 'bytes_in'),
    duration: seconds(get(row, 'duration')),
    protocol: ipProtocolName(get(row, 'transport', 'protocol')),
    app_protocol: get(row, 'app')?.toLowerCase() ?? null,
    action: normaliseAction(get(row, 'action')),
    process: get(row, 'process_path', 'process'),
    process_id: int(row, 'process_id'),
    parent_process: get(row, 'parent_process_path', 'parent_process'),
    command_line: kind === 'process' ? get(row, 'process_exec') : null,
    dns_query: query,
    dns_qtype: kind === 'dns' ? get(row, 'record_type') : null,
    dns_rcode: kind === 'dns' ? get(row, 'reply_code') : null,
    dns_answers: kind === 'dns' ? (get(row, 'answer') ? joined(get(row, 'answer')!) : null) : null,
    uid: get(row, 'session_id'),
    extra: extraJson([...row].filter(([name]) => !USED.has(name) && !INTERNAL.test(name))),
  };
  sink.event(event);
  return LOADED;
}

/** A JSON object's fields as text (multi-value arrays joined with ','). */
function rowOf(object: JsonObject): SplunkRow {
  const row: SplunkRow = new Map();
  for (const key of Object.keys(object)) {
    const value = own(object, key);
    if (typeof value === 'string' && value !== '') row.set(key, value);
    else if (typeof value === 'number' || typeof value === 'boolean') row.set(key, String(value));
    else if (Array.isArray(value)) row.set(key, value.filter((v) => v !== null && typeof v !== 'object').join(','));
  }
  return row;
}

/** The results in one top-level JSON value: an export line's `result`, an API answer's `results`, or the object itself. */
function resultsOf(object: JsonObject): JsonObject[] | null {
  const result = own(object, 'result');
  if (isJsonObject(result)) return [result];
  const results = own(object, 'results');
  if (Array.isArray(results)) return results.filter(isJsonObject);
  if (own(object, '_time') !== undefined) return [object];
  return own(object, 'preview') !== undefined || own(object, 'messages') !== undefined ? [] : null;
}

/** Splunk search results as JSON. */
export const splunkJsonAdapter: Adapter = {
  id: 'splunk-json',
  title: 'Splunk search results (JSON)',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('{') && !start.startsWith('[')) return 0;
    if (!/"_time"\s*:/.test(head)) return 0;
    if (/"(?:preview|result|results)"\s*:/.test(head)) return 0.9;
    return CIM_FIELDS.filter((f) => head.includes(`"${f}"`)).length >= 3 ? 0.8 : 0;
  },
  open(options): RecordParser {
    const name = new FamilyFormat('splunk', 'json');
    return {
      mode: 'document',
      get format() {
        return name.format;
      },
      document(text, sink, each) {
        let recordNo = 0;
        for (const piece of splitJsonObjects(cleanDocument(text))) {
          const sample = piece.text.slice(0, 500);
          const parsed = piece.truncated ? undefined : parseJson(piece.text);
          const results = isJsonObject(parsed) ? resultsOf(parsed) : null;
          if (results === null) {
            each(reject(piece.truncated ? 'truncated JSON record' : 'not a Splunk result object'), ++recordNo, sample);
            continue;
          }
          if (results.length === 0) each(META, ++recordNo, sample);
          for (const result of results) {
            const row = rowOf(result);
            name.note(familyOf(row));
            each(emitSplunkRow(row, sink, options.utcOffsetMinutes), ++recordNo, sample);
          }
        }
      },
    };
  },
};

/** Splunk search results as CSV (field names as the header, `_time` first by default). */
export const splunkCsvAdapter: Adapter = {
  id: 'splunk-csv',
  title: 'Splunk search results (CSV)',
  sniff(head) {
    const header = csvHeader(head);
    if (!header?.includes('_time')) return 0;
    return header.filter((h) => CIM_FIELDS.includes(h) || h === 'id.orig_h' || h === 'uid').length >= 2 ? 0.85 : 0;
  },
  open(options): RecordParser {
    const name = new FamilyFormat('splunk', 'csv');
    return {
      mode: 'document',
      get format() {
        return name.format;
      },
      document(text, sink, each) {
        eachCsvRecord(text, (record) => {
          if (record.problem) return each(reject(record.problem), record.recordNo, record.sample);
          const row: SplunkRow = new Map([...record.values].filter(([, v]) => v.trim() !== ''));
          name.note(familyOf(row));
          each(emitSplunkRow(row, sink, options.utcOffsetMinutes), record.recordNo, record.sample);
        });
      },
    };
  },
};
