/**
 * Hostile and oversized inputs through `ingestFile`: each must end in a summary with a clear message, keep
 * read = loaded + rejected, stay within bounded memory and time, and leave the pipeline usable for the next file.
 * Big inputs are generated lazily, chunk by chunk, never held whole.
 */
import { Gzip, gzipSync, Zip, ZipDeflate, zipSync } from 'fflate';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { ALL_ADAPTERS } from '../adapters/index.ts';
import { ARCHIVE_LIMITS } from './containers.ts';
import { assertCountsBalance, CheckingSink, chunked, encodeText, loadSeeds, type TestEncoding } from './fuzz-support.ts';
import { ingestFile, type SourceSummary } from './pipeline.ts';
import { MAX_LINE_CHARS } from './text.ts';
import { sampleDir } from '../../test-support/sample-data.ts';

const utf8 = new TextEncoder();
const seeds = new Map(loadSeeds().map((s) => [s.name, s.text]));
const fixture = (name: string) => seeds.get(name)!;
const SQUID = fixture('squid/access.log');
const ZEEK_CONN = fixture('zeek/conn.log');
const ZEEK_JSON = fixture('zeek/conn.ndjson');
const MB = 1024 * 1024;

async function ingest(name: string, chunks: AsyncIterable<Uint8Array>, sink = new CheckingSink()): Promise<{ summaries: SourceSummary[]; sink: CheckingSink }> {
  const summaries = await ingestFile(name, chunks, sink, { adapters: ALL_ADAPTERS, utcOffsetMinutes: 0 });
  assertCountsBalance(summaries);
  return { summaries, sink };
}

const ingestText = (name: string, text: string) => ingest(name, chunked(utf8.encode(text)));

/** The squid fixture's counts, from a clean run: what any later file must still give. */
const squidBaseline = await ingestText('access.log', SQUID);

/** After every hostile case, a good file must load exactly as on a fresh pipeline. */
afterEach(async () => {
  const { summaries, sink } = await ingestText('access.log', SQUID);
  expect(summaries).toEqual([{ ...squidBaseline.summaries[0], millis: summaries[0].millis }]);
  expect(sink.events).toBe(squidBaseline.sink.events);
});

/** `count` chunks of `size` bytes, all `byte`, made on demand. */
async function* repeatedBytes(byte: number, size: number, count: number): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(size).fill(byte);
  for (let i = 0; i < count; i++) yield chunk;
}

async function* concatStreams(...parts: (Uint8Array | AsyncIterable<Uint8Array>)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    if (part instanceof Uint8Array) yield part;
    else yield* part;
  }
}

/** Deterministic pseudo-random bytes (mulberry32), so a failure reproduces. */
function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    bytes[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return bytes;
}

describe('empty and binary files', () => {
  test('a 0-byte file is reported empty', async () => {
    const { summaries } = await ingest('empty.log', chunked(new Uint8Array(0)));
    expect(summaries).toEqual([expect.objectContaining({ status: 'failed', format: 'empty', rows_read: 0, message: 'The file is empty (0 records).' })]);
  });

  test('random bytes and a PNG are reported binary', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, ...randomBytes(5000, 7)]);
    for (const [name, bytes] of [['noise.bin', randomBytes(200_000, 42)], ['picture.png', png]] as const) {
      const { summaries, sink } = await ingest(name, chunked(bytes, [4096]));
      expect(summaries).toHaveLength(1);
      expect(summaries[0]).toMatchObject({ name, status: 'failed', format: 'binary', rows_read: 0, bytes: bytes.length });
      expect(summaries[0].message).toMatch(/^This looks like a binary file, not a text log\./);
      expect(sink.batches).toBe(0);
    }
  });
});

describe('overlong lines', () => {
  const LINE_BYTES = 50 * MB;

  test('a 50 MB line inside a Zeek log is rejected with its length; the records around it load', async () => {
    const [header, ...rows] = splitAtFirstRecord(ZEEK_CONN);
    const before = utf8.encode(`${header}${rows[0]}\n`);
    const after = utf8.encode(rows.slice(1).join('\n'));
    const plain = await ingestText('conn.log', ZEEK_CONN);
    const { summaries } = await ingest('conn.log', concatStreams(before, repeatedBytes(0x41, MB, LINE_BYTES / MB), utf8.encode('\n'), after));
    const [summary] = summaries;
    expect(summary.rows_loaded).toBe(plain.summaries[0].rows_loaded);
    expect(summary.rows_rejected).toBe(plain.summaries[0].rows_rejected + 1);
    const overlong = summary.rejections.find((r) => r.reason.startsWith('line is'))!;
    expect(overlong.reason).toBe(`line is ${LINE_BYTES} characters long (more than ${MAX_LINE_CHARS})`);
    expect(overlong.sample.length).toBeLessThanOrEqual(300);
  });

  test('a file that is one 50 MB line is unrecognised, with a short first-line excerpt', async () => {
    const { summaries } = await ingest('one-line.log', repeatedBytes(0x41, MB, LINE_BYTES / MB));
    expect(summaries[0]).toMatchObject({ status: 'unrecognised', rows_read: 0, bytes: LINE_BYTES });
    expect(summaries[0].message).toMatch(/^No format recognised this file\. Tried: .*Its first line starts: "A{300}"/);
    expect(summaries[0].message!.length).toBeLessThan(2000);
    expect(summaries[0].head!.length).toBe(16 * 1024);
  });
});

describe('deeply nested JSON', () => {
  const DEPTH = 100_000;
  const deep = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

  test('a 100k-level record in Zeek JSON lines is rejected; the other records load', async () => {
    const lines = ZEEK_JSON.trimEnd().split('\n');
    const plain = await ingestText('conn.ndjson', ZEEK_JSON);
    const hostile = `{"ts":1714564800.5,"uid":"CDeep","id.orig_h":"10.1.2.3","id.orig_p":1,"id.resp_h":"10.9.9.9","id.resp_p":443,"proto":"tcp","nested":${deep}}`;
    const { summaries } = await ingestText('conn.ndjson', [lines[0], hostile, ...lines.slice(1)].join('\n'));
    expect(summaries[0].rows_loaded).toBe(plain.summaries[0].rows_loaded);
    expect(summaries[0].rows_rejected).toBe(plain.summaries[0].rows_rejected + 1);
    expect(summaries[0].rejections.find((r) => r.line === 2)?.reason).toBe('JSON nested 65 levels deep (more than 64); not a log record');
  });

  test('a 100k-level Sysmon JSON document ends in a summary, not a stack overflow', async () => {
    const document = `[{"Id":3,"MachineName":"WS1","ProviderName":"Microsoft-Windows-Sysmon","Properties":${deep}}]`;
    const { summaries } = await ingestText('events.json', document);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ format: 'sysmon-powershell-json', rows_read: 1, rows_loaded: 0, rows_rejected: 1 });
    expect(summaries[0].rejections[0].reason).toBe('JSON nested 65 levels deep (more than 64); not a log record');
  });
});

describe('encodings and line endings', () => {
  test.each<TestEncoding>(['utf-16le-bom', 'utf-16be-bom', 'utf-16le', 'utf-16be', 'utf-8-bom'])('%s gives the same records as UTF-8', async (encoding) => {
    for (const [name, text] of [['access.log', SQUID], ['conn.log', ZEEK_CONN]]) {
      const plain = await ingestText(name, text);
      const { summaries, sink } = await ingest(name, chunked(encodeText(text, encoding), [777]));
      // Other bytes, the same records: everything but size, time and digest agrees.
      expect({ ...summaries[0], millis: 0, bytes: 0, sha256: '' }).toEqual({ ...plain.summaries[0], millis: 0, bytes: 0, sha256: '' });
      expect(sink.events).toBe(plain.sink.events);
    }
  });

  test('mixed \\n, \\r\\n and \\r line endings give the same records and line numbers', async () => {
    const endings = ['\n', '\r\n', '\r'];
    const mixed = ZEEK_CONN.trimEnd().split('\n').map((line, i) => line + endings[i % 3]).join('');
    const plain = await ingestText('conn.log', ZEEK_CONN);
    const { summaries, sink } = await ingest('conn.log', chunked(utf8.encode(mixed), [1, 2, 3, 5, 8]));
    expect(summaries[0]).toMatchObject({
      rows_read: plain.summaries[0].rows_read,
      rows_loaded: plain.summaries[0].rows_loaded,
      rejections: plain.summaries[0].rejections,
    });
    expect(sink.events).toBe(plain.sink.events);
  });
});

describe('archives', () => {
  const limits = { ...ARCHIVE_LIMITS };
  afterEach(() => Object.assign(ARCHIVE_LIMITS, limits));

  /** A squid log of `lines` records with distinct times and URLs. */
  const bigSquid = (lines: number) =>
    Array.from({ length: lines }, (_, i) => `${1714564800 + i}.000 ${i % 900} 10.0.${i % 200}.5 TCP_MISS/200 ${i} GET http://host${i % 50}.example/p/${i} - HIER_DIRECT/10.9.9.9 text/html`).join('\n') + '\n';

  test('a truncated gzip loads the records before the cut and says so', async () => {
    const lines = 40_000;
    const gz = gzipSync(utf8.encode(bigSquid(lines)));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const { summaries } = await ingest('proxy.log.gz', chunked(cut, [16 * 1024]));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ name: 'proxy.log', format: 'squid-native', status: 'loaded', rows_rejected: 1 });
    expect(summaries[0].rows_loaded).toBeGreaterThan(lines * 0.3);
    expect(summaries[0].rows_loaded).toBeLessThan(lines);
    expect(summaries[0].rejections).toEqual([
      { line: summaries[0].rows_loaded + 1, reason: 'the line was cut off where reading stopped', sample: expect.any(String) },
    ]);
    expect(summaries[0].message).toBe('proxy.log.gz: the gzip file is truncated; the records before the cut were loaded.');
  });

  test('a small truncated gzip (less than the sniff window) still loads what it holds', async () => {
    const gz = gzipSync(utf8.encode(bigSquid(1000)));
    const { summaries } = await ingest('proxy.log.gz', chunked(gz.subarray(0, gz.length / 2), [500]));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ name: 'proxy.log', format: 'squid-native', status: 'loaded', rows_rejected: 1 });
    expect(summaries[0].rows_loaded).toBeGreaterThan(100);
    expect(summaries[0].message).toBe('proxy.log.gz: the gzip file is truncated; the records before the cut were loaded.');
  });

  test('a gzip cut inside its header says nothing could be read', async () => {
    const gz = gzipSync(utf8.encode(bigSquid(1000)));
    const { summaries } = await ingest('proxy.log.gz', chunked(gz.subarray(0, 12)));
    expect(summaries).toEqual([
      expect.objectContaining({
        name: 'proxy.log',
        status: 'failed',
        message: 'proxy.log.gz: the gzip file is truncated before any complete data; nothing could be read.',
      }),
    ]);
  });

  test('a zip with several members gives one summary per member', async () => {
    const zip = zipSync({
      'logs/conn.log': utf8.encode(ZEEK_CONN),
      'logs/': new Uint8Array(0),
      'proxy/access.log': utf8.encode(SQUID),
      'empty.txt': new Uint8Array(0),
      'screenshot.png': randomBytes(3000, 3),
      'notes.txt': utf8.encode('meeting notes, nothing to see\n'),
    });
    const { summaries } = await ingest('bundle.zip', chunked(zip, [1000]));
    expect(summaries.map((s) => [s.name, s.status, s.format])).toEqual([
      ['bundle.zip/logs/conn.log', 'loaded', 'zeek-conn-tsv'],
      ['bundle.zip/proxy/access.log', 'loaded', 'squid-native'],
      ['bundle.zip/empty.txt', 'failed', 'empty'],
      ['bundle.zip/screenshot.png', 'failed', 'binary'],
      ['bundle.zip/notes.txt', 'unrecognised', 'unknown'],
    ]);
    expect(summaries[1].rows_loaded).toBe(squidBaseline.summaries[0].rows_loaded);
  });

  test('a zip bomb (1 GiB of zeros, deflated on demand) is refused without inflating it all', async () => {
    const { summaries } = await ingest('bomb.zip', lazyZip('zeros.log', repeatedBytes(0, MB, 1024)));
    const refusal = summaries.at(-1)!;
    expect(refusal).toMatchObject({ name: 'bomb.zip', status: 'failed', format: 'archive' });
    expect(refusal.message).toMatch(/^bomb\.zip: expands more than 250× \(\d+ bytes from \d+\); refused as a possible archive bomb\.$/);
    const inflated = Number(/\((\d+) bytes/.exec(refusal.message!)![1]);
    expect(inflated).toBeLessThan(ARCHIVE_LIMITS.minBytesForRatio + 8 * MB);
  });

  test('a gzip bomb of log lines loads what came before the limit and stops with the bomb message', async () => {
    ARCHIVE_LIMITS.minBytesForRatio = 2 * MB;
    const line = utf8.encode(SQUID.split('\n')[0] + '\n');
    const { summaries } = await ingest('proxy.log.gz', lazyGzip(repeatLine(line, 5_000_000)));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ name: 'proxy.log', status: 'loaded' });
    expect(summaries[0].rows_rejected).toBeLessThanOrEqual(1);
    expect(summaries[0].message).toMatch(/^proxy\.log\.gz: expands more than 250× .*refused as a possible archive bomb\.$/);
    expect(summaries[0].rows_loaded * line.length).toBeLessThan(4 * MB);
  });

  test('more members than the limit are refused with a count', async () => {
    ARCHIVE_LIMITS.maxMembers = 5;
    const members = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`part-${i}.log`, utf8.encode(SQUID)]));
    const { summaries } = await ingest('many.zip', chunked(zipSync(members), [512]));
    expect(summaries.filter((s) => s.status === 'loaded').length).toBeLessThanOrEqual(5);
    expect(summaries.at(-1)).toMatchObject({ name: 'many.zip', status: 'failed', message: 'many.zip: more than 5 members.' });
  });
});

test('thousands of tiny files load one after another with exact totals', async () => {
  const files = 3000;
  const sink = new CheckingSink();
  const started = performance.now();
  let loaded = 0;
  for (let i = 0; i < files; i++) {
    const text = i % 2 ? SQUID : ZEEK_CONN;
    const { summaries } = await ingest(`part-${i}.log`, chunked(utf8.encode(text)), sink);
    expect(summaries).toHaveLength(1);
    loaded += summaries[0].rows_loaded;
  }
  const perPair = (await ingestText('a', SQUID)).summaries[0].rows_loaded + (await ingestText('b', ZEEK_CONN)).summaries[0].rows_loaded;
  expect(loaded).toBe((perPair * files) / 2);
  expect(performance.now() - started).toBeLessThan(60_000);
}, 120_000);

const REAL_SAMPLES = sampleDir('real');
const realLogs = REAL_SAMPLES
  ? readdirSync(REAL_SAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(log|json|ndjson)$/.test(f)).sort()
  : [];

describe.skipIf(realLogs.length === 0)('real third-party samples (RELAYWATCH_SAMPLES; skipped when absent)', () => {
  test.each(realLogs)('%s: odd chunks and gzip give the same balanced counts', async (path) => {
    const bytes = new Uint8Array(readFileSync(`${REAL_SAMPLES}/${path}`));
    const odd = await ingest(path, chunked(bytes, [4093, 1, 65_537]));
    const gzipped = await ingest(`${path}.gz`, chunked(gzipSync(bytes, { level: 1 }), [10_007]));
    const counts = (r: typeof odd) => r.summaries.map((x) => [x.name, x.format, x.rows_read, x.rows_loaded, x.rows_rejected, x.message]);
    expect(odd.summaries).toHaveLength(1);
    expect(odd.summaries[0].status).toBe('loaded');
    expect(odd.summaries[0].rows_loaded).toBeGreaterThan(0);
    expect(counts(gzipped)).toEqual(counts(odd));
    expect(gzipped.sink.events).toBe(odd.sink.events);
  }, 60_000);
});

/** Zeek header lines (everything before the first record) and the record lines. */
function splitAtFirstRecord(text: string): [string, ...string[]] {
  const lines = text.trimEnd().split('\n');
  const first = lines.findIndex((l) => !l.startsWith('#'));
  return [lines.slice(0, first).join('\n') + '\n', ...lines.slice(first)];
}

async function* repeatLine(line: Uint8Array, times: number): AsyncGenerator<Uint8Array> {
  const perChunk = Math.max(1, Math.floor(64 * 1024 / line.length));
  const chunk = new Uint8Array(perChunk * line.length);
  for (let i = 0; i < perChunk; i++) chunk.set(line, i * line.length);
  for (let done = 0; done < times; done += perChunk) yield chunk;
}

/**
 * A zip with one member, compressed only as fast as the consumer reads, so a 1 GiB member never exists in memory.
 */
async function* lazyZip(member: string, data: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    out.push(chunk);
  });
  const file = new ZipDeflate(member, { level: 1 });
  zip.add(file);
  for await (const chunk of data) {
    file.push(chunk);
    yield* out.splice(0);
  }
  file.push(new Uint8Array(0), true);
  zip.end();
  yield* out.splice(0);
}

/** Gzip, compressed only as fast as the consumer reads. */
async function* lazyGzip(data: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const gzip = new Gzip({ level: 1 }, (chunk) => out.push(chunk));
  for await (const chunk of data) {
    gzip.push(chunk);
    yield* out.splice(0);
  }
  gzip.push(new Uint8Array(0), true);
  yield* out.splice(0);
}
