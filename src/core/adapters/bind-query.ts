/**
 * BIND 9 query log (`querylog yes;`, category `queries`), with the channel's print-time / print-category /
 * print-severity prefixes:
 * `01-May-2024 12:00:01.123 queries: info: client @0x7f... 10.0.0.5#53211 (api.telegram.org): query: api.telegram.org IN A +E(0)K (10.0.0.1)`
 * Older releases omit `@0x…` and (before 9.10) the parenthesised name; views add `view NAME:`.
 * Time: `dd-MMM-yyyy HH:mm:ss[.mmm]` local (utcOffsetMinutes applies) or ISO 8601 (`print-time iso8601[-utc]`).
 * Lines without ` query: ` (other categories sharing the channel) are META; unreadable query lines are rejected.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type ParseOptions, type Sink } from '../ingest/adapter.ts';
import { isoToMicros, monthNumber, partsToMicros } from '../ingest/time.ts';
import { confidenceFromShare, extraJson, portOrNull, shareOfLines } from './csv-mapped.ts';

const TIME_PREFIX = /^(\d{2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s+|^(\d{4}-\d{2}-\d{2}T\S+)\s+/;
const QUERY =
  /\bclient\s+(?:@0x[0-9A-Fa-f]+\s+)?([0-9A-Fa-f:.]+)#(\d+)(?:\s+\([^)\s]*\))?:\s+(?:view\s+([^:]+):\s+)?query:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+\(([^)]+)\)\s*$/;

function prefixTime(m: RegExpExecArray, utcOffsetMinutes: number): number | null {
  if (m[8]) return isoToMicros(m[8], utcOffsetMinutes);
  const month = monthNumber(m[2]);
  if (month === null) return null;
  const micros = Number(((m[7] ?? '') + '000000').slice(0, 6));
  return partsToMicros(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), micros, utcOffsetMinutes);
}

function parseBindLine(text: string, sink: Sink, options: ParseOptions): Outcome {
  if (text.trim() === '') return META;
  const query = QUERY.exec(text);
  if (!query) return /\squery: /.test(text) ? reject('unreadable query line') : META;
  const time = TIME_PREFIX.exec(text);
  if (!time) return reject('query line without a dd-MMM-yyyy or ISO 8601 time prefix');
  const ts = prefixTime(time, options.utcOffsetMinutes);
  if (ts === null) return reject(`bad time "${time[0].trim().slice(0, 40)}"`);
  const [, client, port, view, qname, qclass, qtype, flags, server] = query;
  const rec: EventRecord = {
    ts,
    kind: 'dns',
    src_ip: client,
    src_port: portOrNull(port),
    dst_ip: server,
    protocol: flags.includes('T') ? 'tcp' : 'udp',
    app_protocol: 'dns',
    dns_query: qname,
    dst_host: qname.toLowerCase().replace(/\.$/, ''),
    dst_host_origin: 'dns-query',
    dns_qtype: qtype,
    extra: extraJson([['class', qclass], ['flags', flags], ['view', view]]),
  };
  sink.event(rec);
  return LOADED;
}

export const bindQueryAdapter: Adapter = {
  id: 'bind-query',
  title: 'BIND query log',
  sniff(head) {
    return confidenceFromShare(shareOfLines(head, (l) => QUERY.test(l) && TIME_PREFIX.test(l)));
  },
  open(options) {
    return { format: 'bind-query', line: (text, _lineNo, sink) => parseBindLine(text, sink, options) };
  },
};
