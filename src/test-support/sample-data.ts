/**
 * Optional real sample data for tests and benchmarks. The repository stands alone, so the samples are never
 * required: point RELAYWATCH_SAMPLES at a folder that holds `real/`, `real-labelled/`, `pcaps/`, … and the tests
 * that use them run; without it they are skipped.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The absolute path of `relative` inside the sample folder, or null when the folder or the path is absent. */
export function sampleDir(relative: string): string | null {
  const root = process.env.RELAYWATCH_SAMPLES;
  if (!root) return null;
  const path = resolve(root, relative);
  return existsSync(path) ? path : null;
}
