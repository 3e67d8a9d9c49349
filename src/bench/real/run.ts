/**
 * `npm run bench:real` (tsx src/bench/real/run.ts): the CLI pipeline (`relaywatch analyze`, in-process) on every
 * dataset folder of the real labelled captures, then (a) every file's read / loaded / rejected counts and format and
 * (b) every labelled item's rank among its dataset's findings (matching rule in ./labels.ts), with the share of
 * labelled C2 in the top 5. Writes the JSON to bench-results/real-<date>.json.
 *
 *   --data DIR   the folder of dataset folders (default $RELAYWATCH_SAMPLES/real-labelled); labels.json is optional
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeCommand } from '../../cli/analyze.ts';
import type { FindingsExport } from '../../detection/export.ts';
import { sampleDir } from '../../test-support/sample-data.ts';
import { analyzeInputs } from './datasets.ts';
import { labelRank, type LabelsFile } from './labels.ts';

const RESULTS = 'bench-results';
const TOP = 5;
/** Runs `analyze` with its progress lines held back (shown only when it fails). */
async function analyzeQuietly(args: string[]): Promise<{ code: number; stderr: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await analyzeCommand(args), stderr };
  } finally {
    process.stderr.write = original;
  }
}

interface DatasetResult {
  dataset: string;
  exit_code: number;
  seconds: number;
  findings: number;
  sources: FindingsExport['sources'];
  labels: { kind: string; src: string; dst: string; rank: number | null; what: string }[];
}

async function runDataset(dir: string, dataset: string, labels: LabelsFile, tmp: string): Promise<DatasetResult> {
  const out = join(tmp, `${dataset}.json`);
  const started = Date.now();
  const { code, stderr } = await analyzeQuietly(['--out', out, ...analyzeInputs(join(dir, dataset))]);
  const exported: FindingsExport | null = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null;
  if (!exported) process.stderr.write(`bench: ${dataset}: analyze wrote nothing (exit ${code})\n${stderr}`);
  const findings = exported?.findings ?? [];
  return {
    dataset,
    exit_code: code,
    seconds: (Date.now() - started) / 1000,
    findings: findings.length,
    sources: exported?.sources ?? [],
    labels: (labels[dataset]?.malicious ?? []).map((label) => ({
      kind: label.kind,
      src: label.src,
      dst: `${label.domain ?? label.dst_ip ?? '(various)'}${label.port == null ? '' : `:${label.port}`}`,
      rank: labelRank(label, findings),
      what: label.what.slice(0, 80),
    })),
  };
}

const markdownRow = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;

function printReport(results: readonly DatasetResult[]): void {
  const lines = ['Files', '', markdownRow(['dataset', 'file', 'format', 'read', 'loaded', 'rejected']), '|---|---|---|---|---|---|'];
  for (const r of results) {
    for (const s of r.sources) lines.push(markdownRow([r.dataset, s.name, s.format, s.rows_read, s.rows_loaded, s.rows_rejected]));
  }
  lines.push('', 'Labelled items (rank among the dataset\'s findings; – = no finding matches)', '');
  lines.push(markdownRow(['dataset', 'kind', 'source → destination', 'rank', 'findings']), '|---|---|---|---|---|');
  for (const r of results) {
    for (const l of r.labels) lines.push(markdownRow([r.dataset, l.kind, `${l.src} → ${l.dst}`, l.rank ?? '–', r.findings]));
  }
  const c2 = results.flatMap((r) => r.labels.filter((l) => l.kind === 'c2'));
  const top = c2.filter((l) => l.rank !== null && l.rank <= TOP).length;
  const rejected = results.reduce((n, r) => n + r.sources.reduce((m, s) => m + s.rows_rejected, 0), 0);
  lines.push('', `${top} of ${c2.length} labelled C2 in top ${TOP}; ${rejected} records rejected in all files.`);
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' } } });
  const dir = values.data ?? sampleDir('real-labelled');
  if (!dir || !existsSync(dir)) {
    process.stdout.write('bench:real: no data folder (set RELAYWATCH_SAMPLES to the folder holding real-labelled/, or pass --data DIR); nothing to do.\n');
    return;
  }
  const labelsPath = join(dir, 'labels.json');
  const labels: LabelsFile = existsSync(labelsPath) ? JSON.parse(readFileSync(labelsPath, 'utf8')) : {};
  const datasets = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const tmp = mkdtempSync(join(tmpdir(), 'relaywatch-bench-real-'));
  const results: DatasetResult[] = [];
  try {
    for (const dataset of datasets) {
      process.stderr.write(`bench: ${dataset}\n`);
      results.push(await runDataset(dir, dataset, labels, tmp));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  printReport(results);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `real-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ data: dir, results }, null, 2) + '\n');
  process.stderr.write(`bench: results written to ${file}\n`);
}

await main();
