/**
 * Palo Alto Networks traffic log as exported from the web UI to CSV: a header row, then one row per session
 * that crossed the firewall (web and NTP; DNS stays inside, between clients and the domain controllers).
 */
import type { Activity } from '../activity.ts';
import { SECOND_US, panTime } from '../clock.ts';
import { seedFrom } from '../random.ts';
import { type LogFile, type WriterContext, packets } from './log-file.ts';

export const PAN_COLUMNS = [
  'Receive Time', 'Serial #', 'Type', 'Threat/Content Type', 'Config Version', 'Generate Time', 'Source address',
  'Destination address', 'NAT Source IP', 'NAT Destination IP', 'Rule', 'Source User', 'Destination User',
  'Application', 'Virtual System', 'Source Zone', 'Destination Zone', 'Inbound Interface', 'Outbound Interface',
  'Log Action', 'Time Logged', 'Session ID', 'Repeat Count', 'Source Port', 'Destination Port', 'NAT Source Port',
  'NAT Destination Port', 'Flags', 'IP Protocol', 'Action', 'Bytes', 'Bytes Sent', 'Bytes Received', 'Packets',
  'Start Time', 'Elapsed Time (sec)', 'Category', 'Sequence Number', 'Action Flags', 'Source Country',
  'Destination Country', 'pkts_sent', 'pkts_received', 'session_end_reason',
];

const SERIAL = '013201001234';
/** Firewall's public address (TEST-NET-3, documentation range). */
const NAT_IP = '203.0.113.10';

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** PAN-OS URL category id from a proxy-style category name ("Online Storage" → "online-storage"). */
function panCategory(category: string): string {
  return category.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'any';
}

/** The traffic CSV; times are the firewall's local time (the organisation's offset). */
export function paloAltoTrafficCsv(ctx: WriterContext, dir = 'firewall'): LogFile {
  const offset = ctx.org.utcOffsetMinutes;
  let sequence = 7_300_000_000;
  return {
    name: `${dir}/paloalto-traffic.csv`,
    header: () => `${PAN_COLUMNS.join(',')}\n`,
    write: (a: Activity, lines) => {
      if (a.kind !== 'web' && a.kind !== 'ntp') return;
      const end = a.ts + a.durationUs;
      const udp = a.kind === 'ntp';
      const pktsOut = udp ? 1 : packets(a.bytesOut);
      const pktsIn = udp ? 1 : packets(a.bytesIn);
      const bytesSent = a.bytesOut + 40 * pktsOut;
      const bytesReceived = a.bytesIn + 40 * pktsIn;
      const h = seedFrom(a.uid);
      const row: (string | number)[] = [
        panTime(end + SECOND_US, offset), SERIAL, 'TRAFFIC', 'end', 2561, panTime(end, offset), a.host.ip, a.dstIp,
        NAT_IP, a.dstIp, udp ? 'allow-ntp' : 'allow-web-outbound', a.proc.user ? `${ctx.org.domain.toLowerCase()}\\${a.proc.user}` : '', '',
        a.panApp, 'vsys1', 'trust', 'untrust', 'ethernet1/2', 'ethernet1/1', 'log-forwarding-default', panTime(end + SECOND_US, offset),
        100_000 + (h % 900_000), 1, a.srcPort, a.dstPort, 1024 + (h % 60_000), a.dstPort, '0x400019', udp ? 'udp' : 'tcp', 'allow',
        bytesSent + bytesReceived, bytesSent, bytesReceived, pktsOut + pktsIn, panTime(a.ts, offset),
        Math.round(a.durationUs / SECOND_US), panCategory(a.category), sequence++, '0x0', '10.0.0.0-10.255.255.255',
        'United States', pktsOut, pktsIn, udp ? 'aged-out' : 'tcp-fin',
      ];
      lines.push(row.map(csvField).join(','));
    },
    footer: () => '',
  };
}
