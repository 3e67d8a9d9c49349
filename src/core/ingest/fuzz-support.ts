/**
 * Shared support for the property-based (fast-check) hardening tests: the adapters under test, their fixtures
 * as mutation seeds, hostile fragments, a pipeline-faithful adapter runner, byte sources and prototype checks.
 * Test-only: nothing in the app imports it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, type Adapter, type Outcome } from './adapter.ts';
import type { BatchSink, ColumnBatch, SourceSummary } from './pipeline.ts';
import { MIN_CONFIDENCE, SNIFF_CHARS } from './pipeline.ts';
import { detectEncoding, LineSplitter, MAX_LINE_CHARS } from './text.ts';

/** Runs per property: `FUZZ_RUNS` from the environment (the `fuzz` script sets thousands), else a quick 50. */
export const FUZZ_RUNS = positiveInt(process.env.FUZZ_RUNS, 50);
/** Longest a single generated case may take; far above normal (milliseconds), far below a hang. */
export const CASE_TIME_LIMIT_MS = 3000;

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const ADAPTERS_DIR = fileURLToPath(new URL('../adapters/', import.meta.url));
const FIXTURES_DIR = join(ADAPTERS_DIR, 'fixtures');

const isAdapter = (value: unknown): value is Adapter =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Adapter).id === 'string' &&
  typeof (value as Adapter).sniff === 'function' &&
  typeof (value as Adapter).open === 'function';

/**
 * Every adapter exported by a module in src/core/adapters, registered or not, so a new format is fuzzed the day
 * it lands. Sorted by id for stable test names.
 */
export async function discoverAdapters(): Promise<Adapter[]> {
  const found = new Map<string, Adapter>();
  const modules = readdirSync(ADAPTERS_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const file of modules) {
    const exports = (await import(/* @vite-ignore */ join(ADAPTERS_DIR, file))) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      const candidates = Array.isArray(value) ? value : [value];
      for (const candidate of candidates) if (isAdapter(candidate)) found.set(candidate.id, candidate);
    }
  }
  return [...found.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export interface Seed {
  /** Path under src/core/adapters/fixtures. */
  name: string;
  text: string;
}

/** Every text fixture under src/core/adapters/fixtures, decoded the way the pipeline decodes it. */
export function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${entry}/`);
      else if (!entry.endsWith('.ts')) seeds.push({ name: `${prefix}${entry}`, text: decodeBytes(readFileSync(path)) });
    }
  };
  walk(FIXTURES_DIR, '');
  return seeds;
}

function decodeBytes(bytes: Uint8Array): string {
  const { encoding, bomLength } = detectEncoding(bytes);
  return new TextDecoder(encoding).decode(bytes.subarray(bomLength));
}

/** The fixtures this adapter recognises by content (its own format's seeds). */
export function seedsFor(adapter: Adapter, seeds: readonly Seed[]): Seed[] {
  return seeds.filter((seed) => adapter.sniff(seed.text.slice(0, SNIFF_CHARS)) >= MIN_CONFIDENCE);
}

/** Fragments that have broken log parsers: delimiters, quoting, control and invisible characters, odd numbers. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  '"', "'", '""', '\\', '\\"', '\t', ',', ';', '|', '=', ' ', '\n', '\r', '\r\n', '\0', '\x1b[31m', '\f', '\v',
  '\u202e', '\u200b', '\u200d', '\u2028', '\ufeff', '\ufffd', '\ud800', '\udfff', '😀', '中文', 'é', 'İ',
  '-', '(empty)', '#', '#fields', '{}', '[]', '{', '[', ']', '}', 'null', 'true', '[object Object]',
  '0', '-0', '-1', '1e309', '-1e309', 'NaN', 'Infinity', '0x7fffffff', '9007199254740993', '18446744073709551616',
  '9'.repeat(400), '0.'.padEnd(330, '0') + '1', '1.7976931348623157e308', '2147483648', '65536', '99999',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '<script>alert(1)</script>', "'; DROP TABLE events; --", '%00', '%', '%%', '%s%n', '${x}',
  '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-00-00 00:00:00', '2024-02-30 25:61:61', '+99999-01-01',
  'x'.repeat(5000),
];

/** A hostile value: a known fragment, or arbitrary code units (lone surrogates and controls included). */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.array(fc.constantFrom(...HOSTILE_FRAGMENTS), { minLength: 2, maxLength: 6 }).map((parts) => parts.join('')),
  },
);

/** JSON that tries to reach a prototype or smuggle odd types into a record. */
const hostileJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{"polluted":"yes"}',
    '{"prototype":{"polluted":"yes"}}',
    '{"__proto__":{"polluted":"yes"}}',
    '[{"__proto__":{"polluted":"yes"}}]',
    'null',
    '1e999',
    '-0',
    '123456789012345678901234567890',
    '"\\u0000\\u202e\\ud800"',
    '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]',
    '{"a":{"b":{"c":{"d":{}}}}}',
    'true',
  ),
  hostileValue.map((value) => JSON.stringify(value)),
);

/** One edit to a seed text; positions are taken modulo the current size so every edit applies. */
export type Mutation =
  | { op: 'truncate'; line: number; at: number }
  | { op: 'insert'; line: number; at: number; text: string }
  | { op: 'replaceField'; line: number; field: number; text: string }
  | { op: 'deleteField'; line: number; field: number }
  | { op: 'duplicateField'; line: number; field: number }
  | { op: 'duplicateLine'; line: number }
  | { op: 'deleteLine'; line: number }
  | { op: 'jsonKey'; line: number; object: number; key: string; json: string }
  | { op: 'duplicateJsonKey'; line: number; which: number; json: string }
  | { op: 'cutText'; at: number };

const position = fc.nat({ max: 1_000_000 });

/** A random mutation, with hostile content where it inserts something. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), line: position, at: position }),
  fc.record({ op: fc.constant('insert' as const), line: position, at: position, text: hostileValue }),
  fc.record({ op: fc.constant('replaceField' as const), line: position, field: position, text: hostileValue }),
  fc.record({ op: fc.constant('deleteField' as const), line: position, field: position }),
  fc.record({ op: fc.constant('duplicateField' as const), line: position, field: position }),
  fc.record({ op: fc.constant('duplicateLine' as const), line: position }),
  fc.record({ op: fc.constant('deleteLine' as const), line: position }),
  fc.record({
    op: fc.constant('jsonKey' as const),
    line: position,
    object: position,
    key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'ts', 'EventID'),
    json: hostileJson,
  }),
  fc.record({ op: fc.constant('duplicateJsonKey' as const), line: position, which: position, json: hostileJson }),
  fc.record({ op: fc.constant('cutText' as const), at: position }),
);

/** Up to eight mutations in a row. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 8 });

/** The delimiter a line most likely uses, so field edits hit real fields. */
function delimiterOf(line: string): string {
  for (const candidate of ['\t', ',', '|', ' ']) if (line.includes(candidate)) return candidate;
  return ' ';
}

/** The index just after the n-th (modulo count) '{' of a line, or -1 when it has none. */
function afterNthBrace(line: string, n: number): number {
  const braces: number[] = [];
  for (let i = line.indexOf('{'); i !== -1; i = line.indexOf('{', i + 1)) braces.push(i + 1);
  return braces.length ? braces[n % braces.length] : -1;
}

/** Applies the mutations to `text` in order. */
export function applyMutations(text: string, edits: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const edit of edits) {
    if (edit.op === 'cutText') {
      const joined = lines.join('\n');
      lines = joined.slice(0, edit.at % (joined.length + 1)).split('\n');
      continue;
    }
    const i = edit.line % lines.length;
    const line = lines[i];
    switch (edit.op) {
      case 'truncate':
        lines[i] = line.slice(0, edit.at % (line.length + 1));
        break;
      case 'insert': {
        const at = edit.at % (line.length + 1);
        lines[i] = line.slice(0, at) + edit.text + line.slice(at);
        break;
      }
      case 'replaceField':
      case 'deleteField':
      case 'duplicateField': {
        const delimiter = delimiterOf(line);
        const fields = line.split(delimiter);
        const f = edit.field % fields.length;
        if (edit.op === 'replaceField') fields[f] = edit.text;
        else if (edit.op === 'deleteField') fields.splice(f, 1);
        else fields.splice(f, 0, fields[f]);
        lines[i] = fields.join(delimiter);
        break;
      }
      case 'duplicateLine':
        lines.splice(i, 0, line);
        break;
      case 'deleteLine':
        if (lines.length > 1) lines.splice(i, 1);
        break;
      case 'jsonKey': {
        const at = afterNthBrace(line, edit.object);
        if (at !== -1) lines[i] = `${line.slice(0, at)}${JSON.stringify(edit.key)}:${edit.json},${line.slice(at)}`;
        break;
      }
      case 'duplicateJsonKey': {
        const keys = [...line.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((m) => m[1]);
        const at = afterNthBrace(line, 0);
        if (keys.length && at !== -1) lines[i] = `${line.slice(0, at)}"${keys[edit.which % keys.length]}":${edit.json},${line.slice(at)}`;
        break;
      }
    }
  }
  return lines.join('\n');
}

/** What an adapter answered over a text, fed exactly as the pipeline feeds it. */
export interface ParserRun {
  format: string;
  read: number;
  loaded: number;
  rejected: number;
  events: EventRecord[];
  rawRows: number;
  /** Records answered `reject` that still emitted an event or raw row (that record would be counted twice). */
  rejectedButEmitted: number;
}

/**
 * Runs a fresh parser of `adapter` over `text`, splitting lines and skipping blank or overlong ones like the
 * pipeline, without catching what the parser throws. Fails on an answer that is not LOADED, META or a reason.
 */
export function runParser(adapter: Adapter, text: string): ParserRun {
  const parser = adapter.open({ utcOffsetMinutes: 0, fileName: 'fuzz.log' });
  const run: ParserRun = { format: '', read: 0, loaded: 0, rejected: 0, events: [], rawRows: 0, rejectedButEmitted: 0 };
  let emitted = 0;
  const sink = {
    event: (rec: EventRecord) => {
      run.events.push(rec);
      emitted += 1;
    },
    raw: () => {
      run.rawRows += 1;
      emitted += 1;
    },
  };
  const count = (outcome: Outcome) => {
    const emittedByRecord = emitted;
    emitted = 0;
    if (outcome === META) return;
    run.read += 1;
    if (outcome === LOADED) run.loaded += 1;
    else if (typeof outcome === 'object' && outcome !== null && typeof outcome.reject === 'string' && outcome.reject !== '') {
      run.rejected += 1;
      if (emittedByRecord > 0) run.rejectedButEmitted += 1;
    } else throw new Error(`invalid outcome ${JSON.stringify(outcome)}`);
  };
  if (parser.mode === 'document') {
    parser.document!(text, sink, (outcome) => count(outcome));
  } else {
    const splitter = new LineSplitter();
    for (const line of [...splitter.push(text), ...splitter.end()]) {
      if (line.overlongChars) count({ reject: `longer than ${MAX_LINE_CHARS}` });
      else if (line.text.trim() === '') continue;
      else count(parser.line!(line.text, line.no, sink));
    }
    parser.end?.(sink);
  }
  run.format = parser.format;
  return run;
}

/** Starts a stopwatch; calling the result fails when CASE_TIME_LIMIT_MS has passed (a regex or loop blew up). */
export function timeLimit(label: string): () => void {
  const started = performance.now();
  return () => {
    const elapsed = performance.now() - started;
    if (elapsed > CASE_TIME_LIMIT_MS) throw new Error(`${label} took ${Math.round(elapsed)} ms (limit ${CASE_TIME_LIMIT_MS} ms)`);
  };
}

const PROTOTYPES: ReadonlyArray<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
];

/** Own property names of the built-in prototypes, to compare before and after a run. */
export function prototypeSnapshot(): string {
  return PROTOTYPES.map(([name, proto]) => `${name}: ${Reflect.ownKeys(proto).map(String).sort().join(',')}`).join('\n');
}

/** Fails when a run added or changed anything reachable from every object. */
export function assertPrototypesClean(before: string): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'yes', 'isAdmin']) {
    if (probe[key] !== undefined) throw new Error(`Object.prototype.${key} was polluted`);
  }
  const after = prototypeSnapshot();
  if (after !== before) throw new Error(`a built-in prototype changed:\n${after}`);
}

/** A byte stream cut into chunks of the given sizes (cycled), as a file reader would deliver it. */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[] = [64 * 1024]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]);
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

/** A BatchSink that checks each batch is well formed (every column as long as the row count) and counts rows. */
export class CheckingSink implements BatchSink {
  readonly rows = new Map<string, number>();
  batches = 0;

  async write(batch: ColumnBatch): Promise<void> {
    this.batches += 1;
    for (const [column, values] of Object.entries(batch.columns)) {
      if (values.length !== batch.rows) throw new Error(`${batch.table}.${column} has ${values.length} values for ${batch.rows} rows`);
      if (!batch.types[column]) throw new Error(`${batch.table}.${column} has no type`);
    }
    this.rows.set(batch.table, (this.rows.get(batch.table) ?? 0) + batch.rows);
  }

  get events(): number {
    return this.rows.get('events') ?? 0;
  }
}

/** Fails unless every summary keeps the nothing-lost count: records read = loaded + rejected. */
export function assertCountsBalance(summaries: readonly SourceSummary[]): void {
  for (const s of summaries) {
    if (s.rows_read !== s.rows_loaded + s.rows_rejected) {
      throw new Error(`${s.name}: read ${s.rows_read} ≠ loaded ${s.rows_loaded} + rejected ${s.rows_rejected}`);
    }
    if (s.rows_rejected > 0 && s.rejections.length === 0) throw new Error(`${s.name}: rejected rows without samples`);
  }
}

/** Encodings the pipeline detects, as the test inputs name them. */
export type TestEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16le-bom' | 'utf-16be' | 'utf-16be-bom';

/** Encodes text as bytes in `encoding` (UTF-16 code unit by code unit, so lone surrogates survive). */
export function encodeText(text: string, encoding: TestEncoding): Uint8Array {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  if (encoding === 'utf-8-bom') return new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
  const bigEndian = encoding.startsWith('utf-16be');
  const bom = encoding.endsWith('-bom') ? [bigEndian ? 0xfe : 0xff, bigEndian ? 0xff : 0xfe] : [];
  const bytes = new Uint8Array(bom.length + text.length * 2);
  bytes.set(bom);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[bom.length + 2 * i + (bigEndian ? 0 : 1)] = unit >> 8;
    bytes[bom.length + 2 * i + (bigEndian ? 1 : 0)] = unit & 0xff;
  }
  return bytes;
}
