/**
 * The Zeek logs re-expressed as an Elastic export: one NDJSON file of `_source` documents as Filebeat's Zeek
 * module indexes them (`event.dataset` zeek.connection / zeek.dns / zeek.http / zeek.ssl, ECS `source.*`,
 * `destination.*`, `dns.*`, `url.*`, `tls.*`, the link id in `zeek.session_id`). Built from the Zeek writer's
 * own field values, so both tell exactly the same story; Zeek fields ECS has no name for stay under `zeek.<log>`.
 */
import type { Activity } from '../activity.ts';
import { isoMicros } from '../clock.ts';
import type { LogFile } from './log-file.ts';
import { ZEEK_LOGS, type ZeekLogSpec, type ZeekValue } from './zeek.ts';

const DATASET: Record<ZeekLogSpec['path'], string> = { conn: 'connection', dns: 'dns', http: 'http', ssl: 'ssl' };

/** Zeek field → ECS field, per log (shared endpoint fields first). */
const ECS_NAMES: Record<ZeekLogSpec['path'] | 'id', Record<string, string>> = {
  id: {
    uid: 'zeek.session_id',
    'id.orig_h': 'source.ip',
    'id.orig_p': 'source.port',
    'id.resp_h': 'destination.ip',
    'id.resp_p': 'destination.port',
    proto: 'network.transport',
  },
  conn: {
    service: 'network.protocol',
    duration: 'event.duration',
    orig_bytes: 'source.bytes',
    resp_bytes: 'destination.bytes',
    orig_pkts: 'source.packets',
    resp_pkts: 'destination.packets',
    conn_state: 'zeek.connection.state',
  },
  dns: {
    trans_id: 'dns.id',
    query: 'dns.question.name',
    qtype_name: 'dns.question.type',
    rcode_name: 'dns.response_code',
    answers: 'dns.answers',
  },
  http: {
    method: 'http.request.method',
    host: 'url.domain',
    uri: 'url.original',
    referrer: 'http.request.referrer',
    version: 'http.version',
    user_agent: 'user_agent.original',
    request_body_len: 'http.request.body.bytes',
    response_body_len: 'http.response.body.bytes',
    status_code: 'http.response.status_code',
    resp_mime_types: 'http.response.mime_type',
  },
  ssl: {
    server_name: 'tls.client.server_name',
    version: 'zeek.ssl.version',
    cipher: 'tls.cipher',
    curve: 'tls.curve',
    next_protocol: 'tls.next_protocol',
  },
};

/** Set a dotted path in a nested object. */
function put(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = doc;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
}

/** A Zeek value as the ECS document holds it (times ISO, the connection's duration in nanoseconds). */
function ecsValue(name: string, zeekName: string, v: Exclude<ZeekValue, null>): unknown {
  if (typeof v !== 'object' || Array.isArray(v)) {
    if (name === 'dns.answers' && Array.isArray(v)) return v.map((data) => ({ data }));
    if (name === 'http.response.mime_type' && Array.isArray(v)) return v[0];
    return v;
  }
  if ('time' in v) return isoMicros(v.time);
  if ('intervals' in v) return v.intervals.map((us) => us / 1e6);
  return zeekName === 'duration' ? v.interval * 1000 : v.interval / 1e6;
}

function ecsDocument(spec: ZeekLogSpec, a: Activity): string {
  const doc: Record<string, unknown> = {};
  const names = { ...ECS_NAMES.id, ...ECS_NAMES[spec.path] };
  for (const f of spec.fields) {
    const v = f.value(a);
    if (v === null) continue;
    if (f.name === 'ts') {
      doc['@timestamp'] = isoMicros(a.ts);
      put(doc, 'event.module', 'zeek');
      put(doc, 'event.dataset', `zeek.${DATASET[spec.path]}`);
      continue;
    }
    const name = names[f.name] ?? `zeek.${DATASET[spec.path]}.${f.name}`;
    put(doc, name, ecsValue(name, f.name, v));
  }
  if (spec.path === 'http') {
    const [path, query] = a.path.split(/\?(.*)/s);
    put(doc, 'url.path', path);
    if (query !== undefined) put(doc, 'url.query', query);
  }
  return JSON.stringify(doc);
}

/** Every Zeek record of the scenario as ECS documents, in one export file. */
export function ecsZeekExport(): LogFile {
  return {
    name: 'elastic/zeek-ecs.ndjson',
    header: () => '',
    write: (a, lines) => {
      for (const spec of ZEEK_LOGS) if (spec.accepts(a)) lines.push(ecsDocument(spec, a));
    },
    footer: () => '',
  };
}
