import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

/** A file the CLI will read, with the name reported in `sources[]` (folder-relative inside a folder argument). */
export interface CliInput {
  name: string;
  path: string;
  size: number;
}

/** Expands files and folders (recursively, in a stable order) into the inputs to read; missing paths are problems. */
export async function collectInputs(paths: readonly string[]): Promise<{ inputs: CliInput[]; problems: string[] }> {
  const inputs: CliInput[] = [];
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
    else inputs.push({ name: basename(path), path, size: info.size });
  }
  return { inputs, problems };
}

async function walk(root: string, dir: string, out: CliInput[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) {
      out.push({ name: join(basename(root), relative(root, full)), path: full, size: (await stat(full)).size });
    }
  }
}

/** A file's bytes as the async chunks the ingest pipeline reads. */
export async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
}
