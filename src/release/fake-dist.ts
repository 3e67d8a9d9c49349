// Test fixture: a tiny stand-in for `vite build` output, so release tests never need a real dist/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A WebAssembly header followed by bytes that would be mangled by any text-mode handling. */
export const FAKE_WASM = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0d, 0x0a, 0xff, 0xfe, 0x80, 0x00]);

export const FAKE_INDEX_HTML = '<!doctype html><html><head><title>Relaywatch test build</title></head><body><div id="app"></div></body></html>\n';

/** Files of the fake build, relative to its root. */
export const FAKE_DIST_FILES: Readonly<Record<string, string | Uint8Array>> = {
  'index.html': FAKE_INDEX_HTML,
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n',
  'assets/index-abc123.js': 'console.log("relaywatch");\n',
  'assets/index-abc123.css': 'body{margin:0}\n',
  'assets/duckdb-eh-def456.wasm': FAKE_WASM,
  'assets/catalog.json': '{"services":[]}\n',
};

/** Creates a fresh folder (inside `parentDir`, default the OS temp folder) holding the fake build; returns its path. */
export function makeFakeDist(parentDir: string = tmpdir()): string {
  const root = mkdtempSync(join(parentDir, 'relaywatch-fake-dist-'));
  for (const [path, content] of Object.entries(FAKE_DIST_FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
