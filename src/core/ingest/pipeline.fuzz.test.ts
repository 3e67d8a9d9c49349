/**
 * Property-based fuzzing of the ingest pipeline (`ingestFile`): mutated fixtures through every adapter, the same
 * bytes cut into random chunks, random bytes, and the line splitter against a reference. FUZZ_RUNS sets the runs.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ALL_ADAPTERS } from '../adapters/index.ts';
import { LOADED, reject, type Adapter } from './adapter.ts';
import {
  FUZZ_RUNS,
  applyMutations,
  assertCountsBalance,
  assertPrototypesClean,
  CheckingSink,
  chunked,
  discoverAdapters,
  encodeText,
  loadSeeds,
  mutations,
  prototypeSnapshot,
  runParser,
  seedsFor,
  timeLimit,
  type TestEncoding,
} from './fuzz-support.ts';
import { ingestFile, type SourceSummary } from './pipeline.ts';
import { LineSplitter } from './text.ts';

const adapters = await discoverAdapters();
const seeds = loadSeeds();
const params = { numRuns: FUZZ_RUNS };
const utf8 = new TextEncoder();
const chunkSizes = fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 6 });

async function ingest(bytes: Uint8Array, sizes: number[], forceAdapter?: Adapter, name = 'fuzz.log') {
  const sink = new CheckingSink();
  const summaries = await ingestFile(name, chunked(bytes, sizes), sink, { adapters: ALL_ADAPTERS, utcOffsetMinutes: 0, forceAdapter });
  return { sink, summaries };
}

/** A summary without its timing, for comparing two runs. */
const stable = ({ millis: _millis, ...rest }: SourceSummary) => rest;

describe.each(adapters.map((adapter) => [adapter.id, adapter] as const))('%s through ingestFile', (id, adapter) => {
  const own = seedsFor(adapter, seeds);

  test('mutated fixtures: the pipeline counts exactly what the adapter answered, and writes what it emitted', async () => {
    const before = prototypeSnapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...own), mutations, chunkSizes, async (seed, edits, sizes) => {
        const text = applyMutations(seed.text, edits);
        const done = timeLimit(`${id} ingest of mutated ${seed.name}`);
        const { sink, summaries } = await ingest(utf8.encode(text), sizes, adapter);
        done();
        expect(summaries).toHaveLength(1);
        assertCountsBalance(summaries);
        const [summary] = summaries;
        if (summary.format !== 'empty' && summary.format !== 'binary') {
          const alone = runParser(adapter, text);
          expect([summary.rows_read, summary.rows_loaded, summary.rows_rejected]).toEqual([alone.read, alone.loaded, alone.rejected]);
          expect(sink.events).toBe(alone.events.length);
        }
        assertPrototypesClean(before);
      }),
      params,
    );
  });
});

test('the same bytes cut into different chunks give the same summaries (UTF-8, BOM, UTF-16, CRLF splits)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...seeds),
      mutations,
      fc.constantFrom<TestEncoding>('utf-8', 'utf-8-bom', 'utf-16le-bom', 'utf-16be-bom', 'utf-16le'),
      fc.constantFrom('\n', '\r\n', '\r'),
      chunkSizes,
      async (seed, edits, encoding, newline, sizes) => {
        const text = applyMutations(seed.text, edits).replace(/\r?\n/g, newline);
        const bytes = encodeText(text, encoding);
        const whole = await ingest(bytes, [bytes.length || 1]);
        const pieces = await ingest(bytes, sizes);
        assertCountsBalance(pieces.summaries);
        expect(pieces.summaries.map(stable)).toEqual(whole.summaries.map(stable));
        expect(pieces.sink.events).toBe(whole.sink.events);
      },
    ),
    params,
  );
});

test('random bytes never throw out of ingestFile, with or without an archive signature', async () => {
  const before = prototypeSnapshot();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom([], [0x1f, 0x8b], [0x1f, 0x8b, 0x08, 0x00], [0x50, 0x4b, 0x03, 0x04], [0xff, 0xfe], [0xef, 0xbb, 0xbf]),
      fc.uint8Array({ maxLength: 4000 }),
      chunkSizes,
      async (magic, body, sizes) => {
        const bytes = new Uint8Array([...magic, ...body]);
        const done = timeLimit('random bytes');
        const { summaries } = await ingest(bytes, sizes);
        done();
        expect(summaries.length).toBeGreaterThan(0);
        assertCountsBalance(summaries);
        for (const s of summaries) if (s.status !== 'loaded') expect(s.message).toBeTruthy();
        assertPrototypesClean(before);
      },
    ),
    params,
  );
});

test('the line splitter agrees with a reference split for any text and any chunking', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('a', 'b', ' ', '\r', '\n', '\r\n', 'é', '😀', '\u2028'), { maxLength: 80 }).map((parts) => parts.join('')),
      fc.array(fc.nat({ max: 80 }), { maxLength: 6 }),
      (text, cuts) => {
        const splitter = new LineSplitter();
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const lines = [];
        let from = 0;
        for (const point of [...points, text.length]) {
          lines.push(...splitter.push(text.slice(from, point)));
          from = point;
        }
        lines.push(...splitter.end());
        const expected = text.split(/\r\n|\r|\n/);
        if (expected.at(-1) === '') expected.pop();
        expect(lines.map((l) => l.text)).toEqual(expected);
        expect(lines.map((l) => l.no)).toEqual(expected.map((_, i) => i + 1));
      },
    ),
    { numRuns: FUZZ_RUNS * 4 },
  );
});

describe('the harness catches what it is meant to catch', () => {
  /** An adapter that breaks every rule: throws on quotes, pollutes on `__proto__`, counts a record twice. */
  const careless: Adapter = {
    id: 'careless',
    title: 'Careless test adapter',
    sniff: () => 1,
    open: () => ({
      format: 'careless',
      line(text, _no, sink) {
        if (text.includes('"')) throw new Error('unbalanced quote');
        if (text.includes('__proto__')) Object.assign(Object.prototype, { polluted: 'yes' });
        sink.event({ ts: null, kind: 'http' } as never);
        return text.includes(',') ? reject('has a comma') : LOADED;
      },
    }),
  };

  test('a parser that throws is caught by the pipeline and counted as a rejection', async () => {
    const { summaries } = await ingest(utf8.encode('ok\n"bad\nok\n'), [3], careless);
    expect(summaries[0]).toMatchObject({ rows_read: 3, rows_loaded: 2, rows_rejected: 1 });
    expect(summaries[0].rejections[0]).toMatchObject({ line: 2, reason: 'could not be parsed: unbalanced quote' });
  });

  test('fast-check finds the throw, the double count and the pollution', () => {
    const before = prototypeSnapshot();
    const failure = (text: string) =>
      fc.check(fc.property(fc.constant(text), (t) => {
        try {
          const run = runParser(careless, t);
          expect(run.rejectedButEmitted).toBe(0);
          assertPrototypesClean(before);
        } finally {
          delete (Object.prototype as Record<string, unknown>).polluted;
        }
      }), { numRuns: 1 }).errorInstance;
    expect(String(failure('"x'))).toContain('unbalanced quote');
    expect(String(failure('a,b'))).toContain('expected 1 to be +0');
    expect(String(failure('x __proto__'))).toContain('polluted');
    expect(failure('fine')).toBeNull();
  });

  test('a document parser that throws leaves a failed summary, not an exception', async () => {
    const brittle: Adapter = {
      id: 'brittle-document',
      title: 'Brittle document adapter',
      sniff: () => 1,
      open: () => ({
        format: 'brittle-document',
        mode: 'document',
        document(_text, _sink, each) {
          each(LOADED, 1, 'first');
          throw new RangeError('Maximum call stack size exceeded');
        },
      }),
    };
    const { summaries } = await ingest(utf8.encode('[{"a":1},{"b":2}]'), [4], brittle);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ status: 'loaded', rows_read: 1, rows_loaded: 1 });
    expect(summaries[0].message).toBe('Reading stopped after record 1: Maximum call stack size exceeded. Records after it were not read.');
  });
});
