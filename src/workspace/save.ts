/**
 * Writes a workspace: every data table in pages of IPC (bounded memory per page), then workspace.json with the
 * manifest. The zip streams out through `sink` chunk by chunk, so no single giant buffer or string is built.
 */
import { Zip, ZipDeflate } from 'fflate';
import { quoteIdent } from '../engine/sql-engine.ts';
import {
  CANONICAL_TABLES,
  COLUMN_TYPES,
  RAW_TABLE,
  WORKSPACE_FORMAT,
  WORKSPACE_JSON,
  WORKSPACE_VERSION,
  encodeColumn,
  type ColumnType,
  type WorkspaceColumn,
  type WorkspaceDocument,
  type WorkspaceEngine,
  type WorkspaceState,
  type WorkspaceTable,
} from './format.ts';

/** Rows per IPC page: a few MB of events, small enough for the wasm heap and the zip to handle at once. */
export const PAGE_ROWS = 50_000;

export interface SaveOptions {
  toolVersion: string;
  savedAt?: Date;
  pageRows?: number;
}

/** The tables to save with their columns, in a stable order (canonical first, then raw tables by name). */
export async function workspaceTables(engine: WorkspaceEngine): Promise<{ name: string; columns: WorkspaceColumn[] }[]> {
  const rows = await engine.sql.all<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'main' AND (table_name IN ('events', 'sources', 'rejections') OR table_name LIKE 'raw\\_%' ESCAPE '\\')
     ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, WorkspaceColumn[]>();
  for (const r of rows) {
    if (!RAW_TABLE.test(r.table_name) && !(CANONICAL_TABLES as readonly string[]).includes(r.table_name)) continue;
    if (!(COLUMN_TYPES as readonly string[]).includes(r.data_type)) {
      throw new Error(`Cannot save column ${r.table_name}.${r.column_name} of type ${r.data_type}`);
    }
    const list = tables.get(r.table_name) ?? [];
    list.push({ name: r.column_name, type: r.data_type as ColumnType });
    tables.set(r.table_name, list);
  }
  const rank = (name: string) => {
    const i = (CANONICAL_TABLES as readonly string[]).indexOf(name);
    return i < 0 ? CANONICAL_TABLES.length : i;
  };
  return [...tables.entries()]
    .map(([name, columns]) => ({ name, columns }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/**
 * Saves the loaded tables and `state` as a .rwz zip, handing the bytes to `sink` as they are produced.
 * Pages follow rowid ranges, so each is one cheap range scan in table order.
 */
export async function saveWorkspace(
  engine: WorkspaceEngine,
  state: WorkspaceState,
  sink: (chunk: Uint8Array) => void | Promise<void>,
  options: SaveOptions,
): Promise<WorkspaceDocument['manifest']> {
  const pageRows = options.pageRows ?? PAGE_ROWS;
  const pending: Uint8Array[] = [];
  let zipError: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) zipError = error;
    else pending.push(chunk);
  });
  const flush = async () => {
    if (zipError) throw zipError;
    for (const chunk of pending.splice(0)) await sink(chunk);
  };
  const addFile = async (name: string, bytes: Uint8Array, level: 0 | 1 | 6) => {
    const entry = new ZipDeflate(name, { level });
    zip.add(entry);
    entry.push(bytes, true);
    await flush();
  };

  const tables: WorkspaceTable[] = [];
  for (const { name, columns } of await workspaceTables(engine)) {
    const table = quoteIdent(name);
    const [{ n, max_rowid }] = await engine.sql.all<{ n: number; max_rowid: number | null }>(
      `SELECT count(*) AS n, max(rowid) AS max_rowid FROM ${table}`,
    );
    const entry: WorkspaceTable = { name, columns, rows: n, files: [] };
    const select = columns.map(encodeColumn).join(', ');
    for (let from = 0; max_rowid !== null && from <= max_rowid; from += pageRows) {
      const ipc = await engine.queryIpc(`SELECT ${select} FROM ${table} WHERE rowid >= ? AND rowid < ? ORDER BY rowid`, [from, from + pageRows], columns);
      if (!ipc) continue;
      const file = `tables/${name}/${String(entry.files.length).padStart(6, '0')}.arrow`;
      entry.files.push(file);
      await addFile(file, ipc, 1);
    }
    tables.push(entry);
  }

  const document: WorkspaceDocument = {
    format: WORKSPACE_FORMAT,
    version: WORKSPACE_VERSION,
    saved_at: (options.savedAt ?? new Date()).toISOString(),
    tool: { name: 'relaywatch', version: options.toolVersion, engine: engine.sql.description },
    manifest: { tables },
    ...state,
  };
  await addFile(WORKSPACE_JSON, new TextEncoder().encode(JSON.stringify(document)), 6);
  zip.end();
  await flush();
  return document.manifest;
}
