/**
 * Zeek conn, dns, http and ssl logs, as TSV (with the `#separator \x09` … `#close` framing) or as
 * NDJSON (dotted `id.orig_h` keys, `ts` as epoch seconds). Field lists follow Zeek 6 defaults.
 */
import type { Activity } from '../activity.ts';
import { fixed, zeekStamp, zeekTime } from '../clock.ts';
import { seedFrom } from '../random.ts';
import { type LogFile, type WriterContext, packets } from './log-file.ts';

export type ZeekValue = string | number | boolean | null | string[] | { time: number } | { interval: number } | { intervals: number[] };

interface ZeekField {
  name: string;
  type: string;
  value: (a: Activity) => ZeekValue;
}

export interface ZeekLogSpec {
  path: 'conn' | 'dns' | 'http' | 'ssl';
  accepts: (a: Activity) => boolean;
  fields: ZeekField[];
}

const ID_FIELDS: ZeekField[] = [
  { name: 'ts', type: 'time', value: (a) => ({ time: a.ts }) },
  { name: 'uid', type: 'string', value: (a) => a.uid },
  { name: 'id.orig_h', type: 'addr', value: (a) => a.host.ip },
  { name: 'id.orig_p', type: 'port', value: (a) => a.srcPort },
  { name: 'id.resp_h', type: 'addr', value: (a) => a.dstIp },
  { name: 'id.resp_p', type: 'port', value: (a) => a.dstPort },
];

const isNetwork = (a: Activity): boolean => a.kind !== 'process';
const isUdp = (a: Activity): boolean => a.kind === 'dns' || a.kind === 'ntp';

const CONN: ZeekLogSpec = {
  path: 'conn',
  accepts: isNetwork,
  fields: [
    ...ID_FIELDS,
    { name: 'proto', type: 'enum', value: (a) => (isUdp(a) ? 'udp' : 'tcp') },
    { name: 'service', type: 'string', value: (a) => (a.kind === 'web' ? (a.tls ? 'ssl' : 'http') : a.kind) },
    { name: 'duration', type: 'interval', value: (a) => ({ interval: a.durationUs }) },
    { name: 'orig_bytes', type: 'count', value: (a) => a.bytesOut },
    { name: 'resp_bytes', type: 'count', value: (a) => a.bytesIn },
    { name: 'conn_state', type: 'string', value: () => 'SF' },
    { name: 'local_orig', type: 'bool', value: () => true },
    { name: 'local_resp', type: 'bool', value: (a) => a.dstIp.startsWith('10.') },
    { name: 'missed_bytes', type: 'count', value: () => 0 },
    { name: 'history', type: 'string', value: (a) => (isUdp(a) ? 'Dd' : 'ShADadFf') },
    { name: 'orig_pkts', type: 'count', value: (a) => (isUdp(a) ? 1 : packets(a.bytesOut)) },
    { name: 'orig_ip_bytes', type: 'count', value: (a) => a.bytesOut + (isUdp(a) ? 28 : 40 * packets(a.bytesOut)) },
    { name: 'resp_pkts', type: 'count', value: (a) => (isUdp(a) ? 1 : packets(a.bytesIn)) },
    { name: 'resp_ip_bytes', type: 'count', value: (a) => a.bytesIn + (isUdp(a) ? 28 : 40 * packets(a.bytesIn)) },
    { name: 'tunnel_parents', type: 'set[string]', value: () => null },
  ],
};

const DNS: ZeekLogSpec = {
  path: 'dns',
  accepts: (a) => a.kind === 'dns',
  fields: [
    ...ID_FIELDS,
    { name: 'proto', type: 'enum', value: () => 'udp' },
    { name: 'trans_id', type: 'count', value: (a) => a.dns!.transId },
    { name: 'rtt', type: 'interval', value: (a) => ({ interval: a.durationUs }) },
    { name: 'query', type: 'string', value: (a) => a.dns!.query },
    { name: 'qclass', type: 'count', value: () => 1 },
    { name: 'qclass_name', type: 'string', value: () => 'C_INTERNET' },
    { name: 'qtype', type: 'count', value: () => 1 },
    { name: 'qtype_name', type: 'string', value: (a) => a.dns!.qtype },
    { name: 'rcode', type: 'count', value: (a) => (a.dns!.rcode === 'NOERROR' ? 0 : 3) },
    { name: 'rcode_name', type: 'string', value: (a) => a.dns!.rcode },
    { name: 'AA', type: 'bool', value: () => false },
    { name: 'TC', type: 'bool', value: () => false },
    { name: 'RD', type: 'bool', value: () => true },
    { name: 'RA', type: 'bool', value: () => true },
    { name: 'Z', type: 'count', value: () => 0 },
    { name: 'answers', type: 'vector[string]', value: (a) => a.dns!.answers },
    { name: 'TTLs', type: 'vector[interval]', value: (a) => ({ intervals: a.dns!.answers.map(() => a.dns!.ttl * 1e6) }) },
    { name: 'rejected', type: 'bool', value: () => false },
  ],
};

const HTTP: ZeekLogSpec = {
  path: 'http',
  accepts: (a) => a.kind === 'web' && !a.tls,
  fields: [
    ...ID_FIELDS,
    { name: 'trans_depth', type: 'count', value: () => 1 },
    { name: 'method', type: 'string', value: (a) => a.method },
    { name: 'host', type: 'string', value: (a) => a.dstHost ?? a.dstIp },
    { name: 'uri', type: 'string', value: (a) => a.path },
    { name: 'referrer', type: 'string', value: () => null },
    { name: 'version', type: 'string', value: () => '1.1' },
    { name: 'user_agent', type: 'string', value: (a) => a.userAgent || null },
    { name: 'origin', type: 'string', value: () => null },
    { name: 'request_body_len', type: 'count', value: (a) => (a.method === 'GET' ? 0 : a.bytesOut) },
    { name: 'response_body_len', type: 'count', value: (a) => a.bytesIn },
    { name: 'status_code', type: 'count', value: (a) => a.status },
    { name: 'status_msg', type: 'string', value: (a) => STATUS_TEXT[a.status] ?? 'OK' },
    { name: 'info_code', type: 'count', value: () => null },
    { name: 'info_msg', type: 'string', value: () => null },
    { name: 'tags', type: 'set[enum]', value: () => [] },
    { name: 'username', type: 'string', value: () => null },
    { name: 'password', type: 'string', value: () => null },
    { name: 'proxied', type: 'set[string]', value: () => null },
    { name: 'orig_fuids', type: 'vector[string]', value: () => null },
    { name: 'orig_filenames', type: 'vector[string]', value: () => null },
    { name: 'orig_mime_types', type: 'vector[string]', value: () => null },
    { name: 'resp_fuids', type: 'vector[string]', value: (a) => (a.bytesIn > 0 ? [`F${a.uid.slice(1)}`] : null) },
    { name: 'resp_filenames', type: 'vector[string]', value: () => null },
    { name: 'resp_mime_types', type: 'vector[string]', value: (a) => (a.contentType ? [a.contentType.split(';')[0]] : null) },
  ],
};

const SSL: ZeekLogSpec = {
  path: 'ssl',
  accepts: (a) => a.kind === 'web' && a.tls,
  fields: [
    ...ID_FIELDS,
    { name: 'version', type: 'string', value: () => 'TLSv13' },
    { name: 'cipher', type: 'string', value: (a) => (seedFrom(a.uid) % 3 === 0 ? 'TLS_AES_256_GCM_SHA384' : 'TLS_AES_128_GCM_SHA256') },
    { name: 'curve', type: 'string', value: () => 'x25519' },
    { name: 'server_name', type: 'string', value: (a) => a.dstHost },
    { name: 'resumed', type: 'bool', value: (a) => seedFrom(a.uid, 'resumed') % 4 === 0 },
    { name: 'last_alert', type: 'string', value: () => null },
    { name: 'next_protocol', type: 'string', value: (a) => (a.status === 101 ? 'http/1.1' : 'h2') },
    { name: 'established', type: 'bool', value: () => true },
    { name: 'ssl_history', type: 'string', value: () => 'CsiI' },
    { name: 'cert_chain_fps', type: 'vector[string]', value: () => null },
    { name: 'client_cert_chain_fps', type: 'vector[string]', value: () => null },
    { name: 'sni_matches_cert', type: 'bool', value: (a) => (a.dstHost ? true : null) },
  ],
};

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 101: 'Switching Protocols', 308: 'Permanent Redirect' };

export const ZEEK_LOGS = [CONN, DNS, HTTP, SSL];

const NEEDS_ESCAPE = /[^\x20-\x5b\x5d-\x7e]/;

/** Zeek ASCII escaping: separator, control and non-ASCII bytes as \xNN; container separators too. */
function escapeTsv(text: string, inContainer: boolean): string {
  if (!NEEDS_ESCAPE.test(text) && !(inContainer && text.includes(','))) return text;
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || code > 0x7e || ch === '\\' || (inContainer && ch === ',')) {
      out += [...new TextEncoder().encode(ch)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
    } else out += ch;
  }
  return out;
}

function tsvValue(v: ZeekValue): string {
  if (v === null) return '-';
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v === '' ? '(empty)' : escapeTsv(v, false);
  if (Array.isArray(v)) return v.length === 0 ? '(empty)' : v.map((x) => escapeTsv(x, true)).join(',');
  if ('time' in v) return zeekTime(v.time);
  if ('intervals' in v) return v.intervals.length === 0 ? '(empty)' : v.intervals.map((us) => fixed(us / 1e6, 6)).join(',');
  return fixed(v.interval / 1e6, 6);
}

function jsonValue(v: ZeekValue): string {
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(',')}]`;
  if (v === null) return 'null';
  if ('time' in v) return zeekTime(v.time);
  if ('intervals' in v) return `[${v.intervals.map((us) => fixed(us / 1e6, 6)).join(',')}]`;
  return fixed(v.interval / 1e6, 6);
}

/** A Zeek TSV log with header lines, `#open` at the window start and `#close` at its end. */
export function zeekTsvLog(spec: ZeekLogSpec, ctx: WriterContext, dir = 'zeek'): LogFile {
  return {
    name: `${dir}/${spec.path}.log`,
    header: () =>
      [
        '#separator \\x09',
        '#set_separator\t,',
        '#empty_field\t(empty)',
        '#unset_field\t-',
        `#path\t${spec.path}`,
        `#open\t${zeekStamp(ctx.startUs)}`,
        `#fields\t${spec.fields.map((f) => f.name).join('\t')}`,
        `#types\t${spec.fields.map((f) => f.type).join('\t')}`,
      ].join('\n') + '\n',
    write: (a, lines) => {
      if (spec.accepts(a)) lines.push(spec.fields.map((f) => tsvValue(f.value(a))).join('\t'));
    },
    footer: () => `#close\t${zeekStamp(ctx.endUs)}\n`,
  };
}

/** A Zeek JSON log (one object per line; unset fields omitted, as Zeek does). */
export function zeekJsonLog(spec: ZeekLogSpec, dir = 'zeek-json'): LogFile {
  return {
    name: `${dir}/${spec.path}.json`,
    header: () => '',
    write: (a, lines) => {
      if (!spec.accepts(a)) return;
      const parts: string[] = [];
      for (const f of spec.fields) {
        const v = f.value(a);
        if (v !== null) parts.push(`${JSON.stringify(f.name)}:${jsonValue(v)}`);
      }
      lines.push(`{${parts.join(',')}}`);
    },
    footer: () => '',
  };
}
