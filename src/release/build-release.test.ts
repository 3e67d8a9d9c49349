import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease, formatSha256Sums, sha256Hex, type ReleaseResult } from './build-release.ts';
import { FAKE_DIST_FILES, FAKE_INDEX_HTML, FAKE_WASM, makeFakeDist } from './fake-dist.ts';

const VERSION = '1.2.3-test';
const NAME = `relaywatch-${VERSION}`;
const scratch: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Parses `sha256sum` lines into path → hex, failing on any line in another format. */
function parseSha256Sums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const match = /^([0-9a-f]{64}) {2}(\S.*)$/.exec(line);
    expect(match, `SHA256SUMS line: ${line}`).not.toBeNull();
    sums.set(match![2], match![1]);
  }
  return sums;
}

/** Reads each central-directory entry's DOS modification date and time (the fields a wall clock would leak into). */
function zipEntryTimes(zip: Uint8Array): { name: string; dosDate: number; dosTime: number }[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22;
  expect(view.getUint32(end, true)).toBe(0x06054b50);
  const times = [];
  let offset = view.getUint32(end + 16, true);
  for (let index = 0; index < view.getUint16(end + 10, true); index += 1) {
    expect(view.getUint32(offset, true)).toBe(0x02014b50);
    const nameLength = view.getUint16(offset + 28, true);
    const name = new TextDecoder().decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    times.push({ name, dosTime: view.getUint16(offset + 12, true), dosDate: view.getUint16(offset + 14, true) });
    offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return times;
}

let distDir: string;
let first: ReleaseResult;
let second: ReleaseResult;
let entries: Record<string, Uint8Array>;

beforeAll(() => {
  distDir = makeFakeDist(tempDir('relaywatch-release-dist-'));
  first = buildRelease({ distDir, outDir: tempDir('relaywatch-release-a-'), version: VERSION });
  second = buildRelease({ distDir, outDir: tempDir('relaywatch-release-b-'), version: VERSION });
  entries = unzipSync(readFileSync(first.zipPath));
});

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('buildRelease', () => {
  it('packs app/, the launcher, the README and SHA256SUMS under relaywatch-<version>/ in sorted order', () => {
    const expected = [
      'README-AIRGAPPED.md',
      'SHA256SUMS',
      ...Object.keys(FAKE_DIST_FILES).map((path) => `app/${path}`),
      'serve.mjs',
    ]
      .map((path) => `${NAME}/${path}`)
      .sort();
    expect(Object.keys(entries)).toEqual(expected);
    expect(entries[`${NAME}/app/assets/duckdb-eh-def456.wasm`]).toEqual(FAKE_WASM);
    expect(new TextDecoder().decode(entries[`${NAME}/app/index.html`])).toBe(FAKE_INDEX_HTML);
    expect(entries[`${NAME}/serve.mjs`]).toEqual(new Uint8Array(readFileSync(new URL('./serve.mjs', import.meta.url))));
    expect(first.checksummedFiles).toBe(Object.keys(FAKE_DIST_FILES).length + 2);
  });

  it('writes a SHA256SUMS that covers and verifies every other file', () => {
    const sums = parseSha256Sums(new TextDecoder().decode(entries[`${NAME}/SHA256SUMS`]));
    const others = Object.keys(entries)
      .map((path) => path.slice(NAME.length + 1))
      .filter((path) => path !== 'SHA256SUMS');
    expect([...sums.keys()]).toEqual(others);
    for (const path of others) expect(sums.get(path), path).toBe(sha256Hex(entries[`${NAME}/${path}`]));
  });

  it('writes the zip checksum next to it in sha256sum format', () => {
    expect(first.zipPath).toBe(join(dirname(first.checksumPath), `${NAME}.zip`));
    expect(readFileSync(first.checksumPath, 'utf8')).toBe(`${sha256Hex(readFileSync(first.zipPath))}  ${NAME}.zip\n`);
    expect(first.zipSha256).toBe(sha256Hex(readFileSync(first.zipPath)));
  });

  it('is deterministic: the same build gives byte-identical zips', () => {
    expect(second.zipSha256).toBe(first.zipSha256);
    expect(readFileSync(second.zipPath)).toEqual(readFileSync(first.zipPath));
    expect(readFileSync(second.checksumPath, 'utf8')).toBe(readFileSync(first.checksumPath, 'utf8'));
  });

  it('stamps every entry with the fixed time 1980-01-01 00:00, whatever the clock says', () => {
    const times = zipEntryTimes(readFileSync(first.zipPath));
    expect(times.map((entry) => entry.name)).toEqual(Object.keys(entries));
    const january1980 = (0 << 9) | (1 << 5) | 1;
    for (const entry of times) expect([entry.name, entry.dosDate, entry.dosTime]).toEqual([entry.name, january1980, 0]);
  });

  it('changes the checksum when one byte of the build changes', () => {
    const changedDist = makeFakeDist(tempDir('relaywatch-release-changed-'));
    writeFileSync(join(changedDist, 'assets/index-abc123.js'), 'console.log("relaywatch!");\n');
    const changed = buildRelease({ distDir: changedDist, outDir: tempDir('relaywatch-release-c-'), version: VERSION });
    expect(changed.zipSha256).not.toBe(first.zipSha256);
  });

  it('fills the version and the three verification recipes into the README', () => {
    const readme = new TextDecoder().decode(entries[`${NAME}/README-AIRGAPPED.md`]);
    expect(readme).not.toContain('{{VERSION}}');
    expect(readme).toContain(`sha256sum -c ${NAME}.zip.sha256`);
    expect(readme).toContain(`shasum -a 256 -c ${NAME}.zip.sha256`);
    expect(readme).toContain(`Get-FileHash -Algorithm SHA256 .\\${NAME}.zip`);
    expect(readme).toContain('node serve.mjs');
    expect(readme).toContain('application/wasm');
  });

  it('leaves an unpacked copy identical to the zip contents', () => {
    for (const [path, bytes] of Object.entries(entries)) {
      expect(new Uint8Array(readFileSync(join(dirname(first.folderPath), path))), path).toEqual(bytes);
    }
  });

  const sha256sum = spawnSync('sha256sum', ['--version']).status === 0;
  it.skipIf(!sha256sum)('passes GNU sha256sum -c for the zip and for SHA256SUMS', () => {
    const zipCheck = spawnSync('sha256sum', ['-c', `${NAME}.zip.sha256`], { cwd: dirname(first.zipPath), encoding: 'utf8' });
    expect(zipCheck.stdout).toBe(`${NAME}.zip: OK\n`);
    const filesCheck = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: first.folderPath, encoding: 'utf8' });
    expect(filesCheck.status).toBe(0);
    expect(filesCheck.stdout.trim().split('\n')).toHaveLength(first.checksummedFiles);
  });

  it('refuses a build without index.html, a symlink in the build, or an unsafe version', () => {
    const emptyDist = tempDir('relaywatch-release-empty-');
    mkdirSync(join(emptyDist, 'assets'));
    writeFileSync(join(emptyDist, 'assets/a.js'), '');
    const outDir = tempDir('relaywatch-release-refused-');
    expect(() => buildRelease({ distDir: emptyDist, outDir, version: VERSION })).toThrow(/no index\.html/);
    const linkedDist = makeFakeDist(tempDir('relaywatch-release-linked-'));
    symlinkSync('/etc/hostname', join(linkedDist, 'assets', 'outside.txt'));
    expect(() => buildRelease({ distDir: linkedDist, outDir, version: VERSION })).toThrow(/not a regular file/);
    expect(() => buildRelease({ distDir, outDir, version: '../1.0' })).toThrow(/invalid version/);
  });

  it('formats SHA256SUMS sorted by path with two spaces', () => {
    const text = formatSha256Sums(new Map([['b.txt', new Uint8Array()], ['a.txt', new TextEncoder().encode('abc')]]));
    expect(text).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.txt\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b.txt\n',
    );
  });
});

describe('release end to end', () => {
  it('unzips into an empty folder and serves the app with `node serve.mjs --port 0`', async () => {
    const unpacked = tempDir('relaywatch-release-unpacked-');
    for (const [path, bytes] of Object.entries(unzipSync(readFileSync(first.zipPath)))) {
      mkdirSync(dirname(join(unpacked, path)), { recursive: true });
      writeFileSync(join(unpacked, path), bytes);
    }
    expect(existsSync(join(unpacked, NAME, 'node_modules'))).toBe(false);

    // Started from the folder above, so the launcher must find app/ next to itself, not in the working directory.
    const launcher = spawn(process.execPath, [join(NAME, 'serve.mjs'), '--port', '0'], { cwd: unpacked, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`launcher printed no address: ${output}`)), 5000);
        launcher.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[0]);
          }
        });
        launcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        launcher.once('exit', (code) => reject(new Error(`launcher exited with ${code}: ${output}`)));
      });

      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(FAKE_INDEX_HTML);
      const wasm = await fetch(`${url}assets/duckdb-eh-def456.wasm`);
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(FAKE_WASM);
    } finally {
      const exited = once(launcher, 'exit');
      launcher.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    }
  });
});
