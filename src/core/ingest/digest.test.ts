import { createHash } from 'node:crypto';
import { gzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ALL_ADAPTERS } from '../adapters/index.ts';
import { CheckingSink, chunked, loadSeeds } from './fuzz-support.ts';
import { ingestFile } from './pipeline.ts';
import { javascriptDigest, sha256OfBlob, sha256OfChunks } from './digest.ts';

const utf8 = new TextEncoder();
const SQUID = utf8.encode(loadSeeds().find((s) => s.name === 'squid/access.log')!.text);
const node = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const ingest = (name: string, bytes: Uint8Array) => ingestFile(name, chunked(bytes), new CheckingSink(), { adapters: ALL_ADAPTERS, utcOffsetMinutes: 0 });

describe('SHA-256 of every input, computed while it streams', () => {
  it('agrees with node:crypto on chunked streams and blobs', async () => {
    const bytes = new Uint8Array(300_001).map((_, i) => (i * 7) % 251);
    expect(await sha256OfChunks(chunked(bytes))).toBe(node(bytes));
    expect(await sha256OfBlob(new Blob([bytes]))).toBe(node(bytes));
  });

  it("the browser's JavaScript digest agrees with Node's native one", () => {
    const bytes = new Uint8Array(300_001).map((_, i) => (i * 13) % 253);
    const digest = javascriptDigest();
    for (let at = 0; at < bytes.length; at += 65_536) digest.update(bytes.subarray(at, at + 65_536));
    expect(digest.hex()).toBe(node(bytes));
  });

  it('hashes a plain file and a .gz file as supplied', async () => {
    const [plain] = await ingest('access.log', SQUID);
    expect(plain.sha256).toBe(node(SQUID));
    const gz = gzipSync(SQUID);
    const [gzipped] = await ingest('access.log.gz', gz);
    expect(gzipped.rows_loaded).toBe(plain.rows_loaded);
    expect(gzipped.sha256).toBe(node(gz));
  });

  it('hashes each archive member by its own uncompressed bytes, read to the end even when unrecognised', async () => {
    const junk = utf8.encode('not a log at all\n'.repeat(5000));
    const zip = zipSync({ 'logs/access.log': SQUID, 'notes.txt': junk, 'empty.log': new Uint8Array(0) });
    const summaries = await ingest('case.zip', zip);
    const byName = new Map(summaries.map((s) => [s.name, s]));
    expect(byName.get('case.zip/logs/access.log')?.sha256).toBe(node(SQUID));
    expect(byName.get('case.zip/notes.txt')?.status).toBe('unrecognised');
    expect(byName.get('case.zip/notes.txt')?.sha256).toBe(node(junk));
    expect(byName.get('case.zip/empty.log')?.sha256).toBe(node(new Uint8Array(0)));
  });

  it('hashes the whole file even when a line is rejected early and a binary file is refused', async () => {
    const binary = new Uint8Array(100_000).map((_, i) => (i * 131) % 256);
    const [refused] = await ingest('image.bin', binary);
    expect(refused.status).toBe('failed');
    expect(refused.sha256).toBe(node(binary));
  });
});
