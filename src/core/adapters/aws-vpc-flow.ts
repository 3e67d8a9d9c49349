/**
 * AWS VPC Flow Logs (versions 2–5; the default field list or any custom one) as S3 delivers them: space-separated
 * fields after a header line naming them (`version account-id interface-id srcaddr dstaddr …`). Without a header
 * only the default version-2 layout can be read. Lines exported from CloudWatch Logs may start with the
 * ingestion time, which is dropped. Each record is one direction of a flow: its `bytes` were sent by `srcaddr`.
 * The two records of one connection load as one event in the client's view (flow-pairs.ts): the reply is told by
 * its SYN-ACK where `tcp-flags` is logged, else by its ports. NODATA / SKIPDATA records (no addresses) are kept in
 * the raw table `aws_vpc_flow_status`.
 */
import { LOADED, META, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { FlowPairs, isReply } from './flow-pairs.ts';
import { epochSecondsToMicros } from '../ingest/time.ts';
import {
  confidenceFromShare,
  extraJson,
  intOrNull,
  ipProtocolName,
  normaliseAction,
  portOrNull,
  shareOfLines,
  textOrNull,
} from './csv-mapped.ts';

/** The version-2 default format, the only layout a file without a header line can be read with. */
export const DEFAULT_V2_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
] as const;

/** Raw table for records that describe no traffic (NODATA, SKIPDATA). */
export const VPC_STATUS_TABLE = 'aws_vpc_flow_status';

const MAPPED = new Set(['srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'bytes', 'packets', 'start', 'end', 'action']);

/** "2024-05-06T08:00:00.000Z " that a CloudWatch Logs export puts before each message. */
const CLOUDWATCH_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z /;

export function withoutCloudWatchPrefix(line: string): string {
  const m = CLOUDWATCH_PREFIX.exec(line);
  return m ? line.slice(m[0].length) : line;
}

const IPV4_OR_6 = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

function isHeader(fields: readonly string[]): boolean {
  return fields.includes('srcaddr') && fields.includes('dstaddr');
}

/** A headerless line in the default version-2 layout. */
function isDefaultV2(fields: readonly string[]): boolean {
  return (
    fields.length === DEFAULT_V2_FIELDS.length &&
    fields[0] === '2' &&
    /^(?:eni-|-)/.test(fields[2]) &&
    (fields[3] === '-' || IPV4_OR_6.test(fields[3]))
  );
}

const splitFields = (line: string) => withoutCloudWatchPrefix(line.trim()).split(/\s+/);

class VpcFlowParser implements RecordParser {
  readonly format = 'aws-vpc-flow';
  private names: readonly string[] | null = null;
  private pairs = new FlowPairs();

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    const fields = splitFields(text);
    if (isHeader(fields)) {
      this.names = fields;
      return META;
    }
    if (this.names === null) {
      if (!isDefaultV2(fields)) {
        return reject(
          'no header line: only the default version-2 layout can be read without one (custom field lists need the header S3 delivery writes)',
        );
      }
      this.names = DEFAULT_V2_FIELDS;
    }
    if (fields.length !== this.names.length) return reject(`expected ${this.names.length} fields, got ${fields.length}`);
    const row = new Map<string, string | null>(this.names.map((name, i) => [name, textOrNull(fields[i])]));
    return emitFlow(row, this.pairs, sink);
  }

  end(sink: Sink): void {
    this.pairs.flush(sink);
  }
}

function emitFlow(row: Map<string, string | null>, pairs: FlowPairs, sink: Sink): Outcome {
  const src = row.get('srcaddr') ?? null;
  const dst = row.get('dstaddr') ?? null;
  const start = row.get('start') ?? null;
  const end = row.get('end') ?? null;
  const ts = epochSecondsToMicros(start ?? end ?? '');
  if (ts === null) return reject((start ?? end) ? `unreadable start "${(start ?? end)!.slice(0, 40)}"` : 'no start or end time');
  if (src === null || dst === null) {
    const status: Record<string, string | null> = Object.create(null);
    for (const [name, value] of row) status[name] = value;
    sink.raw(VPC_STATUS_TABLE, status);
    return LOADED;
  }
  if (!IPV4_OR_6.test(src) || !IPV4_OR_6.test(dst)) return reject(`not an address: "${(IPV4_OR_6.test(src) ? dst : src).slice(0, 40)}"`);
  const srcPort = portOrNull(row.get('srcport'));
  const dstPort = portOrNull(row.get('dstport'));
  const reply = isReply(srcPort, dstPort, intOrNull(row.get('tcp-flags')));
  const [client, clientPort, server, serverPort] = reply ? [dst, dstPort, src, srcPort] : [src, srcPort, dst, dstPort];
  const protocol = ipProtocolName(row.get('protocol'));
  const endTs = epochSecondsToMicros(end ?? '');
  pairs.add(
    {
      reply,
      key: `${row.get('interface-id')} ${protocol} ${client} ${clientPort} ${server} ${serverPort}`,
      start: ts,
      end: Math.max(ts, endTs ?? ts),
      bytes: intOrNull(row.get('bytes')),
      packets: row.get('packets') ?? null,
      event: {
        ts,
        kind: 'flow',
        src_ip: client,
        src_port: clientPort,
        dst_ip: server,
        dst_port: serverPort,
        protocol,
        duration: endTs !== null && endTs >= ts ? (endTs - ts) / 1e6 : null,
        action: normaliseAction(row.get('action')),
        extra: extraJson([...row].filter(([name]) => !MAPPED.has(name))),
      },
    },
    sink,
  );
  return LOADED;
}

/** VPC Flow Logs text files (S3 delivery with a header, or the default layout without one). */
export const awsVpcFlowAdapter: Adapter = {
  id: 'aws-vpc-flow',
  title: 'AWS VPC Flow Logs',
  sniff(head) {
    const first = head.split(/\r?\n/, 1)[0];
    if (isHeader(splitFields(first))) return 0.95;
    return confidenceFromShare(shareOfLines(head, (line) => isDefaultV2(splitFields(line))));
  },
  open: () => new VpcFlowParser(),
};
