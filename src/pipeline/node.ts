/**
 * The pipeline's parameters in Node (the CLI, the benchmarks, tests): inputs are paths on disk, DuckDB opens a
 * path itself, parsing happens in this process, and the pack and context SQL are read from the repository.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readContextSql } from '../context/sql-files-node.ts';
import { loadNodeDetectionPack } from '../detection/manifest-node.ts';
import { analyzeInThread, type PeriodicityAnalyzer } from '../detection/detect.ts';
import { pooledAnalyzer } from '../detection/periodicity/pool.ts';
import type { PeriodicityResult } from '../detection/periodicity/index.ts';
import type { SqlEngine } from '../engine/sql-engine.ts';
import { inProcessLoader, type AnalysisInput, type AnalyzeOptions, type LoadOptions } from './pipeline.ts';

/** A file on disk, with the name reported in `sources[]` (folder-relative inside a folder argument). */
export interface PathInput extends AnalysisInput {
  readonly path: string;
}

export function pathInput(name: string, path: string, size: number): PathInput {
  return {
    name,
    path,
    size,
    async slice(start, end) {
      const handle = await open(path, 'r');
      try {
        const buffer = new Uint8Array(Math.max(0, end - start));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    chunks: () => fileChunks(path),
  };
}

/** Expands files and folders (recursively, in a stable order) into the inputs to read; missing paths are problems. */
export async function collectInputs(paths: readonly string[]): Promise<{ inputs: PathInput[]; problems: string[] }> {
  const inputs: PathInput[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      problems.push(`${path}: no such file or folder`);
      continue;
    }
    if (info.isDirectory()) await walk(path, path, inputs);
    else inputs.push(pathInput(basename(path), path, info.size));
  }
  return { inputs, problems };
}

async function walk(root: string, dir: string, out: PathInput[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) out.push(pathInput(join(basename(root), relative(root, full)), full, (await stat(full)).size));
  }
}

/** A file's bytes as the async chunks the ingest pipeline reads. */
export async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
}

/** The detection pack and context SQL, read from the repository's .sql files. */
export function nodeAnalysis(): Pick<AnalyzeOptions, 'pack' | 'contextSql' | 'analyzePeriodicity'> {
  return { pack: loadNodeDetectionPack(), contextSql: readContextSql(), analyzePeriodicity: nodePeriodicityAnalyzer };
}

/** Below this many timestamps in a batch, starting a thread costs more than it saves. */
const THREADED_BATCH_POINTS = 200_000;

/**
 * The timing analysis on this thread and on one worker thread per further core (DuckDB waits meanwhile). The
 * threads start on the first big batch, are shared by every analysis of the process, and never keep it alive.
 */
const nodePeriodicityAnalyzer: PeriodicityAnalyzer = (series, options) => {
  const points = series.reduce((n, times) => n + times.length, 0);
  if (points < THREADED_BATCH_POINTS) return analyzeInThread(series, options);
  threadPool ??= pooledAnalyzer([analyzeInThread, ...Array.from({ length: Math.max(0, availableParallelism() - 1) }, threadAnalyzer)]);
  return threadPool(series, options);
};
let threadPool: PeriodicityAnalyzer | null = null;

function threadAnalyzer(): PeriodicityAnalyzer {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { done: (results: PeriodicityResult[]) => void; fail: (error: Error) => void }>();
  return (series, options) => {
    if (!worker) {
      worker = new Worker(new URL('./periodicity-thread.mjs', import.meta.url));
      worker.on('message', ({ id, results, error }: { id: number; results?: PeriodicityResult[]; error?: string }) => {
        const call = pending.get(id)!;
        pending.delete(id);
        // An idle thread must not keep the process alive (a 'message' listener refs it again, so unref here).
        if (pending.size === 0) worker?.unref();
        if (error === undefined) call.done(results!);
        else call.fail(new Error(`timing analysis thread: ${error}`));
      });
      worker.on('error', (error) => {
        for (const call of pending.values()) call.fail(error);
        pending.clear();
        worker = null;
      });
    }
    const id = nextId++;
    const arrays = series.map((times) => Float64Array.from(times));
    return new Promise((done, fail) => {
      pending.set(id, { done, fail });
      worker!.ref();
      worker!.postMessage({ id, series: arrays, options }, arrays.map((a) => a.buffer));
    });
  };
}

/** How Node loads files on disk: DuckDB reads plain Zeek TSV from its path, this process parses the rest. */
export function nodeLoading(engine: SqlEngine): Pick<LoadOptions<PathInput>, 'loader' | 'openInEngine'> {
  return {
    loader: inProcessLoader(engine),
    openInEngine: async (input) => ({ ref: input.path, release: async () => {} }),
  };
}
