/**
 * The one mapping from Sysmon event fields to canonical events, shared by every Sysmon export shape
 * (Winlogbeat, flattened JSON, EvtxECmd, PowerShell, Windows event XML, Sysmon for Linux syslog).
 * Shape readers only collect `name → value` pairs plus event id, computer and time; this module decides.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Outcome, type Sink } from '../ingest/adapter.ts';
import { isoToMicros, microsToIso } from '../ingest/time.ts';
import { bound, extraJson, stripMappedIpv4, toInteger } from './endpoint-json.ts';

/** One Sysmon (or other Windows) event as a shape reader saw it. */
export interface SysmonInput {
  /** Event id, null when the record has none. */
  eventId: number | null;
  /** Event provider when the shape carries it ('Microsoft-Windows-Sysmon', 'Linux-Sysmon', ...). */
  provider: string | null;
  computer: string | null;
  /** Time from the record's envelope (UTC micros), used when the event data has no UtcTime. */
  envelopeTime: number | null;
  /** Sysmon EventData fields by their documented names. */
  fields: Map<string, string>;
}

/** Raw table keeping Sysmon events Relaywatch does not map (and non-Sysmon events in mixed exports). */
export const SYSMON_OTHER_TABLE = 'sysmon_other';

/**
 * Sysmon's documented EventData order (schema 4.x, Sysmon 13+) for events whose PowerShell `Properties`
 * arrive as bare values. A trailing field added by newer Sysmon versions may be missing.
 */
export const SYSMON_FIELD_ORDER: ReadonlyMap<number, readonly string[]> = new Map([
  [1, ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'FileVersion', 'Description', 'Product',
    'Company', 'OriginalFileName', 'CommandLine', 'CurrentDirectory', 'User', 'LogonGuid', 'LogonId',
    'TerminalSessionId', 'IntegrityLevel', 'Hashes', 'ParentProcessGuid', 'ParentProcessId', 'ParentImage',
    'ParentCommandLine', 'ParentUser']],
  [3, ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'User', 'Protocol', 'Initiated',
    'SourceIsIpv6', 'SourceIp', 'SourceHostname', 'SourcePort', 'SourcePortName', 'DestinationIsIpv6',
    'DestinationIp', 'DestinationHostname', 'DestinationPort', 'DestinationPortName']],
  [22, ['RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'QueryName', 'QueryStatus', 'QueryResults', 'Image',
    'User']],
]);

const SYSMON_PROVIDERS = new Set(['microsoft-windows-sysmon', 'linux-sysmon']);

/** Windows DNS status codes Sysmon writes in QueryStatus, as DNS rcode names. */
const DNS_STATUS: ReadonlyMap<string, string> = new Map([
  ['0', 'NOERROR'],
  ['9001', 'FORMERR'],
  ['9002', 'SERVFAIL'],
  ['9003', 'NXDOMAIN'],
  ['9004', 'NOTIMP'],
  ['9005', 'REFUSED'],
]);

const EXTRA_FIELDS: ReadonlyMap<number, readonly string[]> = new Map([
  [1, ['ParentProcessGuid', 'ParentProcessId', 'ParentCommandLine', 'ParentUser', 'Hashes',
    'OriginalFileName', 'Company', 'Product', 'Description', 'FileVersion', 'IntegrityLevel', 'CurrentDirectory',
    'LogonId', 'RuleName']],
  [3, ['ProcessGuid', 'Initiated', 'SourceHostname', 'SourcePortName', 'DestinationPortName', 'RuleName']],
  [22, ['ProcessGuid', 'QueryStatus', 'RuleName']],
]);

/**
 * Turn Sysmon's "QueryResults" (`type:  5 edge.example.com;::ffff:13.107.1.1;`) into a clean
 * comma-separated list of names and addresses, in answer order.
 */
export function parseQueryResults(text: string | null): string | null {
  if (!text) return null;
  const answers = text
    .split(';')
    .map((item) => stripMappedIpv4(item.replace(/^\s*type:\s*\d+\s*/i, '').trim()))
    .filter((item) => item !== '' && item !== '-');
  return answers.length ? answers.join(',') : null;
}

/** Field names and values from a Windows event "Message" text (`Image: C:\...` lines). */
export function parseMessageFields(message: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of message.split(/\r?\n/)) {
    const m = /^([A-Za-z][A-Za-z0-9]*):\s?(.*)$/.exec(line);
    if (m && !fields.has(m[1])) fields.set(m[1], m[2].trim());
  }
  return fields;
}

/**
 * Map one Sysmon event to canonical events (ids 1, 3, 22) or keep it in the `sysmon_other` raw table.
 * Answers LOADED, or a rejection saying what is missing.
 */
export function emitSysmon(input: SysmonInput, sink: Sink): Outcome {
  if (input.eventId === null) return reject('record has no event id');
  const value = (name: string): string | null => {
    const v = input.fields.get(name)?.trim();
    return v === undefined || v === '' || v === '-' ? null : bound(v);
  };
  const utc = value('UtcTime');
  const ts = (utc ? isoToMicros(utc) : null) ?? input.envelopeTime;
  if (ts === null) return reject(utc ? `unreadable UtcTime "${utc.slice(0, 40)}"` : 'record has no event time');

  const isSysmon = input.provider === null || SYSMON_PROVIDERS.has(input.provider.toLowerCase());
  if (!isSysmon || !EXTRA_FIELDS.has(input.eventId)) {
    sink.raw(SYSMON_OTHER_TABLE, {
      event_id: String(input.eventId),
      provider: input.provider,
      time: microsToIso(ts),
      computer: input.computer,
      image: value('Image'),
      data: extraJson(input.fields),
    });
    return LOADED;
  }

  const extra = new Map<string, string>();
  for (const name of EXTRA_FIELDS.get(input.eventId) ?? []) {
    const v = value(name);
    if (v !== null) extra.set(name, v);
  }
  const common: EventRecord = {
    ts,
    kind: 'flow',
    src_host: input.computer,
    src_user: value('User'),
    process: value('Image'),
    process_id: toInteger(value('ProcessId')),
  };

  switch (input.eventId) {
    case 3: {
      const dstIp = value('DestinationIp');
      const dstHost = value('DestinationHostname');
      if (!dstIp && !dstHost) return reject('Sysmon event 3 has no DestinationIp or DestinationHostname');
      // Sysmon names the connection's own ends; for an inbound connection the logging computer is the destination.
      const inbound = value('Initiated')?.toLowerCase() === 'false';
      if (inbound && input.computer) extra.set('Computer', input.computer);
      sink.event({
        ...common,
        kind: 'flow',
        src_host: inbound ? null : input.computer,
        src_ip: strip(value('SourceIp')),
        src_port: toInteger(value('SourcePort')),
        dst_ip: strip(dstIp),
        dst_port: toInteger(value('DestinationPort')),
        dst_host: dstHost,
        dst_host_origin: dstHost ? 'sysmon' : null,
        protocol: value('Protocol')?.toLowerCase() ?? null,
        extra: extraJson(extra),
      });
      return LOADED;
    }
    case 22: {
      const query = value('QueryName');
      if (!query) return reject('Sysmon event 22 has no QueryName');
      const status = value('QueryStatus');
      sink.event({
        ...common,
        kind: 'dns',
        dst_host: query,
        dst_host_origin: 'dns-query',
        dns_query: query,
        dns_rcode: status === null ? null : (DNS_STATUS.get(status) ?? status),
        dns_answers: parseQueryResults(value('QueryResults')),
        app_protocol: 'dns',
        extra: extraJson(extra),
      });
      return LOADED;
    }
    default: {
      // Event 1, the only other mapped id.
      if (!common.process) return reject('Sysmon event 1 has no Image');
      sink.event({
        ...common,
        kind: 'process',
        command_line: value('CommandLine'),
        parent_process: value('ParentImage'),
        uid: value('ProcessGuid'),
        extra: extraJson(extra),
      });
      return LOADED;
    }
  }
}

function strip(ip: string | null): string | null {
  return ip === null ? null : stripMappedIpv4(ip);
}
