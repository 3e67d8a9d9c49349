/**
 * Palo Alto Networks PAN-OS traffic and threat logs, in two shapes:
 * - the Monitor-tab CSV export, whose header row names the columns ("Receive Time", "Source address", ...);
 * - the headerless syslog CSV (`FUTURE_USE,Receive Time,Serial,Type,...`, optionally after a syslog header),
 *   read by the documented field positions of the TRAFFIC and THREAT formats.
 *
 * TRAFFIC → kind 'firewall'. THREAT subtype url (URL Filtering) → kind 'proxy' with dst_host and url_path from
 * the URL (kept apart from 'firewall' so a session's traffic log and its URL log are not counted as two
 * sessions). Other THREAT subtypes → kind 'alert'. Other log types are rejected with their type named.
 * Time: the session Start Time for traffic (the log itself is written at session end), else Generate Time,
 * else Receive Time; all are the firewall's local time, so `utcOffsetMinutes` applies.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type ParseOptions, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import {
  extraJson, headerKey, intOrNull, ipProtocolName, normaliseAction, numberOrNull, portOrNull, confidenceFromShare, shareOfLines,
  splitDelimitedLine, splitUrl, textOrNull,
} from './csv-mapped.ts';

type Field =
  | 'receive' | 'type' | 'subtype' | 'generated' | 'src' | 'dst' | 'rule' | 'srcUser' | 'app' | 'session' | 'sport'
  | 'dport' | 'proto' | 'action' | 'bytesSent' | 'bytesReceived' | 'start' | 'elapsed' | 'category' | 'endReason'
  | 'url' | 'threat' | 'contentType' | 'userAgent' | 'referer' | 'method';

/** Positions in the syslog CSV (PAN-OS traffic log field list), 0-based. */
const TRAFFIC_POSITIONS: Partial<Record<Field, number>> = {
  receive: 1, type: 3, subtype: 4, generated: 6, src: 7, dst: 8, rule: 11, srcUser: 12, app: 14, session: 22, sport: 24,
  dport: 25, proto: 29, action: 30, bytesSent: 32, bytesReceived: 33, start: 35, elapsed: 36, category: 37, endReason: 46,
};

/** Positions in the syslog CSV (PAN-OS threat log field list), 0-based. */
const THREAT_POSITIONS: Partial<Record<Field, number>> = {
  receive: 1, type: 3, subtype: 4, generated: 6, src: 7, dst: 8, rule: 11, srcUser: 12, app: 14, session: 22, sport: 24,
  dport: 25, proto: 29, action: 30, url: 31, threat: 32, category: 33, contentType: 41, userAgent: 46, referer: 49, method: 63,
};

/** Export header names (as `headerKey`s) for each field. */
const HEADER_ALIASES: Record<Field, readonly string[]> = {
  receive: ['receivetime'], type: ['type'], subtype: ['threatcontenttype', 'subtype'], generated: ['generatetime', 'generatedtime'],
  src: ['sourceaddress', 'sourceip'], dst: ['destinationaddress', 'destinationip'], rule: ['rule', 'rulename'],
  srcUser: ['sourceuser'], app: ['application'], session: ['sessionid'], sport: ['sourceport'], dport: ['destinationport'],
  proto: ['ipprotocol', 'protocol'], action: ['action'], bytesSent: ['bytessent'], bytesReceived: ['bytesreceived'],
  start: ['starttime'], elapsed: ['elapsedtimesec', 'elapsedtime'], category: ['category', 'urlcategory'],
  endReason: ['sessionendreason'], url: ['url', 'urlfilename'], threat: ['threatcontentname', 'threatid', 'threatname'],
  contentType: ['contenttype'], userAgent: ['useragent'], referer: ['referer'], method: ['httpmethod'],
};

const SYSLOG_START = /(?:^|[\s>])(\d*,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},[^,]*,[A-Z][A-Z-]+,)/;
const APP_PROTOCOLS = new Map([['ssl', 'tls'], ['web-browsing', 'http'], ['dns', 'dns'], ['dns-base', 'dns'], ['ssh', 'ssh'], ['quic', 'quic']]);

function panTime(text: string | null, offset: number): number | null {
  if (!text || !/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return null;
  return isoToMicros(text.replaceAll('/', '-'), offset);
}

type Lookup = (field: Field) => string | null;

function toEvent(get: Lookup, offset: number): EventRecord | { reject: string } {
  const type = get('type')?.toUpperCase() ?? '';
  const subtype = get('subtype')?.toLowerCase() ?? null;
  if (type !== 'TRAFFIC' && type !== 'THREAT') return reject(`PAN-OS ${type || 'untyped'} log: not a traffic or threat record`);
  const ts = (type === 'TRAFFIC' ? panTime(get('start'), offset) : null) ?? panTime(get('generated'), offset) ?? panTime(get('receive'), offset);
  if (ts === null) return reject(`bad time "${(get('receive') ?? '').slice(0, 30)}"`);
  const app = get('app');
  const rec: EventRecord = {
    ts,
    kind: type === 'TRAFFIC' ? 'firewall' : subtype === 'url' ? 'proxy' : 'alert',
    src_ip: get('src'),
    src_port: portOrNull(get('sport')),
    src_user: get('srcUser'),
    dst_ip: get('dst'),
    dst_port: portOrNull(get('dport')),
    protocol: ipProtocolName(get('proto')),
    app_protocol: app ? (APP_PROTOCOLS.get(app) ?? null) : null,
    action: normaliseAction(get('action')),
    uid: get('session'),
  };
  if (type === 'TRAFFIC') {
    rec.bytes_out = intOrNull(get('bytesSent'));
    rec.bytes_in = intOrNull(get('bytesReceived'));
    rec.duration = numberOrNull(get('elapsed'));
    rec.conn_state = get('endReason');
  } else if (subtype === 'url') {
    const url = get('url');
    const parts = url ? splitUrl(url, true) : null;
    if (parts) {
      rec.dst_host = parts.host;
      rec.dst_host_origin = 'url';
      rec.url_path = parts.path ?? '/';
    }
    rec.method = get('method')?.toUpperCase() ?? null;
    rec.user_agent = get('userAgent');
    rec.referrer = get('referer');
    rec.content_type = get('contentType');
  } else {
    rec.alert = get('threat');
  }
  rec.extra = extraJson([
    ['application', app],
    ['subtype', subtype],
    ['rule', get('rule')],
    ['category', get('category')],
    ...(type === 'THREAT' && subtype !== 'url' ? ([['url_or_file', get('url')]] as const) : []),
  ]);
  return rec;
}

class PaloAltoParser implements RecordParser {
  readonly format: string = 'paloalto-csv';
  /** Export header: field → column index; null until a header is seen (syslog files never have one). */
  private headerIndex: Map<Field, number> | null = null;

  constructor(private readonly options: ParseOptions) {}

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    if (text.trim() === '') return META;
    const syslog = this.headerIndex ? null : SYSLOG_START.exec(text);
    if (syslog) {
      const values = splitDelimitedLine(text.slice(syslog.index + syslog[0].indexOf(syslog[1])), ',');
      if (!values) return reject('unbalanced quotes');
      const isSession = values[3] === 'TRAFFIC' || values[3] === 'THREAT';
      if (isSession && values.length < 32) return reject(`expected at least 32 fields, got ${values.length}`);
      const positions = values[3] === 'THREAT' ? THREAT_POSITIONS : TRAFFIC_POSITIONS;
      return this.emit((f) => (positions[f] === undefined ? null : textOrNull(values[positions[f]!])), sink);
    }
    const values = splitDelimitedLine(text, ',');
    if (!values) return reject('unbalanced quotes');
    const keys = values.map(headerKey);
    if (keys.includes('receivetime') && keys.includes('type')) {
      this.readHeader(keys);
      return META;
    }
    const index = this.headerIndex;
    if (!index) return reject('neither a PAN-OS syslog record nor preceded by an export header');
    return this.emit((f) => (index.has(f) ? textOrNull(values[index.get(f)!]) : null), sink);
  }

  private readHeader(keys: string[]): void {
    this.headerIndex = new Map();
    for (const [field, aliases] of Object.entries(HEADER_ALIASES) as [Field, readonly string[]][]) {
      const i = keys.findIndex((k) => aliases.includes(k));
      if (i >= 0) this.headerIndex.set(field, i);
    }
  }

  private emit(get: Lookup, sink: Sink): Outcome {
    const rec = toEvent(get, this.options.utcOffsetMinutes);
    if ('reject' in rec) return rec;
    sink.event(rec);
    return LOADED;
  }
}

export const paloAltoAdapter: Adapter = {
  id: 'paloalto-csv',
  title: 'Palo Alto Networks traffic / threat / URL log (CSV export or syslog)',
  sniff(head) {
    const first = head.split(/\r?\n/, 1)[0].toLowerCase();
    if (first.includes('receive time') && first.includes('source address') && first.includes('type')) return 0.95;
    return confidenceFromShare(shareOfLines(head, (l) => SYSLOG_START.test(l)));
  },
  open: (options) => new PaloAltoParser(options),
};
