/**
 * nfdump CSV (`nfdump -o csv`): a header row `ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,...`,
 * one row per flow, then a `Summary` block (and its own header and totals) that is META.
 * Flows are unidirectional NetFlow/IPFIX records: `ibyt` (bytes sa → da) → bytes_out, `obyt` (the reverse
 * direction, filled only by bidirectional exporters such as NSEL) → bytes_in. Times are the local time of
 * the host that ran nfdump: `utcOffsetMinutes` applies.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type ParseOptions, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import { extraJson, intOrNull, ipProtocolName, numberOrNull, portOrNull, splitDelimitedLine, textOrNull } from './csv-mapped.ts';

const HEADER_START = /^ts,te,td,sa,da,sp,dp,pr\b/;

class NfdumpParser implements RecordParser {
  readonly format = 'nfdump-csv';
  private columns: Map<string, number> | null = null;
  private inSummary = false;

  constructor(private readonly options: ParseOptions) {}

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    const trimmed = text.trim();
    if (trimmed === '' || this.inSummary) return META;
    if (trimmed === 'Summary' || trimmed.startsWith('No matched flows')) {
      this.inSummary = trimmed === 'Summary';
      return META;
    }
    const values = splitDelimitedLine(trimmed, ',');
    if (!values) return reject('unbalanced quotes');
    if (HEADER_START.test(trimmed)) {
      this.columns = new Map(values.map((name, i) => [name.trim(), i]));
      return META;
    }
    if (!this.columns) return reject('flow row before the ts,te,td,... header');
    if (values.length < this.columns.size) return reject(`expected ${this.columns.size} fields, got ${values.length}`);
    const columns = this.columns;
    const get = (name: string) => (columns.has(name) ? textOrNull(values[columns.get(name)!]) : null);
    const start = get('ts');
    const ts = start ? isoToMicros(start, this.options.utcOffsetMinutes) : null;
    if (ts === null) return reject(`bad time "${(start ?? '').slice(0, 30)}"`);
    const rec: EventRecord = {
      ts,
      kind: 'flow',
      src_ip: get('sa'),
      src_port: portOrNull(get('sp')),
      dst_ip: get('da'),
      dst_port: portOrNull(get('dp')),
      protocol: ipProtocolName(get('pr')),
      duration: numberOrNull(get('td')),
      bytes_out: intOrNull(get('ibyt')),
      bytes_in: intOrNull(get('obyt')),
      extra: extraJson([
        ['flags', get('flg')],
        ['in_packets', get('ipkt')],
        ['out_packets', get('opkt')],
        ['exporter', get('ra')],
      ]),
    };
    sink.event(rec);
    return LOADED;
  }
}

export const nfdumpCsvAdapter: Adapter = {
  id: 'nfdump-csv',
  title: 'nfdump CSV (nfdump -o csv)',
  sniff(head) {
    const first = head.split(/\r?\n/, 1)[0].trim();
    return HEADER_START.test(first) ? 0.98 : 0;
  },
  open: (options) => new NfdumpParser(options),
};
