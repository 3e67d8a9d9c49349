/**
 * Microsoft Sentinel / Log Analytics rows → canonical events, by table: the ASIM normalised schemas
 * (NetworkSession, WebSession, Dns), CommonSecurityLog (CEF), SecurityEvent 5156 (Windows Filtering Platform
 * connections), DnsEvents, VMConnection, Sysmon as WindowsEvent / Event / Syslog (Sysmon for Linux), and
 * Defender's DeviceNetworkEvents. Rows of any other table are kept in `sentinel_<table>`: loaded, not lost.
 * A row is its columns as text (nested JSON values as their JSON text), whatever the export shape.
 */
import type { EventKind, EventRecord } from '../canonical.ts';
import { LOADED, reject, type Outcome, type Sink } from '../ingest/adapter.ts';
import { extraJson, ipProtocolName, normaliseAction, splitUrl } from './csv-mapped.ts';
import { bound, isJsonObject, own, parseJson, scalarText, stripMappedIpv4, toInteger } from './endpoint-json.ts';
import { flexibleTimeToMicros } from './endpoint-time.ts';
import { emitMdeRow } from './mde-network.ts';
import { emitSysmon } from './sysmon-core.ts';
import { emitEventXml, parseXmlElement, type XmlElement } from './sysmon-xml.ts';
import { safeName } from './zeek-common.ts';

export type SentinelRow = Map<string, string>;

/** ASIM `EventSchema` values and the table each stands for. */
const ASIM_SCHEMAS: ReadonlyMap<string, string> = new Map([
  ['networksession', 'NetworkSession'],
  ['websession', 'WebSession'],
  ['dns', 'Dns'],
]);

/** The table a row belongs to: its `Type`, its ASIM `EventSchema`, else guessed from telling columns. */
export function sentinelTable(row: SentinelRow): string {
  const schema = row.get('EventSchema')?.toLowerCase();
  if (schema && ASIM_SCHEMAS.has(schema)) return ASIM_SCHEMAS.get(schema)!;
  const type = row.get('Type')?.trim();
  if (type) return type;
  if (row.has('DeviceVendor') && row.has('DeviceProduct')) return 'CommonSecurityLog';
  if (row.has('SyslogMessage')) return 'Syslog';
  if (row.has('ConnectionId') && row.has('RemoteIp')) return 'VMConnection';
  if (row.has('EventID') && row.has('EventData')) return row.has('Provider') ? 'WindowsEvent' : 'SecurityEvent';
  if (row.has('DnsQuery')) return 'Dns';
  if (row.has('Url') && row.has('SrcIpAddr')) return 'WebSession';
  if (row.has('SrcIpAddr') && row.has('DstIpAddr')) return 'NetworkSession';
  if (row.has('ClientIP') && row.has('Name') && row.has('SubType')) return 'DnsEvents';
  return 'unknown';
}

/** Map one row. `utcOffsetMinutes` applies to zone-less times (CSV exports in local time). */
export function emitSentinelRow(row: SentinelRow, sink: Sink, utcOffsetMinutes: number): Outcome {
  const generated = text(row, 'TimeGenerated');
  const ts = flexibleTimeToMicros(generated, utcOffsetMinutes);
  if (ts === null) return reject(generated ? `unreadable TimeGenerated "${generated.slice(0, 40)}"` : 'no TimeGenerated');
  const table = sentinelTable(row);
  const handler = TABLES.get(tableKey(table)) ?? null;
  const outcome = handler?.(row, ts, sink, utcOffsetMinutes) ?? null;
  if (outcome !== null) return outcome;
  sink.raw(`sentinel_${safeName(table)}`, Object.fromEntries([...row].map(([k, v]) => [k, bound(v)])));
  return LOADED;
}

/** A table name as its handler key: ASIM's `ASimDnsActivityLogs` / `_Im_Dns` and the schema name `Dns` meet. */
function tableKey(table: string): string {
  const key = table
    .toLowerCase()
    .replace(/^(?:asim|_im_|_asim_)/, '')
    .replace(/logs$/, '');
  return key === 'dnsactivity' ? 'dns' : key;
}

type TableHandler = (row: SentinelRow, ts: number, sink: Sink, utcOffsetMinutes: number) => Outcome | null;

function text(row: SentinelRow, ...names: string[]): string | null {
  for (const name of names) {
    const v = row.get(name)?.trim();
    if (v && v !== '-') return bound(v);
  }
  return null;
}

const ip = (row: SentinelRow, ...names: string[]) => {
  const v = text(row, ...names);
  return v === null ? null : stripMappedIpv4(v);
};
const int = (row: SentinelRow, ...names: string[]) => toInteger(text(row, ...names));

/** Columns not mapped, bounded, for `extra`. */
function rest(row: SentinelRow, used: ReadonlySet<string>): string | null {
  return extraJson([...row].filter(([name]) => !used.has(name) && !NOISE_COLUMNS.has(name)));
}

/** Workspace bookkeeping every Log Analytics row carries; it says nothing about the event. */
const NOISE_COLUMNS = new Set([
  'TenantId',
  'SourceSystem',
  'MG',
  'ManagementGroupName',
  '_ResourceId',
  'Type',
  'TimeGenerated',
  'EventSchema',
  'EventSchemaVersion',
]);

function emit(row: SentinelRow, ts: number, sink: Sink, kind: EventKind, fields: Partial<EventRecord>, used: readonly string[]): Outcome {
  const event: EventRecord = { ts, kind, ...fields };
  if (event.dst_host && !event.dst_host_origin) event.dst_host_origin = 'log';
  event.extra = rest(row, new Set(used));
  sink.event(event);
  return LOADED;
}

/** ASIM columns every schema shares. */
const ASIM_COMMON = [
  'EventStartTime',
  'SrcIpAddr',
  'SrcPortNumber',
  'DstIpAddr',
  'DstPortNumber',
  'NetworkProtocol',
  'SrcHostname',
  'SrcUsername',
  'SrcProcessName',
  'ActingProcessName',
  'DvcAction',
  'DstHostname',
  'DstDomain',
];

function asimCommon(row: SentinelRow, utcOffsetMinutes: number): Partial<EventRecord> & { ts?: number } {
  const start = flexibleTimeToMicros(text(row, 'EventStartTime'), utcOffsetMinutes);
  return {
    ...(start !== null ? { ts: start } : {}),
    src_ip: ip(row, 'SrcIpAddr'),
    src_port: int(row, 'SrcPortNumber'),
    dst_ip: ip(row, 'DstIpAddr'),
    dst_port: int(row, 'DstPortNumber'),
    protocol: ipProtocolName(text(row, 'NetworkProtocol')),
    src_host: text(row, 'SrcHostname'),
    src_user: text(row, 'SrcUsername'),
    process: text(row, 'SrcProcessName', 'ActingProcessName'),
    action: normaliseAction(text(row, 'DvcAction')),
    dst_host: text(row, 'DstHostname', 'DstDomain'),
  };
}

/** An absolute URL split into host, port and path for proxy-like rows. */
function urlFields(url: string | null): Partial<EventRecord> {
  const parts = url ? splitUrl(url, true) : null;
  return parts
    ? { dst_host: parts.host, dst_host_origin: 'url', url_path: parts.path, ...(parts.port !== null ? { dst_port: parts.port } : {}) }
    : {};
}

/** Data elements (`<Data Name="…">`) anywhere under an EventData XML text, by name. */
function eventDataXml(xml: string): Map<string, string> | string {
  let root: XmlElement;
  try {
    root = parseXmlElement(xml.trim());
  } catch (error) {
    return `malformed EventData XML: ${(error as Error).message}`;
  }
  const fields = new Map<string, string>();
  const visit = (element: XmlElement) => {
    const name = element.attributes.get('Name');
    if (element.name === 'Data' && name && !fields.has(name)) fields.set(name, element.text);
    element.children.forEach(visit);
  };
  visit(root);
  return fields;
}

/** WFP direction codes of event 5156. */
const WFP_DIRECTION: ReadonlyMap<string, string> = new Map([
  ['%%14592', 'inbound'],
  ['%%14593', 'outbound'],
]);
/** DnsEvents `ResultCode` (numeric rcode) as rcode names. */
const RCODE_NAMES: ReadonlyMap<string, string> = new Map([
  ['0', 'NOERROR'],
  ['1', 'FORMERR'],
  ['2', 'SERVFAIL'],
  ['3', 'NXDOMAIN'],
  ['4', 'NOTIMP'],
  ['5', 'REFUSED'],
]);

const TABLES = new Map<string, TableHandler>([
  [
    'networksession',
    (row, ts, sink, offset) => {
      const common = asimCommon(row, offset);
      const millis = text(row, 'NetworkDuration');
      return emit(
        row,
        common.ts ?? ts,
        sink,
        'flow',
        {
          ...common,
          app_protocol: text(row, 'NetworkApplicationProtocol')?.toLowerCase() ?? null,
          bytes_out: int(row, 'SrcBytes'),
          bytes_in: int(row, 'DstBytes'),
          duration: millis !== null && /^\d+$/.test(millis) ? Number(millis) / 1000 : null,
          uid: text(row, 'NetworkSessionId'),
        },
        [...ASIM_COMMON, 'NetworkApplicationProtocol', 'SrcBytes', 'DstBytes', 'NetworkDuration', 'NetworkSessionId'],
      );
    },
  ],
  [
    'websession',
    (row, ts, sink, offset) => {
      const common = asimCommon(row, offset);
      return emit(
        row,
        common.ts ?? ts,
        sink,
        'proxy',
        {
          ...common,
          ...urlFields(text(row, 'Url')),
          method: text(row, 'HttpRequestMethod')?.toUpperCase() ?? null,
          status: int(row, 'HttpStatusCode', 'EventResultDetails'),
          user_agent: text(row, 'HttpUserAgent'),
          referrer: text(row, 'HttpReferrer'),
          content_type: text(row, 'HttpContentType'),
          bytes_out: int(row, 'SrcBytes'),
          bytes_in: int(row, 'DstBytes'),
        },
        [
          ...ASIM_COMMON,
          'Url',
          'HttpRequestMethod',
          'HttpStatusCode',
          'EventResultDetails',
          'HttpUserAgent',
          'HttpReferrer',
          'HttpContentType',
          'SrcBytes',
          'DstBytes',
        ],
      );
    },
  ],
  [
    'dns',
    (row, ts, sink, offset) => {
      const common = asimCommon(row, offset);
      const query = text(row, 'DnsQuery');
      if (!query) return reject('DNS row has no DnsQuery');
      return emit(
        row,
        common.ts ?? ts,
        sink,
        'dns',
        {
          ...common,
          app_protocol: 'dns',
          dst_host: query.replace(/\.$/, ''),
          dst_host_origin: 'dns-query',
          dns_query: query.replace(/\.$/, ''),
          dns_qtype: text(row, 'DnsQueryTypeName'),
          dns_rcode: text(row, 'DnsResponseCodeName'),
          dns_answers:
            text(row, 'DnsResponseName')
              ?.split(/\s*[,;]\s*/)
              .filter(Boolean)
              .join(',') || null,
        },
        [...ASIM_COMMON, 'DnsQuery', 'DnsQueryTypeName', 'DnsResponseCodeName', 'DnsResponseName'],
      );
    },
  ],
  [
    'commonsecuritylog',
    (row, ts, sink) => {
      const url = text(row, 'RequestURL');
      return emit(
        row,
        ts,
        sink,
        url ? 'proxy' : 'firewall',
        {
          src_ip: ip(row, 'SourceIP'),
          src_port: int(row, 'SourcePort'),
          dst_ip: ip(row, 'DestinationIP'),
          dst_port: int(row, 'DestinationPort'),
          protocol: ipProtocolName(text(row, 'Protocol')),
          app_protocol: text(row, 'ApplicationProtocol')?.toLowerCase() ?? null,
          action: normaliseAction(text(row, 'DeviceAction')),
          dst_host: text(row, 'DestinationHostName'),
          src_host: text(row, 'SourceHostName'),
          src_user: text(row, 'SourceUserName'),
          process: text(row, 'SourceProcessName'),
          ...urlFields(url),
          method: text(row, 'RequestMethod')?.toUpperCase() ?? null,
          user_agent: text(row, 'RequestClientApplication'),
          bytes_out: int(row, 'SentBytes'),
          bytes_in: int(row, 'ReceivedBytes'),
        },
        [
          'SourceIP',
          'SourcePort',
          'DestinationIP',
          'DestinationPort',
          'Protocol',
          'ApplicationProtocol',
          'DeviceAction',
          'DestinationHostName',
          'SourceHostName',
          'SourceUserName',
          'SourceProcessName',
          'RequestURL',
          'RequestMethod',
          'RequestClientApplication',
          'SentBytes',
          'ReceivedBytes',
        ],
      );
    },
  ],
  [
    'securityevent',
    (row, ts, sink) => {
      if (text(row, 'EventID') !== '5156') return null;
      const data = eventDataXml(text(row, 'EventData') ?? '<EventData/>');
      if (typeof data === 'string') return reject(data);
      const value = (name: string) => data.get(name)?.trim() || text(row, name);
      const direction = WFP_DIRECTION.get(value('Direction') ?? '') ?? value('Direction');
      const src = value('SourceAddress');
      const dst = value('DestAddress');
      if (!src || !dst) return reject('event 5156 has no SourceAddress or DestAddress');
      const used = new Set(['EventData', 'EventID']);
      sink.event({
        ts,
        kind: 'flow',
        src_ip: stripMappedIpv4(src),
        src_port: toInteger(value('SourcePort')),
        dst_ip: stripMappedIpv4(dst),
        dst_port: toInteger(value('DestPort')),
        protocol: ipProtocolName(value('Protocol')),
        process: value('Application'),
        process_id: toInteger(value('ProcessID')),
        src_host: direction === 'outbound' ? text(row, 'Computer') : null,
        action: 'allow',
        extra: extraJson([...[...row].filter(([k]) => !used.has(k) && !NOISE_COLUMNS.has(k)), ['Direction', direction]]),
      });
      return LOADED;
    },
  ],
  [
    'dnsevents',
    (row, ts, sink) => {
      if (text(row, 'SubType') !== 'LookupQuery') return null;
      const name = text(row, 'Name');
      if (!name) return reject('DnsEvents lookup has no Name');
      const rcode = text(row, 'ResultCode');
      return emit(
        row,
        ts,
        sink,
        'dns',
        {
          src_ip: ip(row, 'ClientIP'),
          app_protocol: 'dns',
          dst_host: name.replace(/\.$/, ''),
          dst_host_origin: 'dns-query',
          dns_query: name.replace(/\.$/, ''),
          dns_qtype: text(row, 'QueryType'),
          dns_rcode: rcode === null ? null : (RCODE_NAMES.get(rcode) ?? rcode),
          dns_answers:
            text(row, 'IPAddresses')
              ?.split(/\s*,\s*/)
              .filter(Boolean)
              .join(',') || null,
        },
        ['ClientIP', 'Name', 'QueryType', 'ResultCode', 'IPAddresses', 'SubType'],
      );
    },
  ],
  [
    'vmconnection',
    (row, ts, sink) => {
      const inbound = text(row, 'Direction')?.toLowerCase() === 'inbound';
      const sent = int(row, 'BytesSent');
      const received = int(row, 'BytesReceived');
      return emit(
        row,
        ts,
        sink,
        'flow',
        {
          src_ip: ip(row, 'SourceIp'),
          dst_ip: ip(row, 'DestinationIp'),
          dst_port: int(row, 'DestinationPort'),
          protocol: ipProtocolName(text(row, 'Protocol')),
          // The machine's own view: on an inbound connection it is the server, so its sent bytes went to the client.
          bytes_out: inbound ? received : sent,
          bytes_in: inbound ? sent : received,
          src_host: inbound ? null : text(row, 'Computer'),
          process: inbound ? null : text(row, 'ProcessName'),
          uid: text(row, 'ConnectionId'),
        },
        [
          'SourceIp',
          'DestinationIp',
          'DestinationPort',
          'Protocol',
          'BytesSent',
          'BytesReceived',
          ...(inbound ? [] : ['Computer', 'ProcessName']),
          'ConnectionId',
        ],
      );
    },
  ],
  [
    'syslog',
    (row, _ts, sink) => {
      const message = text(row, 'SyslogMessage');
      const xml = message ? (/<Event[\s>][\s\S]*<\/Event>/.exec(message)?.[0] ?? closeCutEvent(message)) : undefined;
      // Sysmon for Linux writes some values unescaped ("&lt unknown process&gt"): a stray '&' is text, not an entity.
      return xml && /Linux-Sysmon/.test(xml)
        ? emitEventXml(xml.replace(/&(?![A-Za-z]{2,6};|#\d{1,7};|#x[0-9A-Fa-f]{1,6};)/g, '&amp;'), sink)
        : null;
    },
  ],
  ['windowsevent', (row, ts, sink) => sysmonFromEventData(row, ts, sink, text(row, 'Provider'))],
  ['event', (row, ts, sink) => sysmonFromEventData(row, ts, sink, text(row, 'Source'))],
  ['devicenetworkevents', (row, _ts, sink, offset) => emitMdeRow(row, offset, sink)],
]);

/**
 * A Sysmon event a syslog relay cut short (messages are often cut at 1 or 2 KiB; a long parent command line is
 * enough): its complete `<Data>` elements before the cut, closed, so the fields it still holds are read and the
 * rest stays absent. Undefined when not even one element of EventData is whole.
 */
function closeCutEvent(message: string): string | undefined {
  const start = message.search(/<Event[\s>]/);
  const data = message.indexOf('<EventData>', start);
  const lastData = message.lastIndexOf('</Data>');
  if (start < 0 || data < 0 || lastData < data) return undefined;
  return `${message.slice(start, lastData + '</Data>'.length)}</EventData></Event>`;
}

/** Sysmon rows of the WindowsEvent table (EventData as JSON) or the legacy Event table (EventData as XML). */
function sysmonFromEventData(row: SentinelRow, ts: number, sink: Sink, provider: string | null): Outcome | null {
  if (!provider || !/sysmon/i.test(provider)) return null;
  const raw = text(row, 'EventData') ?? '';
  let fields: Map<string, string>;
  if (raw.startsWith('{')) {
    const parsed = parseJson(raw);
    if (!isJsonObject(parsed)) return reject('EventData is not a JSON object');
    fields = new Map(
      Object.keys(parsed).flatMap((k): [string, string][] => {
        const v = scalarText(own(parsed, k));
        return v === null ? [] : [[k, v]];
      }),
    );
  } else {
    const data = eventDataXml(raw);
    if (typeof data === 'string') return reject(data);
    fields = data;
  }
  const eventId = toInteger(text(row, 'EventID'));
  return emitSysmon({ eventId, provider, computer: text(row, 'Computer'), envelopeTime: ts, fields }, sink);
}
