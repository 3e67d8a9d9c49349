/**
 * Cloudflare Zero Trust Gateway logs as Logpush delivers them (one JSON object per line): the `gateway_dns`
 * dataset (`QueryName`, `SrcIP`, `ResolverDecision`, `RCode`, resolved addresses) as 'dns' events, and
 * `gateway_http` (`URL`, `HTTPHost`, `HTTPMethod`, `HTTPStatusCode`, `UserAgent`, `Action`) as 'proxy' events.
 * `Datetime` is RFC 3339 text or a Unix number (seconds, milliseconds or, Logpush's default, nanoseconds).
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { epochSecondsToMicros, isoToMicros } from '../ingest/time.ts';
import { ipProtocolName, normaliseAction, splitUrl } from './csv-mapped.ts';
import {
  clipText,
  extraJson,
  get,
  getInteger,
  getString as getAny,
  parseJsonRecord,
  sniffJsonLines,
  type JsonRecord,
} from './json-record.ts';
import { hostName } from './zeek-common.ts';

/** A text field; Logpush writes "" for an absent value. */
const getString = (r: JsonRecord, ...keys: string[]): string | null => getAny(r, ...keys) || null;

/** DNS rcodes by number (RCode is an int). */
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
const IP = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

/** `Datetime` → UTC micros. */
export function cloudflareTime(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (/^\d{19}$/.test(text)) return Number(text.slice(0, 16));
  if (/^\d{13}$/.test(text)) return Number(text) * 1000;
  if (/^\d{10}$/.test(text)) return epochSecondsToMicros(text);
  return text === '' ? null : isoToMicros(text);
}

/** Gateway's resolver decision ("allowedOnNoPolicyMatch", "blockedByCategory", …) as a device decision. */
function decision(text: string | null): string | null {
  if (!text) return null;
  if (/^allowed/i.test(text)) return 'allow';
  if (/^blocked/i.test(text)) return 'deny';
  return normaliseAction(text);
}

/** Resolved addresses: `ResolvedIPs`, else the data of `ResourceRecords` that are addresses. */
function answers(r: JsonRecord): string | null {
  const resolved = get(r, 'ResolvedIPs');
  const records = get(r, 'ResourceRecords');
  const list = Array.isArray(resolved)
    ? resolved
    : Array.isArray(records)
      ? records.map((rr: unknown) =>
          rr !== null && typeof rr === 'object' && Object.hasOwn(rr, 'data') ? (rr as { data: unknown }).data : null,
        )
      : [];
  const ips = list.filter((v): v is string => typeof v === 'string' && IP.test(v));
  return ips.length ? clipText(ips.join(',')) : null;
}

const DNS_USED = new Set([
  'Datetime',
  'SrcIP',
  'SrcPort',
  'DstIP',
  'DstPort',
  'Protocol',
  'QueryName',
  'QueryTypeName',
  'QueryType',
  'RCode',
  'ResolvedIPs',
  'ResourceRecords',
  'ResolverDecision',
  'Email',
  'DeviceName',
]);
const HTTP_USED = new Set([
  'Datetime',
  'SourceIP',
  'SourcePort',
  'DestinationIP',
  'DestinationPort',
  'URL',
  'HTTPHost',
  'HTTPMethod',
  'HTTPStatusCode',
  'UserAgent',
  'Referer',
  'Action',
  'Email',
  'DeviceName',
  'RequestID',
]);

const isDns = (r: JsonRecord) => r.has('QueryName');
const isHttp = (r: JsonRecord) => r.has('HTTPHost') || (r.has('URL') && r.has('HTTPMethod'));

function emitGatewayRecord(r: JsonRecord, sink: Sink): Outcome {
  const stamp = get(r, 'Datetime');
  if (stamp === undefined) return reject('no Datetime');
  const ts = cloudflareTime(stamp);
  if (ts === null) return reject(`unreadable Datetime "${clipText(String(stamp), 40)}"`);
  const common = { ts, src_user: getString(r, 'Email'), src_host: getString(r, 'DeviceName') };
  let event: EventRecord;
  if (isDns(r)) {
    const query = getString(r, 'QueryName')!.replace(/\.$/, '');
    const rcode = getInteger(r, 'RCode');
    event = {
      ...common,
      kind: 'dns',
      app_protocol: 'dns',
      src_ip: getString(r, 'SrcIP'),
      src_port: getInteger(r, 'SrcPort'),
      dst_ip: getString(r, 'DstIP'),
      dst_port: getInteger(r, 'DstPort'),
      protocol: ipProtocolName(getString(r, 'Protocol')),
      dns_query: query,
      dst_host: hostName(query),
      dst_host_origin: 'dns-query',
      dns_qtype: getString(r, 'QueryTypeName', 'QueryType'),
      dns_rcode: rcode !== null ? (RCODES[rcode] ?? String(rcode)) : getString(r, 'RCode'),
      dns_answers: answers(r),
      action: decision(getString(r, 'ResolverDecision')),
      extra: extraJson(r, DNS_USED),
    };
  } else if (isHttp(r)) {
    const url = getString(r, 'URL');
    const parts = url ? splitUrl(url, true) : null;
    const host = hostName(getString(r, 'HTTPHost')) ?? (parts ? hostName(parts.host) : null);
    event = {
      ...common,
      kind: 'proxy',
      src_ip: getString(r, 'SourceIP'),
      src_port: getInteger(r, 'SourcePort'),
      dst_ip: getString(r, 'DestinationIP'),
      dst_port: getInteger(r, 'DestinationPort') ?? parts?.port ?? null,
      dst_host: host,
      dst_host_origin: host ? (getString(r, 'HTTPHost') ? 'http-host' : 'url') : null,
      url_path: parts?.path ?? null,
      method: getString(r, 'HTTPMethod')?.toUpperCase() ?? null,
      status: getInteger(r, 'HTTPStatusCode'),
      user_agent: getString(r, 'UserAgent'),
      referrer: getString(r, 'Referer'),
      action: normaliseAction(getString(r, 'Action')),
      uid: getString(r, 'RequestID'),
      extra: extraJson(r, HTTP_USED),
    };
  } else {
    return reject('neither a Gateway DNS record (QueryName) nor an HTTP one (HTTPHost, URL)');
  }
  sink.event(event);
  return LOADED;
}

/** Gateway DNS and HTTP Logpush files. */
export const cloudflareGatewayAdapter: Adapter = {
  id: 'cloudflare-gateway',
  title: 'Cloudflare Gateway DNS / HTTP logs (Logpush JSON)',
  sniff: (head) =>
    sniffJsonLines(head, (r) =>
      r.has('Datetime') && ((isDns(r) && (r.has('SrcIP') || r.has('ResolverDecision'))) || (isHttp(r) && r.has('SourceIP'))) ? 0.95 : 0,
    ),
  open(): RecordParser {
    let format = 'cloudflare-gateway';
    return {
      get format() {
        return format;
      },
      line(text: string, _lineNo: number, sink: Sink): Outcome {
        const record = parseJsonRecord(text);
        if (typeof record === 'string') return reject(record);
        if (format === 'cloudflare-gateway')
          format = isDns(record) ? 'cloudflare-gateway-dns' : isHttp(record) ? 'cloudflare-gateway-http' : format;
        return emitGatewayRecord(record, sink);
      },
    };
  },
};
