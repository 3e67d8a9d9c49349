/**
 * Node-side helpers for the parity specs: inputs made with `relaywatch generate`, runs of `relaywatch analyze`
 * as a child process, and reads of the database the CLI kept on disk.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { NativeEngine } from '../../src/engine/native-engine.ts';

/** Absolute path of a repo-relative path. */
export const repoPath = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Where the parity specs write their inputs and the CLI's outputs (under Playwright's output folder). */
export const PARITY_DIR = repoPath('test-results/parity');

export interface CliRun {
  code: number;
  stderr: string;
}

/** Runs `node src/cli/relaywatch.mjs …args` from the repo root; the exit code is returned, not thrown. */
export function runCli(args: readonly string[]): CliRun {
  const run = spawnSync(process.execPath, [repoPath('src/cli/relaywatch.mjs'), ...args], {
    cwd: repoPath('.'),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.error) throw run.error;
  return { code: run.status ?? -1, stderr: run.stderr };
}

/** Runs one vitest file in a child process (it writes files the spec then reads); throws with its output on failure. */
export function runVitestFile(path: string): void {
  const run = spawnSync(process.execPath, [repoPath('node_modules/vitest/vitest.mjs'), 'run', path], {
    cwd: repoPath('.'),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`vitest ${path} failed:\n${run.stdout}\n${run.stderr}`);
}

export interface MixedScenario {
  /** Folder holding only the log files (one gzipped) and an unrecognised text file. */
  logDir: string;
  /** Every file in logDir, for the browser's file input. */
  files: string[];
  inventory: string;
  utcOffsetMinutes: number;
  /** Name of the gzipped member as a source ("access.log"), and its line count before compression. */
  gzipped: { name: string; lines: number };
  unrecognised: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/**
 * Generates a small scenario (12 hosts, 1 day, 3 incidents, seed 7), copies its logs into their own folder,
 * gzips the Squid log there and adds a notes file no adapter recognises.
 */
export function prepareMixedScenario(): MixedScenario {
  const generated = join(PARITY_DIR, 'scenario');
  const logDir = join(PARITY_DIR, 'mixed');
  rmSync(generated, { recursive: true, force: true });
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(PARITY_DIR, { recursive: true });
  const run = runCli(['generate', '--hosts', '12', '--days', '1', '--incidents', '3', '--seed', '7', '--out', generated]);
  if (run.code !== 0) throw new Error(`relaywatch generate failed (${run.code}): ${run.stderr}`);

  const answerKey = JSON.parse(readFileSync(join(generated, 'answer-key.json'), 'utf8')) as { organisation: { utc_offset_minutes: number } };
  for (const entry of readdirSync(generated, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'inventory') cpSync(join(generated, entry.name), join(logDir, entry.name), { recursive: true });
  }
  const squid = join(logDir, 'proxy', 'access.log');
  const squidText = readFileSync(squid);
  writeFileSync(`${squid}.gz`, gzipSync(squidText));
  unlinkSync(squid);
  const unrecognised = join(logDir, 'notes.txt');
  writeFileSync(unrecognised, 'Shift hand-over notes\nNothing here is a log line; the workbench should say so.\n');

  const files = filesUnder(logDir);
  if (files.some((f) => statSync(f).size === 0)) throw new Error('the generator wrote an empty log file');
  return {
    logDir,
    files,
    inventory: join(generated, 'inventory', 'assets.csv'),
    utcOffsetMinutes: answerKey.organisation.utc_offset_minutes,
    gzipped: { name: 'access.log', lines: squidText.toString('utf8').split('\n').filter((l) => l.trim() !== '').length },
    unrecognised: 'notes.txt',
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte|sql|json|css|html)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The specs compare the production build (dist/) with the CLI, which runs the sources directly: a build older
 * than the sources would show up as parity failures that are not real. Throws naming the newer sources.
 */
export function assertBuildIsCurrent(): void {
  const built = statSync(repoPath('dist/index.html'), { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) throw new Error('dist/ is missing: run `npx vite build` before these specs');
  const newer = [...sourceFiles(repoPath('src')), ...sourceFiles(repoPath('workers'))].filter((f) => statSync(f).mtimeMs > built);
  if (newer.length) {
    throw new Error(`dist/ is older than ${newer.length} source file(s), e.g. ${newer.slice(0, 3).join(', ')}: run \`npx vite build\` again`);
  }
}

/** One numeric answer from a DuckDB database the CLI kept with --db. */
export async function queryNumber(dbPath: string, sql: string): Promise<number> {
  const engine = await NativeEngine.open(dbPath);
  try {
    const [row] = await engine.all<Record<string, unknown>>(sql);
    return Number(Object.values(row ?? {})[0]);
  } finally {
    engine.close();
  }
}

export interface CaptureScenario {
  capture: string;
  inventory: string;
  utcOffsetMinutes: number;
}

/** The same small scenario written as one packet capture (12 hosts, 1 day, 3 incidents, seed 7). */
export function prepareCaptureScenario(): CaptureScenario {
  const generated = join(PARITY_DIR, 'capture');
  rmSync(generated, { recursive: true, force: true });
  mkdirSync(PARITY_DIR, { recursive: true });
  const run = runCli(['generate', '--hosts', '12', '--days', '1', '--incidents', '3', '--seed', '7', '--formats', 'pcap', '--out', generated]);
  if (run.code !== 0) throw new Error(`relaywatch generate failed (${run.code}): ${run.stderr}`);
  const answerKey = JSON.parse(readFileSync(join(generated, 'answer-key.json'), 'utf8')) as { organisation: { utc_offset_minutes: number } };
  return {
    capture: join(generated, 'pcap', 'edge.pcap'),
    inventory: join(generated, 'inventory', 'assets.csv'),
    utcOffsetMinutes: answerKey.organisation.utc_offset_minutes,
  };
}
