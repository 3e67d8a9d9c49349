/**
 * Opens a workspace: checks the whole file first (zip, format, version, manifest, context data), and only then
 * replaces the loaded tables with its pages and returns the state to restore. A bad or newer file is refused
 * with a message that says why, before anything loaded is touched.
 */
import { unzipSync } from 'fflate';
import { EVENT_COLUMNS, canonicalDdl } from '../core/canonical.ts';
import { quoteIdent } from '../engine/sql-engine.ts';
import { loadCatalog } from '../context/catalog.ts';
import { checkPolicyRow, type PolicyRow } from '../context/policy.ts';
import type { InventoryEntry } from '../context/inventory.ts';
import type { TriageEntry } from '../detection/triage-entry.ts';
import type { SourceSummary } from '../core/ingest/pipeline.ts';
import type { DetectionWindow } from '../detection/detect.ts';
import type { ParamValue } from '../detection/manifest.ts';
import {
  CANONICAL_TABLES,
  COLUMN_TYPES,
  RAW_TABLE,
  WORKSPACE_FORMAT,
  WORKSPACE_JSON,
  WORKSPACE_VERSION,
  type ColumnType,
  type WorkspaceEngine,
  type WorkspaceState,
  type WorkspaceTable,
} from './format.ts';

/** Largest workspace.json accepted (the catalog is the bulk of it). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** Largest single IPC page accepted once inflated. */
export const MAX_PAGE_BYTES = 512 * 1024 * 1024;
const MAX_NAME_CHARS = 256;
const MAX_TEXT_CHARS = 4096;
const VERDICTS = ['benign', 'suspicious', 'malicious'];
/** Columns each canonical table may have: exactly those of canonicalDdl(). */
const CANONICAL_COLUMNS: Record<string, readonly string[]> = {
  events: EVENT_COLUMNS.map((c) => c.name),
  sources: ['name', 'format', 'rows_read', 'rows_loaded', 'rows_rejected', 'bytes', 'millis', 'message', 'sha256'],
  rejections: ['source', 'line', 'reason', 'sample'],
};
/** Derived caches of the context layer that refer to loaded events; applyContext rebuilds them. */
const DERIVED_CACHES = ['host_domains', 'address_bits'];

export class WorkspaceError extends Error {}

const fail = (message: string): never => {
  throw new WorkspaceError(message);
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max = MAX_TEXT_CHARS): string | null => (typeof v === 'string' ? v.slice(0, max) : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** Entry names and inflated sizes from the zip's directory, without inflating anything. */
function listEntries(bytes: Uint8Array): Map<string, number> {
  const entries = new Map<string, number>();
  try {
    unzipSync(bytes, {
      filter: (file) => {
        entries.set(file.name, file.originalSize);
        return false;
      },
    });
  } catch {
    fail('This is not a Relaywatch workspace: the file is not a readable zip archive.');
  }
  return entries;
}

function readEntry(bytes: Uint8Array, name: string): Uint8Array {
  try {
    const data = unzipSync(bytes, { filter: (file) => file.name === name })[name];
    if (data) return data;
  } catch {
    // reported below with the entry's name
  }
  return fail(`The workspace is damaged: ${name} cannot be read.`);
}

/** Parses JSON into plain data; keys that would reach an object's prototype are dropped. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text, (key, value) => (key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value));
  } catch {
    return fail(`The workspace is damaged: ${WORKSPACE_JSON} is not valid JSON.`);
  }
}

function checkTables(value: unknown, entries: Map<string, number>): WorkspaceTable[] {
  if (!isObject(value) || !Array.isArray(value.tables)) return fail('The workspace has no table manifest.');
  const seen = new Set<string>();
  return value.tables.map((t: unknown) => {
    if (!isObject(t) || typeof t.name !== 'string') return fail('The workspace manifest lists a table without a name.');
    const name = t.name;
    const canonical = CANONICAL_COLUMNS[name];
    if (!canonical && !RAW_TABLE.test(name)) fail(`The workspace holds an unexpected table '${name.slice(0, 80)}'.`);
    if (seen.has(name)) fail(`The workspace lists table ${name} twice.`);
    seen.add(name);
    const rows = count(t.rows) ?? fail(`The workspace manifest has no row count for ${name}.`);
    if (!Array.isArray(t.columns) || t.columns.length === 0) fail(`The workspace manifest has no columns for ${name}.`);
    const columns = (t.columns as unknown[]).map((c) => {
      if (!isObject(c) || typeof c.name !== 'string' || c.name.length > MAX_NAME_CHARS || !(COLUMN_TYPES as readonly string[]).includes(String(c.type))) {
        return fail(`The workspace manifest has a bad column in ${name}.`);
      }
      if (canonical && !canonical.includes(c.name)) fail(`Table ${name} in the workspace has an unknown column '${c.name.slice(0, 80)}'.`);
      return { name: c.name, type: c.type as ColumnType };
    });
    if (!Array.isArray(t.files)) return fail(`The workspace manifest lists no pages for ${name}.`);
    const files = (t.files as unknown[]).map((f) => {
      const size = typeof f === 'string' ? entries.get(f) : undefined;
      if (size === undefined) return fail(`The workspace is damaged: a page of ${name} is missing.`);
      if (size > MAX_PAGE_BYTES) fail(`The workspace has a page of ${name} larger than ${MAX_PAGE_BYTES / 2 ** 20} MiB.`);
      return f as string;
    });
    return { name, columns, rows, files };
  });
}

function checkSettings(value: unknown): WorkspaceState['settings'] {
  const v = isObject(value) ? value : {};
  const params: Record<string, ParamValue> = Object.create(null);
  if (isObject(v.params)) {
    for (const [key, p] of Object.entries(v.params)) {
      if (/^[a-z_][a-z0-9_]*$/i.test(key) && (p === null || ['string', 'number', 'boolean'].includes(typeof p))) params[key] = p as ParamValue;
    }
  }
  const window: DetectionWindow = {};
  if (isObject(v.window)) {
    for (const key of ['baselineStart', 'baselineEnd', 'detectStart', 'detectEnd'] as const) {
      const bound = v.window[key];
      if (typeof bound === 'number' || (typeof bound === 'string' && Number.isFinite(Date.parse(bound)))) window[key] = bound;
    }
  }
  const offset = typeof v.utcOffsetMinutes === 'number' && Math.abs(v.utcOffsetMinutes) <= 24 * 60 ? v.utcOffsetMinutes : 0;
  return { params, window, utcOffsetMinutes: offset };
}

function checkContext(value: unknown): WorkspaceState['context'] {
  if (!isObject(value)) return fail('The workspace has no context data.');
  let catalog;
  try {
    catalog = loadCatalog(value.catalog);
  } catch (error) {
    return fail(`The workspace's service catalog is invalid: ${(error as Error).message.split('\n').slice(0, 4).join('; ')}`);
  }
  const inventories = (Array.isArray(value.inventories) ? value.inventories : []).map((list: unknown) =>
    (Array.isArray(list) ? list : []).filter(isObject).map((e): InventoryEntry => {
      const kind = e.match_kind;
      if (typeof e.match !== 'string' || (kind !== 'ip' && kind !== 'cidr' && kind !== 'host')) return fail('The workspace has a bad asset-inventory entry.');
      return {
        match: e.match.slice(0, MAX_NAME_CHARS), match_kind: kind, role: text(e.role), os: text(e.os), business_unit: text(e.business_unit),
        owner: text(e.owner), criticality: text(e.criticality), source: text(e.source) ?? 'workspace', ip_bits: text(e.ip_bits, 128),
      };
    }),
  );
  const policy = (Array.isArray(value.policy) ? value.policy : []).filter(isObject).map((r): PolicyRow => {
    const row = checkPolicyRow(
      { service_id: text(r.service_id) ?? '', scope_kind: r.scope_kind as PolicyRow['scope_kind'], scope_value: text(r.scope_value), note: text(r.note) },
      catalog,
    );
    return typeof row === 'string' ? fail(`The workspace has a bad approved-service rule: ${row}`) : row;
  });
  return { catalog, inventories, policy };
}

function checkTriage(value: unknown): TriageEntry[] {
  return (Array.isArray(value) ? value : []).filter(isObject).flatMap((e): TriageEntry[] =>
    typeof e.finding_id === 'string' && VERDICTS.includes(String(e.verdict))
      ? [{ finding_id: e.finding_id.slice(0, MAX_NAME_CHARS), verdict: e.verdict as TriageEntry['verdict'], note: text(e.note) ?? '', updated: text(e.updated, 64) ?? '' }]
      : [],
  );
}

function checkSources(value: unknown): SourceSummary[] {
  return (Array.isArray(value) ? value : []).filter(isObject).map((s) => ({
    name: text(s.name, MAX_NAME_CHARS * 4) ?? 'unknown',
    format: text(s.format, MAX_NAME_CHARS) ?? 'unknown',
    status: s.status === 'unrecognised' || s.status === 'failed' ? s.status : 'loaded',
    rows_read: count(s.rows_read) ?? 0,
    rows_loaded: count(s.rows_loaded) ?? 0,
    rows_rejected: count(s.rows_rejected) ?? 0,
    rejections: (Array.isArray(s.rejections) ? s.rejections : []).filter(isObject).map((r) => ({
      line: count(r.line) ?? 0, reason: text(r.reason) ?? '', sample: text(r.sample) ?? '',
    })),
    bytes: count(s.bytes) ?? 0,
    millis: typeof s.millis === 'number' ? s.millis : 0,
    message: text(s.message),
    ...(typeof s.sha256 === 'string' && /^[0-9a-f]{64}$/.test(s.sha256) ? { sha256: s.sha256 } : {}),
  }));
}

export interface CheckedWorkspace {
  tables: WorkspaceTable[];
  state: WorkspaceState;
  savedAt: string;
}

/** Reads and checks a workspace file without touching the engine. */
export function readWorkspace(bytes: Uint8Array): CheckedWorkspace {
  const entries = listEntries(bytes);
  const jsonSize = entries.get(WORKSPACE_JSON);
  if (jsonSize === undefined) fail(`This is not a Relaywatch workspace: it has no ${WORKSPACE_JSON}.`);
  if (jsonSize! > MAX_JSON_BYTES) fail(`The workspace's ${WORKSPACE_JSON} is larger than ${MAX_JSON_BYTES / 2 ** 20} MiB.`);
  const doc = parseJson(new TextDecoder().decode(readEntry(bytes, WORKSPACE_JSON)));
  if (!isObject(doc) || doc.format !== WORKSPACE_FORMAT) fail('This is not a Relaywatch workspace: its format is not relaywatch.workspace.');
  const d = doc as Json;
  const version = d.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) fail('The workspace has no valid format version.');
  if ((version as number) > WORKSPACE_VERSION) {
    fail(`This workspace was saved by a newer Relaywatch (workspace format ${version}); this version opens format ${WORKSPACE_VERSION}. Update Relaywatch to open it.`);
  }
  const tables = checkTables(d.manifest, entries);
  for (const name of CANONICAL_TABLES) if (!tables.some((t) => t.name === name)) fail(`The workspace has no ${name} table.`);
  return { tables, state: checkState(d), savedAt: text(d.saved_at, 64) ?? '' };
}

/** A session's state document (settings, context, triage, sources as JSON), checked like a workspace's own. */
export function checkStateJson(json: string): WorkspaceState {
  return checkState(parseJson(json));
}

/** Settings, context, triage and source summaries as a workspace holds them. */
function checkState(value: unknown): WorkspaceState {
  const d = isObject(value) ? value : {};
  return { settings: checkSettings(d.settings), context: checkContext(d.context), triage: checkTriage(d.triage), sources: checkSources(d.sources) };
}

/**
 * Checks a workspace, then replaces the loaded data with its tables and returns the state to restore (see
 * restoreWorkspace). A file that fails the checks changes nothing.
 */
export async function openWorkspace(engine: WorkspaceEngine, bytes: Uint8Array): Promise<WorkspaceState & { savedAt: string }> {
  return restoreWorkspace(engine, bytes, readWorkspace(bytes));
}

/**
 * Replaces the loaded data with a checked workspace's tables (the canonical tables are recreated from
 * canonicalDdl(), raw tables from the manifest) and returns the settings, context, triage and source summaries
 * to restore. The caller re-applies the context and re-runs detection.
 */
export async function restoreWorkspace(
  engine: WorkspaceEngine,
  bytes: Uint8Array,
  { tables, state, savedAt }: CheckedWorkspace,
): Promise<WorkspaceState & { savedAt: string }> {
  const existing = await engine.sql.all<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'
     AND (table_name IN ('events', 'sources', 'rejections', 'host_domains', 'address_bits') OR table_name LIKE 'raw\\_%' ESCAPE '\\')`,
  );
  for (const { table_name } of existing) {
    if (DERIVED_CACHES.includes(table_name)) await engine.sql.exec(`DELETE FROM ${quoteIdent(table_name)}`);
    else await engine.sql.exec(`DROP TABLE ${quoteIdent(table_name)}`);
  }
  await engine.sql.exec(canonicalDdl());
  for (const table of tables) {
    if (RAW_TABLE.test(table.name)) {
      const columns = table.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
      await engine.sql.exec(`CREATE TABLE ${quoteIdent(table.name)} (${columns})`);
    }
    for (const file of table.files) await engine.insertIpc(table.name, readEntry(bytes, file), table.columns);
    const [{ n }] = await engine.sql.all<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`);
    if (n !== table.rows) fail(`The workspace is damaged: table ${table.name} has ${n} rows where its manifest says ${table.rows}.`);
  }
  return { ...state, savedAt };
}
