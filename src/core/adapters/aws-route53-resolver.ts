/**
 * Amazon Route 53 Resolver query logs: one JSON object per query (`query_timestamp`, `query_name`, `query_type`,
 * `rcode`, `answers[].Rdata`, `srcaddr`, `srcport`, `transport`, `srcids`), as CloudWatch Logs, S3 or Firehose
 * deliver them. Each becomes a 'dns' event, so flow-only sources (VPC Flow Logs) learn names through the
 * passive-DNS join. A CloudWatch export's leading ingestion time is dropped.
 */
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import { withoutCloudWatchPrefix } from './aws-vpc-flow.ts';
import { normaliseAction } from './csv-mapped.ts';
import { clipText, extraJson, getInteger, getString, parseJsonRecord, sniffJsonLines, type JsonRecord } from './json-record.ts';
import { hostName } from './zeek-common.ts';

const USED = new Set([
  'query_timestamp',
  'query_name',
  'query_type',
  'rcode',
  'answers',
  'srcaddr',
  'srcport',
  'transport',
  'firewall_rule_action',
]);

/** Answer data in answer order (`Rdata` of each answer; CNAME targets lose their trailing dot). */
function answers(record: JsonRecord): string | null {
  const list = record.get('answers');
  if (!Array.isArray(list)) return null;
  const data = list
    .map((answer: unknown) =>
      answer !== null && typeof answer === 'object' && Object.hasOwn(answer, 'Rdata') ? (answer as { Rdata: unknown }).Rdata : null,
    )
    .filter((rdata): rdata is string => typeof rdata === 'string' && rdata !== '')
    .map((rdata) => rdata.replace(/\.$/, ''));
  return data.length ? clipText(data.join(',')) : null;
}

export function emitResolverQuery(record: JsonRecord, sink: Sink): Outcome {
  const stamp = getString(record, 'query_timestamp');
  if (stamp === null) return reject('no query_timestamp');
  const ts = isoToMicros(stamp);
  if (ts === null) return reject(`unreadable query_timestamp "${clipText(stamp, 40)}"`);
  const name = getString(record, 'query_name');
  if (name === null) return reject('no query_name');
  const query = name.replace(/\.$/, '');
  const host = hostName(query);
  sink.event({
    ts,
    kind: 'dns',
    src_ip: getString(record, 'srcaddr'),
    src_port: getInteger(record, 'srcport'),
    protocol: getString(record, 'transport')?.toLowerCase() ?? null,
    app_protocol: 'dns',
    dst_host: host,
    dst_host_origin: host ? 'dns-query' : null,
    dns_query: query,
    dns_qtype: getString(record, 'query_type'),
    dns_rcode: getString(record, 'rcode'),
    dns_answers: answers(record),
    action: normaliseAction(getString(record, 'firewall_rule_action')),
    extra: extraJson(record, USED),
  });
  return LOADED;
}

/** Route 53 Resolver query logs, one JSON object per line. */
export const awsRoute53ResolverAdapter: Adapter = {
  id: 'aws-route53-resolver',
  title: 'Amazon Route 53 Resolver query log',
  sniff: (head) =>
    sniffJsonLines(head.split('\n').map(withoutCloudWatchPrefix).join('\n'), (record) =>
      record.has('query_timestamp') && record.has('query_name') ? 0.95 : 0,
    ),
  open(): RecordParser {
    return {
      format: 'aws-route53-resolver',
      line(text: string, _lineNo: number, sink: Sink): Outcome {
        const record = parseJsonRecord(withoutCloudWatchPrefix(text));
        return typeof record === 'string' ? reject(record) : emitResolverQuery(record, sink);
      },
    };
  },
};
