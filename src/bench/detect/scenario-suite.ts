/**
 * Scenario benchmark: generates whole organisations with the scenario generator (a few seeds × difficulties),
 * runs the pipeline `relaywatch analyze` runs (src/pipeline/, inventory applied) on native DuckDB, and scores the ranked
 * findings against each answer key with exercise mode's scoring: precision and recall at the top N and at
 * severity ≥ medium, every incident's best rank, and the hard negatives' ranks (they should rank below the
 * incidents). Prints a table and writes bench-results/detect-scenarios.json.
 *
 *   npx tsx src/bench/detect/scenario-suite.ts [--quick]
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { shippedCatalog } from '../../context/catalog.ts';
import { parseInventoryCsv } from '../../context/inventory.ts';
import type { Finding } from '../../detection/detect.ts';
import { ANSWER_KEY_FILE, INVENTORY_FILE, generateFiles, type AnswerKey, type Difficulty, type ScenarioOptions } from '../../generator/index.ts';
import { runAnalysis } from '../../pipeline/pipeline.ts';
import { collectInputs, nodeAnalysis, nodeLoading } from '../../pipeline/node.ts';
import { NativeEngine } from '../../engine/native-engine.ts';
import { atLeastSeverity, hostAddressesFromInventory, scoreSelection, topN, type SelectionScore } from '../../exercise/score.ts';

/** The top-N cut-off: roughly what an analyst triages in the first sitting. */
export const TOP_N = 10;

export interface ScenarioCase {
  seed: number;
  difficulty: Difficulty;
  options: Partial<ScenarioOptions>;
}

export interface ScenarioResult {
  seed: number;
  difficulty: Difficulty;
  hosts: number;
  days: number;
  events: number;
  findings: number;
  seconds: { generate: number; ingest: number; detect: number };
  top: Cut;
  mediumOrAbove: Cut;
  incidents: { id: string; behaviour: string; service: string; host: string; inLogs: boolean; bestRank: number | null; severity: string | null }[];
  hardNegatives: { reason: string; service: string; process: string; bestRank: number | null }[];
  /** Hard-negative findings ranked above the worst-ranked detected incident. */
  hardNegativesAboveIncidents: number;
}

interface Cut {
  selected: number;
  precision: number | null;
  recall: number | null;
  hardNegatives: number;
}

const cut = (score: SelectionScore): Cut => ({
  selected: score.selectedCount,
  precision: score.precision,
  recall: score.recall,
  hardNegatives: score.hardNegativesMarked,
});

/** Seeds × difficulties, sized so the full suite stays within about three minutes on two cores. */
export function scenarioCases(quick: boolean): ScenarioCase[] {
  const seeds = quick ? [101] : [101, 202];
  const difficulties: Difficulty[] = ['easy', 'realistic', 'hard'];
  return seeds.flatMap((seed) =>
    difficulties.map((difficulty) => ({ seed, difficulty, options: { seed, difficulty, hosts: 30, days: 2, incidents: 6, noise: 0.5 } })),
  );
}

/** Writes the scenario's files under `dir`; returns the answer key. */
function writeScenario(dir: string, options: Partial<ScenarioOptions>): AnswerKey {
  const handles = new Map<string, number>();
  let key: AnswerKey | null = null;
  try {
    for (const chunk of generateFiles(options)) {
      if (chunk.name === ANSWER_KEY_FILE) {
        key = JSON.parse(chunk.text ?? '') as AnswerKey;
        continue;
      }
      let fd = handles.get(chunk.name);
      if (fd === undefined) {
        mkdirSync(dirname(join(dir, chunk.name)), { recursive: true });
        fd = openSync(join(dir, chunk.name), 'w');
        handles.set(chunk.name, fd);
      }
      if (chunk.bytes) writeSync(fd, chunk.bytes);
      else writeSync(fd, chunk.text);
    }
  } finally {
    for (const fd of handles.values()) closeSync(fd);
  }
  if (!key) throw new Error('the generator produced no answer key');
  return key;
}

/** Generates one scenario, analyses it as the CLI would and scores the findings. */
export async function runScenario(c: ScenarioCase): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'relaywatch-scenario-'));
  const engine = await NativeEngine.open(':memory:');
  try {
    let t = performance.now();
    const key = writeScenario(dir, c.options);
    const generateS = (performance.now() - t) / 1000;

    t = performance.now();
    const inventoryPath = join(dir, INVENTORY_FILE);
    const logs = (await collectInputs([dir])).inputs.filter((i) => i.path !== inventoryPath);
    const inventory = parseInventoryCsv(readFileSync(inventoryPath, 'utf8'), { source: INVENTORY_FILE });
    if (inventory.issues.length) throw new Error(`inventory: ${inventory.issues.join('; ')}`);
    let analysing = 0;
    const { sources: summaries, detection } = await runAnalysis(engine, logs, { catalog: shippedCatalog(), inventories: [inventory.entries], policy: [] }, {
      ...nodeLoading(engine),
      ...nodeAnalysis(),
      utcOffsetMinutes: key.options.utcOffsetMinutes,
      onStage: (stage) => {
        if (stage === 'enrich') analysing = performance.now();
      },
    });
    const ingestS = (analysing - t) / 1000;
    const detectS = (performance.now() - analysing) / 1000;

    const findings: Finding[] = detection.findings;
    const addresses = hostAddressesFromInventory(inventory.entries);
    const top = scoreSelection(key, findings, topN(findings, TOP_N), addresses);
    const medium = scoreSelection(key, findings, atLeastSeverity(findings, 'medium'), addresses);
    const rankOf = (rank: number | null) => (rank === null ? null : findings[rank - 1] ?? null);
    const detectedRanks = top.incidents.filter((o) => o.inLogs && o.bestRank !== null).map((o) => o.bestRank!);
    const worstIncidentRank = detectedRanks.length ? Math.max(...detectedRanks) : 0;
    // Selecting every finding lists all hard-negative findings; count those ranked above an incident.
    const everything = scoreSelection(key, findings, new Set(findings.map((f) => f.id)), addresses);
    const hardNegativesAbove = new Set(everything.hardNegatives.flatMap((h) => h.selected).filter((s) => s.rank < worstIncidentRank).map((s) => s.id));
    return {
      seed: c.seed,
      difficulty: c.difficulty,
      hosts: key.organisation.hosts,
      days: key.options.days,
      events: summaries.reduce((n, s) => n + s.rows_loaded, 0),
      findings: findings.length,
      seconds: { generate: generateS, ingest: ingestS, detect: detectS },
      top: cut(top),
      mediumOrAbove: cut(medium),
      incidents: top.incidents.map((o) => ({
        id: o.incident.id,
        behaviour: o.incident.behaviour,
        service: o.incident.service_id,
        host: o.incident.source.hostname,
        inLogs: o.inLogs,
        bestRank: o.bestRank,
        severity: rankOf(o.bestRank)?.severity ?? null,
      })),
      hardNegatives: top.hardNegatives.map((h) => ({ reason: h.negative.reason, service: h.negative.service, process: h.negative.process, bestRank: h.bestRank })),
      hardNegativesAboveIncidents: hardNegativesAbove.size,
    };
  } finally {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);

/** One line per scenario, then each incident's best rank and the hard negatives that outranked an incident. */
export function formatScenarioTable(results: readonly ScenarioResult[]): string {
  const lines = [
    `${'scenario'.padEnd(18)} ${'events'.padStart(8)} ${'find.'.padStart(5)} | ${`P@${TOP_N}`.padStart(5)} ${`R@${TOP_N}`.padStart(5)} ${'HN'.padStart(3)} | ${'P≥med'.padStart(5)} ${'R≥med'.padStart(5)} ${'n'.padStart(4)} ${'HN'.padStart(3)} | ${'HN>inc'.padStart(6)} | incident best ranks`,
  ];
  for (const r of results) {
    const ranks = r.incidents.map((i) => (!i.inLogs ? `${i.behaviour}:absent` : `${i.behaviour}:${i.bestRank ?? 'miss'}`)).join(' ');
    lines.push(
      `${`${r.difficulty} #${r.seed}`.padEnd(18)} ${String(r.events).padStart(8)} ${String(r.findings).padStart(5)} | ` +
        `${pct(r.top.precision).padStart(5)} ${pct(r.top.recall).padStart(5)} ${String(r.top.hardNegatives).padStart(3)} | ` +
        `${pct(r.mediumOrAbove.precision).padStart(5)} ${pct(r.mediumOrAbove.recall).padStart(5)} ${String(r.mediumOrAbove.selected).padStart(4)} ${String(r.mediumOrAbove.hardNegatives).padStart(3)} | ` +
        `${String(r.hardNegativesAboveIncidents).padStart(6)} | ${ranks}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const started = performance.now();
  const results: ScenarioResult[] = [];
  for (const c of scenarioCases(quick)) {
    const result = await runScenario(c);
    results.push(result);
    const s = result.seconds;
    process.stderr.write(`scenario ${c.difficulty} #${c.seed}: generate ${s.generate.toFixed(1)} s, ingest ${s.ingest.toFixed(1)} s, detect ${s.detect.toFixed(1)} s\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`Scenario benchmark: generated organisations, analysed as 'relaywatch analyze' does, scored like exercise mode.`);
  console.log(`P/R@${TOP_N} = precision/recall of the top ${TOP_N} findings; ≥med = findings of severity medium or above (n of them);`);
  console.log('HN = hard-negative findings selected; HN>inc = hard-negative findings ranked above the worst-ranked detected incident.\n');
  console.log(formatScenarioTable(results));
  console.log(`\nFinished in ${seconds.toFixed(1)} s.`);
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(
    'bench-results/detect-scenarios.json',
    JSON.stringify({ suite: 'detect-scenarios', version: 1, generated_at: new Date().toISOString(), quick, top_n: TOP_N, seconds, results }, null, 2),
  );
  console.log('Wrote bench-results/detect-scenarios.json');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
