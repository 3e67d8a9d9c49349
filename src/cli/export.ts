import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { enrichEvents } from '../core/enrich/enrich.ts';
import { NativeEngine } from '../engine/native-engine.ts';
import { loadInputs } from '../pipeline/pipeline.ts';
import { collectInputs, nodeLoading } from '../pipeline/node.ts';

export const EXPORT_USAGE = `  relaywatch export --parquet DIR [--utc-offset MINUTES] [--db FILE] FILE_OR_DIR...

  Reads the inputs exactly as 'analyze' does (same formats, same enrichment) and writes the canonical tables as
  Parquet for an engine a team already runs (DuckDB, Spark, Trino, ClickHouse): DIR/events/day=YYYY-MM-DD/*.parquet
  (hive-partitioned by UTC day), DIR/sources.parquet and DIR/rejections.parquet. See docs/scale.md.`;

const progress = (line: string) => process.stderr.write(`relaywatch: ${line}\n`);

/** A path as a single-quoted SQL string literal (COPY takes no bound parameters). */
const sqlPath = (path: string) => `'${path.replaceAll("'", "''")}'`;

/** `relaywatch export --parquet DIR`: the loading half of the pipeline, then DuckDB's own Parquet writer. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { parquet: { type: 'string' }, 'utc-offset': { type: 'string' }, db: { type: 'string' } },
  });
  const problems: string[] = [];
  if (!values.parquet) problems.push('--parquet DIR is required (the folder to write the Parquet files to)');
  if (positionals.length === 0) problems.push('no input files or folders given');
  const utcOffsetMinutes = Number(values['utc-offset'] ?? 0);
  if (!Number.isFinite(utcOffsetMinutes)) problems.push(`--utc-offset must be a number of minutes, not '${values['utc-offset']}'`);
  const { inputs, problems: missing } = await collectInputs(positionals);
  problems.push(...missing);
  if (problems.length) {
    for (const p of problems) progress(p);
    return 2;
  }
  const out = resolve(values.parquet!);
  await mkdir(out, { recursive: true });
  const engine = await NativeEngine.open(values.db ?? ':memory:');
  try {
    const sources = await loadInputs(engine, inputs, {
      ...nodeLoading(engine),
      utcOffsetMinutes,
      onSources: (_input, summaries) => {
        for (const s of summaries) progress(`${s.name}: ${s.format}, ${s.rows_loaded} loaded, ${s.rows_rejected} rejected`);
      },
    });
    await enrichEvents(engine);
    await engine.exec(
      `COPY (SELECT *, CAST(ts AS DATE) AS day FROM events) TO ${sqlPath(join(out, 'events'))}
       (FORMAT PARQUET, PARTITION_BY (day), OVERWRITE_OR_IGNORE, COMPRESSION ZSTD)`,
    );
    await engine.exec(`COPY sources TO ${sqlPath(join(out, 'sources.parquet'))} (FORMAT PARQUET)`);
    await engine.exec(`COPY rejections TO ${sqlPath(join(out, 'rejections.parquet'))} (FORMAT PARQUET)`);
    const [{ n }] = await engine.all<{ n: number }>('SELECT count(*) AS n FROM events');
    progress(`${n} events from ${sources.length} sources written to ${out}`);
    const unread = sources.filter((s) => s.status !== 'loaded');
    for (const s of unread) progress(`${s.name}: not read: ${s.message}`);
    return unread.length ? 2 : 0;
  } finally {
    engine.close();
  }
}
