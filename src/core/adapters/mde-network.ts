/**
 * Microsoft Defender for Endpoint advanced-hunting `DeviceNetworkEvents` exports (CSV or JSON) → 'flow'
 * events; the network-inspection action types add what they saw (HTTP host and URI, TLS server name, DNS query).
 */
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import type { EventRecord } from '../canonical.ts';
import { csvHeader, eachCsvRecord, hasColumns } from './endpoint-csv.ts';
import { bound, cleanDocument, extraJson, hostOf, isJsonObject, own, parseJson, scalarText, splitJsonObjects, stripMappedIpv4, toInteger } from './endpoint-json.ts';
import { flexibleTimeToMicros } from './endpoint-time.ts';

const REQUIRED_COLUMNS = ['Timestamp', 'DeviceName', 'ActionType', 'RemoteIP', 'RemotePort'];
const MDE_MARKERS = ['InitiatingProcessFileName', 'RemoteUrl', 'LocalIP'];

/** Raw table for events that describe no connection (a listening socket). */
export const MDE_OTHER_TABLE = 'mde_network_other';

/** DeviceNetworkEvents columns kept in `extra` when present. */
const EXTRA_COLUMNS = [
  'DeviceId', 'ReportId', 'InitiatingProcessSHA256', 'InitiatingProcessId', 'InitiatingProcessAccountDomain',
  'InitiatingProcessAccountUpn', 'InitiatingProcessVersionInfoCompanyName', 'InitiatingProcessIntegrityLevel',
  'RemoteIPType', 'LocalIPType',
];

const INBOUND_ACTIONS = new Set(['InboundConnectionAccepted']);

function text(row: Map<string, string>, name: string): string | null {
  const v = row.get(name)?.trim();
  return v ? bound(v) : null;
}

/** Full image path: FolderPath usually already ends with the file name; otherwise join them. */
function imagePath(folder: string | null, file: string | null): string | null {
  if (!folder) return file;
  if (!file || folder.toLowerCase().endsWith(file.toLowerCase())) return folder;
  return `${folder.replace(/[\\/]+$/, '')}\\${file}`;
}

/** Lower-case transport name ("TcpV4" → "tcp"). */
function transport(protocol: string | null): string | null {
  return protocol ? protocol.toLowerCase().replace(/v[46]$/, '') : null;
}

/** Fields of the `AdditionalFields` JSON that network-inspection action types carry. */
function additionalFields(json: string | null): Map<string, string> {
  const fields = new Map<string, string>();
  const parsed = json ? parseJson(json) : undefined;
  if (!isJsonObject(parsed)) return fields;
  for (const key of Object.keys(parsed)) {
    const value = scalarText(own(parsed, key));
    if (value !== null) fields.set(key, value);
  }
  return fields;
}

/** Map one DeviceNetworkEvents row (column name → text) to a canonical event. */
export function emitMdeRow(row: Map<string, string>, utcOffsetMinutes: number, sink: Sink): Outcome {
  const ts = flexibleTimeToMicros(text(row, 'Timestamp'), utcOffsetMinutes);
  if (ts === null) return reject(`unreadable Timestamp "${(row.get('Timestamp') ?? '').slice(0, 40)}"`);
  const action = text(row, 'ActionType');
  const remoteIp = text(row, 'RemoteIP');
  const remoteUrl = text(row, 'RemoteUrl');
  const device = text(row, 'DeviceName');
  if (action === 'ListeningConnectionCreated' || (!remoteIp && !remoteUrl)) {
    sink.raw(MDE_OTHER_TABLE, Object.fromEntries([...row].map(([k, v]) => [k, bound(v)])));
    return LOADED;
  }
  const inbound = action !== null && INBOUND_ACTIONS.has(action);
  const local = { ip: text(row, 'LocalIP'), port: toInteger(text(row, 'LocalPort')) };
  const remote = { ip: remoteIp, port: toInteger(text(row, 'RemotePort')) };
  const [src, dst] = inbound ? [remote, local] : [local, remote];
  const extra = new Map<string, string>();
  for (const name of EXTRA_COLUMNS) {
    const v = text(row, name);
    if (v) extra.set(name, v);
  }
  if (inbound && device) extra.set('DeviceName', device);
  const remoteHost = hostOf(remoteUrl);
  const event: EventRecord = {
    ts,
    kind: 'flow',
    src_host: inbound ? null : device,
    src_user: text(row, 'InitiatingProcessAccountName'),
    src_ip: src.ip ? stripMappedIpv4(src.ip) : null,
    src_port: src.port,
    dst_ip: dst.ip ? stripMappedIpv4(dst.ip) : null,
    dst_port: dst.port,
    dst_host: inbound ? null : remoteHost,
    dst_host_origin: !inbound && remoteHost ? 'log' : null,
    process: imagePath(text(row, 'InitiatingProcessFolderPath'), text(row, 'InitiatingProcessFileName')),
    process_id: toInteger(text(row, 'InitiatingProcessId')),
    parent_process: text(row, 'InitiatingProcessParentFileName'),
    command_line: text(row, 'InitiatingProcessCommandLine'),
    protocol: transport(text(row, 'Protocol')),
    conn_state: action,
  };
  const inspected = additionalFields(text(row, 'AdditionalFields'));
  if (action === 'HttpConnectionInspected' && inspected.get('host')) {
    Object.assign(event, {
      kind: 'http', app_protocol: 'http', dst_host: inspected.get('host'), dst_host_origin: 'http-host',
      url_path: inspected.get('uri') ?? null, method: inspected.get('method') ?? null,
      status: toInteger(inspected.get('status_code')), user_agent: inspected.get('user_agent') ?? null,
    });
  } else if (action === 'SslConnectionInspected' && inspected.get('server_name')) {
    Object.assign(event, {
      kind: 'tls', app_protocol: 'tls', dst_host: inspected.get('server_name'), dst_host_origin: 'sni',
      tls_version: inspected.get('version') ?? null, tls_ja3: inspected.get('ja3') ?? null,
    });
  } else if (action === 'DnsConnectionInspected' && inspected.get('query')) {
    Object.assign(event, {
      kind: 'dns', app_protocol: 'dns', dst_host: inspected.get('query'), dst_host_origin: 'dns-query',
      dns_query: inspected.get('query'), dns_qtype: inspected.get('query_type') ?? null,
      dns_rcode: inspected.get('rcode') ?? null,
    });
  } else if (inspected.size) {
    for (const [key, value] of inspected) extra.set(`AdditionalFields.${key}`, value);
  }
  event.extra = extraJson(extra);
  sink.event(event);
  return LOADED;
}

/** DeviceNetworkEvents exported as CSV from advanced hunting. */
export const mdeNetworkCsvAdapter: Adapter = {
  id: 'mde-network-csv',
  title: 'Defender for Endpoint DeviceNetworkEvents (CSV)',
  sniff(head) {
    const header = csvHeader(head);
    if (!hasColumns(header, REQUIRED_COLUMNS)) return 0;
    return MDE_MARKERS.some((m) => hasColumns(header, [m])) ? 0.95 : 0.7;
  },
  open(options): RecordParser {
    return {
      format: 'mde-network-csv',
      mode: 'document',
      document(textDoc, sink, each) {
        eachCsvRecord(textDoc, (record) => {
          each(record.problem ? reject(record.problem) : emitMdeRow(record.values, options.utcOffsetMinutes, sink), record.recordNo, record.sample);
        });
      },
    };
  },
};

/** A JSON object's scalar members as text (nested AdditionalFields kept as JSON text). */
function rowFromJson(obj: Record<string, unknown>): Map<string, string> {
  const row = new Map<string, string>();
  for (const key of Object.keys(obj)) {
    const value = own(obj, key);
    const textValue = isJsonObject(value) ? JSON.stringify(value) : scalarText(value);
    if (textValue !== null) row.set(key, textValue);
  }
  return row;
}

/** DeviceNetworkEvents exported as JSON (an array or one object per line). */
export const mdeNetworkJsonAdapter: Adapter = {
  id: 'mde-network-json',
  title: 'Defender for Endpoint DeviceNetworkEvents (JSON)',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('[') && !start.startsWith('{')) return 0;
    const keys = [...REQUIRED_COLUMNS, ...MDE_MARKERS].filter((k) => head.includes(`"${k}"`)).length;
    return keys >= REQUIRED_COLUMNS.length + 1 ? 0.9 : 0;
  },
  open(options): RecordParser {
    return {
      format: 'mde-network-json',
      mode: 'document',
      document(textDoc, sink, each) {
        splitJsonObjects(cleanDocument(textDoc)).forEach((piece, index) => {
          const sample = piece.text.slice(0, 500);
          const parsed = piece.truncated ? undefined : parseJson(piece.text);
          const outcome = piece.truncated
            ? reject('truncated JSON record')
            : isJsonObject(parsed)
              ? emitMdeRow(rowFromJson(parsed), options.utcOffsetMinutes, sink)
              : reject('not a JSON object');
          each(outcome, index + 1, sample);
        });
      },
    };
  },
};
