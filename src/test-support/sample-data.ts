/** Optional real sample data for tests, from the folder `RELAYWATCH_SAMPLES` names (never part of the repository). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** `relative` resolved under `RELAYWATCH_SAMPLES`; null when the variable is unset or the path does not exist. */
export function sampleDir(relative: string): string | null {
  const root = process.env.RELAYWATCH_SAMPLES;
  if (!root) return null;
  const path = resolve(root, relative);
  return existsSync(path) ? path : null;
}
