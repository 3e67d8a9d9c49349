/**
 * Elastic Common Schema documents → canonical events, whatever shipped them: Security Onion 2 and Filebeat's
 * Zeek and Suricata modules, Packetbeat flows, Elastic Agent / Endpoint network and DNS events. The record's
 * kind comes from `event.dataset` (the part after the module: zeek.connection → connection), else from the
 * fields it carries; a dataset with no network meaning (zeek.x509, system.auth) is kept as a raw row in
 * `ecs_<dataset>`. Sensor session ids (`zeek.session_id`, Security Onion's `log.id.uid`, Suricata's
 * flow id, Packetbeat's `flow.id`), else `network.community_id`, become `uid` so records link as Zeek's do.
 */
import type { EventKind, EventRecord } from '../canonical.ts';
import { LOADED, reject, type Outcome, type Sink } from '../ingest/adapter.ts';
import { epochMillisToMicros, isoToMicros, monthNumber } from '../ingest/time.ts';
import { clipText, extraJson, get, rawText, type JsonRecord } from './json-record.ts';
import { hostName, microsToIsoMicros, safeName, urlPath } from './zeek-common.ts';

/** Kind by the dataset's last part; `null` means "decide by the fields" (endpoint network events, suricata.eve). */
const KIND_BY_DATASET: ReadonlyMap<string, EventKind | null> = new Map([
  ['connection', 'flow'],
  ['conn', 'flow'],
  ['flow', 'flow'],
  ['dns', 'dns'],
  ['http', 'http'],
  ['ssl', 'tls'],
  ['tls', 'tls'],
  ['notice', 'alert'],
  ['alert', 'alert'],
  ['network', null],
  ['eve', null],
]);

/** Suricata EVE event types (ECS: `suricata.eve.event_type`) with a canonical kind. */
const SURICATA_KINDS: ReadonlyMap<string, EventKind> = new Map([
  ['flow', 'flow'],
  ['dns', 'dns'],
  ['http', 'http'],
  ['tls', 'tls'],
  ['alert', 'alert'],
]);

/** The record's dataset as written (`zeek.connection`, `conn`, `endpoint.events.network`), or null. */
export function ecsDataset(record: JsonRecord): string | null {
  const dataset = get(record, 'event.dataset', 'data_stream.dataset');
  if (typeof dataset === 'string' && dataset !== '') return dataset.toLowerCase();
  const type = get(record, 'type'); // Packetbeat 7 writes `type: flow | dns | http | tls`
  return typeof type === 'string' && record.has('agent.type') ? type.toLowerCase() : null;
}

/** The shipper family a record comes from, for the per-file format id: zeek, suricata, packetbeat, endpoint, or ecs. */
export function ecsFamily(record: JsonRecord): string {
  const module = get(record, 'event.module');
  const dataset = ecsDataset(record) ?? '';
  const name = typeof module === 'string' && module !== '' ? module.toLowerCase() : dataset.split('.')[0];
  if (name === 'zeek' || name === 'suricata' || name === 'endpoint') return name;
  if (name === 'network_traffic' || name === 'packetbeat' || get(record, 'agent.type') === 'packetbeat') return 'packetbeat';
  if (record.has('zeek.session_id') || record.has('log.id.uid')) return 'zeek';
  return 'ecs';
}

/** Reads fields by alias; with `asked`, it also notes every alias it was asked for (see USED_BY_KIND). */
class Fields {
  constructor(
    readonly record: JsonRecord,
    private readonly asked?: Set<string>,
  ) {}

  value(...keys: string[]): unknown {
    if (this.asked) for (const key of keys) this.asked.add(key);
    return get(this.record, ...keys);
  }

  text(...keys: string[]): string | null {
    const v = this.value(...keys);
    if (Array.isArray(v)) return typeof v[0] === 'string' || typeof v[0] === 'number' ? clipText(String(v[0])) : null;
    if (typeof v === 'string') return v === '' ? null : clipText(v);
    return typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
  }

  integer(...keys: string[]): number | null {
    const text = this.text(...keys)?.replace(/^(\d{1,3})(?:,(\d{3}))+$/, (all) => all.replaceAll(',', '')) ?? null;
    if (text === null || !/^-?\d{1,16}$/.test(text.trim())) return null;
    return Number(text);
  }
}

/** `@timestamp` (ISO text, Kibana's "May 6, 2024 @ 10:15:31.123" or epoch milliseconds) → UTC micros. */
export function ecsTimeToMicros(value: unknown, utcOffsetMinutes: number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? epochMillisToMicros(Math.round(value)) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d{13}$/.test(text)) return epochMillisToMicros(text);
  const kibana = KIBANA_TIME.exec(text);
  if (kibana) {
    const [, monthName, day, year, time] = kibana;
    const month = monthNumber(monthName);
    if (month === null) return null;
    return isoToMicros(`${year}-${String(month).padStart(2, '0')}-${day.padStart(2, '0')}T${time}`, utcOffsetMinutes);
  }
  return isoToMicros(text, utcOffsetMinutes);
}

/** Kibana's default `dateFormat` ("MMM D, YYYY @ HH:mm:ss.SSS"), in the exporting browser's zone. */
const KIBANA_TIME = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) @ (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)$/;

/** Map one ECS document (flattened) onto the sink. `utcOffsetMinutes` only applies to zone-less times. */
export function emitEcsDocument(record: JsonRecord, sink: Sink, utcOffsetMinutes = 0): Outcome {
  const stamp = get(record, '@timestamp');
  if (stamp === undefined) return reject('no @timestamp');
  const ts = ecsTimeToMicros(stamp, utcOffsetMinutes);
  if (ts === null) return reject(`unreadable @timestamp "${clipText(String(stamp), 40)}"`);
  const dataset = ecsDataset(record);
  const kind = kindOf(record, dataset);
  if (kind === null) {
    sink.raw(`ecs_${safeName(dataset ?? 'other')}`, rawRow(record, ts));
    return LOADED;
  }
  const f = new Fields(record);
  const start = kind === 'flow' ? ecsTimeToMicros(f.value('event.start'), utcOffsetMinutes) : null;
  const event: EventRecord = { ts: start ?? ts, kind, ...commonColumns(f), ...KIND_COLUMNS[kind](f) };
  event.extra = extraJson(record, USED_BY_KIND.get(kind)!);
  sink.event(event);
  return LOADED;
}

function kindOf(record: JsonRecord, dataset: string | null): EventKind | null {
  const leaf = dataset?.slice(dataset.lastIndexOf('.') + 1) ?? null;
  if (leaf === 'eve' || record.has('suricata.eve.event_type')) {
    const type = get(record, 'suricata.eve.event_type');
    if (typeof type === 'string') return SURICATA_KINDS.get(type.toLowerCase()) ?? null;
  }
  if (leaf !== null && KIND_BY_DATASET.get(leaf)) return KIND_BY_DATASET.get(leaf)!;
  if (leaf !== null && !KIND_BY_DATASET.has(leaf)) return null;
  return kindByFields(record);
}

/** A record without a telling dataset, judged by the ECS field sets it carries. */
function kindByFields(record: JsonRecord): EventKind | null {
  const has = (...keys: string[]) => keys.some((key) => record.has(key));
  if (get(record, 'event.kind') === 'alert' || has('rule.name', 'suricata.eve.alert.signature')) return 'alert';
  if (has('dns.question.name', 'dns.query.name')) return 'dns';
  if (has('http.request.method', 'url.original', 'url.full', 'url.path')) return 'http';
  if (has('tls.client.server_name', 'tls.version')) return 'tls';
  if (has('source.ip', 'client.ip') && has('destination.ip', 'server.ip')) return 'flow';
  return null;
}

/** Columns every kind shares: endpoints, transport, link id and, for endpoint agents, host, user and process. */
function commonColumns(f: Fields): Omit<EventRecord, 'ts' | 'kind'> {
  const processPath = f.text('process.executable', 'process.name');
  return {
    src_ip: f.text('source.ip', 'client.ip'),
    src_port: f.integer('source.port', 'client.port'),
    dst_ip: f.text('destination.ip', 'server.ip'),
    dst_port: f.integer('destination.port', 'server.port'),
    protocol: f.text('network.transport')?.toLowerCase() ?? null,
    app_protocol: appProtocol(f.text('network.protocol')),
    uid: f.text('zeek.session_id', 'log.id.uid', 'suricata.eve.flow_id', 'flow.id', 'network.community_id'),
    // host.* names the sensor on network-sensor records; it is the client only when a process is named.
    src_host: processPath ? f.text('host.name', 'host.hostname') : null,
    src_user: f.text('user.name', 'source.user.name'),
    process: processPath,
    process_id: f.integer('process.pid'),
    parent_process: f.text('process.parent.executable', 'process.parent.name'),
    command_line: f.text('process.command_line'),
  };
}

/** ECS `network.protocol` as the canonical app protocol ('ssl' is TLS). */
function appProtocol(name: string | null): string | null {
  const lowered = name?.toLowerCase() ?? null;
  return lowered === 'ssl' ? 'tls' : lowered;
}

const KIND_COLUMNS: Record<EventKind, (f: Fields) => Partial<EventRecord>> = {
  flow: (f) => {
    const nanos = f.integer('event.duration');
    return {
      bytes_out: f.integer('source.bytes', 'client.bytes'),
      bytes_in: f.integer('destination.bytes', 'server.bytes'),
      duration: nanos !== null ? nanos / 1e9 : null,
      conn_state: f.text('zeek.connection.state', 'connection.state', 'suricata.eve.flow.state'),
      ...namedDestination(f),
    };
  },
  dns: (f) => {
    const query = f.text('dns.question.name', 'dns.query.name');
    const host = hostName(query);
    return {
      app_protocol: 'dns',
      dns_query: query,
      dst_host: host,
      dst_host_origin: host ? 'dns-query' : null,
      dns_qtype: f.text('dns.question.type', 'dns.query.type_name'),
      dns_rcode: f.text('dns.response_code', 'dns.response.code_name'),
      dns_answers: dnsAnswers(f),
    };
  },
  http: (f) => {
    const original = f.text('url.original', 'url.full', 'http.uri');
    const path = f.text('url.path');
    const query = f.text('url.query');
    const host = hostName(f.text('url.domain', 'http.virtual_host', 'destination.domain')) ?? hostName(hostOfUrl(original));
    return {
      app_protocol: 'http',
      dst_host: host,
      dst_host_origin: host ? 'http-host' : null,
      url_path: path !== null ? (query !== null ? `${path}?${query}` : path) : urlPath(original),
      method: f.text('http.request.method', 'http.method')?.toUpperCase() ?? null,
      status: f.integer('http.response.status_code', 'http.status_code'),
      user_agent: f.text('user_agent.original', 'http.useragent'),
      referrer: f.text('http.request.referrer'),
      content_type: f.text('http.response.mime_type', 'zeek.http.resp_mime_types'),
      bytes_out: f.integer('http.request.body.bytes'),
      bytes_in: f.integer('http.response.body.bytes'),
    };
  },
  tls: (f) => {
    const host = hostName(f.text('tls.client.server_name', 'ssl.server_name', 'destination.domain'));
    const version = f.text('tls.version');
    const family = f.text('tls.version_protocol');
    return {
      app_protocol: 'tls',
      dst_host: host,
      dst_host_origin: host ? 'sni' : null,
      tls_version: f.text('zeek.ssl.version', 'ssl.version') ?? (version && family ? `${family.toUpperCase()}v${version}` : version),
      tls_ja3: f.text('tls.client.ja3', 'hash.ja3'),
      tls_ja4: f.text('tls.client.ja4'),
    };
  },
  alert: (f) => ({
    alert: f.text('rule.name', 'suricata.eve.alert.signature', 'zeek.notice.msg', 'message'),
    action: f.text('suricata.eve.alert.action')?.toLowerCase() === 'blocked' ? 'drop' : null,
    ...namedDestination(f),
  }),
  // Kinds ECS network data never produces.
  proxy: () => ({}),
  firewall: () => ({}),
  process: () => ({}),
  saas: () => ({}),
};

/**
 * The fields each kind's mapping turns into columns (the rest go to `extra`), found once by mapping an empty
 * record: every alias a mapping asks for counts as used, whether or not a record has it.
 */
const USED_BY_KIND: ReadonlyMap<EventKind, ReadonlySet<string>> = new Map(
  (Object.keys(KIND_COLUMNS) as EventKind[]).map((kind) => {
    const asked = new Set([
      '@timestamp',
      'event.dataset',
      'event.module',
      'data_stream.dataset',
      ...(kind === 'flow' ? ['event.start'] : []),
    ]);
    const f = new Fields(new Map(), asked);
    commonColumns(f);
    KIND_COLUMNS[kind](f);
    return [kind, asked];
  }),
);

/** A flow's or alert's destination name where the shipper resolved one (`destination.domain`). */
function namedDestination(f: Fields): Pick<EventRecord, 'dst_host' | 'dst_host_origin'> {
  const host = hostName(f.text('destination.domain'));
  return { dst_host: host, dst_host_origin: host ? 'log' : null };
}

function hostOfUrl(url: string | null): string | null {
  const m = url ? /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#]+)/i.exec(url) : null;
  return m ? m[1] : null;
}

/**
 * Answers in answer order: ECS `dns.answers[].data`, Security Onion's `dns.answers.name` list, Elastic
 * Endpoint's `dns.resolved_ip`, or the comma-joined text a CSV export writes.
 */
function dnsAnswers(f: Fields): string | null {
  const value = f.value('dns.answers', 'dns.answers.data', 'dns.answers.name', 'dns.resolved_ip');
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s*,\s*/) : [];
  const data = items
    .map((item) =>
      item !== null && typeof item === 'object' ? (Object.hasOwn(item, 'data') ? (item as { data: unknown }).data : null) : item,
    )
    .filter((item): item is string | number => (typeof item === 'string' && item !== '') || typeof item === 'number')
    .map(String);
  return data.length ? clipText(data.join(',')) : null;
}

function rawRow(record: JsonRecord, ts: number): Record<string, string | null> {
  const row: Record<string, string | null> = Object.create(null);
  for (const [key, value] of record) row[key] = rawText(value);
  row['@timestamp'] = microsToIsoMicros(ts);
  return row;
}
