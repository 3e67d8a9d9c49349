/**
 * Windows DNS Server debug log (one per DNS server): local time in US 12-hour format, a query (Rcv) and a
 * response (Snd) line per lookup, names in wire form `(3)api(8)telegram(3)org(0)`.
 */
import type { Activity } from '../activity.ts';
import { windowsDnsTime } from '../clock.ts';
import type { Host } from '../organisation.ts';
import { seedFrom } from '../random.ts';
import type { LogFile, WriterContext } from './log-file.ts';

const KEY = `Message logging key (for packets - other items use a subset of these fields):
\tField #  Information         Values
\t-------  -----------         ------
\t   1     Date
\t   2     Time
\t   3     Thread ID
\t   4     Context
\t   5     Internal packet identifier
\t   6     UDP/TCP indicator
\t   7     Send/Receive indicator
\t   8     Remote IP
\t   9     Xid (hex)
\t  10     Query/Response      R = Response
\t                             blank = Query
\t  11     Opcode              Q = Standard Query
\t                             N = Notify
\t                             U = Update
\t                             ? = Unknown
\t  12     [ Flags (hex)
\t  13     Flags (char codes)  A = Authoritative Answer
\t                             T = Truncated Response
\t                             D = Recursion Desired
\t                             R = Recursion Available
\t  14     ResponseCode ]
\t  15     Question Type
\t  16     Question Name`;

/** DNS name in the debug log's length-prefixed wire form. */
export function wireName(name: string): string {
  return name.split('.').filter(Boolean).map((label) => `(${label.length})${label}`).join('') + '(0)';
}

/** The debug log of DNS server `server`. Lines use CRLF like the real file. */
export function windowsDnsDebugLog(server: Host, ctx: WriterContext, dir = 'windows-dns'): LogFile {
  const offset = ctx.org.utcOffsetMinutes;
  return {
    name: `${dir}/${server.name}-dns.log`,
    header: () =>
      [`DNS Server log file creation at ${windowsDnsTime(ctx.startUs, offset)}`, `Log file wrap at ${windowsDnsTime(ctx.startUs, offset)}`, '', ...KEY.split('\n'), '', '']
        .join('\r\n'),
    write: (a: Activity, lines) => {
      if (a.kind !== 'dns' || a.dns!.resolver !== server) return;
      const dns = a.dns!;
      const h = seedFrom(a.uid);
      const thread = (h & 0xffff).toString(16).toUpperCase().padStart(4, '0');
      const context = `000001${(h >>> 4).toString(16).toUpperCase().padStart(8, '0')}00`;
      const xid = dns.transId.toString(16).padStart(4, '0');
      const ip = a.host.ip.padEnd(16);
      const name = wireName(dns.query);
      const qtype = dns.qtype.padEnd(6);
      lines.push(`${windowsDnsTime(a.ts, offset)} ${thread} PACKET  ${context} UDP Rcv ${ip}${xid}   Q [0001   D   NOERROR] ${qtype} ${name}\r`);
      lines.push(`${windowsDnsTime(a.ts + a.durationUs, offset)} ${thread} PACKET  ${context} UDP Snd ${ip}${xid} R Q [8081   DR  ${dns.rcode}] ${qtype} ${name}\r`);
    },
    footer: () => '',
  };
}
