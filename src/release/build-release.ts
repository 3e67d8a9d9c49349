// Packs a production build into the offline release: a deterministic zip with the launcher, an air-gap README
// and SHA256SUMS inside, plus a `sha256sum`-format checksum file next to it.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';

/** DOS zip times are local-time fields, so build the date from local parts: same bytes in every time zone. */
const FIXED_ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);
const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/;
/** `sha256sum` escapes these in file names, which other verifiers do not understand; refuse them instead. */
const UNSAFE_NAME_PATTERN = /[\\\n\r\0]/;

export interface ReleaseOptions {
  /** The production build (`vite build` output); must contain index.html. */
  distDir: string;
  /** Where the release folder, zip and checksum file are written. */
  outDir: string;
  version: string;
  launcherPath?: string;
  readmeTemplatePath?: string;
}

export interface ReleaseResult {
  /** `relaywatch-<version>` */
  name: string;
  folderPath: string;
  zipPath: string;
  checksumPath: string;
  zipSha256: string;
  /** Files listed in SHA256SUMS (everything in the release except SHA256SUMS itself). */
  checksummedFiles: number;
}

/** Hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Lists regular files under `root` as sorted POSIX-style relative paths; symlinks and special files are refused. */
export function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(join(root, relativeDir), { withFileTypes: true })) {
      const relativePath = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relativePath);
      else if (entry.isFile()) files.push(relativePath);
      else throw new Error(`refusing to package ${relativePath}: not a regular file or folder`);
    }
  };
  walk('');
  return files.sort();
}

/** `sha256sum` text-mode lines (`<hex>  <path>`), sorted by path, for the given release-relative files. */
export function formatSha256Sums(files: ReadonlyMap<string, Uint8Array>): string {
  return [...files.keys()]
    .sort()
    .map((path) => `${sha256Hex(files.get(path)!)}  ${path}\n`)
    .join('');
}

/**
 * Builds `relaywatch-<version>/` (app/, serve.mjs, README-AIRGAPPED.md, SHA256SUMS) under `outDir`, the same
 * tree as `relaywatch-<version>.zip`, and `relaywatch-<version>.zip.sha256`. The same build gives the same zip bytes.
 */
export function buildRelease(options: ReleaseOptions): ReleaseResult {
  const { distDir, outDir, version } = options;
  if (!VERSION_PATTERN.test(version)) throw new Error(`invalid version "${version}"`);
  const launcherPath = options.launcherPath ?? fileURLToPath(new URL('./serve.mjs', import.meta.url));
  const readmeTemplatePath = options.readmeTemplatePath ?? fileURLToPath(new URL('./README-AIRGAPPED.md', import.meta.url));

  const appFiles = listFiles(distDir);
  if (!appFiles.includes('index.html')) throw new Error(`${distDir} has no index.html: run "vite build" first`);
  const unsafeName = appFiles.find((path) => UNSAFE_NAME_PATTERN.test(path));
  if (unsafeName !== undefined) throw new Error(`refusing to package a file name with \\, NUL or a line break: ${JSON.stringify(unsafeName)}`);

  const files = new Map<string, Uint8Array>();
  for (const path of appFiles) files.set(`app/${path}`, readFileSync(join(distDir, path)));
  files.set('serve.mjs', readFileSync(launcherPath));
  files.set('README-AIRGAPPED.md', new TextEncoder().encode(readFileSync(readmeTemplatePath, 'utf8').replaceAll('{{VERSION}}', version)));
  const checksummedFiles = files.size;
  files.set('SHA256SUMS', new TextEncoder().encode(formatSha256Sums(files)));

  const name = `relaywatch-${version}`;
  const folderPath = join(outDir, name);
  rmSync(folderPath, { recursive: true, force: true });
  const zipEntries: Zippable = {};
  for (const path of [...files.keys()].sort()) {
    const bytes = files.get(path)!;
    zipEntries[`${name}/${path}`] = bytes;
    mkdirSync(dirname(join(folderPath, path)), { recursive: true });
    writeFileSync(join(folderPath, path), bytes);
  }

  const zipBytes = zipSync(zipEntries, { level: 6, mtime: FIXED_ZIP_TIME });
  const zipSha256 = sha256Hex(zipBytes);
  const zipPath = join(outDir, `${name}.zip`);
  const checksumPath = `${zipPath}.sha256`;
  writeFileSync(zipPath, zipBytes);
  writeFileSync(checksumPath, `${zipSha256}  ${name}.zip\n`);
  return { name, folderPath, zipPath, checksumPath, zipSha256, checksummedFiles };
}
