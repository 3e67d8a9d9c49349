import type { ChartQuery } from '../../queries/finding-charts.ts';
import type { SqlEngine } from '../../engine/sql-engine.ts';

/** Rows of one chart query; fails clearly when the engine has not started. */
export async function queryRows<T>(engine: SqlEngine | null, query: ChartQuery): Promise<T[]> {
  if (!engine) throw new Error('The analysis engine is not running.');
  return engine.all<T>(query.sql, query.params);
}

/** The message of anything thrown, for an error state. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
