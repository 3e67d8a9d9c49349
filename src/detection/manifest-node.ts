import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDetectionPack, type DetectionPack } from './manifest.ts';

const PACK_DIR = dirname(fileURLToPath(import.meta.url));

/** Reads the SQL pack (baselines/, stages/, analytics/) from disk for the CLI and unit tests. */
export function nodeSqlSources(root = PACK_DIR): { path: string; text: string }[] {
  return (['baselines', 'stages', 'analytics'] as const).flatMap((folder) =>
    readdirSync(join(root, folder))
      .filter((name) => name.endsWith('.sql'))
      .map((name) => ({ path: `${folder}/${name}`, text: readFileSync(join(root, folder, name), 'utf8') })),
  );
}

/** The detection pack as loaded from disk. */
export function loadNodeDetectionPack(root = PACK_DIR): DetectionPack {
  return loadDetectionPack(nodeSqlSources(root));
}
