import { EVENT_COLUMNS, EVENTS_TABLE, type EventRecord } from '../canonical.ts';
import {
  LOADED, META, reject, type Adapter, type BinaryAdapter, type Outcome, type RecordOutcome, type RecordParser, type Sink,
} from './adapter.ts';
import { ArchiveError, expandContainers, type ByteSource } from './containers.ts';
import { streamDigest } from './digest.ts';
import { detectEncoding, LineSplitter, looksBinary, MAX_LINE_CHARS, type Line } from './text.ts';

/** Bytes of decoded text an adapter's sniffer sees. */
export const SNIFF_CHARS = 64 * 1024;
/** Rows per batch handed to the sink. */
export const BATCH_ROWS = 32_768;
/** Rejection samples kept per source. */
export const MAX_REJECTION_SAMPLES = 20;
/** Longest text a document-mode adapter is given at once. */
export const MAX_DOCUMENT_CHARS = 256 * 1024 * 1024;
/** Longest `extra` JSON kept per event. */
const MAX_EXTRA_CHARS = 8192;
/** Bytes a binary adapter's sniffer sees (magic numbers sit at the very start). */
export const BINARY_SNIFF_BYTES = 64;
/** Least sniff confidence for a format to be chosen without asking the user. */
export const MIN_CONFIDENCE = 0.5;

export interface Rejection {
  line: number;
  reason: string;
  sample: string;
}

/** What happened to one input file or archive member; rows_read = rows_loaded + rows_rejected, always. */
export interface SourceSummary {
  name: string;
  format: string;
  status: 'loaded' | 'unrecognised' | 'failed';
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  rejections: Rejection[];
  bytes: number;
  millis: number;
  /** SHA-256 of the bytes as supplied (an archive member: its uncompressed bytes); absent when reading was cancelled. */
  sha256?: string;
  /** Why a file was not (fully) read, in words an investigator can act on. */
  message: string | null;
  /** First line of an unrecognised file, to show what it looks like. */
  firstLine?: string;
  /** Sniffed text, kept only for unrecognised files (the column-mapping dialog reads the header from it). */
  head?: string;
}

export interface ColumnBatch {
  table: string;
  rows: number;
  columns: Record<string, unknown[]>;
  types: Record<string, string>;
}

export interface BatchSink {
  write(batch: ColumnBatch): Promise<void>;
}

export interface IngestProgress {
  name: string;
  bytesRead: number;
  bytesTotal: number | null;
  records: number;
  elapsedMs: number;
}

export interface IngestOptions {
  adapters: readonly Adapter[];
  /** Formats read as bytes (packet captures), tried before text decoding. */
  binaryAdapters?: readonly BinaryAdapter[];
  utcOffsetMinutes: number;
  /** Use this adapter instead of sniffing (the user picked a format or a column mapping). */
  forceAdapter?: Adapter;
  signal?: AbortSignal;
  onProgress?: (p: IngestProgress) => void;
  /** Total compressed bytes of the input, for progress. */
  sizeHint?: number;
  now?: () => number;
}

const EVENT_TYPES: Record<string, string> = Object.fromEntries(EVENT_COLUMNS.map((c) => [c.name, c.type]));

/**
 * Reads one user file (plain, gzip or zip; any text encoding), recognises each member's format by content, and
 * streams canonical and raw rows to `sink` in batches. Returns one summary per file or archive member.
 */
export async function ingestFile(
  name: string,
  chunks: AsyncIterable<Uint8Array>,
  sink: BatchSink,
  options: IngestOptions,
): Promise<SourceSummary[]> {
  const now = options.now ?? (() => performance.now());
  const counted = countBytes(chunks, options, name, now);
  const summaries: SourceSummary[] = [];
  const members: (ByteSource | null)[] = [];
  try {
    // Bytes before a member count towards it: the container check has already read the first chunk.
    let consumed = 0;
    for await (const member of expandContainers(name, counted.chunks)) {
      summaries.push(await ingestSource(member, sink, options, now, counted, consumed));
      members.push(member);
      consumed = counted.total();
      if (options.signal?.aborted) break;
    }
    if (summaries.length === 0) {
      summaries.push(emptySummary(name, 'archive', 'failed', 'The archive holds no files (or is cut off before its first one).', counted.total()));
    }
  } catch (error) {
    if (isAbort(error)) {
      if (summaries.length === 0) summaries.push(emptySummary(name, 'unknown', 'failed', 'Loading was cancelled.'));
      return summaries;
    }
    if (!(error instanceof ArchiveError)) throw error;
    const last = summaries.at(-1);
    summaries.push(emptySummary(name, 'archive', 'failed', error.message, last ? 0 : counted.total()));
    members.push(null);
    counted.refuse();
  }
  await addDigests(summaries, members, counted);
  return summaries;
}

/**
 * Archive members get their own SHA-256 (when they were inflated whole); everything else the SHA-256 of the file as
 * supplied, read to its end.
 */
async function addDigests(summaries: SourceSummary[], members: readonly (ByteSource | null)[], counted: ByteCounter): Promise<void> {
  const whole = await counted.digest();
  summaries.forEach((summary, i) => {
    const sha256 = members[i]?.sha256 ? members[i].sha256() : whole;
    if (sha256) summary.sha256 = sha256;
  });
}

interface ByteCounter {
  chunks: AsyncIterable<Uint8Array>;
  total(): number;
  /** SHA-256 of the whole input after reading what the parsers left unread; undefined if reading failed, was cancelled or refused. */
  digest(): Promise<string | undefined>;
  /** An archive was refused or broken: its rest is not read (a bomb's rest may be endless), so there is no digest. */
  refuse(): void;
}

function countBytes(
  chunks: AsyncIterable<Uint8Array>,
  options: IngestOptions,
  name: string,
  now: () => number,
): ByteCounter {
  let bytes = 0;
  const started = now();
  let lastReport = 0;
  const hash = streamDigest();
  let complete = false;
  let refused = false;
  const counted = (async function* () {
    for await (const chunk of chunks) {
      if (options.signal?.aborted) throw new DOMException('Loading was cancelled.', 'AbortError');
      bytes += chunk.length;
      hash.update(chunk);
      const t = now();
      if (options.onProgress && t - lastReport > 200) {
        lastReport = t;
        options.onProgress({
          name,
          bytesRead: bytes,
          bytesTotal: options.sizeHint ?? null,
          records: 0,
          elapsedMs: t - started,
        });
      }
      yield chunk;
    }
    complete = true;
  })();
  return {
    total: () => bytes,
    chunks: counted,
    refuse: () => (refused = true),
    digest: async () => {
      if (refused) return undefined;
      try {
        // The generator is its own iterator: this reads on from where the parsers stopped.
        for (let r = await counted.next(); !r.done; r = await counted.next());
      } catch {
        return undefined;
      }
      return complete ? hash.hex() : undefined;
    },
  };
}

const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

function emptySummary(
  name: string,
  format: string,
  status: SourceSummary['status'],
  message: string | null,
  bytes = 0,
): SourceSummary {
  return {
    name,
    format,
    status,
    rows_read: 0,
    rows_loaded: 0,
    rows_rejected: 0,
    rejections: [],
    bytes,
    millis: 0,
    message,
  };
}

/** Picks the adapter whose sniffer is most confident about `head`, or null under MIN_CONFIDENCE. */
export function chooseAdapter(head: string, adapters: readonly Adapter[]): { adapter: Adapter; confidence: number } | null {
  let best: { adapter: Adapter; confidence: number } | null = null;
  for (const adapter of adapters) {
    let confidence: number;
    try {
      confidence = adapter.sniff(head);
    } catch {
      confidence = 0;
    }
    if (confidence >= MIN_CONFIDENCE && (!best || confidence > best.confidence)) best = { adapter, confidence };
  }
  return best;
}

async function ingestSource(
  source: ByteSource,
  sink: BatchSink,
  options: IngestOptions,
  now: () => number,
  counter: ByteCounter,
  bytesBefore: number,
): Promise<SourceSummary> {
  const started = now();
  const summary = emptySummary(source.name, 'unknown', 'loaded', null);
  const peeked = await peekBytes(source.chunks, BINARY_SNIFF_BYTES);
  const binary = options.forceAdapter ? undefined : options.binaryAdapters?.find((a) => a.sniffBytes(peeked.head) >= MIN_CONFIDENCE);
  if (binary) {
    await readBinary(binary, source.name, peeked.chunks, sink, options, summary, progressReporter(options, source.name, counter, started, summary));
    summary.millis = now() - started;
    summary.bytes = counter.total() - bytesBefore;
    return summary;
  }
  const text = decodeStream(peeked.chunks);

  // Gather the sniff window before choosing an adapter.
  let head = '';
  let textDone = false;
  // A truncated or refused archive can end the text inside the sniff window: parse what came, then report it.
  let stopped: ArchiveError | null = null;
  while (head.length < SNIFF_CHARS) {
    let r: IteratorResult<string>;
    try {
      r = await text.next();
    } catch (error) {
      if (!(error instanceof ArchiveError)) throw error;
      stopped = error;
      counter.refuse();
      textDone = true;
      break;
    }
    if (r.done) {
      textDone = true;
      break;
    }
    head += r.value;
  }
  const finish = () => {
    summary.millis = now() - started;
    summary.bytes = counter.total() - bytesBefore;
    return summary;
  };
  const drainRest = async () => {
    if (!textDone) for (let r = await text.next(); !r.done; r = await text.next());
  };

  if (head.trim() === '') {
    await drainRest();
    summary.status = 'failed';
    summary.format = 'empty';
    summary.message = stopped ? stopped.message : 'The file is empty (0 records).';
    return finish();
  }
  if (looksBinary(head)) {
    await drainRest();
    summary.status = 'failed';
    summary.format = 'binary';
    summary.message =
      'This looks like a binary file, not a text log. Relaywatch reads text logs and packet captures (pcap, pcapng), optionally gzip- or zip-compressed; export the data as text, JSON or CSV.';
    return finish();
  }
  const sniffHead = head.slice(0, SNIFF_CHARS);
  const chosen = options.forceAdapter ? { adapter: options.forceAdapter } : chooseAdapter(sniffHead, options.adapters);
  if (!chosen) {
    await drainRest();
    const firstLine = sniffHead.split(/\r?\n/, 1)[0].slice(0, 300);
    summary.status = 'unrecognised';
    summary.firstLine = firstLine;
    summary.head = sniffHead.slice(0, 16 * 1024);
    summary.message =
      `No format recognised this file. Tried: ${options.adapters.map((a) => a.title).join(', ')}. ` +
      `Its first line starts: "${firstLine}". If it is a delimited file with a header row, map its columns.`;
    return finish();
  }

  const parser = chosen.adapter.open({ utcOffsetMinutes: options.utcOffsetMinutes, fileName: source.name });
  const batcher = new Batcher(source.name, () => parser.format, sink);
  const record = outcomeCounter(summary);
  const progress = progressReporter(options, source.name, counter, started, summary);

  const rest = (async function* () {
    yield head;
    if (stopped) throw stopped;
    if (!textDone) for (let r = await text.next(); !r.done; r = await text.next()) yield r.value;
  })();

  const splitter = new LineSplitter();
  try {
    if (parser.mode === 'document') {
      await readDocument(parser, rest, batcher, record, summary);
    } else {
      const handle = async (lines: Line[]) => {
        for (const line of lines) {
          batcher.line = line.no;
          const outcome = parseLine(parser, line, batcher);
          record(outcome, line.no, line.text);
          await batcher.flushIfFull();
        }
        progress();
      };
      for await (const chunk of rest) await handle(splitter.push(chunk));
      await handle(splitter.end());
      parser.end?.(batcher);
    }
  } catch (error) {
    if (error instanceof ArchiveError) {
      summary.message = error.message;
      counter.refuse();
    } else if (isAbort(error)) summary.message = `Loading was cancelled after ${summary.rows_read} records; those stay loaded.`;
    else throw error;
    // The line in progress when reading stopped is incomplete: count it, don't drop it.
    for (const line of splitter.end()) record(reject('the line was cut off where reading stopped'), line.no, line.text);
    summary.status = summary.rows_loaded > 0 ? 'loaded' : 'failed';
  }
  await batcher.flush();
  await batcher.drain();
  summary.format = parser.format;
  return finish();
}

/** Counts one record's outcome in `summary`, keeping the first rejections as samples. */
function outcomeCounter(summary: SourceSummary): RecordOutcome {
  return (outcome, no, sample) => {
    if (outcome === META) return;
    summary.rows_read += 1;
    if (outcome === LOADED) summary.rows_loaded += 1;
    else {
      summary.rows_rejected += 1;
      if (summary.rejections.length < MAX_REJECTION_SAMPLES) {
        summary.rejections.push({ line: no, reason: outcome.reject, sample: sample.slice(0, 300) });
      }
    }
  };
}

/** Reports progress at most every 200 ms. */
function progressReporter(
  options: IngestOptions,
  name: string,
  counter: ByteCounter,
  started: number,
  summary: SourceSummary,
): () => void {
  const now = options.now ?? (() => performance.now());
  let lastProgress = 0;
  return () => {
    const t = now();
    if (options.onProgress && t - lastProgress > 200) {
      lastProgress = t;
      options.onProgress({
        name,
        bytesRead: counter.total(),
        bytesTotal: options.sizeHint ?? null,
        records: summary.rows_read,
        elapsedMs: t - started,
      });
    }
  };
}

/** The first `n` bytes of a stream for sniffing, and the whole stream again (an error while peeking is re-thrown in order). */
async function peekBytes(
  chunks: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; chunks: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let length = 0;
  let done = false;
  let failure: unknown = null;
  while (length < n) {
    try {
      const r = await iterator.next();
      if (r.done) {
        done = true;
        break;
      }
      held.push(r.value);
      length += r.value.length;
    } catch (error) {
      failure = error;
      break;
    }
  }
  const head = held.reduce((all, chunk) => (all.length >= n ? all : concat(all, chunk.subarray(0, n - all.length))), new Uint8Array(0));
  const rest = (async function* () {
    yield* held;
    if (failure) throw failure;
    if (!done) for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  })();
  return { head, chunks: rest };
}

/** A file in a binary format: bytes go to the parser as they come; the end reports a cut or corrupt file. */
async function readBinary(
  adapter: BinaryAdapter,
  name: string,
  chunks: AsyncIterable<Uint8Array>,
  sink: BatchSink,
  options: IngestOptions,
  summary: SourceSummary,
  progress: () => void,
): Promise<void> {
  const parser = adapter.open({ utcOffsetMinutes: options.utcOffsetMinutes, fileName: name });
  const batcher = new Batcher(name, () => parser.format, sink);
  const record = outcomeCounter(summary);
  let stopped: string | null = null;
  try {
    for await (const chunk of chunks) {
      parser.push(chunk, batcher, record);
      await batcher.flushIfFull();
      progress();
    }
  } catch (error) {
    if (error instanceof ArchiveError) stopped = error.message;
    else if (isAbort(error)) stopped = `Loading was cancelled after ${summary.rows_read} records; those stay loaded.`;
    else throw error;
  }
  const cut = parser.end(batcher, record);
  await batcher.flush();
  await batcher.drain();
  summary.format = parser.format;
  summary.message = stopped ?? (cut ? `${name}: ${cut}` : null);
  if (summary.rows_loaded === 0) {
    summary.status = 'failed';
    summary.message ??=
      summary.rows_read === 0
        ? 'The capture holds no packets.'
        : 'No packet in this capture is IP traffic this reader decodes; see the rejected packets for why.';
  }
}

function parseLine(parser: RecordParser, line: Line, sink: Sink): Outcome {
  if (line.overlongChars) return { reject: `line is ${line.overlongChars} characters long (more than ${MAX_LINE_CHARS})` };
  if (line.text.trim() === '') return META;
  try {
    return parser.line!(line.text, line.no, sink);
  } catch (error) {
    return { reject: `could not be parsed: ${(error as Error).message}` };
  }
}

async function readDocument(
  parser: RecordParser,
  text: AsyncIterable<string>,
  batcher: Batcher,
  record: (outcome: Outcome, no: number, sample: string) => void,
  summary: SourceSummary,
) {
  let whole = '';
  for await (const chunk of text) {
    if (whole.length + chunk.length > MAX_DOCUMENT_CHARS) {
      summary.status = 'failed';
      summary.message = `This ${parser.format} file is larger than ${MAX_DOCUMENT_CHARS} characters, which is read as one document. Split it, or export it as one record per line (NDJSON/CSV).`;
      return;
    }
    whole += chunk;
  }
  const pending: Promise<void>[] = [];
  let lastRecord = 0;
  try {
    parser.document!(whole, batcher, (outcome, no, sample) => {
      batcher.line = no;
      lastRecord = no;
      record(outcome, no, sample);
      pending.push(batcher.flushIfFull());
    });
  } catch (error) {
    // A whole-document parser cannot skip one bad record the way a line parser can: keep what it answered.
    summary.status = summary.rows_loaded > 0 ? 'loaded' : 'failed';
    summary.message = `Reading stopped after record ${lastRecord}: ${(error as Error).message}. Records after it were not read.`;
  }
  await Promise.all(pending);
}

async function* decodeStream(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null;
  let held: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    if (!decoder) {
      // Wait for a few bytes so the BOM / UTF-16 check sees enough.
      held = concat(held, chunk);
      if (held.length < 4096) continue;
      const { encoding, bomLength } = detectEncoding(held);
      decoder = new TextDecoder(encoding);
      yield decoder.decode(held.subarray(bomLength), { stream: true });
      continue;
    }
    yield decoder.decode(chunk, { stream: true });
  }
  if (!decoder) {
    const { encoding, bomLength } = detectEncoding(held);
    decoder = new TextDecoder(encoding);
    yield decoder.decode(held.subarray(bomLength), { stream: true });
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Position of each canonical column; the pipeline's own columns are filled by the Batcher, not from records. */
const EVENT_COLUMN_INDEX = new Map<string, number>(EVENT_COLUMNS.map((c, i) => [c.name, i]));
const PIPELINE_COLUMNS = new Set(['source_file', 'source_format', 'source_line']);
const EXTRA_COLUMN = EVENT_COLUMN_INDEX.get('extra')!;
const [SOURCE_FILE, SOURCE_FORMAT, SOURCE_LINE] = ['source_file', 'source_format', 'source_line'].map((n) => EVENT_COLUMN_INDEX.get(n)!);

/**
 * Accumulates canonical events and raw rows column by column and hands full batches to the sink.
 * Only the fields a record carries are visited; a column is padded with nulls when it is next written (and at
 * flush), so a column the format never fills stays empty and is left out of the batch.
 */
class Batcher implements Sink {
  line = 0;
  private events = newEventColumns();
  private eventRows = 0;
  private raws = new Map<string, { columns: Map<string, (string | null)[]>; rows: number }>();
  private pending = 0;
  /** Batches handed to the sink, in order; the last one may still be inserting while the next is parsed. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly fileName: string,
    private readonly format: () => string,
    private readonly sink: BatchSink,
  ) {}

  event(rec: EventRecord): void {
    const cols = this.events;
    const row = this.eventRows;
    const fields = rec as unknown as Record<string, unknown>;
    for (const name of Object.keys(fields)) {
      const index = EVENT_COLUMN_INDEX.get(name);
      let value = fields[name];
      if (index === undefined || value === null || value === undefined || PIPELINE_COLUMNS.has(name)) continue;
      if (index === EXTRA_COLUMN && (value as string).length > MAX_EXTRA_CHARS) value = (value as string).slice(0, MAX_EXTRA_CHARS);
      setCell(cols[index], row, value);
    }
    setCell(cols[SOURCE_FILE], row, this.fileName);
    setCell(cols[SOURCE_FORMAT], row, this.format());
    setCell(cols[SOURCE_LINE], row, this.line);
    this.eventRows += 1;
    this.pending += 1;
  }

  raw(table: string, row: Record<string, string | null>): void {
    const safeTable = rawTableName(table);
    let t = this.raws.get(safeTable);
    if (!t) {
      t = { columns: new Map([['source_file', []], ['source_line', []]]), rows: 0 };
      this.raws.set(safeTable, t);
    }
    const keys = Object.keys(row);
    for (const key of keys) {
      const col = rawColumnName(key);
      if (!t.columns.has(col)) t.columns.set(col, new Array(t.rows).fill(null));
    }
    for (const [col, values] of t.columns) {
      if (col === 'source_file') values.push(this.fileName);
      else if (col === 'source_line') values.push(String(this.line));
      else values.push(null);
    }
    for (const key of keys) {
      const values = t.columns.get(rawColumnName(key))!;
      values[values.length - 1] = row[key] ?? null;
    }
    t.rows += 1;
    this.pending += 1;
  }

  async flushIfFull(): Promise<void> {
    if (this.pending >= BATCH_ROWS) await this.flush();
  }

  async flush(): Promise<void> {
    this.pending = 0;
    if (this.eventRows > 0) {
      const batch: ColumnBatch = { table: EVENTS_TABLE, rows: this.eventRows, columns: {}, types: {} };
      EVENT_COLUMNS.forEach((spec, i) => {
        const values = this.events[i];
        // Columns the format never fills are left out; the insert leaves them NULL.
        if (values.length === 0) return;
        while (values.length < this.eventRows) values.push(null);
        batch.columns[spec.name] = values;
        batch.types[spec.name] = EVENT_TYPES[spec.name];
      });
      this.events = newEventColumns();
      this.eventRows = 0;
      await this.write(batch);
    }
    for (const [table, t] of this.raws) {
      if (t.rows === 0) continue;
      const columns: Record<string, unknown[]> = {};
      const types: Record<string, string> = {};
      for (const [col, values] of t.columns) {
        columns[col] = values;
        types[col] = 'VARCHAR';
      }
      this.raws.set(table, { columns: new Map([...t.columns.keys()].map((k) => [k, []])), rows: 0 });
      await this.write({ table, rows: t.rows, columns, types });
    }
  }

  /** Waits until every batch handed over has been written (and throws the first write error). */
  async drain(): Promise<void> {
    await this.writes;
  }

  /**
   * Queues a batch behind the previous one and returns once that previous one is written, so parsing the next
   * batch overlaps the insert of this one (in the browser, parse and insert run in different workers).
   */
  private async write(batch: ColumnBatch): Promise<void> {
    const previous = this.writes;
    const current = previous.then(() => this.sink.write(batch));
    // A failure surfaces at the next write or at drain(); this only keeps it from being reported as unhandled.
    current.catch(() => undefined);
    this.writes = current;
    await previous;
  }
}

function newEventColumns(): unknown[][] {
  return EVENT_COLUMNS.map(() => []);
}

/** Writes `value` at `row`, padding the rows this column skipped with nulls. */
function setCell(column: unknown[], row: number, value: unknown): void {
  while (column.length < row) column.push(null);
  column.push(value);
}

/** Raw tables are named by us, never by the data: lower-case letters, digits and underscores. */
export function rawTableName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60);
  return `raw_${cleaned || 'table'}`;
}

/** Column names from log headers are data: normalise them to safe identifiers. */
export function rawColumnName(key: string): string {
  const cleaned = key.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60);
  return cleaned === '' || /^\d/.test(cleaned) ? `f_${cleaned}` : cleaned;
}

export { EVENT_TYPES };
