import { EVENTS_TABLE } from '../canonical.ts';
import { quoteIdent, type SqlEngine } from '../../engine/sql-engine.ts';
import type { ColumnBatch, SourceSummary } from './pipeline.ts';

/** DDL that makes sure a raw (format-specific) table and all of a batch's columns exist; null for the events table. */
export function ensureTableSql(batch: Pick<ColumnBatch, 'table' | 'columns'>): string | null {
  if (batch.table === EVENTS_TABLE) return null;
  const table = quoteIdent(batch.table);
  const names = Object.keys(batch.columns);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (${names.map((n) => `${quoteIdent(n)} VARCHAR`).join(', ')});`,
    ...names.map((n) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdent(n)} VARCHAR;`),
  ].join('\n');
}

/** Writes a batch through the shared SqlEngine (the CLI path; the browser sends Arrow IPC from its worker). */
export async function storeBatch(engine: SqlEngine, batch: ColumnBatch): Promise<void> {
  const ddl = ensureTableSql(batch);
  if (ddl) await engine.exec(ddl);
  await engine.append(batch.table, batch.columns, batch.types);
}

/** Records per-source counts and rejection samples in the `sources` and `rejections` tables. */
export async function recordSources(engine: SqlEngine, summaries: readonly SourceSummary[]): Promise<void> {
  if (summaries.length === 0) return;
  await engine.append(
    'sources',
    {
      name: summaries.map((s) => s.name),
      format: summaries.map((s) => s.format),
      rows_read: summaries.map((s) => s.rows_read),
      rows_loaded: summaries.map((s) => s.rows_loaded),
      rows_rejected: summaries.map((s) => s.rows_rejected),
      bytes: summaries.map((s) => s.bytes),
      millis: summaries.map((s) => s.millis),
      message: summaries.map((s) => s.message),
      sha256: summaries.map((s) => s.sha256 ?? null),
    },
    {
      name: 'VARCHAR',
      format: 'VARCHAR',
      rows_read: 'BIGINT',
      rows_loaded: 'BIGINT',
      rows_rejected: 'BIGINT',
      bytes: 'BIGINT',
      millis: 'DOUBLE',
      message: 'VARCHAR',
      sha256: 'VARCHAR',
    },
  );
  const rejections = summaries.flatMap((s) => s.rejections.map((r) => ({ source: s.name, ...r })));
  if (rejections.length === 0) return;
  await engine.append(
    'rejections',
    {
      source: rejections.map((r) => r.source),
      line: rejections.map((r) => r.line),
      reason: rejections.map((r) => r.reason),
      sample: rejections.map((r) => r.sample),
    },
    { source: 'VARCHAR', line: 'BIGINT', reason: 'VARCHAR', sample: 'VARCHAR' },
  );
}
