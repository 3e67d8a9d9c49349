/**
 * The one mapping from Windows event fields to canonical events, shared by every export shape (Winlogbeat,
 * flattened JSON, EvtxECmd, PowerShell, Windows event XML, Sysmon for Linux syslog): Sysmon 1/3/22 and the
 * Windows Filtering Platform's Security 5156/5157/5158. Shape readers only collect `name → value` pairs plus event
 * id, channel, computer and time; this module decides. Every other event is kept in the `windows_events` raw table.
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
  /** Event log channel when the shape carries it ('Security', 'Microsoft-Windows-Sysmon/Operational', ...). */
  channel?: string | null;
  computer: string | null;
  /** Time from the record's envelope (UTC micros), used when the event data has no UtcTime (see README). */
  envelopeTime: number | null;
  /**
   * The envelope time was a zoneless local time, read at the configured UTC offset. Mapped events then keep it in
   * `extra.EnvelopeLocalTime`, so the enrich step 'windows-local-time' can put the events that have no UtcTime on UTC
   * by the offset the same computer's Sysmon events show.
   */
  envelopeLocal?: boolean;
  /** Sysmon EventData fields by their documented names. */
  fields: Map<string, string>;
}

/** Raw table keeping every Windows event Relaywatch does not map (Sysmon's other ids, Security, PowerShell...). */
export const WINDOWS_EVENTS_TABLE = 'windows_events';

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

/** The `extra` key holding a zoneless envelope time (see SysmonInput.envelopeLocal). */
export const ENVELOPE_LOCAL_TIME = 'EnvelopeLocalTime';

const SYSMON_PROVIDERS = new Set(['microsoft-windows-sysmon', 'linux-sysmon']);

/** Windows Filtering Platform events: permitted connection, blocked connection, permitted bind. */
const WFP_ACTIONS: ReadonlyMap<number, string> = new Map([[5156, 'allow'], [5157, 'deny'], [5158, 'bind']]);

/** IANA protocol numbers the Security log writes, as the names the other sources use. */
const IP_PROTOCOLS: ReadonlyMap<string, string> = new Map([['1', 'icmp'], ['6', 'tcp'], ['17', 'udp'], ['58', 'icmp6']]);

/** Is this event from Sysmon (by provider, else by channel; a shape with neither is a Sysmon-only export)? */
function fromSysmon(input: SysmonInput): boolean {
  if (input.provider) return SYSMON_PROVIDERS.has(input.provider.toLowerCase());
  return input.channel ? /sysmon/i.test(input.channel) : true;
}

function fromSecurityLog(input: SysmonInput): boolean {
  if (input.provider) return input.provider.toLowerCase() === 'microsoft-windows-security-auditing';
  return input.channel?.toLowerCase() === 'security';
}

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
 * Map one Windows event to canonical events (Sysmon 1, 3, 22; Security 5156-5158) or keep it in the
 * `windows_events` raw table. Answers LOADED, or a rejection saying what is missing.
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

  if (fromSecurityLog(input) && WFP_ACTIONS.has(input.eventId)) return emitFilteringPlatform(input, ts, value, sink);
  if (!fromSysmon(input) || !EXTRA_FIELDS.has(input.eventId)) {
    sink.raw(WINDOWS_EVENTS_TABLE, {
      event_id: String(input.eventId),
      provider: input.provider,
      channel: input.channel ?? null,
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
  if (input.envelopeLocal && input.envelopeTime !== null) extra.set(ENVELOPE_LOCAL_TIME, microsToIso(input.envelopeTime));
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

/**
 * Security 5156/5157/5158 (Windows Filtering Platform). Source is the side that connected in both directions, so
 * for an inbound connection the logging computer is the destination (as Sysmon's Initiated=false).
 * The application is a device path (`\\device\\harddiskvolume2\\...\\powershell.exe`), kept as the process path.
 */
function emitFilteringPlatform(input: SysmonInput, ts: number, value: (name: string) => string | null, sink: Sink): Outcome {
  const eventId = input.eventId!;
  const direction = value('Direction');
  const inbound = direction !== null && /14592|inbound/i.test(direction);
  const src = { ip: strip(value('SourceAddress')), port: toInteger(value('SourcePort')) };
  const bind = eventId === 5158;
  const dst = bind ? { ip: null, port: null } : { ip: strip(value('DestAddress')), port: toInteger(value('DestPort')) };
  if (!bind && !dst.ip) return reject(`Security event ${eventId} has no DestAddress`);
  const extra = new Map<string, string>();
  if (input.envelopeLocal && input.envelopeTime !== null) extra.set(ENVELOPE_LOCAL_TIME, microsToIso(input.envelopeTime));
  for (const name of ['FilterRTID', 'LayerName', 'LayerRTID', 'RemoteUserID', 'RemoteMachineID']) {
    const v = value(name);
    if (v !== null) extra.set(name, v);
  }
  if (direction !== null) extra.set('Direction', inbound ? 'inbound' : 'outbound');
  if (inbound && input.computer) extra.set('Computer', input.computer);
  const protocol = value('Protocol');
  sink.event({
    ts,
    // The host firewall's own record, apart from Sysmon's 'flow' of the same connection (another clock, see
    // periodicity-candidates.sql).
    kind: 'firewall',
    src_host: inbound ? null : input.computer,
    src_ip: src.ip,
    src_port: src.port,
    dst_ip: dst.ip,
    dst_port: dst.port,
    process: value('Application'),
    process_id: toInteger(value('ProcessId') ?? value('ProcessID')),
    protocol: protocol === null ? null : (IP_PROTOCOLS.get(protocol) ?? protocol.toLowerCase()),
    action: WFP_ACTIONS.get(eventId)!,
    extra: extraJson(extra),
  });
  return LOADED;
}

function strip(ip: string | null): string | null {
  return ip === null ? null : stripMappedIpv4(ip);
}
