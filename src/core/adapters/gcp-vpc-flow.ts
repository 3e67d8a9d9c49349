/**
 * Google Cloud VPC Flow Logs as Cloud Logging exports them (`gcloud logging read --format=json` arrays, or
 * one entry per line from a storage or BigQuery sink): `jsonPayload.connection` (5-tuple), `start_time`,
 * `end_time`, `bytes_sent` (source → destination), `reporter` and the VMs at each end. Each entry is one direction
 * of a connection; the reply (told by its ports) joins its client's entry as one event in the client's view
 * (flow-pairs.ts). An entry of another log in the same export is kept in the raw table `gcp_log_other`.
 */
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import { ipProtocolName } from './csv-mapped.ts';
import { FlowPairs, isReply } from './flow-pairs.ts';
import { cleanDocument, splitJsonObjects } from './endpoint-json.ts';
import { clipText, extraJson, getInteger, getString, parseJsonRecord, rawText, type JsonRecord } from './json-record.ts';

const P = 'jsonPayload.';
const USED = new Set([
  `${P}connection.src_ip`,
  `${P}connection.dest_ip`,
  `${P}connection.src_port`,
  `${P}connection.dest_port`,
  `${P}connection.protocol`,
  `${P}start_time`,
  `${P}end_time`,
  `${P}bytes_sent`,
  `${P}packets_sent`,
  `${P}src_instance.vm_name`,
  'timestamp',
  'receiveTimestamp',
  'insertId',
]);

export function emitGcpEntry(entry: JsonRecord, pairs: FlowPairs, sink: Sink): Outcome {
  const stamp = getString(entry, `${P}start_time`, 'timestamp');
  if (stamp === null) return reject('no start_time or timestamp');
  const ts = isoToMicros(stamp);
  if (ts === null) return reject(`unreadable time "${clipText(stamp, 40)}"`);
  if (!entry.has(`${P}connection.src_ip`)) {
    const row: Record<string, string | null> = Object.create(null);
    for (const [key, value] of entry) row[key] = rawText(value);
    sink.raw('gcp_log_other', row);
    return LOADED;
  }
  const endText = getString(entry, `${P}end_time`);
  const end = endText ? isoToMicros(endText) : null;
  const src = getString(entry, `${P}connection.src_ip`);
  const dst = getString(entry, `${P}connection.dest_ip`);
  const srcPort = getInteger(entry, `${P}connection.src_port`);
  const dstPort = getInteger(entry, `${P}connection.dest_port`);
  const reply = isReply(srcPort, dstPort);
  const [client, clientPort, server, serverPort] = reply ? [dst, dstPort, src, srcPort] : [src, srcPort, dst, dstPort];
  const protocol = ipProtocolName(getString(entry, `${P}connection.protocol`));
  pairs.add(
    {
      reply,
      key: [protocol, client, clientPort, server, serverPort].join(' '),
      start: ts,
      end: end !== null && end >= ts ? end : ts,
      bytes: getInteger(entry, `${P}bytes_sent`),
      packets: getString(entry, `${P}packets_sent`),
      event: {
        ts,
        kind: 'flow',
        src_ip: client,
        src_port: clientPort,
        dst_ip: server,
        dst_port: serverPort,
        protocol,
        duration: end !== null && end >= ts ? (end - ts) / 1e6 : null,
        src_host: getString(entry, `${P}${reply ? 'dest' : 'src'}_instance.vm_name`),
        extra: extraJson(entry, USED),
      },
    },
    sink,
  );
  return LOADED;
}

/** Cloud Logging entries of VPC Flow Logs (JSON array or one entry per line). */
export const gcpVpcFlowAdapter: Adapter = {
  id: 'gcp-vpc-flow',
  title: 'Google Cloud VPC Flow Logs (Cloud Logging JSON)',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('{') && !start.startsWith('[')) return 0;
    const named = /"logName"\s*:\s*"[^"]*vpc_flows"/.test(head);
    return named || (/"jsonPayload"\s*:/.test(head) && /"connection"\s*:\s*\{[^}]*"src_ip"/.test(head)) ? 0.95 : 0;
  },
  open(): RecordParser {
    return {
      format: 'gcp-vpc-flow',
      mode: 'document',
      document(text, sink, each) {
        const pairs = new FlowPairs();
        splitJsonObjects(cleanDocument(text)).forEach((piece, index) => {
          const sample = piece.text.slice(0, 500);
          const entry = piece.truncated ? 'truncated JSON record' : parseJsonRecord(piece.text);
          each(typeof entry === 'string' ? reject(entry) : emitGcpEntry(entry, pairs, sink), index + 1, sample);
        });
        pairs.flush(sink);
      },
    };
  },
};
