/**
 * Windows DNS Server debug log (dns.log), packet lines:
 * `5/1/2024 12:00:01 PM 0E4C PACKET  0000020D8B1C8F40 UDP Rcv 10.0.0.5  a1b2   Q [0001   D   NOERROR] A      (3)api(8)telegram(3)org(0)`
 *
 * One client query is one event, never two:
 * - `Rcv` query (no R flag) from a client → kind 'dns' event (src_ip = the client).
 * - `Snd` response (R flag) to a client → if its query was logged just before (same client, xid and name), it
 *   is the answer to an event already counted and goes to raw table `windows_dns_packets` (with its rcode);
 *   if not (logging of incoming packets switched off), it becomes the event, with dns_rcode.
 * - The server's own recursion (`Snd` query to a forwarder, `Rcv` response from it) → `windows_dns_packets`.
 * Header block lines ("DNS Server log file creation at", "Message logging key", field legend), detail
 * lines of a packet, and non-PACKET debug lines are META.
 *
 * Times are local: `utcOffsetMinutes` applies. Date order follows the server's locale: with AM/PM the date is
 * month/day/year (en-US); without AM/PM, slashed dates are day/month/year (en-GB, fr-FR, ...), dotted dates
 * (de-DE) day.month.year, dashed dates year-month-day. A date that can only be read the other way round
 * (e.g. 5/13/2024 in a 24-hour file) switches the file to that order from then on.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type ParseOptions, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { partsToMicros } from '../ingest/time.ts';
import { extraJson, confidenceFromShare, shareOfLines, to24Hour } from './csv-mapped.ts';

export const WINDOWS_DNS_PACKETS_TABLE = 'windows_dns_packets';

const DATE_TIME = /^(\d{1,4})([/.-])(\d{1,2})\2(\d{2,4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s+([AaPp][Mm]))?\s+/;
const PACKET =
  /^[0-9A-Fa-f]+\s+PACKET\s+[0-9A-Fa-f]+\s+(UDP|TCP)\s+(Snd|Rcv)\s+(\S+)\s+([0-9A-Fa-f]{1,4})\s+(R)?\s*([QNU?])\s+\[([0-9A-Fa-f]+)\s+([A-Z ]*?)\s*([A-Z]+)\]\s+(\S+)\s+(\S+)\s*$/;
const RECENT_QUERIES = 8192;

/** "(3)api(8)telegram(3)org(0)" → "api.telegram.org"; "(0)" → "." (the root). */
export function decodeDnsName(wire: string): string {
  const name = wire.replace(/\(\d+\)/g, '.').replace(/^\.+|\.+$/g, '');
  return name === '' ? '.' : name;
}

class WindowsDnsParser implements RecordParser {
  readonly format = 'windows-dns-debug';
  /** null until the file's date order is known from AM/PM or a date only one order can read. */
  private dayFirst: boolean | null = null;
  /** Keys (client|xid|name) of queries emitted recently, so their responses are not counted again. */
  private readonly recentQueries = new Set<string>();

  constructor(private readonly options: ParseOptions) {}

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    if (text.trim() === '') return META;
    const dt = DATE_TIME.exec(text);
    if (!dt) return META;
    const rest = text.slice(dt[0].length);
    if (!/^[0-9A-Fa-f]+\s+PACKET\s/.test(rest)) return META;
    const m = PACKET.exec(rest);
    if (!m) return reject('unreadable PACKET line');
    const ts = this.time(dt);
    if (ts === null) return reject(`bad date/time "${dt[0].trim()}"`);
    const [, proto, direction, remote, xid, responseFlag, opcode, , , rcode, qtype, wireName] = m;
    const isResponse = responseFlag === 'R';
    const name = decodeDnsName(wireName);
    const key = `${remote}|${xid.toLowerCase()}|${name.toLowerCase()}`;

    const fromClient = direction === 'Rcv' && !isResponse;
    const unmatchedAnswer = direction === 'Snd' && isResponse && !this.recentQueries.delete(key);
    if (fromClient || unmatchedAnswer) {
      if (fromClient) this.remember(key);
      const rec: EventRecord = {
        ts,
        kind: 'dns',
        src_ip: remote,
        protocol: proto.toLowerCase(),
        app_protocol: 'dns',
        dns_query: name,
        dst_host: name.toLowerCase(),
        dst_host_origin: 'dns-query',
        dns_qtype: qtype,
        dns_rcode: isResponse ? rcode : null,
        extra: extraJson([['xid', xid], ['opcode', opcode], ['logged_packet', isResponse ? 'response' : 'query']]),
      };
      sink.event(rec);
      return LOADED;
    }
    sink.raw(WINDOWS_DNS_PACKETS_TABLE, {
      ts: new Date(Math.floor(ts / 1000)).toISOString(),
      direction: direction.toLowerCase(),
      remote_ip: remote,
      protocol: proto.toLowerCase(),
      xid,
      packet: isResponse ? 'response' : 'query',
      opcode,
      rcode: isResponse ? rcode : null,
      qtype,
      qname: name,
    });
    return LOADED;
  }

  private remember(key: string): void {
    this.recentQueries.add(key);
    if (this.recentQueries.size > RECENT_QUERIES) {
      const oldest = this.recentQueries.values().next().value;
      if (oldest !== undefined) this.recentQueries.delete(oldest);
    }
  }

  private time(dt: RegExpExecArray): number | null {
    const [, a, separator, b, c, h, mi, s, meridiem] = dt;
    const hour = to24Hour(Number(h), meridiem);
    if (hour === null) return null;
    let year: number;
    let month: number;
    let day: number;
    if (a.length === 4) {
      [year, month, day] = [Number(a), Number(b), Number(c)];
    } else {
      year = c.length === 2 ? 2000 + Number(c) : Number(c);
      const dayFirst = this.dateOrder(Number(a), Number(b), separator, meridiem !== undefined);
      [day, month] = dayFirst ? [Number(a), Number(b)] : [Number(b), Number(a)];
    }
    return partsToMicros(year, month, day, hour, Number(mi), Number(s), 0, this.options.utcOffsetMinutes);
  }

  /** Day-first or month-first for this file, learning from AM/PM and from dates only one order can read. */
  private dateOrder(first: number, second: number, separator: string, twelveHour: boolean): boolean {
    if (first > 12 && second <= 12) this.dayFirst = true;
    else if (second > 12 && first <= 12) this.dayFirst = false;
    else if (this.dayFirst === null && twelveHour) this.dayFirst = false;
    if (this.dayFirst !== null) return this.dayFirst;
    return separator !== '/' || !twelveHour;
  }
}

export const windowsDnsDebugAdapter: Adapter = {
  id: 'windows-dns-debug',
  title: 'Windows DNS Server debug log',
  sniff(head) {
    if (/^DNS Server log file creation at /m.test(head)) return 0.98;
    const isPacket = (l: string) => {
      const dt = DATE_TIME.exec(l);
      return dt !== null && PACKET.test(l.slice(dt[0].length));
    };
    return confidenceFromShare(shareOfLines(head, isPacket, (l) => !DATE_TIME.test(l)));
  },
  open: (options) => new WindowsDnsParser(options),
};
