import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { zipSync, unzipSync, strToU8, strFromU8 } from 'fflate';
import { NativeEngine } from '../engine/native-engine.ts';
import { canonicalDdl } from '../core/canonical.ts';
import { shippedCatalog } from '../context/catalog.ts';
import { detect, ingestTexts } from '../report/fixtures/analyze-native.ts';
import { hostileSquidLog, PAYLOADS } from '../report/fixtures/hostile-squid.ts';
import type { WorkspaceState } from './format.ts';
import { nativeWorkspaceEngine } from './native-io.ts';
import { openWorkspace, readWorkspace, WorkspaceError } from './open.ts';
import { saveWorkspace } from './save.ts';

const EVE = readFileSync(fileURLToPath(new URL('../core/adapters/fixtures/suricata/eve.json', import.meta.url)), 'utf8');

async function loadedEngine() {
  const engine = await NativeEngine.open();
  const sources = await ingestTexts(engine, { 'proxy/access.log': hostileSquidLog(), 'eve.json': EVE });
  const result = await detect(engine);
  return { engine, sources, result };
}

async function save(engine: NativeEngine, state: WorkspaceState, pageRows?: number) {
  const chunks: Uint8Array[] = [];
  const manifest = await saveWorkspace(nativeWorkspaceEngine(engine), state, (c) => void chunks.push(c), {
    toolVersion: '0.1.0', savedAt: new Date(Date.UTC(2024, 4, 3)), pageRows,
  });
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) bytes.set(c, (at += c.length) - c.length);
  return { bytes, manifest };
}

/** Every row of a table in a stable order, for comparing two engines. */
const dump = (engine: NativeEngine, table: string) => engine.all(`SELECT * FROM "${table}" ORDER BY ALL`);

function stateOf(sources: WorkspaceState['sources']): WorkspaceState {
  return {
    settings: { params: { periodic_min_events: 8 }, window: { detectStart: '2024-05-01T00:00:00Z' }, utcOffsetMinutes: 60 },
    context: { catalog: shippedCatalog(), inventories: [], policy: [{ service_id: 'dropbox', scope_kind: 'role', scope_value: 'file-server', note: PAYLOADS.script }] },
    triage: [{ finding_id: 'rw-1', verdict: 'malicious', note: PAYLOADS.formula, updated: '2024-05-02T10:00:00.000Z' }],
    sources,
  };
}

describe('workspace save and open (native DuckDB)', () => {
  it('restores identical tables, state and findings in a fresh engine, across several pages', async () => {
    const { engine: original, sources, result } = await loadedEngine();
    const state = stateOf(sources);
    const { bytes, manifest } = await save(original, state, 100);

    const names = manifest.tables.map((t) => t.name);
    expect(names.slice(0, 3)).toEqual(['events', 'sources', 'rejections']);
    expect(names.filter((n) => n.startsWith('raw_')).length).toBeGreaterThan(0);
    const events = manifest.tables.find((t) => t.name === 'events')!;
    expect(events.rows).toBe(490);
    expect(events.files).toHaveLength(5);

    const restored = await NativeEngine.open();
    await ingestTexts(restored, { 'other.log': hostileSquidLog(20) });
    const opened = await openWorkspace(nativeWorkspaceEngine(restored), bytes);
    expect(opened.savedAt).toBe('2024-05-03T00:00:00.000Z');
    expect(opened.settings).toEqual(state.settings);
    expect(opened.context.policy).toEqual(state.context.policy);
    expect(opened.context.catalog.services.length).toBe(state.context.catalog.services.length);
    expect(opened.triage).toEqual(state.triage);
    expect(opened.sources.map((s) => [s.name, s.rows_loaded, s.rows_rejected])).toEqual(sources.map((s) => [s.name, s.rows_loaded, s.rows_rejected]));

    for (const name of names) expect(await dump(restored, name), name).toEqual(await dump(original, name));
    const [{ n }] = await restored.all<{ n: number }>(`SELECT count(*) AS n FROM events WHERE source_file = 'other.log'`);
    expect(n).toBe(0);
    const [{ ts }] = await restored.all<{ ts: number }>(`SELECT min(ts) AS ts FROM events`);
    const [{ ts: originalTs }] = await original.all<{ ts: number }>(`SELECT min(ts) AS ts FROM events`);
    expect(ts).toBe(originalTs);

    const again = await detect(restored, { ...opened.context, policy: [] });
    expect(again.findings.map((f) => f.id)).toEqual(result.findings.map((f) => f.id));
    expect(again.findings.length).toBeGreaterThanOrEqual(2);
    original.close();
    restored.close();
  }, 60_000);

  it('refuses bad and newer files with a clear message and leaves the loaded data alone', async () => {
    const { engine, sources } = await loadedEngine();
    const { bytes } = await save(engine, stateOf(sources));
    const entries = unzipSync(bytes);
    const doc = JSON.parse(strFromU8(entries['workspace.json']));
    const withDoc = (patch: (d: typeof doc) => void) => {
      const copy = structuredClone(doc);
      patch(copy);
      return zipSync({ ...entries, 'workspace.json': strToU8(JSON.stringify(copy)) });
    };
    const cases: [Uint8Array, RegExp][] = [
      [strToU8('hello, not a zip'), /not a readable zip/],
      [zipSync({ 'notes.txt': strToU8('x') }), /has no workspace\.json/],
      [withDoc((d) => (d.format = 'something.else')), /format is not relaywatch\.workspace/],
      [withDoc((d) => (d.version = 2)), /saved by a newer Relaywatch \(workspace format 2\)/],
      [withDoc((d) => d.manifest.tables.push({ name: 'catalog_services', columns: [{ name: 'id', type: 'VARCHAR' }], rows: 0, files: [] })), /unexpected table 'catalog_services'/],
      [withDoc((d) => (d.manifest.tables[0].columns[0].name = 'evil"); DROP TABLE events; --')), /unknown column/],
      [withDoc((d) => (d.manifest.tables[0].files = ['tables/nowhere.arrow'])), /page of events is missing/],
      [withDoc((d) => (d.context.catalog = { version: 'x' })), /service catalog is invalid/],
    ];
    for (const [file, message] of cases) {
      expect(() => readWorkspace(file)).toThrow(WorkspaceError);
      await expect(openWorkspace(nativeWorkspaceEngine(engine), file)).rejects.toThrow(message);
    }
    const [{ n }] = await engine.all<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(n).toBe(490);

    const miscounted = withDoc((d) => (d.manifest.tables[0].rows = 12));
    await expect(openWorkspace(nativeWorkspaceEngine(engine), miscounted)).rejects.toThrow(/events has 490 rows where its manifest says 12/);
    engine.close();
  }, 60_000);

  it('keeps plain settings and drops keys that would reach a prototype', async () => {
    const engine = await NativeEngine.open();
    await engine.exec(canonicalDdl());
    const { bytes } = await save(engine, stateOf([]));
    engine.close();
    const entries = unzipSync(bytes);
    const json = strFromU8(entries['workspace.json']).replace('"params":{', '"params":{"__proto__":{"polluted":true},"constructor":1,"bad-name":2,"nested":{"x":1},');
    const { state, tables } = readWorkspace(zipSync({ ...entries, 'workspace.json': strToU8(json) }));
    expect(tables.map((t) => [t.name, t.rows, t.files.length])).toEqual([['events', 0, 0], ['sources', 0, 0], ['rejections', 0, 0]]);
    expect({ ...state.settings.params }).toEqual({ periodic_min_events: 8 });
    expect(Object.getPrototypeOf(state.settings.params)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
