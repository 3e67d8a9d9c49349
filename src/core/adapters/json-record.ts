/**
 * Shared helper for every JSON-lines adapter: parse one line into a flat, dotted-key map and read fields
 * by alias. Log fields are attacker-controlled, so the result is a Map (a `__proto__` key is just a key),
 * nesting is bounded, integers too big for a double keep their exact digits, and strings read through
 * the getters are clipped.
 */

/** A parsed JSON object flattened to dotted keys: `{"id":{"orig_h":"1.2.3.4"}}` → `id.orig_h`. Arrays stay arrays. */
export type JsonRecord = Map<string, unknown>;

/** Longest string a getter returns; longer values are cut (URLs, user agents and answers stay readable). */
export const MAX_FIELD_CHARS = 8192;

/** Objects nested deeper than this are kept as their JSON text instead of being flattened further. */
const MAX_FLATTEN_DEPTH = 16;

/** Sixteen or more digits may exceed 2^53; only such lines pay for the exact-integer rewrite. */
const LONG_INTEGER_HINT = /\d{16}/;

/**
 * Parse one JSON line into a flattened record. Returns the record, or a short error message when the
 * line is not JSON or not a JSON object. Integers outside the safe range (Suricata `flow_id`) become
 * their decimal text so link ids are never rounded.
 */
export function parseJsonRecord(line: string): JsonRecord | string {
  const depth = nestingDepth(line);
  if (depth > MAX_NESTING) return `JSON nested ${depth} levels deep (more than ${MAX_NESTING}); not a log record`;
  const source = LONG_INTEGER_HINT.test(line) ? quoteUnsafeIntegers(line) : line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    return `invalid JSON: ${clipText(error instanceof Error ? error.message : String(error), 200)}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not a JSON object';
  return flattenJson(parsed as object);
}

/** Deepest nesting a record may have: no log format comes near it, and deeper input would exhaust the stack. */
const MAX_NESTING = 64;

/** Bracket depth of a JSON text, ignoring brackets inside strings (a linear scan, no recursion). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
      if (max > MAX_NESTING) return max;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Flatten nested objects into `into` under dotted keys. Own enumerable keys only; arrays are kept as values. */
export function flattenJson(value: object, into: JsonRecord = new Map(), prefix = '', depth = 0): JsonRecord {
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
      if (depth >= MAX_FLATTEN_DEPTH) into.set(path, JSON.stringify(child));
      else flattenJson(child, into, path, depth + 1);
    } else {
      into.set(path, child);
    }
  }
  return into;
}

/** The first alias whose value is present (not undefined or null), or undefined. */
export function get(record: JsonRecord, ...keys: string[]): unknown {
  for (const key of keys) {
    const value = record.get(key);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** The first present alias as text (numbers and booleans converted, clipped); arrays and objects give null. */
export function getString(record: JsonRecord, ...keys: string[]): string | null {
  const value = get(record, ...keys);
  if (typeof value === 'string') return clipText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** The first present alias as a finite number (numeric strings accepted), else null. */
export function getNumber(record: JsonRecord, ...keys: string[]): number | null {
  const value = get(record, ...keys);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** The first present alias as an integer, else null (fractions are rejected, not rounded). */
export function getInteger(record: JsonRecord, ...keys: string[]): number | null {
  const n = getNumber(record, ...keys);
  return n !== null && Number.isInteger(n) ? n : null;
}

/** Cut a string to `max` characters. */
export function clipText(text: string, max = MAX_FIELD_CHARS): string {
  return text.length > max ? text.slice(0, max) : text;
}

/**
 * A value as text for a raw context table: strings as is, numbers and booleans converted, arrays of
 * scalars joined with ',', anything else as JSON; null/undefined as null. Clipped.
 */
export function rawText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return clipText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')) {
    return clipText(value.map((item) => (item === null ? '' : String(item))).join(','));
  }
  return clipText(JSON.stringify(value));
}

/**
 * The fields a mapper did not use, as a JSON object string for the canonical `extra` column, or null
 * when none remain. Null values and empty arrays are left out to keep it small.
 */
export function extraJson(record: JsonRecord, used: ReadonlySet<string>): string | null {
  const rest: Record<string, unknown> = Object.create(null);
  let any = false;
  for (const [key, value] of record) {
    if (used.has(key) || value === null || value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    rest[key] = value;
    any = true;
  }
  return any ? JSON.stringify(rest) : null;
}

/** Wrap integer literals outside strings that a double cannot hold exactly in quotes. */
function quoteUnsafeIntegers(line: string): string {
  let out = '';
  let copiedUpTo = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // skip the escaped character
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      continue;
    }
    const startsNumber = (ch >= 0x30 && ch <= 0x39) || ch === 0x2d;
    if (!startsNumber) continue;
    let end = i + 1;
    while (end < line.length && isNumberChar(line.charCodeAt(end))) end++;
    const literal = line.slice(i, end);
    if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
      out += line.slice(copiedUpTo, i) + '"' + literal + '"';
      copiedUpTo = end;
    }
    i = end - 1;
  }
  return copiedUpTo === 0 ? line : out + line.slice(copiedUpTo);
}

function isNumberChar(ch: number): boolean {
  // digits, '.', 'e', 'E', '+', '-'
  return (ch >= 0x30 && ch <= 0x39) || ch === 0x2e || ch === 0x65 || ch === 0x45 || ch === 0x2b || ch === 0x2d;
}

/**
 * Sniff helper for JSON-lines formats: the mean of `score` over the first complete lines of `head`
 * (a line cut off by the 64 KiB limit is skipped; a line that is not a JSON object scores 0).
 */
export function sniffJsonLines(head: string, score: (record: JsonRecord) => number, sampleLines = 20): number {
  const lines = head.split('\n');
  if (lines.length > 1) lines.pop(); // the last piece may be cut mid-record
  let total = 0;
  let counted = 0;
  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (line === '') continue;
    const record = line.startsWith('{') ? parseJsonRecord(line) : 'not JSON';
    total += typeof record === 'string' ? 0 : score(record);
    if (++counted >= sampleLines) break;
  }
  return counted === 0 ? 0 : total / counted;
}
