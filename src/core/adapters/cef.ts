/**
 * ArcSight Common Event Format: `CEF:0|Vendor|Product|Version|SignatureId|Name|Severity|extension`, optionally after
 * a syslog header. Header fields escape `\|` and `\\`; extension values escape `\=`, `\\`, `\n`, `\r`, and run
 * until the next ` key=`. Kind 'proxy' when `request` (a URL) is present, else 'firewall'.
 * Bytes: `out` → bytes_out and `in` → bytes_in, the reading Forcepoint, Fortinet and Zscaler templates use
 * (`out` = bytes the source sent).
 * Time: `rt` (epoch ms, epoch s, or `MMM dd yyyy HH:mm:ss[.SSS][ zone]`), else `start`, else `end`.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type ParseOptions, type Sink } from '../ingest/adapter.ts';
import { isoToMicros, monthNumber, partsToMicros } from '../ingest/time.ts';
import { extraJson, intOrNull, ipProtocolName, normaliseAction, portOrNull, confidenceFromShare, shareOfLines, splitUrl, textOrNull } from './csv-mapped.ts';

const CEF_START = /CEF:\d+\|/;
const EXT_KEY = /(?:^|\s)([\w.[\]-]+)=/g;

/** Split the 7 header fields and the extension on unescaped pipes; null when fewer than 8 parts. */
export function splitCefHeader(cef: string): { header: string[]; extension: string } | null {
  const parts: string[] = [];
  let current = '';
  let i = 0;
  for (; i < cef.length && parts.length < 7; i++) {
    const c = cef[i];
    if (c === '\\' && (cef[i + 1] === '|' || cef[i + 1] === '\\')) {
      current += cef[++i];
    } else if (c === '|') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (parts.length < 7) return null;
  return { header: parts, extension: cef.slice(i) };
}

function unescapeExtension(value: string): string {
  return value.replace(/\\([\\=nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** Extension key=value pairs into a Map (a key's value runs up to the whitespace before the next key). */
export function parseCefExtension(extension: string): Map<string, string> {
  const fields = new Map<string, string>();
  const keys = [...extension.matchAll(EXT_KEY)];
  keys.forEach((m, n) => {
    const valueStart = m.index + m[0].length;
    const valueEnd = n + 1 < keys.length ? keys[n + 1].index : extension.length;
    if (!fields.has(m[1])) fields.set(m[1], unescapeExtension(extension.slice(valueStart, valueEnd).trim()));
  });
  return fields;
}

const CEF_DATE = /^([A-Za-z]{3}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:\s+(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?$/;

/** CEF time: epoch ms (13 digits), epoch s (10 digits) or "MMM dd yyyy HH:mm:ss[.SSS][ zone]" (no zone: local). */
export function cefTimeToMicros(value: string, utcOffsetMinutes: number): number | null {
  const text = value.trim();
  if (/^\d{12,13}$/.test(text)) return Number(text) * 1000;
  if (/^\d{9,10}$/.test(text)) return Number(text) * 1_000_000;
  const m = CEF_DATE.exec(text);
  if (!m) return isoToMicros(text, utcOffsetMinutes);
  const month = monthNumber(m[1]);
  if (month === null) return null;
  let offset = utcOffsetMinutes;
  const zone = m[8];
  if (zone === 'Z' || zone === 'UTC' || zone === 'GMT') offset = 0;
  else if (zone) offset = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const millis = Number((m[7] ?? '0').padEnd(3, '0'));
  return partsToMicros(Number(m[3]), month, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]), millis * 1000, offset);
}

const MAPPED_KEYS = new Set([
  'src', 'dst', 'spt', 'dpt', 'shost', 'dhost', 'request', 'requestMethod', 'requestClientApplication', 'requestContext',
  'out', 'in', 'act', 'rt', 'start', 'end', 'suser', 'sproc', 'deviceProcessName', 'spid', 'proto', 'app',
]);

function parseCefLine(text: string, sink: Sink, options: ParseOptions): Outcome {
  if (text.trim() === '') return META;
  const start = CEF_START.exec(text);
  if (!start) return reject('no CEF:<version>| header');
  const split = splitCefHeader(text.slice(start.index));
  if (!split) return reject('CEF header has fewer than 7 fields');
  const [, vendor, product, , signatureId, name, severity] = split.header;
  const ext = parseCefExtension(split.extension);
  const get = (key: string) => textOrNull(ext.get(key));
  const timeText = get('rt') ?? get('start') ?? get('end');
  if (!timeText) return reject('no rt/start/end time');
  const ts = cefTimeToMicros(timeText, options.utcOffsetMinutes);
  if (ts === null) return reject(`bad time "${timeText.slice(0, 40)}"`);

  const request = get('request');
  const rec: EventRecord = {
    ts,
    kind: request ? 'proxy' : 'firewall',
    src_ip: get('src'),
    src_port: portOrNull(get('spt')),
    src_host: get('shost'),
    src_user: get('suser'),
    process: get('sproc') ?? get('deviceProcessName'),
    process_id: intOrNull(get('spid')),
    dst_ip: get('dst'),
    dst_port: portOrNull(get('dpt')),
    method: get('requestMethod'),
    user_agent: get('requestClientApplication'),
    referrer: get('requestContext'),
    bytes_out: intOrNull(get('out')),
    bytes_in: intOrNull(get('in')),
    protocol: ipProtocolName(get('proto')),
    app_protocol: get('app')?.toLowerCase() ?? null,
    action: normaliseAction(get('act')),
  };
  const parts = request ? splitUrl(request, true) : null;
  if (parts) {
    rec.dst_host = parts.host;
    rec.dst_host_origin = 'url';
    rec.url_path = parts.path ?? '/';
    rec.dst_port ??= parts.port;
  } else if (get('dhost')) {
    rec.dst_host = get('dhost');
    rec.dst_host_origin = 'log';
  }
  rec.extra = extraJson([
    ['vendor', vendor],
    ['product', product],
    ['signature_id', signatureId],
    ['name', name],
    ['severity', severity],
    ...[...ext].filter(([key]) => !MAPPED_KEYS.has(key)),
  ]);
  sink.event(rec);
  return LOADED;
}

export const cefAdapter: Adapter = {
  id: 'cef',
  title: 'Common Event Format (CEF)',
  sniff(head) {
    return confidenceFromShare(shareOfLines(head, (l) => CEF_START.test(l) && l.split('|').length >= 8));
  },
  open(options) {
    return { format: 'cef', line: (text, _lineNo, sink) => parseCefLine(text, sink, options) };
  },
};
