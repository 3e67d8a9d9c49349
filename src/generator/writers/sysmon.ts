/**
 * Sysmon events 1 (process create), 3 (network connection) and 22 (DNS query) as Winlogbeat 8 ships
 * them in ECS NDJSON: `@timestamp`, `host.name`, `winlog.event_id`, `winlog.event_data.*` (strings).
 */
import type { Activity } from '../activity.ts';
import { SECOND_US, isoMillis, sysmonUtcTime } from '../clock.ts';
import { seedFrom } from '../random.ts';
import { type LogFile, baseName } from './log-file.ts';

const PROVIDER_GUID = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';

const TASKS: Record<1 | 3 | 22, { action: string; category: string[] }> = {
  1: { action: 'Process Create (rule: ProcessCreate)', category: ['process'] },
  3: { action: 'Network connection detected (rule: NetworkConnect)', category: ['network'] },
  22: { action: 'Dns query (rule: DnsQuery)', category: ['network'] },
};

/** A stable pseudo-hash of a file path (looks like SHA256; identical for the same image everywhere). */
function imageHash(image: string): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += seedFrom('sha256', image, i).toString(16).padStart(8, '0');
  return out.toUpperCase();
}

/** Sysmon NDJSON as Winlogbeat writes it; only Windows hosts run Sysmon. */
export function sysmonWinlogbeatLog(domainSuffix: string, dir = 'sysmon'): LogFile {
  const recordIds = new Map<string, number>();
  return {
    name: `${dir}/winlogbeat-sysmon.ndjson`,
    header: () => '',
    write: (a, lines) => {
      if (!a.host.windows) return;
      const eventId = a.kind === 'process' ? 1 : a.kind === 'dns' ? 22 : 3;
      const recordId = (recordIds.get(a.host.name) ?? 1000) + 1;
      recordIds.set(a.host.name, recordId);
      const fqdn = `${a.host.name.toLowerCase()}.${domainSuffix}`;
      const task = TASKS[eventId];
      const event = {
        '@timestamp': isoMillis(a.ts),
        agent: { type: 'winlogbeat', version: '8.13.2' },
        event: {
          code: String(eventId),
          kind: 'event',
          provider: 'Microsoft-Windows-Sysmon',
          action: task.action,
          category: task.category,
          // Sysmon batches network events; Winlogbeat reads them a little later.
          created: isoMillis(a.ts + SECOND_US + (seedFrom(a.uid) % 15_000) * 1000),
        },
        host: { name: a.host.name, os: { family: 'windows', name: a.host.os } },
        winlog: {
          channel: 'Microsoft-Windows-Sysmon/Operational',
          computer_name: fqdn,
          event_id: String(eventId),
          provider_name: 'Microsoft-Windows-Sysmon',
          provider_guid: PROVIDER_GUID,
          record_id: String(recordId),
          api: 'wineventlog',
          task: task.action,
          event_data: eventData(a, eventId, fqdn),
        },
      };
      lines.push(JSON.stringify(event));
    },
    footer: () => '',
  };
}

function eventData(a: Activity, eventId: 1 | 3 | 22, fqdn: string): Record<string, string> {
  const utcTime = sysmonUtcTime(a.ts);
  const pid = String(a.proc.pid);
  if (eventId === 1) {
    const launch = a.launch!;
    return {
      RuleName: '-',
      UtcTime: utcTime,
      ProcessGuid: a.proc.guid,
      ProcessId: pid,
      Image: a.proc.image,
      FileVersion: '-',
      Description: '-',
      Product: '-',
      Company: '-',
      OriginalFileName: baseName(a.proc.image),
      CommandLine: launch.commandLine,
      CurrentDirectory: 'C:\\Windows\\system32\\',
      User: a.proc.account,
      LogonGuid: `{${seedFrom('logon', a.host.name, a.proc.account).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000}`.toUpperCase(),
      LogonId: `0x${(seedFrom('logonid', a.host.name, a.proc.account) % 0xffffff).toString(16)}`,
      TerminalSessionId: a.proc.user ? '1' : '0',
      IntegrityLevel: a.proc.user ? 'Medium' : 'System',
      Hashes: `SHA256=${imageHash(a.proc.image)}`,
      ParentProcessGuid: `{${seedFrom('parent', a.host.name, launch.parentImage).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000}`.toUpperCase(),
      ParentProcessId: String((seedFrom('parent-pid', a.host.name, launch.parentImage) % 9000) * 4 + 100),
      ParentImage: launch.parentImage,
      ParentCommandLine: launch.parentImage,
      ParentUser: a.proc.account,
    };
  }
  if (eventId === 22) {
    const dns = a.dns!;
    return {
      RuleName: '-',
      UtcTime: utcTime,
      ProcessGuid: a.proc.guid,
      ProcessId: pid,
      QueryName: dns.query,
      QueryStatus: dns.rcode === 'NOERROR' ? '0' : '9003',
      QueryResults: dns.answers.map((ip) => `::ffff:${ip};`).join(''),
      Image: a.proc.image,
      User: a.proc.account,
    };
  }
  return {
    RuleName: '-',
    UtcTime: utcTime,
    ProcessGuid: a.proc.guid,
    ProcessId: pid,
    Image: a.proc.image,
    User: a.proc.account,
    Protocol: a.kind === 'web' ? 'tcp' : 'udp',
    Initiated: 'true',
    SourceIsIpv6: 'false',
    SourceIp: a.host.ip,
    SourceHostname: fqdn,
    SourcePort: String(a.srcPort),
    SourcePortName: '-',
    DestinationIsIpv6: 'false',
    DestinationIp: a.dstIp,
    DestinationHostname: a.kind === 'dns' ? '-' : (a.dstHost ?? '-'),
    DestinationPort: String(a.dstPort),
    DestinationPortName: a.dstPort === 443 ? 'https' : a.dstPort === 80 ? 'http' : a.dstPort === 123 ? 'ntp' : '-',
  };
}
