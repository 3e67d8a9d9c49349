/**
 * The CLI at scale: `relaywatch analyze` end to end in a child process (wall time and peak memory, in memory or
 * with `--db FILE` on disk), and the yardstick it is compared with: a bare native DuckDB read of the same Zeek
 * file into a table, nothing mapped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeEngine } from '../../engine/native-engine.ts';

const CHILD = new URL('./cli-child.mjs', import.meta.url).pathname;

export interface CliAnalyzeRun {
  ms: number;
  peakRssBytes: number;
  findings: number;
}

/** `relaywatch analyze` on `files` (with a database file on disk when `onDisk`), timed from spawn to exit. */
export async function measureCliAnalyze(files: readonly string[], onDisk: boolean): Promise<CliAnalyzeRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'rw-cli-scale-'));
  try {
    const out = join(scratch, 'findings.json');
    const args = ['analyze', '--out', out, ...(onDisk ? ['--db', join(scratch, 'analysis.duckdb')] : []), ...files];
    const started = performance.now();
    const stderr = await new Promise<string>((done, fail) => {
      const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', fail);
      child.on('close', (code) => (code === 0 ? done(text) : fail(new Error(`relaywatch analyze exited ${code}: ${text.slice(-2000)}`))));
    });
    const ms = performance.now() - started;
    const peak = /bench-peak-rss-kib (\d+)/.exec(stderr);
    if (!peak) throw new Error('relaywatch analyze did not report its peak memory');
    const findings = (JSON.parse(readFileSync(out, 'utf8')) as { findings: unknown[] }).findings.length;
    return { ms, peakRssBytes: Number(peak[1]) * 1024, findings };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A bare native read of a Zeek TSV log into a table: DuckDB's own type detection, header lines skipped, nothing mapped. */
export async function measureBareRead(path: string): Promise<{ ms: number; rows: number }> {
  const engine = await NativeEngine.open(':memory:');
  try {
    await engine.all('SET VARIABLE bare_path = ?', [path]);
    const started = performance.now();
    await engine.exec(`CREATE TABLE bare AS SELECT * FROM read_csv(getvariable('bare_path'), delim = '\t', header = false, skip = 8,
      nullstr = '-', quote = '', escape = '', ignore_errors = true)`);
    const ms = performance.now() - started;
    const [{ rows }] = await engine.all<{ rows: number }>('SELECT count(*) AS rows FROM bare');
    return { ms, rows: Number(rows) };
  } finally {
    engine.close();
  }
}
