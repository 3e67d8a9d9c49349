/** The files of a real-capture dataset folder that are logs (licences, upstream READMEs and metadata ship beside them). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const NOT_A_LOG = /^(licen[cs]e|readme|citation|notice|sha256sums)|\.(md|ya?ml|cff|txt)$/i;

/** Whether a file name is a log rather than documentation shipped beside it. */
export const isLogName = (name: string): boolean => !NOT_A_LOG.test(name);

/** Every log file under `dir`, recursively, in a stable order. */
export function logFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return logFiles(path);
      return entry.isFile() && isLogName(entry.name) ? [path] : [];
    });
}

/**
 * What to hand `relaywatch analyze` for one dataset: folders holding only logs as folders (so files keep their
 * folder-relative names, as two runs' `conn.log` must not collide), otherwise the log files one by one.
 */
export function analyzeInputs(dir: string): string[] {
  const inputs: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const onlyLogs = readdirSync(path, { withFileTypes: true }).every((e) => e.isFile() && isLogName(e.name));
      inputs.push(...(onlyLogs ? [path] : analyzeInputs(path)));
    } else if (entry.isFile() && isLogName(entry.name)) {
      inputs.push(path);
    }
  }
  return inputs;
}
