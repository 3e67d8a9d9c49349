/**
 * Property-based fuzzing of every adapter on its own: mutated fixtures, other formats' fixtures and random lines.
 * Each case must answer every record (read = loaded + rejected), never throw, stay fast and leave the built-in
 * prototypes alone. FUZZ_RUNS sets the number of cases per property.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ALL_ADAPTERS } from './index.ts';
import {
  FUZZ_RUNS,
  applyMutations,
  assertPrototypesClean,
  discoverAdapters,
  hostileValue,
  loadSeeds,
  mutations,
  prototypeSnapshot,
  runParser,
  seedsFor,
  timeLimit,
  type ParserRun,
} from '../ingest/fuzz-support.ts';

const adapters = await discoverAdapters();
const seeds = loadSeeds();
const params = { numRuns: FUZZ_RUNS };

/** The invariants every run must keep, whatever the input. */
function checkRun(run: ParserRun, prototypesBefore: string): void {
  expect(run.read).toBe(run.loaded + run.rejected);
  expect(run.rejectedButEmitted).toBe(0);
  for (const event of run.events) {
    expect(Object.getPrototypeOf(event) === Object.prototype || Object.getPrototypeOf(event) === null).toBe(true);
    if (event.extra != null) expect(() => JSON.parse(event.extra!)).not.toThrow();
  }
  assertPrototypesClean(prototypesBefore);
}

test('discovery finds every registered adapter and each has fixtures to mutate', () => {
  const ids = adapters.map((a) => a.id);
  for (const registered of ALL_ADAPTERS) expect(ids).toContain(registered.id);
  expect(adapters.length).toBeGreaterThanOrEqual(ALL_ADAPTERS.length);
  for (const adapter of adapters) expect(seedsFor(adapter, seeds).length, `fixtures for ${adapter.id}`).toBeGreaterThan(0);
});

describe.each(adapters.map((adapter) => [adapter.id, adapter] as const))('%s', (id, adapter) => {
  const own = seedsFor(adapter, seeds);

  test('parses its own fixtures unmutated with at least one record loaded', () => {
    for (const seed of own) {
      const run = runParser(adapter, seed.text);
      expect(run.loaded, seed.name).toBeGreaterThan(0);
      expect(run.read).toBe(run.loaded + run.rejected);
    }
  });

  test('mutated fixtures: every record answered, no throw, bounded time, prototypes untouched', () => {
    const before = prototypeSnapshot();
    fc.assert(
      fc.property(fc.constantFrom(...own), mutations, (seed, edits) => {
        const done = timeLimit(`${id} on mutated ${seed.name}`);
        const run = runParser(adapter, applyMutations(seed.text, edits));
        done();
        checkRun(run, before);
      }),
      params,
    );
  });

  test('the wrong format forced on it: other fixtures, mutated, are rejected or loaded, never thrown', () => {
    const before = prototypeSnapshot();
    fc.assert(
      fc.property(fc.constantFrom(...seeds), mutations, (seed, edits) => {
        const done = timeLimit(`${id} on ${seed.name}`);
        const run = runParser(adapter, applyMutations(seed.text, edits));
        done();
        checkRun(run, before);
      }),
      params,
    );
  });

  test('random hostile lines after its own header lines', () => {
    const before = prototypeSnapshot();
    fc.assert(
      fc.property(
        fc.constantFrom(...own),
        fc.nat({ max: 12 }),
        fc.array(fc.array(hostileValue, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom('\t', ',', ' ', '|', ''),
        (seed, keepLines, rows, delimiter) => {
          const head = seed.text.split('\n').slice(0, keepLines).join('\n');
          const text = `${head}\n${rows.map((fields) => fields.join(delimiter)).join('\n')}`;
          const done = timeLimit(`${id} on random lines`);
          const run = runParser(adapter, text);
          done();
          checkRun(run, before);
        },
      ),
      params,
    );
  });

  test('sniff answers a confidence in [0, 1] for any text, quickly', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 2000 }),
          fc.tuple(fc.constantFrom(...seeds), mutations).map(([seed, edits]) => applyMutations(seed.text, edits)),
        ),
        (head) => {
          const done = timeLimit(`${id}.sniff`);
          const confidence = adapter.sniff(head);
          done();
          expect(Number.isFinite(confidence)).toBe(true);
          expect(confidence).toBeGreaterThanOrEqual(0);
          expect(confidence).toBeLessThanOrEqual(1);
        },
      ),
      params,
    );
  });
});
