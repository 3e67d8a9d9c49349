/**
 * The workspace file (.rwz): a zip holding `workspace.json` (format, version, manifest, settings, context data,
 * triage, source summaries) and the data tables as Arrow IPC stream pages under `tables/<name>/<page>.arrow`.
 *
 * One column encoding in every page, whoever wrote it (DuckDB-WASM in the browser, native DuckDB in the CLI):
 * TIMESTAMP as Float64 epoch microseconds, BIGINT and DOUBLE as Float64, INTEGER as Int32, BOOLEAN as Bool,
 * VARCHAR as Utf8 — the convention of src/engine/arrow-encode.ts, so `castSelectList` turns a page back into
 * the table's types on insert.
 */
import type { SqlEngine, SqlParam } from '../engine/sql-engine.ts';
import { quoteIdent } from '../engine/sql-engine.ts';
import type { Catalog } from '../context/catalog.ts';
import type { InventoryEntry } from '../context/inventory.ts';
import type { PolicyRow } from '../context/policy.ts';
import type { DetectionWindow } from '../detection/detect.ts';
import type { ParamValue } from '../detection/manifest.ts';
import type { SourceSummary } from '../core/ingest/pipeline.ts';
import type { TriageEntry } from '../detection/triage-entry.ts';

export const WORKSPACE_FORMAT = 'relaywatch.workspace';
export const WORKSPACE_VERSION = 1;
export const WORKSPACE_JSON = 'workspace.json';

/** Column types a workspace may hold (everything the canonical and raw tables use). */
export const COLUMN_TYPES = ['TIMESTAMP', 'BIGINT', 'DOUBLE', 'INTEGER', 'BOOLEAN', 'VARCHAR'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface WorkspaceColumn {
  name: string;
  type: ColumnType;
}

export interface WorkspaceTable {
  name: string;
  columns: WorkspaceColumn[];
  rows: number;
  /** Zip entry names of the IPC pages, in order. */
  files: string[];
}

export interface WorkspaceSettings {
  params: Record<string, ParamValue>;
  window: DetectionWindow;
  utcOffsetMinutes: number;
}

export interface WorkspaceContext {
  catalog: Catalog;
  inventories: InventoryEntry[][];
  policy: PolicyRow[];
}

/** The state a workspace restores besides the tables. */
export interface WorkspaceState {
  settings: WorkspaceSettings;
  context: WorkspaceContext;
  triage: TriageEntry[];
  /** Per-file load summaries as the Data view shows them. */
  sources: SourceSummary[];
}

export interface WorkspaceDocument extends WorkspaceState {
  format: typeof WORKSPACE_FORMAT;
  version: number;
  saved_at: string;
  tool: { name: 'relaywatch'; version: string; engine: string };
  manifest: { tables: WorkspaceTable[] };
}

/**
 * What saving and opening need from an engine beyond SqlEngine: a query page as IPC in the encoding above, and
 * an insert of such a page into a table.
 */
export interface WorkspaceEngine {
  readonly sql: SqlEngine;
  /** Rows of an encoded SELECT over a table with `columns` (the table's own types) as one IPC stream; null when none. */
  queryIpc(sql: string, params: readonly SqlParam[], columns: readonly WorkspaceColumn[]): Promise<Uint8Array | null>;
  insertIpc(table: string, ipc: Uint8Array, columns: readonly WorkspaceColumn[]): Promise<void>;
}

/** Tables a workspace carries: the canonical three and every raw, format-specific table. */
export const CANONICAL_TABLES = ['events', 'sources', 'rejections'] as const;
export const RAW_TABLE = /^raw_[a-z0-9_]{1,60}$/;

/** SELECT expression that reads a column in the wire encoding. */
export function encodeColumn(column: WorkspaceColumn): string {
  const q = quoteIdent(column.name);
  switch (column.type) {
    case 'TIMESTAMP':
      return `CAST(epoch_us(${q}) AS DOUBLE) AS ${q}`;
    case 'BIGINT':
    case 'DOUBLE':
      return `CAST(${q} AS DOUBLE) AS ${q}`;
    default:
      return q;
  }
}

/** SELECT list that turns a wire-encoded page back into the table's column types (as columnsToIpc does). */
export function castSelectList(columns: readonly WorkspaceColumn[]): string {
  return columns
    .map((c) => {
      const q = quoteIdent(c.name);
      if (c.type === 'TIMESTAMP') return `make_timestamp(CAST(${q} AS BIGINT)) AS ${q}`;
      if (c.type === 'BIGINT' || c.type === 'DOUBLE') return `CAST(${q} AS ${c.type}) AS ${q}`;
      return q;
    })
    .join(', ');
}
