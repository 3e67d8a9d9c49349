/**
 * The native side of the benchmark: the CLI's analysis pipeline on native DuckDB on a dataset,
 * a hand-written DuckDB `read_csv` load of the same Zeek files, and the ingest pipeline alone in Node
 * (parse only, then parse + Arrow encode) to see where ingest time goes.
 */
import { join } from 'node:path';
import { canonicalDdl } from '../../core/canonical.ts';
import { ingestFile, type BatchSink, type SourceSummary } from '../../core/ingest/pipeline.ts';
import { ALL_ADAPTERS, BINARY_ADAPTERS } from '../../core/adapters/index.ts';
import { storeBatch } from '../../core/ingest/store.ts';
import { shippedCatalog } from '../../context/catalog.ts';
import { columnsToIpc } from '../../engine/arrow-encode.ts';
import { runAnalysis } from '../../pipeline/pipeline.ts';
import { fileChunks, nodeAnalysis, nodeLoading, pathInput } from '../../pipeline/node.ts';
import { NativeEngine } from '../../engine/native-engine.ts';
import type { DatasetManifest } from './datasets.ts';

/** Zeek files of a dataset: the hand-written comparison loads only these. */
export const ZEEK_FILES = ['conn.log', 'ssl.log'];

export interface IngestTiming {
  records: number;
  ms: number;
  /** Records and milliseconds of the Zeek TSV files alone (per-source time from the pipeline's summaries). */
  zeekRecords: number;
  zeekMs: number;
}

export interface NativeCliResult {
  ingest: IngestTiming;
  packMs: number;
  findings: number;
  /** Wall milliseconds per analysis step (Analysis.timings), for the profile. */
  packStages: Record<string, number>;
}

function ingestTiming(summaries: readonly SourceSummary[], ms: number): IngestTiming {
  const zeek = summaries.filter((s) => s.format.startsWith('zeek-'));
  return {
    records: summaries.reduce((n, s) => n + s.rows_loaded, 0),
    ms,
    zeekRecords: zeek.reduce((n, s) => n + s.rows_loaded, 0),
    zeekMs: zeek.reduce((n, s) => n + s.millis, 0),
  };
}

async function ingestDataset(dir: string, manifest: DatasetManifest, sink: BatchSink): Promise<SourceSummary[]> {
  const summaries: SourceSummary[] = [];
  for (const file of manifest.files) {
    summaries.push(
      ...(await ingestFile(file.name, fileChunks(join(dir, file.name)), sink, { adapters: ALL_ADAPTERS, utcOffsetMinutes: 0 })),
    );
  }
  assertReadCleanly(summaries);
  return summaries;
}

/** Throws unless every record of the dataset loaded. */
function assertReadCleanly(summaries: readonly SourceSummary[]): void {
  const unread = summaries.filter((s) => s.status !== 'loaded' || s.rows_rejected > 0);
  if (unread.length) throw new Error(`dataset not read cleanly: ${unread.map((s) => `${s.name}: ${s.message ?? `${s.rows_rejected} rejected`}`).join('; ')}`);
}

/**
 * The CLI's path: the analysis pipeline on native DuckDB (Zeek TSV through DuckDB's CSV reader, every other file
 * through the line parser), timed as "ingest" up to the analysis and "pack" for enrichment, context and detection.
 */
export async function measureNativeCli(dir: string, manifest: DatasetManifest): Promise<NativeCliResult> {
  const engine = await NativeEngine.open(':memory:');
  try {
    const inputs = manifest.files.map((file) => pathInput(file.name, join(dir, file.name), file.bytes));
    const started = performance.now();
    let packStarted = 0;
    const { sources, detection, timings } = await runAnalysis(engine, inputs, { catalog: shippedCatalog(), inventories: [], policy: [] }, {
      ...nodeLoading(engine),
      ...nodeAnalysis(),
      utcOffsetMinutes: 0,
      onSources: (_input, summaries) => assertReadCleanly(summaries),
      onStage: (stage) => {
        if (stage === 'enrich') packStarted = performance.now();
      },
    });
    return {
      ingest: ingestTiming(sources, packStarted - started),
      packMs: performance.now() - packStarted,
      findings: detection.findings.length,
      packStages: timings,
    };
  } finally {
    engine.close();
  }
}

const CONN_COLUMNS = {
  ts: 'DOUBLE', uid: 'VARCHAR', orig_h: 'VARCHAR', orig_p: 'INTEGER', resp_h: 'VARCHAR', resp_p: 'INTEGER',
  proto: 'VARCHAR', service: 'VARCHAR', duration: 'DOUBLE', orig_bytes: 'BIGINT', resp_bytes: 'BIGINT',
  conn_state: 'VARCHAR', local_orig: 'VARCHAR', local_resp: 'VARCHAR', missed_bytes: 'BIGINT', history: 'VARCHAR',
  orig_pkts: 'BIGINT', orig_ip_bytes: 'BIGINT', resp_pkts: 'BIGINT', resp_ip_bytes: 'BIGINT', tunnel_parents: 'VARCHAR',
};
const SSL_COLUMNS = {
  ts: 'DOUBLE', uid: 'VARCHAR', orig_h: 'VARCHAR', orig_p: 'INTEGER', resp_h: 'VARCHAR', resp_p: 'INTEGER',
  version: 'VARCHAR', cipher: 'VARCHAR', curve: 'VARCHAR', server_name: 'VARCHAR', resumed: 'VARCHAR',
  last_alert: 'VARCHAR', next_protocol: 'VARCHAR', established: 'VARCHAR', ssl_history: 'VARCHAR',
  cert_chain_fps: 'VARCHAR', client_cert_chain_fps: 'VARCHAR', sni_matches_cert: 'VARCHAR',
};

/** The Zeek TSV reader options the architecture guide lists; header lines are skipped, the #close footer rejected. */
function zeekReadCsv(variable: string, columns: Record<string, string>): string {
  const spec = Object.entries(columns).map(([name, type]) => `'${name}': '${type}'`).join(', ');
  return `read_csv(getvariable('${variable}'), columns = {${spec}}, delim = '\t', quote = '', escape = '',
    nullstr = '-', header = false, skip = 8, store_rejects = true, auto_detect = false)`;
}

/**
 * A hand-written DuckDB load of the Zeek files into the canonical `events` table (same columns the adapter fills,
 * unmapped fields as an `extra` JSON object of strings, as the adapter writes them): the yardstick for "CLI within
 * 1.5× of hand-written".
 */
export async function measureHandWritten(dir: string): Promise<IngestTiming> {
  const engine = await NativeEngine.open(':memory:');
  try {
    await engine.exec(canonicalDdl());
    await engine.all('SET VARIABLE conn_path = ?', [join(dir, 'conn.log')]);
    await engine.all('SET VARIABLE ssl_path = ?', [join(dir, 'ssl.log')]);
    const started = performance.now();
    await engine.exec(`
      INSERT INTO events BY NAME
      SELECT make_timestamp(CAST(round(ts * 1e6) AS BIGINT)) AS ts, 'flow' AS kind, 'conn.log' AS source_file,
        'zeek-conn-tsv' AS source_format, uid, orig_h AS src_ip, orig_p AS src_port, resp_h AS dst_ip, resp_p AS dst_port,
        lower(proto) AS protocol, replace(nullif(service, '(empty)'), 'ssl', 'tls') AS app_protocol, duration,
        orig_bytes AS bytes_out, resp_bytes AS bytes_in, conn_state,
        json_object('local_orig', local_orig, 'local_resp', local_resp, 'missed_bytes', missed_bytes,
          'history', history, 'orig_pkts', orig_pkts, 'orig_ip_bytes', orig_ip_bytes, 'resp_pkts', resp_pkts,
          'resp_ip_bytes', resp_ip_bytes)::VARCHAR AS extra
      FROM ${zeekReadCsv('conn_path', CONN_COLUMNS)};
      INSERT INTO events BY NAME
      SELECT make_timestamp(CAST(round(ts * 1e6) AS BIGINT)) AS ts, 'tls' AS kind, 'ssl.log' AS source_file,
        'zeek-ssl-tsv' AS source_format, uid, orig_h AS src_ip, orig_p AS src_port, resp_h AS dst_ip, resp_p AS dst_port,
        'tls' AS app_protocol, lower(rtrim(server_name, '.')) AS dst_host, CASE WHEN server_name IS NOT NULL THEN 'sni' END AS dst_host_origin,
        version AS tls_version,
        json_object('cipher', cipher, 'curve', curve, 'resumed', resumed, 'next_protocol', next_protocol,
          'established', established, 'ssl_history', ssl_history, 'sni_matches_cert', sni_matches_cert)::VARCHAR AS extra
      FROM ${zeekReadCsv('ssl_path', SSL_COLUMNS)};`);
    const ms = performance.now() - started;
    const [row] = await engine.all<{ n: number }>('SELECT count(*) AS n FROM events');
    return { records: row.n, ms, zeekRecords: row.n, zeekMs: ms };
  } finally {
    engine.close();
  }
}

export interface PipelineProfile {
  /** Zeek files parsed into column batches, nothing else (wall time, then this process's CPU time). */
  parseMs: number;
  parseCpuMs: number;
  /** The same plus the Arrow IPC encoding the browser's worker does per batch. */
  parseEncodeMs: number;
  parseEncodeCpuMs: number;
  records: number;
}

/** Wall and CPU milliseconds of `run` (CPU time is steadier than wall time on a shared machine). */
async function clocked(run: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/** The ingest pipeline without a database, on the Zeek files: how much of ingest is parsing and Arrow encoding. */
export async function profilePipeline(dir: string, manifest: DatasetManifest): Promise<PipelineProfile> {
  const zeekOnly = { ...manifest, files: manifest.files.filter((f) => ZEEK_FILES.includes(f.name)) };
  let records = 0;
  const parse = await clocked(async () => {
    const summaries = await ingestDataset(dir, zeekOnly, { write: async () => {} });
    records = summaries.reduce((n, s) => n + s.rows_loaded, 0);
  });
  let bytes = 0;
  const parseEncode = await clocked(() =>
    ingestDataset(dir, zeekOnly, {
      write: async (batch) => {
        bytes += columnsToIpc(batch.columns, batch.types).ipc.length;
      },
    }),
  );
  if (bytes === 0) throw new Error('the Arrow encoder produced nothing');
  return { parseMs: parse.ms, parseCpuMs: parse.cpuMs, parseEncodeMs: parseEncode.ms, parseEncodeCpuMs: parseEncode.cpuMs, records };
}

/**
 * `relaywatch analyze`'s load of one packet capture into native DuckDB: wall-clock and CPU milliseconds (all threads
 * of this process; on a shared machine the CPU time shows the cost when the wall clock mostly shows the waiting).
 */
export async function measureCaptureIngest(path: string): Promise<{ ms: number; cpuMs: number; packets: number }> {
  const native = await NativeEngine.open(':memory:');
  try {
    await native.exec(canonicalDdl());
    const started = performance.now();
    const cpu = process.cpuUsage();
    const summaries = await ingestFile('bench.pcap', fileChunks(path), { write: (batch) => storeBatch(native, batch) }, {
      adapters: ALL_ADAPTERS,
      binaryAdapters: BINARY_ADAPTERS,
      utcOffsetMinutes: 0,
    });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (summaries.some((s) => s.status !== 'loaded' || s.rows_rejected > 0)) throw new Error(`bench capture not read cleanly: ${JSON.stringify(summaries)}`);
    return { ms, cpuMs: (used.user + used.system) / 1000, packets: summaries.reduce((n, s) => n + s.rows_loaded, 0) };
  } finally {
    native.close();
  }
}
