/**
 * Node-side reader throughput: the same connections (the first records of a dataset's Zeek conn.log) as Zeek TSV,
 * re-expressed as ECS NDJSON (Filebeat's Zeek module) and as AWS VPC Flow Logs, each read through the ingest
 * pipeline with the adapters and no database. Rates are records per second of this process's CPU time.
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ingestFile } from '../../core/ingest/pipeline.ts';
import { ALL_ADAPTERS } from '../../core/adapters/index.ts';
import { fileChunks } from '../../pipeline/node.ts';

/** Connections per shape: enough for a steady rate, small enough to write in a second or two. */
export const READER_SAMPLE = 200_000;

export interface ReaderRate {
  reader: string;
  format: string;
  records: number;
  cpuMs: number;
}

/** Zeek epoch seconds ("1714953600.123456") as ISO-8601 with the microseconds kept. */
function iso(ts: string): string {
  const [whole, fraction = ''] = ts.split('.');
  return `${new Date(Number(whole) * 1000).toISOString().slice(0, 19)}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}

/** One conn record (fields by Zeek name) as a Filebeat-style ECS document. */
function ecsConn(r: Map<string, string>): string {
  const n = (name: string) => (r.get(name) && r.get(name) !== '-' ? Number(r.get(name)) : undefined);
  return JSON.stringify({
    '@timestamp': iso(r.get('ts')!),
    event: {
      module: 'zeek',
      dataset: 'zeek.connection',
      duration: n('duration') !== undefined ? Math.round(n('duration')! * 1e9) : undefined,
    },
    zeek: { session_id: r.get('uid'), connection: { state: r.get('conn_state'), history: r.get('history') } },
    source: { ip: r.get('id.orig_h'), port: n('id.orig_p'), bytes: n('orig_bytes'), packets: n('orig_pkts') },
    destination: { ip: r.get('id.resp_h'), port: n('id.resp_p'), bytes: n('resp_bytes'), packets: n('resp_pkts') },
    network: { transport: r.get('proto'), protocol: r.get('service') !== '-' ? r.get('service') : undefined },
  });
}

/** One conn record as the client's VPC flow log record (default version-2 layout). */
function vpcConn(r: Map<string, string>): string {
  const start = Math.floor(Number(r.get('ts')));
  const end = start + Math.ceil(Number(r.get('duration') === '-' ? 0 : r.get('duration')));
  const bytes = r.get('orig_bytes') === '-' ? 0 : r.get('orig_bytes');
  const protocol = r.get('proto') === 'udp' ? 17 : 6;
  return `2 123456789012 eni-0b0000000000000 ${r.get('id.orig_h')} ${r.get('id.resp_h')} ${r.get('id.orig_p')} ${r.get('id.resp_p')} ${protocol} ${r.get('orig_pkts')} ${bytes} ${start} ${end} ACCEPT OK`;
}

/** Writes the three shapes of the first READER_SAMPLE conn records under `dir/readers/`. */
async function writeShapes(dir: string): Promise<string> {
  const out = join(dir, 'readers');
  mkdirSync(out, { recursive: true });
  const zeek: string[] = [];
  const ecs: string[] = [];
  const vpc = ['version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'];
  let names: string[] = [];
  for await (const line of createInterface({ input: createReadStream(join(dir, 'conn.log')) })) {
    if (line.startsWith('#')) {
      if (line.startsWith('#fields\t')) names = line.split('\t').slice(1);
      zeek.push(line);
      continue;
    }
    if (line === '' || names.length === 0) continue;
    const values = line.split('\t');
    const record = new Map(names.map((name, i) => [name, values[i]]));
    zeek.push(line);
    ecs.push(ecsConn(record));
    vpc.push(vpcConn(record));
    if (ecs.length >= READER_SAMPLE) break;
  }
  writeFileSync(join(out, 'conn.log'), zeek.join('\n') + '\n');
  writeFileSync(join(out, 'conn-ecs.ndjson'), ecs.join('\n') + '\n');
  writeFileSync(join(out, 'vpc-flow.log'), vpc.join('\n') + '\n');
  return out;
}

/** Reads each shape once through the adapters (no database) and reports records per CPU second. */
export async function measureReaders(dir: string): Promise<ReaderRate[]> {
  const out = await writeShapes(dir);
  const rates: ReaderRate[] = [];
  for (const [reader, file] of [
    ['Zeek TSV', 'conn.log'],
    ['ECS NDJSON', 'conn-ecs.ndjson'],
    ['VPC flow', 'vpc-flow.log'],
  ]) {
    const cpu = process.cpuUsage();
    const [summary] = await ingestFile(
      file,
      fileChunks(join(out, file)),
      { write: async () => {} },
      { adapters: ALL_ADAPTERS, utcOffsetMinutes: 0 },
    );
    const used = process.cpuUsage(cpu);
    if (summary.rows_rejected > 0 || summary.status !== 'loaded')
      throw new Error(`${file}: ${summary.rows_rejected} rejected (${summary.message ?? summary.format})`);
    rates.push({ reader, format: summary.format, records: summary.rows_loaded, cpuMs: (used.user + used.system) / 1000 });
  }
  return rates;
}
