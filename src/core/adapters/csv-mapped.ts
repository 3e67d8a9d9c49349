/**
 * Column-mapped delimited text (CSV, TSV, ...): any file with a header row, read through a `ColumnMapping`
 * that says which header feeds which canonical field. The engine behind the column-mapping dialog and the
 * product presets in csv-presets.ts.
 *
 * Also home of the small field helpers the text-format adapters in this folder share (delimited-line
 * splitting through papaparse, URL splitting, action and protocol normalising, bounded `extra` JSON).
 */
import Papa from 'papaparse';
import { EVENT_COLUMNS, type EventKind, type EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type ParseOptions, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { epochSecondsToMicros, isoToMicros, monthNumber, partsToMicros } from '../ingest/time.ts';
import { CSV_PRESETS } from './csv-presets.ts';

/** Longest text kept for one field; URLs and user agents beyond this are attacker padding, not evidence. */
export const MAX_FIELD_CHARS = 8192;
const MAX_EXTRA_VALUE_CHARS = 512;
const MAX_EXTRA_CHARS = 4096;

// ---------------------------------------------------------------------------------------------------------
// Shared field helpers
// ---------------------------------------------------------------------------------------------------------

/** Split one delimited line with papaparse (quotes, doubled quotes, delimiters inside quotes); null if malformed. */
export function splitDelimitedLine(line: string, delimiter: string): string[] | null {
  const result = Papa.parse<string[]>(line, { delimiter, header: false, skipEmptyLines: false });
  if (result.errors.length > 0 || result.data.length !== 1) return null;
  return result.data[0];
}

/** The most likely delimiter of a header line among comma, tab, semicolon and pipe. */
export function detectDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', '\t', ';', '|']) {
    const count = headerLine.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/** Trimmed text, or null for empty and the usual "no value" markers; bounded to MAX_FIELD_CHARS. */
export function textOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '' || text === '-' || text === '(empty)') return null;
  return text.length > MAX_FIELD_CHARS ? text.slice(0, MAX_FIELD_CHARS) : text;
}

/** Non-negative integer from digits, or null. */
export function intOrNull(value: string | null | undefined): number | null {
  const text = value?.trim();
  if (!text || !/^\d{1,16}$/.test(text)) return null;
  return Number(text);
}

/** Non-negative decimal number, or null. */
export function numberOrNull(value: string | null | undefined): number | null {
  const text = value?.trim();
  if (!text || !/^\d{1,16}(?:\.\d+)?$/.test(text)) return null;
  return Number(text);
}

/** TCP/UDP port 0-65535, or null. */
export function portOrNull(value: string | null | undefined): number | null {
  const port = intOrNull(value);
  return port !== null && port <= 65535 ? port : null;
}

/** A URL split into host, port and path+query. */
export interface UrlParts {
  scheme: string | null;
  host: string;
  port: number | null;
  /** Path and query ("/bot1/getUpdates?offset=1"), null when the URL has none. */
  path: string | null;
}

const URL_PATTERN = /^(?:([A-Za-z][\w+.-]*):\/\/)?(?:[^@/?#\s]*@)?(\[[0-9A-Fa-f:.]+\]|[^:/?#\s[\]]+)(?::(\d{1,5}))?([/?#].*)?$/;

/**
 * Split a URL without normalising it (`new URL` would re-encode and lowercase what the log recorded).
 * Scheme-less values ("api.telegram.org/bot1/x", as PAN and Zscaler log them) are accepted only when
 * `allowSchemeless` is set, and then need a dot or colon in the host to look like one.
 */
export function splitUrl(url: string, allowSchemeless = false): UrlParts | null {
  const m = URL_PATTERN.exec(url.trim());
  if (!m) return null;
  const [, scheme, rawHost, port, rest] = m;
  if (!scheme && (!allowSchemeless || !/[.:]/.test(rawHost))) return null;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const path = rest ? rest.replace(/#.*$/, '') : null;
  return {
    scheme: scheme ? scheme.toLowerCase() : null,
    host,
    port: portOrNull(port),
    path: path ? path.slice(0, MAX_FIELD_CHARS) : null,
  };
}

/** "host:443" or "[2001:db8::1]:443" (CONNECT targets) to host and port. */
export function splitHostPort(target: string): { host: string; port: number | null } | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+))(?::(\d{1,5}))?$/.exec(target.trim());
  if (!m) return null;
  return { host: m[1] ?? m[2], port: portOrNull(m[3]) };
}

const ACTION_WORDS = new Map<string, string>([
  ['allow', 'allow'], ['allowed', 'allow'], ['accept', 'allow'], ['accepted', 'allow'], ['permit', 'allow'],
  ['permitted', 'allow'], ['pass', 'allow'], ['passthrough', 'allow'], ['observed', 'allow'], ['proxied', 'allow'],
  ['continue', 'allow'], ['override', 'allow'], ['alert', 'allow'], ['block-url', 'deny'], ['block-continue', 'deny'],
  ['deny', 'deny'], ['denied', 'deny'], ['block', 'deny'], ['blocked', 'deny'], ['reject', 'deny'], ['rejected', 'deny'],
  ['drop', 'drop'], ['dropped', 'drop'], ['drop-icmp', 'drop'],
  ['reset', 'reset'], ['reset-both', 'reset'], ['reset-client', 'reset'], ['reset-server', 'reset'],
]);

/** A device's decision word normalised to allow | deny | drop | reset, or the lower-cased word itself. */
export function normaliseAction(value: string | null | undefined): string | null {
  const text = textOrNull(value)?.toLowerCase();
  if (!text) return null;
  return ACTION_WORDS.get(text) ?? text;
}

const IP_PROTOCOL_NUMBERS = new Map<string, string>([['1', 'icmp'], ['6', 'tcp'], ['17', 'udp'], ['47', 'gre'], ['50', 'esp'], ['58', 'ipv6-icmp'], ['132', 'sctp']]);

/** Transport protocol as a lower-case name, from a name ("TCP") or an IP protocol number ("6"). */
export function ipProtocolName(value: string | null | undefined): string | null {
  const text = textOrNull(value);
  if (!text) return null;
  return IP_PROTOCOL_NUMBERS.get(text) ?? text.toLowerCase();
}

/** Bounded JSON object of source fields the canonical model has no column for; null when there are none. */
export function extraJson(fields: Iterable<readonly [string, string | null | undefined]>): string | null {
  const kept: Record<string, string> = Object.create(null);
  let size = 2;
  let count = 0;
  for (const [key, value] of fields) {
    const text = textOrNull(value ?? null);
    if (text === null || key === '__proto__' || key in kept) continue;
    const bounded = text.slice(0, MAX_EXTRA_VALUE_CHARS);
    const cost = key.length + bounded.length + 6;
    if (size + cost > MAX_EXTRA_CHARS) break;
    kept[key] = bounded;
    size += cost;
    count++;
  }
  return count > 0 ? JSON.stringify(kept) : null;
}

/**
 * Sniff helper: the share of the first `sample` non-empty lines that `test` accepts, ignoring a last line that
 * may have been cut by the 64 KiB head, and lines `skip` says are headers or comments.
 */
export function shareOfLines(head: string, test: (line: string) => boolean, skip: (line: string) => boolean = () => false, sample = 20): number {
  const lines = head.split(/\r?\n/);
  if (lines.length > 1 && !/\r?\n$/.test(head)) lines.pop();
  let seen = 0;
  let hits = 0;
  for (const line of lines) {
    if (line.trim() === '' || skip(line)) continue;
    seen++;
    if (test(line)) hits++;
    if (seen >= sample) break;
  }
  return seen === 0 ? 0 : hits / seen;
}

/** Sniff confidence from the share of sample lines that look right: 0 below half, up to 0.95 when all do. */
export function confidenceFromShare(share: number): number {
  return share >= 0.5 ? 0.5 + 0.45 * share : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Times in mapped files
// ---------------------------------------------------------------------------------------------------------

/**
 * How a mapped time column is written. 'auto' recognises epoch seconds / ms / µs by digit count, ISO 8601,
 * "yyyy/MM/dd HH:mm:ss", ctime ("Mon Jun 20 15:29:11 2022") and US "M/d/yyyy h:mm:ss AM".
 * 'mdy' / 'dmy' force the order of a slashed date.
 */
export type TimeFormat = 'auto' | 'iso' | 'epoch-s' | 'epoch-ms' | 'epoch-us' | 'ctime' | 'mdy' | 'dmy';

const CTIME = /^(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*([AaPp][Mm])?$/;

/** Parse a mapped time value to UTC micros; values without a zone are local at `utcOffsetMinutes`. */
export function parseMappedTime(value: string, format: TimeFormat, utcOffsetMinutes: number): number | null {
  const text = value.trim();
  switch (format) {
    case 'epoch-s':
      return epochSecondsToMicros(text);
    case 'epoch-ms':
      return /^\d{1,16}$/.test(text) ? Number(text) * 1000 : null;
    case 'epoch-us':
      return /^\d{1,17}$/.test(text) ? Number(text) : null;
    case 'iso':
      return isoToMicros(text, utcOffsetMinutes);
    case 'ctime':
      return ctimeToMicros(text, utcOffsetMinutes);
    case 'mdy':
    case 'dmy':
      return slashedToMicros(text, format === 'dmy', utcOffsetMinutes);
    case 'auto':
      if (/^\d{9,10}(?:\.\d{1,9})?$/.test(text)) return epochSecondsToMicros(text);
      if (/^\d{13}$/.test(text)) return Number(text) * 1000;
      if (/^\d{16}$/.test(text)) return Number(text);
      if (/^\d{4}\/\d{2}\/\d{2}[ T]/.test(text)) return isoToMicros(text.replaceAll('/', '-'), utcOffsetMinutes);
      return isoToMicros(text, utcOffsetMinutes) ?? ctimeToMicros(text, utcOffsetMinutes) ?? slashedToMicros(text, false, utcOffsetMinutes);
  }
}

function ctimeToMicros(text: string, utcOffsetMinutes: number): number | null {
  const m = CTIME.exec(text);
  if (!m) return null;
  const month = monthNumber(m[1]);
  if (month === null) return null;
  return partsToMicros(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0, utcOffsetMinutes);
}

function slashedToMicros(text: string, dayFirst: boolean, utcOffsetMinutes: number): number | null {
  const m = SLASHED.exec(text);
  if (!m) return null;
  const [, first, second, year, h, mi, s = '0', frac = '', meridiem] = m;
  const hour = to24Hour(Number(h), meridiem);
  if (hour === null) return null;
  const month = Number(dayFirst ? second : first);
  const day = Number(dayFirst ? first : second);
  return partsToMicros(Number(year), month, day, hour, Number(mi), Number(s), Number((frac + '000000').slice(0, 6)), utcOffsetMinutes);
}

/** 12-hour clock to 24-hour; null for an impossible hour. */
export function to24Hour(hour: number, meridiem: string | undefined): number | null {
  if (!meridiem) return hour <= 23 ? hour : null;
  if (hour < 1 || hour > 12) return null;
  const pm = meridiem.toUpperCase() === 'PM';
  return (hour % 12) + (pm ? 12 : 0);
}

// ---------------------------------------------------------------------------------------------------------
// Column mappings
// ---------------------------------------------------------------------------------------------------------

/**
 * Where a column goes: a canonical field, or one of
 * 'date' + 'time' (two columns joined with a space to make `ts`) and 'url' (a full URL split into dst_host,
 * dst_port and url_path).
 */
export type MappedTarget = Exclude<keyof EventRecord, 'kind' | 'extra'> | 'date' | 'time' | 'url';

/** A column mapping: plain data (JSON-safe), edited by the mapping dialog or shipped as a preset. */
export interface ColumnMapping {
  /** Format id reported for files read with this mapping ('csv-mapped', 'zscaler-nss-web-csv', ...). */
  id: string;
  title: string;
  /** Field delimiter: ',', '\t', ';' or '|'. */
  delimiter: string;
  kind: EventKind;
  /** Header name (matched case-insensitively, trimmed) → target. Several headers may feed one target; the first non-empty wins. */
  columns: ReadonlyArray<{ header: string; target: MappedTarget }>;
  timeFormat: TimeFormat;
  /** Values that mean "no value" in this product's export besides empty and '-' (Zscaler writes "None"). */
  nullValues?: readonly string[];
  /** Zone of zone-less times in minutes east of UTC; when absent the file's ParseOptions offset applies. */
  utcOffsetMinutes?: number | null;
}

/** Every valid target; mappings arrive as user data, so anything else (e.g. "__proto__") is ignored. */
const KNOWN_TARGETS: ReadonlySet<string> = new Set([
  ...EVENT_COLUMNS.map((c) => c.name).filter((name) => !['kind', 'extra', 'source_file', 'source_format', 'source_line'].includes(name)),
  'date', 'time', 'url',
]);
const INTEGER_TARGETS = new Set<MappedTarget>(['src_port', 'dst_port', 'status', 'bytes_out', 'bytes_in', 'process_id']);
const TIME_TARGETS = new Set<MappedTarget>(['ts', 'date', 'time']);

/** Lower-case, alphanumerics only: "Source Address" and "source_address" both become "sourceaddress". */
export function headerKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function splitHeader(line: string): { delimiter: string; fields: string[] } | null {
  const delimiter = detectDelimiter(line);
  const fields = splitDelimitedLine(line, delimiter);
  return fields ? { delimiter, fields: fields.map((f) => f.trim()) } : null;
}

class MappedCsvParser implements RecordParser {
  readonly format: string;
  private header: string[] | null = null;
  private headerLine = '';
  /** target → column indexes, in mapping order. */
  private readonly targets = new Map<MappedTarget, number[]>();
  private readonly mappedIndexes = new Set<number>();
  private readonly offset: number;
  private readonly nullValues: ReadonlySet<string>;

  constructor(private readonly mapping: ColumnMapping, options: ParseOptions) {
    this.format = mapping.id;
    this.offset = mapping.utcOffsetMinutes ?? options.utcOffsetMinutes;
    this.nullValues = new Set(mapping.nullValues ?? []);
  }

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    if (text.trim() === '') return META;
    if (this.header === null) return this.readHeader(text);
    if (text === this.headerLine) return META;
    const fields = splitDelimitedLine(text, this.mapping.delimiter);
    if (!fields) return reject('unbalanced quotes');
    if (fields.length < this.header.length) return reject(`expected ${this.header.length} fields, got ${fields.length}`);
    if (fields.slice(this.header.length).some((f) => f.trim() !== '')) {
      return reject(`expected ${this.header.length} fields, got ${fields.length}`);
    }
    return this.toEvent(fields, sink);
  }

  private readHeader(text: string): Outcome {
    const fields = splitDelimitedLine(text, this.mapping.delimiter);
    if (!fields) return reject('unreadable header row');
    this.header = fields.map((f) => f.trim());
    this.headerLine = text;
    const indexByKey = new Map<string, number>();
    this.header.forEach((name, i) => {
      if (!indexByKey.has(headerKey(name))) indexByKey.set(headerKey(name), i);
    });
    for (const { header, target } of this.mapping.columns) {
      const index = indexByKey.get(headerKey(header));
      if (index === undefined || !KNOWN_TARGETS.has(target)) continue;
      const list = this.targets.get(target) ?? [];
      list.push(index);
      this.targets.set(target, list);
      this.mappedIndexes.add(index);
    }
    return META;
  }

  private first(fields: string[], target: MappedTarget): string | null {
    for (const index of this.targets.get(target) ?? []) {
      const value = textOrNull(fields[index]);
      if (value !== null && !this.nullValues.has(value)) return value;
    }
    return null;
  }

  private toEvent(fields: string[], sink: Sink): Outcome {
    const ts = this.time(fields);
    if (typeof ts !== 'number') return ts;
    const rec: EventRecord = { ts, kind: this.mapping.kind };
    const record = rec as unknown as Record<string, string | number | null>;
    for (const target of this.targets.keys()) {
      if (TIME_TARGETS.has(target) || target === 'url') continue;
      const value = this.first(fields, target);
      if (value === null) continue;
      if (target === 'duration') record[target] = numberOrNull(value);
      else if (INTEGER_TARGETS.has(target)) record[target] = intOrNull(value);
      else if (target === 'action') record[target] = normaliseAction(value);
      else if (target === 'protocol') record[target] = ipProtocolName(value);
      else if (target === 'method') record[target] = value.toUpperCase();
      else record[target] = value;
    }
    const url = this.first(fields, 'url');
    const parts = url ? splitUrl(url, true) : null;
    if (parts) {
      rec.dst_host ??= parts.host;
      rec.url_path ??= parts.path;
      rec.dst_port ??= parts.port;
    }
    if (rec.dst_host && !rec.dst_host_origin) rec.dst_host_origin = parts && rec.dst_host === parts.host ? 'url' : 'log';
    rec.extra = extraJson(
      this.header!.flatMap((name, i): [string, string][] =>
        this.mappedIndexes.has(i) || this.nullValues.has(fields[i].trim()) ? [] : [[name, fields[i]]],
      ),
    );
    sink.event(rec);
    return LOADED;
  }

  private time(fields: string[]): number | { reject: string } {
    const whole = this.first(fields, 'ts');
    const date = this.first(fields, 'date');
    const time = this.first(fields, 'time');
    const text = whole ?? (date && time ? `${date} ${time}` : null);
    if (text === null) {
      return reject(this.targets.has('ts') || this.targets.has('date') ? 'empty time' : 'no time column mapped in this header');
    }
    const micros = parseMappedTime(text, this.mapping.timeFormat, this.offset);
    return micros === null ? reject(`bad time "${text.slice(0, 40)}"`) : micros;
  }
}

function firstLine(head: string): string | null {
  const line = head.split(/\r?\n/).find((l) => l.trim() !== '');
  return line ?? null;
}

/**
 * An adapter reading delimited files through `mapping`. It sniffs a header that contains the mapping's time
 * column(s) and at least half of its other columns.
 */
export function createMappedCsvAdapter(mapping: ColumnMapping): Adapter {
  return {
    id: mapping.id,
    title: mapping.title,
    sniff(head) {
      const line = firstLine(head);
      const header = line ? splitHeader(line) : null;
      if (!header || header.delimiter !== mapping.delimiter) return 0;
      const keys = new Set(header.fields.map(headerKey));
      const present = mapping.columns.filter((c) => keys.has(headerKey(c.header)));
      const hasTime = present.some((c) => TIME_TARGETS.has(c.target));
      return hasTime && present.length * 2 >= mapping.columns.length ? 0.6 : 0;
    },
    open: (options) => new MappedCsvParser(mapping, options),
  };
}

/** Recognises a header that fits one of the presets in csv-presets.ts and reads the file with that preset. */
export const csvMappedAdapter: Adapter = {
  id: 'csv-mapped',
  title: 'CSV with a known column layout (Zscaler NSS, Forcepoint, Palo Alto URL)',
  sniff(head) {
    return presetFor(head) ? 0.9 : 0;
  },
  open(options) {
    let parser: RecordParser | null = null;
    return {
      get format() {
        return parser?.format ?? 'csv-mapped';
      },
      line(text, lineNo, sink) {
        if (!parser) {
          if (text.trim() === '') return META;
          const mapping = presetFor(text);
          if (!mapping) return reject('header matches no known CSV layout');
          parser = new MappedCsvParser(mapping, options);
        }
        return parser.line!(text, lineNo, sink);
      },
    };
  },
};

function presetFor(head: string): ColumnMapping | null {
  const line = firstLine(head);
  const header = line ? splitHeader(line) : null;
  if (!header) return null;
  const preset = CSV_PRESETS.find((p) => p.matches(header.fields));
  return preset ? { ...preset.mapping, delimiter: header.delimiter } : null;
}

/** Header synonyms (as `headerKey`s) for `suggestMapping`; first target listing a key wins. */
const SYNONYMS: ReadonlyArray<[MappedTarget, readonly string[]]> = [
  ['ts', ['ts', 'timestamp', 'datetime', 'dateandtime', 'eventtime', 'epochtime', 'time', 'receivetime', 'loggedtime', 'generatedtime', 'starttime', 'timegenerated']],
  ['src_ip', ['srcip', 'sourceip', 'src', 'source', 'sourceaddress', 'clientip', 'cip', 'client', 'clientaddress', 'srcaddr']],
  ['src_port', ['srcport', 'sport', 'sourceport', 'spt', 'clientsourceport', 'clientport']],
  ['dst_ip', ['dstip', 'destinationip', 'dst', 'destip', 'destination', 'destinationaddress', 'serverip', 'sip', 'dstaddr']],
  ['dst_port', ['dstport', 'dport', 'destinationport', 'dpt', 'port', 'serverport', 'destport']],
  ['dst_host', ['host', 'hostname', 'dsthost', 'domain', 'urlhost', 'dhost', 'ehost', 'serverhost', 'destinationhost', 'urldomain']],
  ['url', ['url', 'eurl', 'requesturl', 'fullurl', 'request', 'urlfilename', 'misc']],
  ['url_path', ['path', 'urlpath', 'uripath', 'uri', 'urlpathquery']],
  ['method', ['method', 'reqmethod', 'httpmethod', 'requestmethod', 'csmethod']],
  ['status', ['status', 'statuscode', 'respcode', 'httpstatus', 'httpstatuscode', 'responsecode', 'scstatus']],
  ['user_agent', ['useragent', 'ua', 'httpuseragent', 'requestclientapplication', 'csuseragent']],
  ['referrer', ['referer', 'referrer', 'refererurl', 'csreferer']],
  ['content_type', ['contenttype', 'mimetype', 'rscontenttype']],
  ['bytes_out', ['bytesout', 'bytessent', 'sentbytes', 'sentbyte', 'reqsize', 'requestsize', 'out', 'csbytes']],
  ['bytes_in', ['bytesin', 'bytesreceived', 'receivedbytes', 'rcvdbyte', 'respsize', 'responsesize', 'in', 'scbytes']],
  ['src_user', ['user', 'username', 'login', 'srcuser', 'sourceuser', 'userid', 'loginid', 'suser', 'csusername']],
  ['src_host', ['srchost', 'sourcehost', 'shost', 'devicehostname', 'clienthost', 'computername']],
  ['action', ['action', 'disposition', 'dispositionstring', 'act', 'policyaction', 'saction']],
  ['protocol', ['protocol', 'proto', 'transport', 'ipprotocol']],
  ['process', ['process', 'processname', 'image', 'sproc', 'application']],
  ['duration', ['duration', 'elapsed', 'elapsedtime', 'elapsedtimesec']],
  ['dns_query', ['query', 'qname', 'dnsquery', 'queryname']],
  ['dns_qtype', ['qtype', 'querytype']],
  ['dns_rcode', ['rcode', 'responsecodename']],
];

/** Guess a mapping from header names by common column names; the dialog shows it for the user to correct. */
export function suggestMapping(headerFields: readonly string[], delimiter = ','): ColumnMapping {
  const keys = headerFields.map((h) => headerKey(h));
  const hasDateColumn = keys.includes('date');
  const used = new Set<MappedTarget>();
  const columns: { header: string; target: MappedTarget }[] = [];
  headerFields.forEach((header, i) => {
    const key = keys[i];
    let target: MappedTarget | undefined;
    if (hasDateColumn && (key === 'date' || key === 'time')) target = key;
    else target = SYNONYMS.find(([t, names]) => !used.has(t) && names.includes(key))?.[0];
    if (!target || used.has(target)) return;
    used.add(target);
    columns.push({ header: header.trim(), target });
  });
  const kind: EventKind = used.has('dns_query')
    ? 'dns'
    : used.has('url') || used.has('url_path') || used.has('method') || used.has('dst_host')
      ? 'proxy'
      : used.has('action')
        ? 'firewall'
        : 'flow';
  return { id: 'csv-mapped', title: 'Column-mapped CSV', delimiter, kind, columns, timeFormat: 'auto' };
}
