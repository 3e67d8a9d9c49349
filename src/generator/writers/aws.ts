/**
 * The organisation as if it ran in one AWS VPC: VPC Flow Logs in the default version-2 layout with the header
 * line S3 delivery writes (one record per direction of each connection, times in whole seconds), and
 * Route 53 Resolver query logs (one JSON object per lookup). They carry what Zeek's conn and dns logs carry,
 * less what only a packet sensor sees (server names of TLS and HTTP, URLs, user agents).
 */
import type { Activity } from '../activity.ts';
import { isoSeconds, SECOND_US } from '../clock.ts';
import type { Host } from '../organisation.ts';
import { seedFrom } from '../random.ts';
import { type LogFile, packets } from './log-file.ts';

/** AWS's documentation account id: the scenario is not anyone's account. */
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const VPC = 'vpc-0rw0000000000001';

const hex = (seed: number, width: number) => (seed >>> 0).toString(16).padStart(8, '0').repeat(3).slice(0, width);
const interfaceId = (host: Host) => `eni-${hex(seedFrom('eni', host.name), 17)}`;
const instanceId = (host: Host) => `i-${hex(seedFrom('instance', host.name), 17)}`;

const isUdp = (a: Activity): boolean => a.kind === 'dns' || a.kind === 'ntp';

/** VPC Flow Logs of every host's interface: the client's record and the server's reply. */
export function vpcFlowLog(): LogFile {
  return {
    name: 'aws/vpc-flow-logs.log',
    header: () => 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n',
    write: (a, lines) => {
      if (a.kind === 'process') return;
      const start = Math.floor(a.ts / SECOND_US);
      const end = Math.floor((a.ts + a.durationUs) / SECOND_US);
      const protocol = isUdp(a) ? 17 : 6;
      const record = (src: string, dst: string, sport: number, dport: number, bytes: number) =>
        [
          2,
          ACCOUNT,
          interfaceId(a.host),
          src,
          dst,
          sport,
          dport,
          protocol,
          isUdp(a) ? 1 : packets(bytes),
          bytes,
          start,
          end,
          'ACCEPT',
          'OK',
        ].join(' ');
      lines.push(record(a.host.ip, a.dstIp, a.srcPort, a.dstPort, a.bytesOut));
      lines.push(record(a.dstIp, a.host.ip, a.dstPort, a.srcPort, a.bytesIn));
    },
    footer: () => '',
  };
}

/** Route 53 Resolver query logs of the same VPC. */
export function route53ResolverLog(): LogFile {
  return {
    name: 'aws/route53-resolver-queries.ndjson',
    header: () => '',
    write: (a, lines) => {
      if (a.kind !== 'dns' || !a.dns) return;
      const answers = a.dns.answers.map((Rdata) => ({ Rdata, Type: a.dns!.qtype, Class: 'IN' }));
      lines.push(
        JSON.stringify({
          version: '1.100000',
          account_id: ACCOUNT,
          region: REGION,
          vpc_id: VPC,
          query_timestamp: isoSeconds(a.ts),
          query_name: `${a.dns.query}.`,
          query_type: a.dns.qtype,
          query_class: 'IN',
          rcode: a.dns.rcode,
          answers,
          srcaddr: a.host.ip,
          srcport: String(a.srcPort),
          transport: 'UDP',
          srcids: { instance: instanceId(a.host) },
        }),
      );
    },
    footer: () => '',
  };
}
