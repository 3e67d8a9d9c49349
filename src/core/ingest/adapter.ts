import type { EventRecord } from '../canonical.ts';

/**
 * A format adapter: recognises a log format by content and turns its records into canonical events.
 * Adapters are pure TypeScript with no I/O, shared by the browser worker and the CLI.
 *
 * Contract ("nothing lost"): every data record is either loaded or rejected with a reason.
 * A line-mode parser answers each non-empty line with exactly one outcome; the pipeline counts them.
 */
export interface Adapter {
  /** Stable family id, e.g. 'zeek-tsv', 'squid-native'. */
  id: string;
  /** Human title for the format table and messages. */
  title: string;
  /**
   * Confidence 0..1 that `head` (the first ≤64 KiB of the file, decoded, BOM removed, CRLF kept as is)
   * is this format. Decide by content only; file names lie.
   */
  sniff(head: string): number;
  /** A fresh parser for one file. */
  open(options: ParseOptions): RecordParser;
}

export interface ParseOptions {
  /** Offset of the log's local time from UTC, in minutes, for formats without a zone (Windows DNS debug...). */
  utcOffsetMinutes: number;
  /** The file's name (for messages only). */
  fileName: string;
}

/** Outcome of one input line or record. */
export type Outcome = typeof LOADED | typeof META | Rejected;
export const LOADED = 'loaded' as const;
/** Header, comment, footer or blank: not a data record (not counted as read). */
export const META = 'meta' as const;
export interface Rejected {
  reject: string;
}
export const reject = (reason: string): Rejected => ({ reject: reason });

export interface Sink {
  /** A canonical event (goes to the `events` table). */
  event(rec: EventRecord): void;
  /**
   * A row of a raw, format-specific table kept for context (e.g. Zeek x509 → table `zeek_x509`).
   * Values are strings or null; the table's columns are the union of keys seen.
   */
  raw(table: string, row: Record<string, string | null>): void;
}

export interface RecordParser {
  /**
   * The concrete format id reported per file (e.g. 'zeek-conn-tsv', 'suricata-eve-json');
   * may be refined once a header has been read.
   */
  readonly format: string;
  /** 'line' (default): `line()` is called for every line. 'document': `document()` once with the whole text. */
  readonly mode?: 'line' | 'document';
  /** One line without its line ending; `lineNo` is 1-based. Emit through `sink`, answer the outcome. */
  line?(text: string, lineNo: number, sink: Sink): Outcome;
  /** Line mode, after the last line: writes what the parser still holds (an event whose records span lines). */
  end?(sink: Sink): void;
  /**
   * Whole-file formats (XML event exports, pretty-printed JSON arrays): call `each` once per record with
   * its outcome and a 1-based record number (or line number where known).
   */
  document?(text: string, sink: Sink, each: (outcome: Outcome, recordNo: number, sample: string) => void): void;
}

/**
 * A format read as bytes, not text (packet captures). Recognised by its magic number before any text decoding;
 * the parser is pushed the file's bytes in chunks and answers one outcome per record, as a line parser does.
 */
export interface BinaryAdapter {
  id: string;
  title: string;
  /** Confidence 0..1 that a file starting with `head` (its first ≤64 bytes) is this format. */
  sniffBytes(head: Uint8Array): number;
  open(options: ParseOptions): BinaryParser;
}

/** A sink whose `line` the parser sets to the record number each event points back to. */
export interface RecordSink extends Sink {
  line: number;
}

export type RecordOutcome = (outcome: Outcome, recordNo: number, sample: string) => void;

export interface BinaryParser {
  readonly format: string;
  /** The next bytes of the file; every complete record is answered through `each`. */
  push(bytes: Uint8Array, sink: RecordSink, each: RecordOutcome): void;
  /**
   * End of the file: writes what the parser still holds (open connections) and answers a record cut off by the
   * end of the file. Returns why the file was not read to its end, or null.
   */
  end(sink: RecordSink, each: RecordOutcome): string | null;
}
