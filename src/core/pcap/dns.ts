/** DNS messages (RFC 1035) as Zeek's dns.log sees them: the first question, the rcode and the answers. */
import { ipv6Text, latin1 } from './decode.ts';

export interface DnsMessage {
  id: number;
  response: boolean;
  rcode: number;
  /** First question's name without the trailing dot, as written on the wire; null when there is no question. */
  query: string | null;
  qtype: number | null;
  /** Answer-section data in order: addresses, names, TXT text (Zeek's `answers`). */
  answers: string[];
}

/** Names longer than this, or more pointer hops than this, mean a malformed or hostile message. */
const MAX_NAME_CHARS = 1024;
const MAX_POINTER_HOPS = 64;

/** Parses one DNS message; null when it is not one (too short, or a name or record runs past the end). */
export function parseDns(bytes: Uint8Array): DnsMessage | null {
  if (bytes.length < 12) return null;
  const flags = (bytes[2] << 8) | bytes[3];
  const questions = (bytes[4] << 8) | bytes[5];
  const answerCount = (bytes[6] << 8) | bytes[7];
  const message: DnsMessage = {
    id: (bytes[0] << 8) | bytes[1],
    response: (flags & 0x8000) !== 0,
    rcode: flags & 0x0f,
    query: null,
    qtype: null,
    answers: [],
  };
  let at = 12;
  for (let q = 0; q < questions; q++) {
    const name = readName(bytes, at);
    if (!name || name.next + 4 > bytes.length) return null;
    if (q === 0) {
      message.query = name.text;
      message.qtype = (bytes[name.next] << 8) | bytes[name.next + 1];
    }
    at = name.next + 4;
  }
  for (let a = 0; a < answerCount; a++) {
    const name = readName(bytes, at);
    if (!name || name.next + 10 > bytes.length) return message.answers.length || a > 0 ? message : null;
    const type = (bytes[name.next] << 8) | bytes[name.next + 1];
    const length = (bytes[name.next + 8] << 8) | bytes[name.next + 9];
    const data = name.next + 10;
    if (data + length > bytes.length) break;
    const text = rdataText(bytes, type, data, length);
    if (text !== null) message.answers.push(text);
    at = data + length;
  }
  return message;
}

function rdataText(bytes: Uint8Array, type: number, at: number, length: number): string | null {
  if (type === 1 && length === 4) return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
  if (type === 28 && length === 16) return ipv6Text(bytes, at);
  if (type === 5 || type === 12 || type === 2) return readName(bytes, at)?.text ?? null;
  if (type === 15) return readName(bytes, at + 2)?.text ?? null;
  if (type === 16) {
    // Zeek writes TXT answers as "TXT <length> <text>" per string.
    const parts: string[] = [];
    for (let i = at; i < at + length;) {
      const n = bytes[i];
      parts.push(`TXT ${n} ${latin1(bytes.subarray(i + 1, Math.min(i + 1 + n, at + length)))}`);
      i += 1 + n;
    }
    return parts.join(' ');
  }
  return `<${TYPE_NAMES[type] ?? `TYPE${type}`}>`;
}

/** A possibly compressed name at `at`: its text and the offset just after it in the record. */
export function readName(bytes: Uint8Array, start: number): { text: string; next: number } | null {
  const labels: string[] = [];
  let at = start;
  let next = -1;
  let chars = 0;
  for (let hops = 0; hops <= MAX_POINTER_HOPS;) {
    if (at >= bytes.length) return null;
    const length = bytes[at];
    if (length === 0) return { text: labels.join('.'), next: next < 0 ? at + 1 : next };
    if ((length & 0xc0) === 0xc0) {
      if (at + 1 >= bytes.length) return null;
      if (next < 0) next = at + 2;
      at = ((length & 0x3f) << 8) | bytes[at + 1];
      hops++;
      continue;
    }
    if (length & 0xc0 || at + 1 + length > bytes.length) return null;
    chars += length + 1;
    if (chars > MAX_NAME_CHARS) return null;
    labels.push(latin1(bytes.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  return null;
}

const TYPE_NAMES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  13: 'HINFO',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  41: 'OPT',
  43: 'DS',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  64: 'SVCB',
  65: 'HTTPS',
  99: 'SPF',
  255: '*',
  257: 'CAA',
};
const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];

/** The type's mnemonic, else the RFC 3597 form TYPE<n>. */
export function qtypeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}
