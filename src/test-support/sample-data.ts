import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Optional real sample data lives outside the repository, in the folder `RELAYWATCH_SAMPLES` names.
 * Returns the absolute path of `relative` inside it, or null when the variable is unset or the path does not exist,
 * so tests can `it.skipIf(!dir)`.
 */
export function sampleDir(relative: string): string | null {
  const root = process.env.RELAYWATCH_SAMPLES;
  if (!root) return null;
  const path = resolve(root, relative);
  return existsSync(path) ? path : null;
}
