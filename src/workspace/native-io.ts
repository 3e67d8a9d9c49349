/**
 * Workspace access for native DuckDB (CLI and tests). Native DuckDB has no Arrow IPC reader or writer built in,
 * so pages are encoded from plain rows with columnsToIpc and decoded with apache-arrow's reader, then appended.
 */
import { tableFromIPC } from 'apache-arrow';
import type { SqlEngine, SqlParam } from '../engine/sql-engine.ts';
import { columnsToIpc } from '../engine/arrow-encode.ts';
import type { WorkspaceColumn, WorkspaceEngine } from './format.ts';

/** Wire types of the encoded SELECT (timestamps are already epoch microseconds, 64-bit numbers doubles). */
const WIRE_TYPE: Record<string, string> = { TIMESTAMP: 'DOUBLE', BIGINT: 'DOUBLE', DOUBLE: 'DOUBLE', INTEGER: 'INTEGER', BOOLEAN: 'BOOLEAN', VARCHAR: 'VARCHAR' };

/** A WorkspaceEngine over any SqlEngine whose `all()` returns plain rows and whose `append()` takes columns. */
export function nativeWorkspaceEngine(sql: SqlEngine): WorkspaceEngine {
  return {
    sql,
    async queryIpc(query: string, params: readonly SqlParam[], columns: readonly WorkspaceColumn[]): Promise<Uint8Array | null> {
      const rows = await sql.all<Record<string, unknown>>(query, params);
      if (rows.length === 0) return null;
      const values: Record<string, unknown[]> = {};
      const types: Record<string, string> = {};
      for (const c of columns) {
        values[c.name] = rows.map((r) => r[c.name]);
        types[c.name] = WIRE_TYPE[c.type];
      }
      return columnsToIpc(values, types).ipc;
    },
    async insertIpc(table: string, ipc: Uint8Array, columns: readonly WorkspaceColumn[]): Promise<void> {
      const page = tableFromIPC(ipc);
      if (page.numRows === 0) return;
      const values: Record<string, unknown[]> = {};
      const types: Record<string, string> = {};
      for (const column of columns) {
        const vector = page.getChild(column.name);
        if (!vector) continue;
        values[column.name] = Array.from({ length: page.numRows }, (_, i) => vector.get(i));
        types[column.name] = column.type;
      }
      await sql.append(table, values, types);
    },
  };
}
