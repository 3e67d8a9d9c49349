/**
 * Squid native access.log:
 * `time elapsed client code/status bytes method URL rfc931 peerstatus/peerhost type`
 * (whitespace-separated, `elapsed` right-aligned). Bytes are the reply size sent to the client → bytes_in.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type Sink } from '../ingest/adapter.ts';
import { epochSecondsToMicros } from '../ingest/time.ts';
import { extraJson, intOrNull, confidenceFromShare, shareOfLines, splitHostPort, splitUrl, textOrNull } from './csv-mapped.ts';

const SQUID_LINE =
  /^\d{9,10}\.\d{3}\s+-?\d+\s+\S+\s+[A-Z_]+\/\d{3}\s+\d+\s+\S+\s+\S+\s+\S+\s+[A-Z_]+\/\S+\s+\S+/;

/** Hierarchy codes whose peer host is the origin server itself (not a parent proxy). */
const DIRECT_HIERARCHY = new Set(['DIRECT', 'HIER_DIRECT', 'ORIGINAL_DST', 'PINNED', 'HIER_NONE']);
const IP_LIKE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$/;

function decodeUser(value: string): string | null {
  const text = textOrNull(value);
  if (text === null) return null;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Parse one access.log line into `sink`. */
function parseSquidLine(text: string, sink: Sink): Outcome {
  if (text.trim() === '') return META;
  const f = text.trim().split(/\s+/);
  if (f.length < 10) return reject(`expected 10 fields, got ${f.length}`);
  const [time, elapsed, client, codeStatus, bytes, method, url, user, hierarchy, type] = f;
  const ts = epochSecondsToMicros(time);
  if (ts === null) return reject(`bad time "${time.slice(0, 30)}"`);
  const slash = codeStatus.indexOf('/');
  if (slash < 0) return reject(`bad result code "${codeStatus.slice(0, 40)}"`);
  const resultCode = codeStatus.slice(0, slash);
  const status = intOrNull(codeStatus.slice(slash + 1));
  const [hierCode, peerHost = ''] = hierarchy.split('/', 2);

  const rec: EventRecord = {
    ts,
    kind: 'proxy',
    src_ip: textOrNull(client),
    src_user: decodeUser(user),
    method: textOrNull(method),
    status: status === 0 ? null : status,
    bytes_in: intOrNull(bytes),
    duration: /^\d+$/.test(elapsed) ? Number(elapsed) / 1000 : null,
    action: resultCode.includes('DENIED') ? 'deny' : 'allow',
    content_type: textOrNull(type),
    dst_ip: DIRECT_HIERARCHY.has(hierCode) && IP_LIKE.test(peerHost) ? peerHost : null,
  };
  if (method === 'CONNECT') {
    const target = splitHostPort(url);
    if (target) {
      rec.dst_host = target.host;
      rec.dst_host_origin = 'connect';
      rec.dst_port = target.port;
    }
  } else {
    const parts = splitUrl(url);
    if (parts) {
      rec.dst_host = parts.host;
      rec.dst_host_origin = 'url';
      rec.dst_port = parts.port ?? (parts.scheme === 'https' ? 443 : parts.scheme === 'http' ? 80 : null);
      rec.url_path = parts.path ?? '/';
    } else if (url.startsWith('/')) {
      rec.url_path = textOrNull(url);
    }
  }
  rec.extra = extraJson([
    ['result_code', resultCode],
    ['hierarchy', hierarchy],
    ...(rec.dst_host || rec.url_path ? [] : ([['url', url]] as const)),
  ]);
  sink.event(rec);
  return LOADED;
}

export const squidAdapter: Adapter = {
  id: 'squid-native',
  title: 'Squid access.log (native format)',
  sniff(head) {
    return confidenceFromShare(shareOfLines(head, (l) => SQUID_LINE.test(l.trim())));
  },
  open() {
    return { format: 'squid-native', line: (text, _lineNo, sink) => parseSquidLine(text, sink) };
  },
};
