import {
  DuckDBInstance,
  DuckDBDataChunk,
  DuckDBTimestampValue,
  DuckDBTimestampTZValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBArrayValue,
  DuckDBStructValue,
  BIGINT,
  DOUBLE,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
  BOOLEAN,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { SqlEngine, SqlParam } from './sql-engine.ts';

const CHUNK_ROWS = 2048;

const APPEND_TYPES: Record<string, DuckDBType> = { BIGINT, DOUBLE, INTEGER, TIMESTAMP, VARCHAR, BOOLEAN };

/** Converts one JS value for a column type; TIMESTAMP input is epoch microseconds. */
function toDuckDB(value: unknown, type: string): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'TIMESTAMP':
      return new DuckDBTimestampValue(BigInt(Math.round(Number(value))));
    case 'BIGINT':
      return BigInt(Math.trunc(Number(value)));
    case 'INTEGER':
    case 'DOUBLE':
      return Number(value);
    case 'BOOLEAN':
      return Boolean(value);
    default:
      return String(value);
  }
}

/** Plain-JS row values per the SqlEngine contract (timestamps keep their microseconds as fractional milliseconds). */
function toPlain(value: DuckDBValue): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') return value;
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return Number(value.micros) / 1000;
  if (value instanceof DuckDBDateValue) return value.days * 86_400_000;
  if (value instanceof DuckDBDecimalValue) return Number(value.value) / 10 ** value.scale;
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toPlain);
  if (value instanceof DuckDBStructValue) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value.entries)) out[k] = toPlain(v);
    return out;
  }
  return String(value);
}

/** Native DuckDB behind the SqlEngine interface (CLI and unit tests). */
export class NativeEngine implements SqlEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly description: string,
  ) {}

  /** `path` ':memory:' by default; a temp directory lets DuckDB spill big joins to disk. */
  static async open(path = ':memory:', options: Record<string, string> = {}): Promise<NativeEngine> {
    const instance = await DuckDBInstance.create(path, options);
    const connection = await instance.connect();
    const version = (await connection.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0]?.v;
    return new NativeEngine(instance, connection, `duckdb native ${String(version).replace(/^v/, '')}`);
  }

  async exec(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async all<T = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    const reader = params.length
      ? await this.connection.runAndReadAll(sql, params as DuckDBValue[])
      : await this.connection.runAndReadAll(sql);
    return reader.getRowObjects().map((row) => {
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, v] of Object.entries(row)) out[k] = toPlain(v);
      return out as T;
    });
  }

  async append(table: string, columns: Record<string, readonly unknown[]>, types: Record<string, string>): Promise<void> {
    const names = Object.keys(columns);
    if (names.length === 0) return;
    const rowCount = columns[names[0]].length;
    const duckTypes = names.map((n) => {
      const t = APPEND_TYPES[types[n]];
      if (!t) throw new Error(`append: unsupported column type ${types[n]} for ${n}`);
      return t;
    });
    const cols = names.map((n) => `"${n.replaceAll('"', '""')}"`).join(', ');
    // The appender fills columns by position, so append into a staging table of exactly these columns.
    const staging = `__append_${Math.random().toString(36).slice(2)}`;
    await this.connection.run(
      `CREATE TEMP TABLE ${staging} AS SELECT ${cols} FROM "${table.replaceAll('"', '""')}" LIMIT 0`,
    );
    try {
      const appender = await this.connection.createAppender(staging, 'main', 'temp');
      for (let start = 0; start < rowCount; start += CHUNK_ROWS) {
        const end = Math.min(rowCount, start + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(duckTypes, end - start);
        names.forEach((n, i) => {
          const src = columns[n];
          const values: DuckDBValue[] = new Array(end - start);
          for (let r = start; r < end; r++) values[r - start] = toDuckDB(src[r], types[n]);
          chunk.setColumnValues(i, values);
        });
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
      await this.connection.run(
        `INSERT INTO "${table.replaceAll('"', '""')}" (${cols}) SELECT ${cols} FROM ${staging}`,
      );
    } finally {
      await this.connection.run(`DROP TABLE IF EXISTS ${staging}`);
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
