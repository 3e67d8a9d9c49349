/**
 * Windows events in JSON, any channel mix: Winlogbeat 7/8 / Elastic Agent ECS NDJSON (`winlog.*`), Winlogbeat 6
 * (`event_data.*`, `computer_name`), NXLog- or Logstash-flattened JSON with the event fields at top level (OTRF
 * Security Datasets), EvtxECmd JSON lines, and PowerShell `Get-WinEvent | ConvertTo-Json` arrays. Each shape reader
 * collects the event fields; sysmon-core.ts maps them.
 *
 * Time: Sysmon's own `UtcTime` when the event has it. Otherwise the shape's UTC event time: Winlogbeat's
 * `@timestamp` (set from the record's TimeCreated), a flattened record's `TimeCreated` when it carries a zone; an
 * NXLog record without one has only `EventTime`, the host's local time without a zone, and the collector's
 * `@timestamp` (UTC, when Logstash received it — seconds late): `@timestamp` is used, since a local time of an
 * unknown zone can be hours off. A record with nothing but a zoneless time (`TimeCreated` or `EventTime`) is read at
 * the configured UTC offset, then corrected by the enrich step 'windows-local-time' from the offset its computer's
 * Sysmon events show between their UtcTime and the same zoneless envelope time.
 */
import { META, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import { cleanDocument, isJsonObject, own, parseJson, scalarText, splitJsonObjects } from './endpoint-json.ts';
import { dotNetDateToMicros, flexibleTimeToMicros } from './endpoint-time.ts';
import { get, getInteger, getString, parseJsonRecord, sniffJsonLines, type JsonRecord } from './json-record.ts';
import { emitSysmon, parseMessageFields, SYSMON_FIELD_ORDER, type SysmonInput } from './sysmon-core.ts';

type JsonShape = 'winlogbeat' | 'winlogbeat6' | 'evtxecmd' | 'powershell' | 'flat';

const FORMAT_OF_SHAPE: Readonly<Record<JsonShape, string>> = {
  winlogbeat: 'sysmon-winlogbeat-ndjson',
  winlogbeat6: 'windows-winlogbeat6-ndjson',
  evtxecmd: 'sysmon-evtxecmd-json',
  powershell: 'sysmon-powershell-json',
  flat: 'sysmon-flat-json',
};

/**
 * Formats whose events may keep a zoneless envelope time (extra.EnvelopeLocalTime, see flatInput): the enrich step
 * 'windows-local-time' looks for it in these files only, not through every event's `extra`.
 */
export const ENVELOPE_LOCAL_FORMATS: readonly string[] = [FORMAT_OF_SHAPE.flat];

/** Which export shape a flattened JSON record has, or null. */
export function jsonShape(record: JsonRecord): JsonShape | null {
  // Log Analytics / Sentinel table rows carry EventID and Channel too, but their event data is another shape.
  if (record.has('TenantId') && record.has('TimeGenerated')) return null;
  if (record.has('winlog.event_id') || record.has('winlog.channel')) return 'winlogbeat';
  if (record.has('event_id') && (record.has('log_name') || record.has('computer_name'))) return 'winlogbeat6';
  if (typeof record.get('Payload') === 'string' && record.has('EventId')) return 'evtxecmd';
  if (record.has('Id') && record.has('MachineName')) return 'powershell';
  if (['EventID', 'EventId', 'event_id'].some((k) => record.has(k))) return 'flat';
  return null;
}

/** ECS fields Winlogbeat's Sysmon processing fills, used when `winlog.event_data` lacks the Sysmon name. */
const ECS_FALLBACK: ReadonlyArray<readonly [string, string]> = [
  ['Image', 'process.executable'],
  ['ProcessId', 'process.pid'],
  ['ProcessGuid', 'process.entity_id'],
  ['CommandLine', 'process.command_line'],
  ['ParentImage', 'process.parent.executable'],
  ['ParentProcessGuid', 'process.parent.entity_id'],
  ['User', 'user.name'],
  ['SourceIp', 'source.ip'],
  ['SourcePort', 'source.port'],
  ['DestinationIp', 'destination.ip'],
  ['DestinationPort', 'destination.port'],
  ['DestinationHostname', 'destination.domain'],
  ['Protocol', 'network.transport'],
  ['QueryName', 'dns.question.name'],
];

function fieldsWithPrefix(record: JsonRecord, prefix: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of record) {
    const text = key.startsWith(prefix) ? scalarText(value) : null;
    if (text !== null) fields.set(key.slice(prefix.length), text);
  }
  return fields;
}

function winlogbeatInput(record: JsonRecord): SysmonInput {
  const fields = fieldsWithPrefix(record, 'winlog.event_data.');
  for (const [name, ecsPath] of ECS_FALLBACK) {
    const text = fields.has(name) ? null : scalarText(record.get(ecsPath));
    if (text !== null) fields.set(name, text);
  }
  const direction = getString(record, 'network.direction');
  if (!fields.has('Initiated') && direction) fields.set('Initiated', String(/^(egress|outbound)$/i.test(direction)));
  return {
    eventId: getInteger(record, 'winlog.event_id', 'event.code'),
    provider: getString(record, 'winlog.provider_name', 'event.provider'),
    channel: getString(record, 'winlog.channel'),
    computer: getString(record, 'winlog.computer_name', 'host.name', 'host.hostname'),
    envelopeTime: isoToMicros(getString(record, '@timestamp') ?? ''),
    fields,
  };
}

/** Winlogbeat 6.x, before ECS: `event_id`, `log_name`, `source_name`, `computer_name`, fields under `event_data`. */
function winlogbeat6Input(record: JsonRecord): SysmonInput {
  const fields = fieldsWithPrefix(record, 'event_data.');
  const message = getString(record, 'message');
  return {
    eventId: getInteger(record, 'event_id'),
    provider: getString(record, 'source_name'),
    channel: getString(record, 'log_name'),
    computer: getString(record, 'computer_name'),
    envelopeTime: isoToMicros(getString(record, '@timestamp') ?? ''),
    // A few records come without event_data; their message text holds the same `Name: value` lines.
    fields: fields.size === 0 && message ? parseMessageFields(message) : fields,
  };
}

/** A zoned ISO time (`2020-10-22T01:54:21.634Z`), else null: a zoneless one is the host's local time. */
function zonedIsoToMicros(text: string | null): number | null {
  return text && /(Z|[+-]\d\d:?\d\d)$/i.test(text.trim()) ? isoToMicros(text) : null;
}

function flatInput(record: JsonRecord, utcOffsetMinutes: number): SysmonInput {
  const created = getString(record, 'TimeCreated');
  const utc = zonedIsoToMicros(created) ?? isoToMicros(getString(record, '@timestamp') ?? '');
  const local = utc === null ? flexibleTimeToMicros(created ?? getString(record, 'EventTime'), utcOffsetMinutes) : null;
  return {
    eventId: getInteger(record, 'EventID', 'EventId', 'event_id'),
    provider: getString(record, 'SourceName', 'ProviderName', 'Provider'),
    channel: getString(record, 'Channel'),
    computer: getString(record, 'Computer', 'Hostname', 'ComputerName'),
    envelopeTime: utc ?? local,
    envelopeLocal: local !== null,
    fields: fieldsWithPrefix(record, ''),
  };
}

/** EvtxECmd's `Payload`: `{"EventData":{"Data":[{"@Name":"Image","#text":"..."}]}}` (one Data may be an object). */
export function evtxPayloadFields(payload: string): Map<string, string> | null {
  const parsed = parseJson(payload);
  const eventData = isJsonObject(parsed) ? own(parsed, 'EventData') : undefined;
  if (!isJsonObject(eventData)) return null;
  const data = own(eventData, 'Data');
  const fields = new Map<string, string>();
  for (const item of Array.isArray(data) ? data : [data]) {
    if (!isJsonObject(item)) continue;
    const name = scalarText(own(item, '@Name'));
    if (name !== null) fields.set(name, scalarText(own(item, '#text')) ?? '');
  }
  return fields;
}

function evtxecmdInput(record: JsonRecord, utcOffsetMinutes: number): SysmonInput | string {
  const fields = evtxPayloadFields(String(record.get('Payload')));
  if (!fields) return 'EvtxECmd Payload is not {"EventData":{"Data":[...]}} JSON';
  return {
    eventId: getInteger(record, 'EventId'),
    provider: getString(record, 'Provider'),
    computer: getString(record, 'Computer'),
    // EvtxECmd writes UTC; a value without a zone is still UTC, whatever the log's local zone.
    envelopeTime: flexibleTimeToMicros(getString(record, 'TimeCreated'), 0) ?? flexibleTimeToMicros(getString(record, 'TimeCreated'), utcOffsetMinutes),
    fields,
  };
}

/** A PowerShell property value: strings, numbers, booleans, .NET dates and `{Guid: ...}` objects as text. */
function powershellValue(value: unknown): string {
  const text = scalarText(value);
  if (text !== null) {
    const micros = dotNetDateToMicros(text);
    return micros === null ? text : new Date(micros / 1000).toISOString();
  }
  return isJsonObject(value) ? (scalarText(own(value, 'Guid')) ?? '') : '';
}

function powershellInput(record: JsonRecord, utcOffsetMinutes: number): SysmonInput | string {
  const eventId = getInteger(record, 'Id');
  const message = getString(record, 'Message');
  const properties = get(record, 'Properties');
  let fields: Map<string, string>;
  if (message && message.includes(':')) {
    fields = parseMessageFields(message);
  } else if (Array.isArray(properties)) {
    const order = eventId === null ? undefined : SYSMON_FIELD_ORDER.get(eventId);
    const values = properties.map((p) => powershellValue(isJsonObject(p) ? own(p, 'Value') : p));
    if (order && values.length !== order.length && values.length !== order.length - 1) {
      return `event ${eventId} has ${values.length} Properties, Sysmon documents ${order.length}`;
    }
    fields = new Map(values.map((v, i) => [order?.[i] ?? `Property${i + 1}`, v]));
  } else {
    return 'PowerShell event has neither Message nor Properties';
  }
  return {
    eventId,
    provider: getString(record, 'ProviderName'),
    computer: getString(record, 'MachineName'),
    envelopeTime: flexibleTimeToMicros(getString(record, 'TimeCreated'), utcOffsetMinutes),
    fields,
  };
}

/** Map one JSON record of a known shape to canonical events. */
function emitJsonRecord(record: JsonRecord, shape: JsonShape, utcOffsetMinutes: number, sink: Sink): Outcome {
  const input =
    shape === 'winlogbeat' ? winlogbeatInput(record)
    : shape === 'winlogbeat6' ? winlogbeat6Input(record)
    : shape === 'flat' ? flatInput(record, utcOffsetMinutes)
    : shape === 'evtxecmd' ? evtxecmdInput(record, utcOffsetMinutes)
    : powershellInput(record, utcOffsetMinutes);
  return typeof input === 'string' ? reject(input) : emitSysmon(input, sink);
}

const MENTIONS_SYSMON = /Sysmon/;
/** A Windows event log's provider or channel names: what tells an event export from any JSON with an `EventID`. */
const MENTIONS_WINDOWS_LOG = /Sysmon|Microsoft-Windows-|"(?:Security|System|Application)"|"(?:Channel|log_name|winlog\.channel)"/;
/** Records the sniffer reads: mixed exports interleave channels, so one record says little about the file. */
const SNIFF_RECORDS = 200;

function ndjsonAdapter(shape: Exclude<JsonShape, 'powershell'>, title: string): Adapter {
  const format = FORMAT_OF_SHAPE[shape];
  return {
    id: format,
    title,
    sniff(head) {
      const share = sniffJsonLines(head, (record) => (jsonShape(record) === shape ? 1 : 0), SNIFF_RECORDS);
      // A damaged line or two in the head should not hide an otherwise clear match.
      return Math.min(1, share / 0.6) * (MENTIONS_WINDOWS_LOG.test(head) ? 0.95 : 0.3);
    },
    open(options): RecordParser {
      return {
        format,
        mode: 'line',
        line(text, _lineNo, sink) {
          const line = text.replace(/^\uFEFF/, '').trim();
          if (line === '') return META;
          const record = parseJsonRecord(line);
          if (typeof record === 'string') return reject(record);
          const found = jsonShape(record);
          if (found !== shape) return reject(`not a ${format} record`);
          return emitJsonRecord(record, shape, options.utcOffsetMinutes, sink);
        },
      };
    },
  };
}

/** Winlogbeat 7/8 / Elastic Agent NDJSON of any channel (`winlog.event_data.*`). */
export const sysmonWinlogbeatAdapter = ndjsonAdapter('winlogbeat', 'Windows events (Winlogbeat 7+, Elastic Agent)');
/** Winlogbeat 6.x NDJSON (`event_data.*`, `computer_name`). */
export const windowsWinlogbeat6Adapter = ndjsonAdapter('winlogbeat6', 'Windows events (Winlogbeat 6)');
/** NXLog or Logstash JSON lines with the event fields at top level (OTRF Security Datasets), any channel mix. */
export const sysmonFlatJsonAdapter = ndjsonAdapter('flat', 'Windows events (NXLog, Logstash JSON)');
/** EvtxECmd `--json` output (one event per line, EventData in `Payload`). */
export const sysmonEvtxecmdJsonAdapter = ndjsonAdapter('evtxecmd', 'Sysmon via EvtxECmd (JSON lines)');

/**
 * A JSON array (or a single object) of events: PowerShell `Get-WinEvent | ConvertTo-Json`, or an array of
 * any other Sysmon JSON shape. The format id follows the first record's shape.
 */
export const sysmonJsonArrayAdapter: Adapter = {
  id: 'sysmon-powershell-json',
  title: 'Sysmon as a JSON array (PowerShell ConvertTo-Json)',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('[') && !start.startsWith('{')) return 0;
    const looksPowershell = /"MachineName"\s*:/.test(head) && /"Id"\s*:/.test(head);
    const array = start.startsWith('[') && /^\[\s*\{/.test(start);
    if (looksPowershell) return MENTIONS_SYSMON.test(head) ? 0.95 : 0.4;
    return array && MENTIONS_SYSMON.test(head) && /"(?:EventID|EventId|winlog)"/.test(head) ? 0.6 : 0;
  },
  open(options): RecordParser {
    const parser = {
      format: 'sysmon-powershell-json',
      mode: 'document' as const,
      document(text: string, sink: Sink, each: (outcome: Outcome, recordNo: number, sample: string) => void) {
        splitJsonObjects(cleanDocument(text)).forEach((piece, index) => {
          const sample = piece.text.slice(0, 500);
          if (piece.truncated) return each(reject('truncated JSON record'), index + 1, sample);
          const record = parseJsonRecord(piece.text);
          if (typeof record === 'string') return each(reject(record), index + 1, sample);
          const shape = jsonShape(record);
          if (!shape) return each(reject('not a recognised Sysmon event record'), index + 1, sample);
          if (index === 0) parser.format = FORMAT_OF_SHAPE[shape];
          each(emitJsonRecord(record, shape, options.utcOffsetMinutes, sink), index + 1, sample);
        });
      },
    };
    return parser;
  },
};
