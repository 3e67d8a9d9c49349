/**
 * FortiGate / FortiOS key=value logs (`date=2024-05-01 time=12:00:01 ... srcip=10.0.0.5 dstip=... action="accept"`),
 * with or without a syslog prefix; values may be double-quoted.
 * type=traffic → kind 'firewall'; utm subtype webfilter → 'proxy' (hostname + url); utm subtype dns → 'dns';
 * utm ips / virus / anomaly → 'alert'; other utm subtypes (app-ctrl, ssl, ...) → 'firewall'; type=event is rejected.
 * Time: `eventtime` (UTC epoch in s, ms, µs or ns by digit count), else `date`+`time` in the `tz` field's zone,
 * else in `utcOffsetMinutes`.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type ParseOptions, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import { extraJson, intOrNull, ipProtocolName, normaliseAction, numberOrNull, portOrNull, confidenceFromShare, shareOfLines, splitUrl, textOrNull } from './csv-mapped.ts';

const PAIR = /([A-Za-z_][\w-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
const FIRST_KEY = /(?:^|[\s>])[A-Za-z_][\w-]*=/;

/** key=value pairs of one line (after any syslog prefix) into a Map; quoted values unescaped. */
export function parseKeyValues(text: string): Map<string, string> {
  const start = FIRST_KEY.exec(text);
  const fields = new Map<string, string>();
  if (!start) return fields;
  for (const m of text.slice(start.index).matchAll(PAIR)) {
    const raw = m[2];
    const value = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (!fields.has(m[1])) fields.set(m[1], value);
  }
  return fields;
}

/** FortiOS eventtime: epoch seconds, ms, µs or ns, told apart by digit count; kept to µs without float loss. */
function eventTimeToMicros(value: string): number | null {
  if (!/^\d{9,19}$/.test(value)) return null;
  if (value.length >= 18) return Number(value.slice(0, -3));
  if (value.length >= 15) return Number(value);
  if (value.length >= 12) return Number(value) * 1000;
  return Number(value) * 1_000_000;
}

/** tz="+0200" / "-0500" / "+02:00" to an ISO zone suffix; null when absent or unreadable. */
function zoneSuffix(tz: string | undefined): string | null {
  const m = tz ? /^([+-])(\d{2}):?(\d{2})$/.exec(tz.trim()) : null;
  return m ? `${m[1]}${m[2]}:${m[3]}` : null;
}

const ALERT_SUBTYPES = new Set(['ips', 'virus', 'anomaly', 'waf', 'dlp']);
const SESSION_ENDS = new Set(['close', 'timeout', 'client-rst', 'server-rst']);

function kindOf(type: string, subtype: string): EventRecord['kind'] | null {
  if (type === 'traffic') return 'firewall';
  if (type !== 'utm') return null;
  if (subtype === 'webfilter') return 'proxy';
  if (subtype === 'dns') return 'dns';
  return ALERT_SUBTYPES.has(subtype) ? 'alert' : 'firewall';
}

/** Keys mapped to canonical columns (everything else worth keeping is listed in EXTRA_KEYS). */
const EXTRA_KEYS = ['type', 'subtype', 'app', 'appcat', 'service', 'policyid', 'catdesc', 'devname', 'logid', 'msg'];

function parseFortigateLine(text: string, sink: Sink, options: ParseOptions): Outcome {
  if (text.trim() === '') return META;
  const kv = parseKeyValues(text);
  if (kv.size === 0) return reject('no key=value pairs');
  const get = (key: string) => textOrNull(kv.get(key));
  const type = (get('type') ?? '').toLowerCase();
  const subtype = (get('subtype') ?? '').toLowerCase();
  const kind = kindOf(type, subtype);
  if (!kind) return reject(`FortiGate ${type || 'untyped'} log: not a traffic or UTM record`);

  const eventtime = get('eventtime');
  const date = get('date');
  const time = get('time');
  const zone = zoneSuffix(kv.get('tz'));
  const ts =
    (eventtime ? eventTimeToMicros(eventtime) : null) ??
    (date && time ? isoToMicros(`${date}T${time}${zone ?? ''}`, options.utcOffsetMinutes) : null);
  if (ts === null) return reject(`bad or missing time (date=${(date ?? '').slice(0, 12)} time=${(time ?? '').slice(0, 12)})`);

  const rawAction = get('action')?.toLowerCase() ?? null;
  const rec: EventRecord = {
    ts,
    kind,
    src_ip: get('srcip'),
    src_port: portOrNull(get('srcport')),
    src_host: get('srcname'),
    src_user: get('user') ?? get('unauthuser'),
    dst_ip: get('dstip'),
    dst_port: portOrNull(get('dstport')),
    protocol: ipProtocolName(get('proto')),
    bytes_out: intOrNull(get('sentbyte')),
    bytes_in: intOrNull(get('rcvdbyte')),
    duration: numberOrNull(get('duration')),
    action: rawAction && SESSION_ENDS.has(rawAction) ? 'allow' : normaliseAction(rawAction),
    conn_state: rawAction && SESSION_ENDS.has(rawAction) ? rawAction : null,
    uid: get('sessionid'),
    user_agent: get('agent'),
    method: get('httpmethod')?.toUpperCase() ?? null,
  };
  const host = get('hostname') ?? get('qname');
  if (host) {
    rec.dst_host = host;
    rec.dst_host_origin = kind === 'dns' ? 'dns-query' : 'log';
  }
  const url = get('url');
  if (url) rec.url_path = url.startsWith('/') ? url : (splitUrl(url)?.path ?? url);
  if (kind === 'dns') {
    rec.dns_query = get('qname');
    rec.dns_qtype = get('qtype');
    rec.dns_answers = get('ipaddr')?.replace(/\s*,\s*/g, ',') ?? null;
    rec.app_protocol = 'dns';
  }
  if (kind === 'alert') rec.alert = get('attack') ?? get('virus') ?? get('msg');
  rec.extra = extraJson(EXTRA_KEYS.map((k) => [k, kv.get(k)] as const));
  sink.event(rec);
  return LOADED;
}

export const fortigateAdapter: Adapter = {
  id: 'fortigate-kv',
  title: 'FortiGate key=value log',
  sniff(head) {
    const looksForti = (l: string) => /\blogid="?\d+/.test(l) && /\btype="?\w/.test(l) && /\b(?:eventtime|date)=/.test(l);
    return confidenceFromShare(shareOfLines(head, looksForti));
  },
  open(options) {
    return { format: 'fortigate-kv', line: (text, _lineNo, sink) => parseFortigateLine(text, sink, options) };
  },
};
