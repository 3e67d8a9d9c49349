/**
 * Zeek TSV logs loaded by DuckDB's own CSV reader instead of the JavaScript line parser (several times faster in
 * both engines). The SQL reproduces the adapter's mapping (src/core/adapters/zeek-common.ts) row for row: canonical
 * events for conn / dns / http / ssl, notice as raw rows plus alert events, every other path as `raw_zeek_<path>`
 * rows, with the same counts, rejection reasons and line numbers. Anything it cannot reproduce exactly (several
 * different header blocks, CRLF, odd separators, invalid UTF-8, overlong lines) is left to the JavaScript path.
 *
 * Values from the file (the file name, markers, separators, field names) reach SQL only as bound parameters or
 * DuckDB variables; column and table names in the SQL are ours (c0, c1, … and sanitised raw names).
 */
import { EVENTS_TABLE } from '../canonical.ts';
import { quoteIdent, setVariables, type SqlEngine, type SqlParam } from '../../engine/sql-engine.ts';
import { ZeekTsvHeader } from '../adapters/zeek-tsv.ts';
import { ENDPOINT_FIELDS, MAPPED_FIELDS, NOTICE_FIELDS, inferZeekPath, mappingPath, needsTime } from '../adapters/zeek-common.ts';
import { MAX_FIELD_CHARS } from '../adapters/json-record.ts';
import { MAX_REJECTION_SAMPLES, rawColumnName, rawTableName, SNIFF_CHARS, type Rejection, type SourceSummary } from './pipeline.ts';
import { ensureTableSql } from './store.ts';
import { detectEncoding, MAX_LINE_CHARS } from './text.ts';

/** Header directives that change how later lines are read; a repeat with another value needs the line parser. */
const STATE_DIRECTIVES = new Set(['separator', 'set_separator', 'empty_field', 'unset_field', 'path', 'fields', 'types']);
const DIRECTIVE_NAME = /^#([A-Za-z_]+)/;

/** How to read one Zeek TSV file with read_csv, learnt from its header. */
export interface ZeekTsvPlan {
  /** Format id reported per file, as the line parser reports it ('zeek-conn-tsv', or 'zeek-tsv' without #path). */
  format: string;
  /** Log path deciding the mapping ('conn', 'dns', …; inferred from the fields when there is no #path). */
  path: string;
  fields: string[];
  containers: boolean[];
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  /** Lines before the first data line (all of them header lines). */
  headerLines: number;
  /** The text of each state directive line of the header, to recognise harmless repeats further down. */
  directiveLines: Map<string, string>;
}

/**
 * A read_csv plan from the first ≤64 KiB of decoded text, or null when the file is not one plain Zeek TSV log
 * (no `#separator` start, a separator other than tab, CRLF line ends, blank lines in the header, a second header
 * block with other values, a set-typed ts): the JavaScript line parser reads those.
 */
export function planZeekTsv(head: string): ZeekTsvPlan | null {
  if (!head.startsWith('#separator ') || head.includes('\r')) return null;
  const lines = head.slice(0, SNIFF_CHARS).split('\n');
  lines.pop(); // the last piece may be cut off by the sniff window
  const header = new ZeekTsvHeader();
  const directiveLines = new Map<string, string>();
  let headerLines = 0;
  while (headerLines < lines.length && lines[headerLines].startsWith('#') && header.read(lines[headerLines])) {
    const name = DIRECTIVE_NAME.exec(lines[headerLines])![1];
    if (STATE_DIRECTIVES.has(name)) directiveLines.set(name, lines[headerLines]);
    headerLines++;
  }
  const fields = header.fields;
  if (headerLines === lines.length || !fields || header.separator !== '\t' || header.unsetField === '') return null;
  const tsIndex = fields.lastIndexOf('ts');
  if (tsIndex >= 0 && header.containerColumns[tsIndex]) return null;
  const plan: ZeekTsvPlan = {
    format: header.path === null ? 'zeek-tsv' : `zeek-${header.path}-tsv`,
    path: header.path ?? inferZeekPath(fields),
    fields,
    containers: header.containerColumns,
    setSeparator: header.setSeparator,
    emptyField: header.emptyField,
    unsetField: header.unsetField,
    headerLines,
    directiveLines,
  };
  for (const line of lines.slice(headerLines)) if (!isHarmlessLine(plan, line)) return null;
  return plan;
}

/** A line further down that the line parser would read as a header changing nothing (or as data). */
function isHarmlessLine(plan: ZeekTsvPlan, line: string): boolean {
  const name = DIRECTIVE_NAME.exec(line)?.[1];
  if (!name || !STATE_DIRECTIVES.has(name)) return true;
  return plan.directiveLines.get(name) === line || !new ZeekTsvHeader().read(line);
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The decoded text of a file's first bytes (gzip is inflated as far as those bytes go), for `planZeekTsv`; null
 * when the text is not UTF-8 (UTF-16 files and zip archives go to the line parser).
 */
export async function headText(prefix: Uint8Array): Promise<string | null> {
  let bytes = prefix;
  if (isGzip(prefix)) bytes = await inflatePrefix(prefix);
  if (detectEncoding(bytes).encoding !== 'utf-8') return null;
  return new TextDecoder('utf-8').decode(bytes).slice(0, SNIFF_CHARS);
}

/** The source name the line parser reports for a file: a gzip file's name without `.gz`. */
export function zeekSourceName(fileName: string, prefix: Uint8Array): string {
  return isGzip(prefix) ? fileName.replace(/\.gz$/i, '') || fileName : fileName;
}

/** Gzip by its magic bytes (file names lie). */
export function isGzip(prefix: Uint8Array): boolean {
  return prefix[0] === GZIP_MAGIC[0] && prefix[1] === GZIP_MAGIC[1];
}

/** Inflate the start of a gzip stream; the end of a cut-off stream is expected and not an error. */
async function inflatePrefix(prefix: Uint8Array): Promise<Uint8Array> {
  const reader = new Blob([prefix as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIFF_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
  } catch {
    // Truncated input: keep what was inflated.
  }
  await reader.cancel().catch(() => undefined);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export interface ZeekTsvLoadOptions {
  /** What DuckDB opens: a path (CLI) or the name a browser File was registered under. */
  fileRef: string;
  /** The name reported in `sources` and `source_file`. */
  sourceName: string;
  /** File size in bytes, for the summary. */
  bytes: number;
  /** Whether the file is gzip-compressed (see `isGzip`; DuckDB would otherwise go by the name's extension). */
  gzip: boolean;
}

/** Whitespace JavaScript's String.prototype.trim removes (the line parser's blank-line and number rules use it). */
const JS_WHITESPACE = ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/**
 * Helper macros (temporary, per connection). Only constants of ours appear in their text. A macro argument is
 * copied wherever it is used, so one used several times is first bound once with `list_transform([x], v -> …)[1]`:
 * without that, nested macros grow into expression trees that take seconds to plan.
 * - zeek_unescape: Zeek's `\xNN` runs decoded as UTF-8 when valid (else left escaped) and `\\` → `\`, tokenised
 *   left to right exactly like the line parser's regular expression.
 * - zeek_json: a string as a JSON.stringify literal.
 * - zeek_host / zeek_url_path / zeek_number / zeek_iso_micros: hostName, urlPath, Number() (decimal, hex, binary
 *   and octal numerals) and isoToMicros.
 */
function macroSql(): string {
  const ws = sqlConstant(JS_WHITESPACE);
  const controlEscapes = [...Array(32).keys()]
    .filter((code) => code > 0 && ![8, 9, 10, 12, 13].includes(code))
    .reduce((expr, code) => `replace(${expr}, chr(${code}), '\\u${code.toString(16).padStart(4, '0')}')`, `replace(replace(replace(replace(replace(replace(replace(s, '\\', '\\\\'), '"', '\\"'), chr(8), '\\b'), chr(9), '\\t'), chr(10), '\\n'), chr(12), '\\f'), chr(13), '\\r')`);
  return String.raw`
CREATE OR REPLACE TEMP MACRO zeek_unescape(v) AS
  CASE WHEN v IS NULL OR NOT contains(v, '\') THEN v ELSE array_to_string(list_transform(
    regexp_extract_all(v, '(?:\\x[0-9a-fA-F]{2})+|\\\\|[^\\]+|\\'),
    t -> CASE WHEN t = '\\' THEN '\'
              WHEN length(t) >= 4 AND starts_with(t, '\x') THEN coalesce(try(decode(unhex(replace(t, '\x', '')))), t)
              ELSE t END), '') END;
CREATE OR REPLACE TEMP MACRO zeek_json(s) AS
  '"' || CASE WHEN regexp_matches(s, '[\x00-\x1f"\\]') THEN ${controlEscapes} ELSE s END || '"';
CREATE OR REPLACE TEMP MACRO zeek_js_trim(s) AS
  CASE WHEN ascii(s) BETWEEN 33 AND 126 AND ascii(right(s, 1)) BETWEEN 33 AND 126 THEN s ELSE trim(s, ${ws}) END;
CREATE OR REPLACE TEMP MACRO zeek_number_of(t) AS
  CASE WHEN regexp_full_match(t, '[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?')
         THEN CASE WHEN isfinite(TRY_CAST(t AS DOUBLE)) THEN TRY_CAST(t AS DOUBLE) END
       WHEN regexp_full_match(t, '0[xX][0-9a-fA-F]+|0[bB][01]+') THEN CAST(TRY_CAST(t AS UBIGINT) AS DOUBLE)
       WHEN regexp_full_match(t, '0[oO][0-7]+')
         THEN list_reduce(list_transform(string_split(substr(t, 3), ''), d -> CAST(d AS DOUBLE)), (a, d) -> a * 8 + d)
  END;
CREATE OR REPLACE TEMP MACRO zeek_number(s) AS list_transform([zeek_js_trim(s)], t -> zeek_number_of(t))[1];
CREATE OR REPLACE TEMP MACRO zeek_integer(s) AS
  list_transform([zeek_number(s)], n -> CASE WHEN n = trunc(n) THEN TRY_CAST(n AS BIGINT) END)[1];
CREATE OR REPLACE TEMP MACRO zeek_host_port(h) AS
  CASE WHEN NOT contains(h, ':') THEN h
       WHEN regexp_full_match(h, '\[([^\]]+)\](?::\d+)?') THEN regexp_extract(h, '^\[([^\]]+)\]', 1)
       WHEN regexp_full_match(h, '[^:]+:\d+') THEN regexp_replace(h, ':\d+$', '')
       ELSE h END;
CREATE OR REPLACE TEMP MACRO zeek_host_dot(h) AS
  nullif(CASE WHEN ends_with(h, '.') THEN substr(h, 1, length(h) - 1) ELSE h END, '');
CREATE OR REPLACE TEMP MACRO zeek_host(t) AS
  CASE WHEN regexp_full_match(t, '[a-z0-9_-]+(\.[a-z0-9_-]+)*') THEN t
       WHEN t IS NULL OR t = '' THEN NULL
       ELSE list_transform([zeek_host_port(list_transform([t], x -> lower(zeek_js_trim(x)))[1])], h -> zeek_host_dot(h))[1] END;
CREATE OR REPLACE TEMP MACRO zeek_url_path(u) AS
  CASE WHEN u IS NULL OR u = '' THEN NULL
       WHEN contains(u, '://') AND regexp_matches(u, '^[a-zA-Z][a-zA-Z0-9+.-]*://')
         THEN coalesce(nullif(regexp_replace(u, '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*', ''), ''), '/')
       ELSE u END;
CREATE OR REPLACE TEMP MACRO zeek_epoch_micros(t) AS
  CAST(split_part(t, '.', 1) AS BIGINT) * 1000000
    + CASE WHEN CAST(split_part(t, '.', 1) AS BIGINT) < 0 THEN -1 ELSE 1 END
      * CAST(left(split_part(t, '.', 2) || '000000', 6) AS BIGINT);
CREATE OR REPLACE TEMP MACRO zeek_iso_parts(t) AS regexp_extract(t,
  '^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$',
  ['y', 'mo', 'd', 'h', 'mi', 's', 'frac', 'zone']);
CREATE OR REPLACE TEMP MACRO zeek_iso_fields(p) AS {
  y: CAST(p.y AS INTEGER), mo: CAST(p.mo AS INTEGER), d: CAST(p.d AS INTEGER), h: CAST(p.h AS INTEGER),
  mi: CAST(p.mi AS INTEGER), s: CAST(coalesce(nullif(p.s, ''), '0') AS INTEGER),
  frac: CAST(left(p.frac || '000000', 6) AS BIGINT),
  offset_min: CASE WHEN p.zone IN ('', 'Z', 'z', 'UTC') THEN CAST(0 AS BIGINT)
                   ELSE (CASE WHEN starts_with(p.zone, '-') THEN -1 ELSE 1 END)
                        * (CAST(substr(p.zone, 2, 2) AS BIGINT) * 60 + CAST(right(p.zone, 2) AS BIGINT)) END };
CREATE OR REPLACE TEMP MACRO zeek_iso_micros_of(f) AS
  CASE WHEN f.mo BETWEEN 1 AND 12 AND f.d BETWEEN 1 AND 31 AND f.h <= 23 AND f.mi <= 59 AND f.s <= 60 THEN
    epoch_us(make_timestamp(CASE WHEN f.y < 100 THEN f.y + 1900 ELSE f.y END, f.mo, 1, 0, 0, 0))
      + (CAST(f.d - 1 AS BIGINT) * 86400 + f.h * 3600 + f.mi * 60 + f.s) * 1000000 + f.frac - f.offset_min * 60000000
  END;
CREATE OR REPLACE TEMP MACRO zeek_iso_micros(t) AS list_transform([zeek_iso_parts(t)], p ->
  CASE WHEN p.y <> '' THEN list_transform([zeek_iso_fields(p)], f -> zeek_iso_micros_of(f))[1] END)[1];
CREATE OR REPLACE TEMP MACRO zeek_time_micros(v) AS list_transform([zeek_js_trim(v)], t ->
  CASE WHEN regexp_full_match(t, '-?\d{1,12}(\.\d{1,9})?') THEN zeek_epoch_micros(t)
       WHEN regexp_full_match(t, '-?\d+(\.\d+)?') THEN NULL
       ELSE zeek_iso_micros(t) END)[1];
`;
}

/** Our own constant text as a SQL literal (never used for data from a file). */
function sqlConstant(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** JavaScript's own-property order: array-index keys ascending first, then the others in insertion order. */
function jsKeyOrder(keys: readonly string[]): string[] {
  const isIndex = (k: string) => /^(0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1;
  const indexKeys = keys.filter(isIndex).sort((a, b) => Number(a) - Number(b));
  return [...indexKeys, ...keys.filter((k) => !isIndex(k))];
}


/**
 * SQL expressions over the rows read (columns c0, c1, … in #fields order) for the record the line parser builds:
 * a Map from field name (first position, last value) to the decoded value.
 */
class RecordSql {
  /** Field name → reader column index holding its value (the last of duplicate names). */
  private readonly columnOf = new Map<string, number>();
  /** Field names in the record's (Map) order. */
  readonly keys: string[] = [];

  constructor(private readonly plan: ZeekTsvPlan) {
    plan.fields.forEach((name, index) => {
      if (!this.columnOf.has(name)) this.keys.push(name);
      this.columnOf.set(name, index);
    });
  }

  has(key: string): boolean {
    return this.columnOf.has(key);
  }

  isContainer(key: string): boolean {
    return this.plan.containers[this.columnOf.get(key)!] === true;
  }

  /** The raw cell (NULL when unset). */
  raw(key: string): string {
    return `c${this.columnOf.get(key)}`;
  }

  /** A scalar field's decoded text (a column of the inner projection, see `decodedColumns`). */
  text(key: string): string {
    return `d${this.columnOf.get(key)}`;
  }

  /** A container field's decoded items as a list (a column of the inner projection). */
  items(key: string): string {
    return `l${this.columnOf.get(key)}`;
  }

  /**
   * The inner projection's decoded values, computed once per row: scalars as text (unset → NULL, the empty
   * marker → '', else unescaped), containers as lists (the empty marker → []). `plain` rows (no backslash,
   * quote or control character anywhere) need no unescaping or JSON escaping.
   */
  decodedColumns(): string[] {
    return this.keys.map((key) => {
      const i = this.columnOf.get(key)!;
      const raw = `c${i}`;
      if (!this.isContainer(key)) {
        return `CASE WHEN ${raw} = getvariable('zeek_empty') THEN '' WHEN plain THEN ${raw} ELSE zeek_unescape(${raw}) END AS d${i}`;
      }
      return `CASE WHEN ${raw} = getvariable('zeek_empty') THEN []::VARCHAR[]
        WHEN plain THEN string_split(${raw}, getvariable('zeek_set_separator'))
        ELSE list_transform(string_split(${raw}, getvariable('zeek_set_separator')), x -> zeek_unescape(x)) END AS l${i}`;
    });
  }

  /** Per row: true when no cell holds a backslash, a double quote or a control character. */
  plainFlag(): string {
    return `NOT regexp_matches(concat(${this.plan.fields.map((_, i) => `c${i}`).join(', ')}), '[\\x00-\\x1f"\\\\]') AS plain`;
  }

  /** getString(record, ...aliases): the first present alias as clipped text; a present list gives NULL. */
  string(...aliases: string[]): string {
    const [first, ...rest] = aliases.filter((a) => this.has(a));
    if (first === undefined) return 'NULL';
    const fallback = rest.length ? this.string(...rest) : 'NULL';
    if (this.isContainer(first)) return `CASE WHEN ${this.raw(first)} IS NULL THEN ${fallback} END`;
    const value = `left(${this.text(first)}, ${MAX_FIELD_CHARS})`;
    return rest.length ? `coalesce(${value}, ${fallback})` : value;
  }

  /** getNumber / getInteger over the first present alias (a list is present but not a number). */
  number(kind: 'number' | 'integer', ...aliases: string[]): string {
    const [first, ...rest] = aliases.filter((a) => this.has(a));
    if (first === undefined) return 'NULL';
    const fallback = rest.length ? this.number(kind, ...rest) : 'NULL';
    if (this.isContainer(first)) return `CASE WHEN ${this.raw(first)} IS NULL THEN ${fallback} END`;
    const text = this.text(first);
    const value = kind === 'integer'
      ? `CASE WHEN regexp_full_match(${text}, '\\d{1,15}') THEN CAST(${text} AS BIGINT) ELSE zeek_integer(${text}) END`
      : `CASE WHEN regexp_full_match(${text}, '\\d{1,15}(\\.\\d{1,15})?') THEN CAST(${text} AS DOUBLE) ELSE zeek_number(${text}) END`;
    return rest.length ? `CASE WHEN ${this.raw(first)} IS NULL THEN ${fallback} ELSE ${value} END` : value;
  }

  /** joinList: list items (empty ones dropped) or the text joined with ',', clipped; '' → NULL. */
  joinList(key: string): string {
    if (!this.has(key)) return 'NULL';
    if (!this.isContainer(key)) return `nullif(left(${this.text(key)}, ${MAX_FIELD_CHARS}), '')`;
    return `nullif(left(array_to_string(list_filter(${this.items(key)}, x -> x <> ''), ','), ${MAX_FIELD_CHARS}), '')`;
  }

  /** firstOf: the first list item, or the text up to its first ','. */
  firstOf(key: string): string {
    if (!this.has(key)) return 'NULL';
    if (this.isContainer(key)) return `left((${this.items(key)})[1], ${MAX_FIELD_CHARS})`;
    return `left(split_part(nullif(${this.text(key)}, ''), ',', 1), ${MAX_FIELD_CHARS})`;
  }

  /** rawText: text as is, lists joined with ',' (an empty list is ''), clipped. */
  rawText(key: string): string {
    const value = this.isContainer(key) ? `array_to_string(${this.items(key)}, ',')` : this.text(key);
    return `left(${value}, ${MAX_FIELD_CHARS})`;
  }

  /**
   * extraJson: the unused fields as a JSON object string (nulls and empty lists left out), NULL when none remain.
   * Keys are bound as variables `zeek_key_<n>` (their JSON text and a colon).
   */
  extra(used: ReadonlySet<string>, keyVariables: Map<string, string>): string {
    const parts = jsKeyOrder(this.keys.filter((k) => !used.has(k))).map((key) => {
      const name = `'${keyVariables.get(key)!}'`;
      const raw = this.raw(key);
      const text = this.text(key);
      if (!this.isContainer(key)) {
        return `CASE WHEN ${raw} IS NULL THEN NULL WHEN plain THEN getvariable(${name}) || '"' || ${text} || '"'
          ELSE getvariable(${name}) || zeek_json(${text}) END`;
      }
      const items = this.items(key);
      return `CASE WHEN ${raw} IS NOT NULL AND len(${items}) > 0
        THEN getvariable(${name}) || '[' || array_to_string(list_transform(${items}, x -> zeek_json(x)), ',') || ']' END`;
    });
    if (parts.length === 0) return 'NULL';
    return `left(nullif('{' || concat_ws(',', ${parts.join(', ')}) || '}', '{}'), ${MAX_EXTRA_CHARS})`;
  }

  /** The line as read (unset cells back to the marker), for rejection samples. */
  lineText(): string {
    return `concat_ws(chr(9), ${this.plan.fields.map((_, i) => `coalesce(c${i}, getvariable('zeek_unset'))`).join(', ')})`;
  }
}

/** Longest `extra` JSON kept per event (the pipeline's limit). */
const MAX_EXTRA_CHARS = 8192;

/** The canonical columns of each mapped path, as SQL over the rows read (zeek-common.ts MAPPER_DEFINITIONS). */
function mappedColumns(path: string, r: RecordSql): Record<string, string> | null {
  const lower = (expr: string) => `lower(${expr})`;
  switch (path) {
    case 'conn':
      return {
        kind: `'flow'`,
        protocol: lower(r.string('proto')),
        app_protocol: `array_to_string(list_transform(string_split(${r.joinList('service')}, ','),
          x -> CASE WHEN lower(x) = 'ssl' THEN 'tls' ELSE lower(x) END), ',')`,
        duration: r.number('number', 'duration'),
        bytes_out: r.number('integer', 'orig_bytes'),
        bytes_in: r.number('integer', 'resp_bytes'),
        conn_state: r.string('conn_state'),
      };
    case 'dns': {
      const query = r.string('query');
      return {
        kind: `'dns'`,
        protocol: lower(r.string('proto')),
        app_protocol: `'dns'`,
        dns_query: query,
        dst_host: `zeek_host(${query})`,
        dst_host_origin: `CASE WHEN ${query} <> '' THEN 'dns-query' END`,
        dns_qtype: r.string('qtype_name', 'qtype'),
        dns_rcode: r.string('rcode_name', 'rcode'),
        dns_answers: r.joinList('answers'),
      };
    }
    case 'http': {
      const host = r.string('host');
      const uri = r.string('uri');
      const connectTarget = `CASE WHEN upper(${r.string('method')}) = 'CONNECT' THEN ${uri} END`;
      const dstHost = `coalesce(zeek_host(${host}), zeek_host(${connectTarget}))`;
      return {
        kind: `'http'`,
        app_protocol: `'http'`,
        dst_host: dstHost,
        dst_host_origin: `CASE WHEN ${dstHost} IS NULL THEN NULL WHEN ${host} <> '' THEN 'http-host' ELSE 'connect' END`,
        url_path: `CASE WHEN ${connectTarget} <> '' THEN NULL ELSE zeek_url_path(${uri}) END`,
        method: r.string('method'),
        status: r.number('integer', 'status_code'),
        user_agent: r.string('user_agent'),
        referrer: r.string('referrer'),
        content_type: r.firstOf('resp_mime_types'),
        bytes_out: r.number('integer', 'request_body_len'),
        bytes_in: r.number('integer', 'response_body_len'),
      };
    }
    case 'ssl': {
      const host = `zeek_host(${r.string('server_name')})`;
      return {
        kind: `'tls'`,
        app_protocol: `'tls'`,
        dst_host: host,
        dst_host_origin: `CASE WHEN ${host} IS NOT NULL THEN 'sni' END`,
        tls_version: r.string('version'),
        tls_ja3: r.string('ja3'),
        tls_ja4: r.string('ja4'),
      };
    }
    default:
      return null;
  }
}

/** A notice as an alert event (zeek-common.ts noticeAlert). */
function noticeColumns(r: RecordSql): Record<string, string> {
  return {
    kind: `'alert'`,
    uid: r.string('uid'),
    src_ip: r.string('id.orig_h', 'src'),
    src_port: r.number('integer', 'id.orig_p'),
    dst_ip: r.string('id.resp_h', 'dst'),
    dst_port: r.number('integer', 'id.resp_p', 'p'),
    protocol: `lower(${r.string('proto')})`,
    alert: `nullif(concat_ws(': ', nullif(${r.string('note')}, ''), nullif(${r.string('msg')}, '')), '')`,
  };
}

function endpointColumns(r: RecordSql): Record<string, string> {
  return {
    uid: r.string('uid'),
    src_ip: r.string('id.orig_h'),
    src_port: r.number('integer', 'id.orig_p'),
    dst_ip: r.string('id.resp_h'),
    dst_port: r.number('integer', 'id.resp_p'),
  };
}

const selectList = (columns: Record<string, string>) =>
  Object.entries(columns).map(([name, expr]) => `${expr} AS ${quoteIdent(name)}`).join(',\n  ');

interface CsvReject {
  line: number;
  error_type: string;
  csv_line: string;
}

let loadCounter = 0;

/** The statements of one load: the reader call, the per-row flags, and the rows of the file with their numbers. */
class LoadSql {
  readonly rejectsTable: string;
  readonly rejectsScan: string;
  readonly params: SqlParam[];

  constructor(
    private readonly plan: ZeekTsvPlan,
    private readonly record: RecordSql,
    fileRef: string,
    private readonly gzip: boolean,
    id: string,
  ) {
    this.rejectsTable = `__zeek_rejects_${id}`;
    this.rejectsScan = `__zeek_scans_${id}`;
    this.params = [fileRef, plan.unsetField];
  }

  /** read_csv of the file; the first read keeps the refused lines, later reads skip them. */
  reader(keepRejects: boolean): string {
    const columns = this.plan.fields.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
    const rejects = keepRejects
      ? `store_rejects = true, rejects_table = '${this.rejectsTable}', rejects_scan = '${this.rejectsScan}'`
      : 'ignore_errors = true';
    return `read_csv(?, columns = {${columns}}, delim = '\t', quote = '', escape = '', nullstr = ?, header = false,
      skip = ${this.plan.headerLines}, auto_detect = false, compression = '${this.gzip ? 'gzip' : 'none'}', max_line_size = ${MAX_LINE_CHARS}, ${rejects})`;
  }

  /** The line parser's META rows: a header directive ('#word' then tab, space or end) or only whitespace. */
  isMeta(): string {
    const blank = this.plan.fields.map((_, i) => `zeek_js_trim(c${i}) = ''`).join(' AND ');
    return `coalesce(CASE WHEN starts_with(c0, '#') THEN regexp_matches(c0, '^#(separator([^A-Za-z_]|$)|[A-Za-z_]+( |$))')
      WHEN ascii(c0) BETWEEN 33 AND 126 THEN false ELSE ${blank} END, false)`;
  }

  /** The record's time in epoch microseconds, NULL when missing or unreadable (exact: no float rounding). */
  tsMicros(): string {
    if (!this.record.has('ts')) return 'NULL';
    const raw = this.record.raw('ts');
    const decoded = `CASE WHEN ${raw} = getvariable('zeek_empty') THEN '' ELSE zeek_unescape(${raw}) END`;
    // Zeek writes seconds with six decimals: those are the microseconds once the point is removed.
    return `CASE WHEN ${raw} <> getvariable('zeek_empty') AND regexp_full_match(${raw}, '\\d{1,12}\\.\\d{6}')
      THEN CAST(replace(${raw}, '.', '') AS BIGINT) ELSE zeek_time_micros(${decoded}) END`;
  }

  /**
   * Every row the reader accepted, with its flags; numbered from 1 unless `numbered` is false. Numbering with
   * row_number() makes DuckDB read the file on one thread, so the insert of a file whose rows all load numbers them
   * afterwards from their row ids instead (see `insertRows`).
   */
  numberedRows(numbered = true): string {
    return `SELECT ${numbered ? 'row_number() OVER ()' : 'CAST(NULL AS BIGINT)'} AS rn, ${this.isMeta()} AS is_meta, ${this.tsMicros()} AS ts_us,
      ${this.record.plainFlag()}, * FROM ${this.reader(false)}`;
  }

  /** Rows without a readable time that are rejected: only in logs that need one (zeek-common.ts needsTime). */
  untimed(): string {
    return needsTime(this.plan.path) ? 'ts_us IS NULL' : 'false';
  }

  /** The loaded rows (not META, not untimed) with their decoded values. */
  loadedRows(numbered: boolean): string {
    return `SELECT *, ${this.record.decodedColumns().join(', ')} FROM (${this.numberedRows(numbered)}) WHERE NOT is_meta AND NOT (${this.untimed()})`;
  }
}

/**
 * Loads one Zeek TSV file with DuckDB's CSV reader into `events` (or its raw table) and returns its summary,
 * counted as the line parser counts; null when the file turns out to need the line parser (nothing is inserted
 * then). A first, cheap pass counts rows and collects refused lines; the second inserts. Does not record the
 * summary in `sources`: the caller does, with the other files'.
 */
export async function loadZeekTsv(engine: SqlEngine, plan: ZeekTsvPlan, options: ZeekTsvLoadOptions): Promise<SourceSummary | null> {
  const started = performance.now();
  const id = `${Date.now().toString(36)}_${++loadCounter}`;
  const record = new RecordSql(plan);
  const sql = new LoadSql(plan, record, options.fileRef, options.gzip, id);
  const marks = `__zeek_marks_${id}`;
  const keyVariables = new Map(record.keys.map((key, i) => [key, `zeek_key_${i}`]));
  const variables: Record<string, SqlParam> = {
    zeek_empty: plan.emptyField,
    zeek_unset: plan.unsetField,
    zeek_set_separator: plan.setSeparator,
    zeek_source_file: options.sourceName,
    zeek_source_format: plan.format,
  };
  for (const [key, variable] of keyVariables) variables[variable] = `${JSON.stringify(key)}:`;
  await engine.exec(macroSql());
  await setVariables(engine, variables);
  try {
    let counts: { rows: number; bad_time: number; meta: number; directives: number };
    try {
      [counts] = await engine.all(
        `SELECT count(*) AS rows, count(*) FILTER (WHERE NOT is_meta AND ${sql.untimed()}) AS bad_time,
           count(*) FILTER (WHERE is_meta) AS meta, count(*) FILTER (WHERE is_meta AND starts_with(c0, '#')) AS directives
         FROM (SELECT ${sql.isMeta()} AS is_meta, ${sql.tsMicros()} AS ts_us, c0 FROM ${sql.reader(true)})`,
        sql.params,
      );
    } catch (error) {
      // Out of memory is the user's to know about, not a reason to try again with the slower parser.
      if (/out of memory|memory_limit|could not allocate|failed to allocate/i.test(String((error as Error).message))) throw error;
      // Unreadable for the CSV reader (a damaged gzip stream, say): the line parser explains what it can.
      return null;
    }
    const csvRejects = await engine.all<CsvReject>(
      `SELECT DISTINCT line, CAST(error_type AS VARCHAR) AS error_type, ltrim(csv_line, chr(10)) AS csv_line
       FROM ${sql.rejectsTable} ORDER BY line`,
    );
    if (csvRejects.some((r) => r.error_type !== 'MISSING COLUMNS' && r.error_type !== 'TOO MANY COLUMNS')) return null;
    const headerLike = (text: string) => text.startsWith('#') && new ZeekTsvHeader().read(text);
    const directiveLines = csvRejects.filter((r) => headerLike(r.csv_line)).map((r) => r.csv_line);
    if (counts.directives > 0) {
      const rows = await engine.all<{ line: string }>(
        `SELECT DISTINCT ${record.lineText()} AS line FROM (${sql.numberedRows(false)}) WHERE is_meta AND starts_with(c0, '#')`,
        sql.params,
      );
      directiveLines.push(...rows.map((r) => r.line));
    }
    if (!directiveLines.every((line) => isHarmlessLine(plan, line))) return null;

    const lines = await lineNumbering(engine, plan, marks, counts.rows, csvRejects.map((r) => r.line));
    // Every row read is loaded: the n-th inserted row is the n-th row read.
    const everyRowLoads = counts.meta === 0 && counts.bad_time === 0;
    const loaded = await insertRows(engine, plan, record, sql, lines, keyVariables, everyRowLoads);

    // Rejected records: lines the reader refused (other than header and blank lines) and rows without a time.
    const refused = csvRejects.filter((r) => !headerLike(r.csv_line) && r.csv_line.trim() !== '');
    const badTime = record.has('ts')
      ? `CASE WHEN ${record.raw('ts')} IS NULL THEN 'no ts field'
          ELSE 'unreadable ts "' || left(CASE WHEN ${record.raw('ts')} = getvariable('zeek_empty') THEN '' ELSE zeek_unescape(${record.raw('ts')}) END, 40) || '"' END`
      : `'no ts field'`;
    const timeRejections = counts.bad_time === 0 ? [] : await engine.all<Rejection>(
      `SELECT ${lines.of('rn')} AS line, ${badTime} AS reason, left(${record.lineText()}, 300) AS sample
       FROM (${sql.numberedRows()}) WHERE NOT is_meta AND ${sql.untimed()} ORDER BY rn LIMIT ${MAX_REJECTION_SAMPLES}`,
      sql.params,
    );
    const rejections = [
      ...refused.map((r) => ({
        line: r.line,
        reason: `expected ${plan.fields.length} fields, found ${r.csv_line.split('\t').length} (truncated or malformed line)`,
        sample: r.csv_line.slice(0, 300),
      })),
      ...timeRejections.map(({ line, reason, sample }) => ({ line, reason, sample })),
    ]
      .sort((a, b) => a.line - b.line)
      .slice(0, MAX_REJECTION_SAMPLES);
    const rowsRejected = refused.length + counts.bad_time;
    return {
      name: options.sourceName,
      format: plan.format,
      status: 'loaded',
      rows_read: loaded + rowsRejected,
      rows_loaded: loaded,
      rows_rejected: rowsRejected,
      rejections,
      bytes: options.bytes,
      millis: performance.now() - started,
      message: null,
    };
  } finally {
    await engine.exec(`DROP TABLE IF EXISTS ${sql.rejectsTable}; DROP TABLE IF EXISTS ${sql.rejectsScan}; DROP TABLE IF EXISTS ${marks};`);
  }
}

/**
 * SQL for a row's line number: its position after the header, plus the refused lines before it. Refused lines
 * are few; when all of them come after the last row (the #close footer, a cut-off last line) it is a sum.
 */
async function lineNumbering(engine: SqlEngine, plan: ZeekTsvPlan, marks: string, rows: number, refusedLines: number[]): Promise<LineNumbers> {
  const base = (rn: string) => `(${rn} + ${plan.headerLines})`;
  // Rows read before the i-th refused line (0-based i): a row is shifted by the refused lines with fewer rows before.
  const rowsBefore = refusedLines.map((line, i) => line - plan.headerLines - 1 - i);
  const interior = rowsBefore.filter((n) => n < rows);
  if (interior.length === 0) return { of: base, joined: false };
  await engine.exec(`CREATE OR REPLACE TEMP TABLE ${marks} (rows_before BIGINT)`);
  await engine.append(marks, { rows_before: interior }, { rows_before: 'BIGINT' });
  return { of: (rn) => `(${base(rn)} + (SELECT count(*) FROM ${marks} WHERE ${marks}.rows_before < ${rn}))`, joined: true };
}

/** A row's line number as SQL over its row number `rn`; `joined` when it needs a join (which does not keep row order by itself). */
interface LineNumbers {
  of: (rn: string) => string;
  joined: boolean;
}

/**
 * Inserts the loaded rows into `events` and/or the raw table; returns how many records were loaded. When every row
 * read loads (`everyRowLoads`), the rows go in unnumbered, in parallel, and are numbered afterwards from their row
 * ids: DuckDB keeps insertion order, so the n-th new row id holds the n-th row read.
 */
async function insertRows(
  engine: SqlEngine,
  plan: ZeekTsvPlan,
  record: RecordSql,
  sql: LoadSql,
  lines: LineNumbers,
  keyVariables: Map<string, string>,
  everyRowLoads: boolean,
): Promise<number> {
  const numberAfter = everyRowLoads && plan.path !== 'notice';
  const lineOf = numberAfter ? 'CAST(NULL AS BIGINT)' : lines.of('rn');
  // Rows are inserted in file order; only the join of the line numbering needs an explicit sort to keep it.
  const from = `FROM (${sql.loadedRows(!numberAfter)})${lines.joined && !numberAfter ? ' ORDER BY rn' : ''}`;
  const insert = async (table: string, columns: Record<string, string>, lineType: string): Promise<number> => {
    const [{ first }] = await engine.all<{ first: number }>(`SELECT coalesce(max(rowid) + 1, 0) AS first FROM ${table}`);
    const count = countOf(await engine.all(`INSERT INTO ${table} BY NAME SELECT ${selectList(columns)} ${from}`, sql.params));
    if (numberAfter && count > 0) {
      const rn = `(${table}.rowid - (SELECT min(rowid) FROM ${table} WHERE rowid >= ${first}) + 1)`;
      await engine.exec(`UPDATE ${table} SET source_line = CAST(${lines.of(rn)} AS ${lineType}) WHERE rowid >= ${first}`);
    }
    return count;
  };
  const pipelineColumns = {
    ts: 'make_timestamp(ts_us)',
    source_file: `getvariable('zeek_source_file')`,
    source_format: `getvariable('zeek_source_format')`,
    source_line: lineOf,
  };
  const mapped = mappedColumns(mappingPath(plan.path), record);
  if (mapped) {
    const used = new Set([...ENDPOINT_FIELDS, ...MAPPED_FIELDS[mappingPath(plan.path)]]);
    const columns = { ...pipelineColumns, ...endpointColumns(record), ...mapped, extra: record.extra(used, keyVariables) };
    return insert(EVENTS_TABLE, columns, 'BIGINT');
  }
  const table = rawTableName(`zeek_${plan.path}`);
  // Same columns as the line parser's raw rows: later fields win a shared column name, ts is ISO-8601 text.
  const rawColumns = new Map<string, string>([
    ['source_file', `getvariable('zeek_source_file')`],
    ['source_line', `CAST(${lineOf} AS VARCHAR)`],
  ]);
  const isoTs = `strftime(make_timestamp(ts_us), '%Y-%m-%dT%H:%M:%S') || '.' || lpad(CAST(((ts_us % 1000000) + 1000000) % 1000000 AS VARCHAR), 6, '0') || 'Z'`;
  // A log that loads without a time keeps an unreadable ts as it was written, as the line parser does.
  const tsText = `CASE WHEN ts_us IS NULL THEN ${record.has('ts') ? record.rawText('ts') : 'NULL'} ELSE ${isoTs} END`;
  for (const key of jsKeyOrder(record.keys)) rawColumns.set(rawColumnName(key), key === 'ts' ? tsText : record.rawText(key));
  const ddl = ensureTableSql({ table, columns: Object.fromEntries([...rawColumns.keys()].map((c) => [c, []])) });
  if (ddl) await engine.exec(ddl);
  const loaded = await insert(quoteIdent(table), Object.fromEntries(rawColumns), 'VARCHAR');
  if (plan.path === 'notice') {
    const columns = { ...pipelineColumns, ...noticeColumns(record), extra: record.extra(new Set(NOTICE_FIELDS), keyVariables) };
    await insert(EVENTS_TABLE, columns, 'BIGINT');
  }
  return loaded;
}

/** The row count DuckDB answers an INSERT with. */
function countOf(result: Record<string, unknown>[]): number {
  const value = result[0] ? Object.values(result[0])[0] : 0;
  return Number(value ?? 0);
}
