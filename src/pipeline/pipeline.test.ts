import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NativeEngine } from '../engine/native-engine.ts';
import { shippedCatalog } from '../context/catalog.ts';
import { parseInventoryCsv } from '../context/inventory.ts';
import type { ContextData } from '../context/context.ts';
import { ANSWER_KEY_FILE, generateFiles, INVENTORY_FILE } from '../generator/index.ts';
import { runQuery } from '../engine/sql-engine.ts';
import { pairSpanQuery } from '../queries/finding-charts.ts';
import { analyzeLoaded, inProcessLoader, loadInputs, runAnalysis, type AnalysisRun, type AnalysisStage, type Loader } from './pipeline.ts';
import { collectInputs, nodeAnalysis, nodeLoading, pathInput, type PathInput } from './node.ts';

let dir: string;
let logs: PathInput[];
let context: ContextData;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relaywatch-pipeline-'));
  const scenario = join(dir, 'scenario');
  for (const chunk of generateFiles({ seed: 11, hosts: 5, days: 1, incidents: 2 })) {
    if (chunk.name === ANSWER_KEY_FILE) continue;
    mkdirSync(dirname(join(scenario, chunk.name)), { recursive: true });
    appendFileSync(join(scenario, chunk.name), chunk.bytes ?? chunk.text);
  }
  const inventoryPath = join(scenario, INVENTORY_FILE);
  logs = (await collectInputs([scenario])).inputs.filter((i) => i.path !== inventoryPath);
  const inventory = parseInventoryCsv(readFileSync(inventoryPath, 'utf8'), { source: INVENTORY_FILE });
  context = { catalog: shippedCatalog(), inventories: [inventory.entries], policy: [] };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A loader that notes which inputs reached it. */
function recording(engine: NativeEngine, seen: string[]): Loader<PathInput> {
  const parse = inProcessLoader<PathInput>(engine);
  return (input, options) => {
    seen.push(input.name);
    return parse(input, options);
  };
}

async function analyse(engine: NativeEngine, openInEngine: boolean, seen: string[], stages: AnalysisStage[] = []): Promise<AnalysisRun> {
  return runAnalysis(engine, logs, context, {
    ...nodeAnalysis(),
    loader: recording(engine, seen),
    openInEngine: openInEngine ? nodeLoading(engine).openInEngine : undefined,
    utcOffsetMinutes: 0,
    onStage: (stage) => stages.push(stage),
  });
}

const zeekTsv = (name: string) => /(^|\/)zeek\/[^/]+\.log$/.test(name);

describe('runAnalysis', () => {
  it('loads every input, Zeek TSV through DuckDB when it can open the file, then enriches, applies context and detects', async () => {
    const engine = await NativeEngine.open();
    try {
      const parsed: string[] = [];
      const stages: AnalysisStage[] = [];
      const run = await analyse(engine, true, parsed, stages);
      expect(stages).toEqual(['load', 'enrich', 'context', 'detect']);
      expect(logs.some((i) => zeekTsv(i.name))).toBe(true);
      expect(parsed).toEqual(logs.map((i) => i.name).filter((name) => !zeekTsv(name)));
      for (const s of run.sources) expect(s.rows_read, s.name).toBe(s.rows_loaded + s.rows_rejected);
      expect(run.sources.every((s) => s.status === 'loaded' && s.rows_loaded > 0)).toBe(true);
      expect(run.sources.every((s) => /^[0-9a-f]{64}$/.test(s.sha256 ?? ''))).toBe(true);
      const [recorded] = await engine.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sources');
      expect(recorded.n).toBe(run.sources.length);
      // Flows, DNS and Sysmon of the same hosts: enrichment links some of them.
      expect(Object.values(run.enriched).some((n) => n > 0)).toBe(true);
      expect(run.context.inventoryEntries).toBeGreaterThan(0);
      expect(run.detection.findings.length).toBeGreaterThan(0);
      expect(Object.keys(run.timings).slice(0, 3)).toEqual(['enrichment', 'context', 'scoped-events']);

      // A finding's kept rows were filtered and keyed by this analysis: the next analysis starts without them.
      const [finding] = run.detection.findings;
      const [before] = await runQuery<{ n: number }>(engine, pairSpanQuery(finding));
      expect(before.n).toBeGreaterThan(0);
      await engine.exec('DELETE FROM events');
      await analyzeLoaded(engine, context, nodeAnalysis());
      const [after] = await runQuery<{ n: number }>(engine, pairSpanQuery(finding));
      expect(after.n).toBe(0);
    } finally {
      engine.close();
    }
  });

  it('finds the same when every file goes through the line parser', async () => {
    const [viaSql, viaParser] = [await NativeEngine.open(), await NativeEngine.open()];
    try {
      const parsed: string[] = [];
      const [a, b] = [await analyse(viaSql, true, []), await analyse(viaParser, false, parsed)];
      expect(parsed).toEqual(logs.map((i) => i.name));
      const rows = (run: AnalysisRun) => run.sources.map((s) => [s.name, s.format, s.rows_loaded, s.rows_rejected, s.sha256]);
      expect(rows(a)).toEqual(rows(b));
      const ranked = (run: AnalysisRun) => run.detection.findings.map((f) => [f.id, f.score]);
      expect(ranked(a)).toEqual(ranked(b));
    } finally {
      viaSql.close();
      viaParser.close();
    }
  });
});

describe('loadInputs', () => {
  it('counts the inputs it did not reach after cancellation, so every input has a row', async () => {
    const engine = await NativeEngine.open();
    try {
      const controller = new AbortController();
      const [first, ...rest] = logs;
      const summaries = await loadInputs(engine, logs, {
        ...nodeLoading(engine),
        utcOffsetMinutes: 0,
        signal: controller.signal,
        onSources: () => controller.abort(),
      });
      expect(summaries[0]).toMatchObject({ name: first.name, status: 'loaded' });
      expect(summaries.slice(1).map((s) => [s.name, s.status, s.message])).toEqual(
        rest.map((i) => [i.name, 'failed', 'Loading was cancelled.']),
      );
      const [recorded] = await engine.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sources');
      expect(recorded.n).toBe(logs.length);
    } finally {
      engine.close();
    }
  });

  it('a file read again with a chosen format replaces its empty entry, and the analysis stage runs alone', async () => {
    const engine = await NativeEngine.open();
    try {
      const path = join(dir, 'export.txt');
      // A few Squid lines below a page of notes no sniffer knows: unrecognised, until the user picks the format.
      const squid = readFileSync(logs.find((i) => i.name.endsWith('proxy/access.log'))!.path, 'utf8')
        .split('\n')
        .slice(0, 10);
      const notes = Array.from({ length: 60 }, (_, i) => `note ${i}: exported by the proxy console`);
      writeFileSync(path, [...notes, ...squid].join('\n'));
      const input = pathInput('export.txt', path, readFileSync(path).length);
      const options = { ...nodeLoading(engine), utcOffsetMinutes: 0 };
      const [unrecognised] = await loadInputs(engine, [input], options);
      expect(unrecognised.status).toBe('unrecognised');
      const [reread] = await loadInputs(engine, [input], { ...options, formatId: 'squid-native' });
      expect(reread).toMatchObject({ rows_loaded: 10, rows_rejected: 60 });
      expect(await engine.all('SELECT name, rows_loaded::INTEGER AS rows_loaded FROM sources')).toEqual([
        { name: 'export.txt', rows_loaded: 10 },
      ]);

      const { detection } = await analyzeLoaded(engine, context, nodeAnalysis());
      expect(detection.window.data_start).not.toBeNull();
    } finally {
      engine.close();
    }
  });
});
