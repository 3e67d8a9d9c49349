/**
 * Workspace access for DuckDB-WASM: pages come straight from DuckDB as Arrow and are serialised with
 * tableToIPC (no Arrow builders, which our CSP forbids), and go back in through the engine's IPC insert.
 */
import { tableToIPC } from 'apache-arrow';
import type { SqlParam } from '../engine/sql-engine.ts';
import type { WasmEngine } from '../engine/wasm-engine.ts';
import { castSelectList, type WorkspaceColumn, type WorkspaceEngine } from './format.ts';

/** A WorkspaceEngine over the browser's engine facade. */
export function wasmWorkspaceEngine(engine: WasmEngine): WorkspaceEngine {
  return {
    sql: engine,
    async queryIpc(sql: string, params: readonly SqlParam[]): Promise<Uint8Array | null> {
      const page = await engine.arrow(sql, params);
      return page.numRows ? tableToIPC(page, 'stream') : null;
    },
    async insertIpc(table: string, ipc: Uint8Array, columns: readonly WorkspaceColumn[]): Promise<void> {
      await engine.insertIpc(table, ipc, castSelectList(columns));
    },
  };
}
