// `npm run package`: turns dist/ (from `vite build`) into release/relaywatch-<version>.zip and its .sha256.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRelease } from './build-release.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

const release = buildRelease({ distDir: join(repoRoot, 'dist'), outDir: join(repoRoot, 'release'), version });
console.log(`Wrote ${relative(repoRoot, release.zipPath)} (${release.checksummedFiles} files in SHA256SUMS)`);
console.log(`SHA-256 ${release.zipSha256}  ${relative(repoRoot, release.checksumPath)}`);
console.log(`Unpacked copy: ${relative(repoRoot, release.folderPath)} (try: node ${relative(repoRoot, join(release.folderPath, 'serve.mjs'))})`);
