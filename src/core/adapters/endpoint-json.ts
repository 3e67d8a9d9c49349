/**
 * Value helpers shared by the endpoint and SaaS adapters (Sysmon, MDE, M365, Google Workspace), next to
 * json-record.ts. Parsed JSON is only read through own-property lookups and copied into Maps, so a
 * `__proto__` key in a log record stays an ordinary field and never reaches an object prototype.
 */

/** A JSON object as produced by JSON.parse (own data properties only). */
export type JsonObject = { readonly [key: string]: unknown };

/** Longest text kept from one field: a whole Windows command line (at most 32 767 characters) is evidence. */
export const MAX_FIELD_CHARS = 32_768;

/** The text with a leading BOM removed and CRLF / stray CR turned into LF. */
export function cleanDocument(text: string): string {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, '\n');
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True for a non-array JSON object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property of a JSON object (never an inherited one). */
export function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** A scalar JSON value as bounded text; objects, arrays, null and empty strings give null. */
export function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : bound(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** Text cut to MAX_FIELD_CHARS. */
export function bound(text: string): string {
  return text.length > MAX_FIELD_CHARS ? text.slice(0, MAX_FIELD_CHARS) : text;
}

/** A TCP/UDP port or other non-negative integer from text, else null. */
export function toInteger(text: string | null | undefined): number | null {
  if (text == null || !/^\s*\d{1,10}\s*$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** Non-empty entries of a Map as a JSON object string (keys such as `__proto__` stay plain keys), or null. */
export function extraJson(fields: Map<string, string>): string | null {
  return fields.size === 0 ? null : JSON.stringify(Object.fromEntries(fields));
}

/**
 * An IP address with an optional port as SaaS audit logs write it ("203.0.113.7:51234",
 * "[2001:db8::1]:443", "::ffff:203.0.113.7") split into a plain address and port.
 */
export function splitAddress(text: string | null): { ip: string | null; port: number | null } {
  if (!text) return { ip: null, port: null };
  const t = text.trim();
  let ip = t;
  let port: number | null = null;
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(t);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(t);
  if (bracketed) [ip, port] = [bracketed[1], toInteger(bracketed[2])];
  else if (v4WithPort) [ip, port] = [v4WithPort[1], toInteger(v4WithPort[2])];
  return { ip: stripMappedIpv4(ip) || null, port };
}

/** "::ffff:13.107.1.1" → "13.107.1.1"; other addresses unchanged. */
export function stripMappedIpv4(ip: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return m ? m[1] : ip;
}

/**
 * The host part of an absolute URL ("https://x.sharepoint.com/sites/a" → "x.sharepoint.com"), or of a bare
 * "host[/path]" when `schemeRequired` is false. Names without a dot are not hosts here.
 */
export function hostOf(text: string | null, schemeRequired = false): string | null {
  if (!text) return null;
  const m = (schemeRequired ? URL_HOST : BARE_OR_URL_HOST).exec(text.trim());
  return m ? m[1].toLowerCase() : null;
}

const URL_HOST = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/\s?#@]*@)?([^/\s?#:@]+(?:\.[^/\s?#:@]+)+)(?::\d+)?(?:[/?#]|$)/i;
const BARE_OR_URL_HOST = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/\s?#:@]+(?:\.[^/\s?#:@]+)+)(?::\d+)?(?:[/?#]|$)/i;

/** One top-level JSON value cut from a document, with its 1-based starting line. */
export interface JsonPiece {
  text: string;
  line: number;
  /** The document ended before this object closed. */
  truncated: boolean;
}

/**
 * Cut a JSON array of objects, a single object, or objects one per line (NDJSON) into the text of each
 * top-level object, without parsing the whole document at once: a truncated or damaged record costs
 * only itself. Anything between objects other than `[`, `]`, `,` and whitespace becomes its own piece.
 */
export function splitJsonObjects(text: string): JsonPiece[] {
  const pieces: JsonPiece[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (ch === '[' || ch === ']' || ch === ',' || /\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    const startLine = line;
    if (ch !== '{') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '{') i++;
      pieces.push({ text: text.slice(start, i), line: startLine, truncated: false });
      continue;
    }
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if ((c === '}' || c === ']') && --depth === 0) break;
    }
    const truncated = i >= text.length;
    pieces.push({ text: text.slice(start, i + 1), line: startLine, truncated });
    i++;
  }
  return pieces;
}
