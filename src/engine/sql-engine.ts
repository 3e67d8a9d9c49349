/**
 * The one interface shared code (ingest sink, catalog/context loaders, the detection pack) uses to talk to DuckDB,
 * implemented over DuckDB-WASM in the browser (src/engine/) and native DuckDB in the CLI (src/cli/native-engine.ts).
 *
 * Values in rows returned by `all()` are plain JS, converted in one place per engine:
 * BIGINT/HUGEINT/DECIMAL → number, TIMESTAMP and DATE → epoch milliseconds (number, fractional for µs),
 * VARCHAR → string, BOOLEAN → boolean, LIST → array, STRUCT → plain object, NULL → null.
 * `all()` is for small results (aggregates, a page of rows); never ask it for millions of rows.
 */
export type SqlParam = string | number | boolean | null;

/** One statement with its positional parameters: how every view query in src/queries/ is written. */
export interface Query {
  sql: string;
  params: readonly SqlParam[];
  /** A statement that must have run first, and may run any number of times (e.g. CREATE … IF NOT EXISTS). */
  setup?: Query;
}

/** Runs a query (its setup first): how every caller runs a Query. */
export async function runQuery<T = Record<string, unknown>>(engine: Pick<SqlEngine, 'all'>, query: Query): Promise<T[]> {
  if (query.setup) await runQuery(engine, query.setup);
  return engine.all<T>(query.sql, query.params);
}

export interface SqlEngine {
  /** Engine description for exports, e.g. 'duckdb-wasm 1.32.0 (DuckDB v1.4.3)'. */
  readonly description: string;
  /** Run one or more statements; no result. */
  exec(sql: string): Promise<void>;
  /** Run one statement with positional `?` parameters bound (never spliced) and return its rows. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Append columnar rows to an existing table; `columns` maps column name → values, all of equal length. */
  append(table: string, columns: Record<string, readonly unknown[]>, types: Record<string, string>): Promise<void>;
}

/** Quote an identifier for DuckDB (table or column names that come from data). */
export function quoteIdent(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

/** Bind a set of named values as DuckDB variables, readable in SQL as getvariable('name'). */
export async function setVariables(engine: SqlEngine, values: Record<string, SqlParam>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`Invalid variable name: ${name}`);
    await engine.all(`SET VARIABLE ${name} = ?`, [value]);
  }
}
