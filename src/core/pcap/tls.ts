/**
 * TLS handshakes seen in clear: the ClientHello (SNI, ALPN, JA3, JA4) and the ServerHello (negotiated version and
 * cipher). Works on the first bytes of each direction of a TCP stream, where TLS puts its hellos.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { latin1 } from './decode.ts';

export interface ClientHello {
  /** legacy_version of the hello (771 = TLS 1.2). */
  version: number;
  ciphers: number[];
  /** Extension types in wire order. */
  extensions: number[];
  sni: string | null;
  alpn: string[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
  supportedVersions: number[];
}

export interface ServerHello {
  /** Negotiated version: supported_versions when present (TLS 1.3), else legacy_version. */
  version: number;
  cipher: number;
}

const RECORD_HANDSHAKE = 22;
const HELLO_CLIENT = 1;
const HELLO_SERVER = 2;
/** A hello larger than this is not read (real ones are a few KiB). */
const MAX_HELLO_BYTES = 64 * 1024;

/** Does this stream start like a TLS handshake record (what Zeek's DPD signature for SSL/TLS looks for)? */
export function looksLikeTls(stream: Uint8Array): boolean {
  return (
    stream.length >= 6 &&
    stream[0] === RECORD_HANDSHAKE &&
    stream[1] === 3 &&
    stream[2] <= 4 &&
    (stream[5] === HELLO_CLIENT || stream[5] === HELLO_SERVER)
  );
}

/**
 * The first handshake message, put together from as many handshake records as it spans. 'more' when the stream
 * so far holds only part of it; null when the stream is not a TLS handshake.
 */
export function firstHandshake(stream: Uint8Array): Uint8Array | 'more' | null {
  const parts: Uint8Array[] = [];
  let have = 0;
  let need = -1;
  for (let at = 0; ;) {
    if (at + 5 > stream.length) return 'more';
    if (stream[at] !== RECORD_HANDSHAKE || stream[at + 1] !== 3) return null;
    const length = (stream[at + 3] << 8) | stream[at + 4];
    const fragment = stream.subarray(at + 5, Math.min(stream.length, at + 5 + length));
    parts.push(fragment);
    have += fragment.length;
    if (need < 0 && have >= 4) {
      const head = join(parts, 4);
      need = 4 + ((head[1] << 16) | (head[2] << 8) | head[3]);
      if (need > MAX_HELLO_BYTES) return null;
    }
    if (need >= 0 && have >= need) return join(parts, need);
    if (fragment.length < length) return 'more';
    at += 5 + length;
  }
}

/** Parses a ClientHello handshake message (type byte included); null when it is not one or is malformed. */
export function parseClientHello(message: Uint8Array): ClientHello | null {
  if (message[0] !== HELLO_CLIENT || !complete(message)) return null;
  const r = new Cursor(message, 4);
  const hello: ClientHello = {
    version: r.u16(),
    ciphers: [],
    extensions: [],
    sni: null,
    alpn: [],
    groups: [],
    pointFormats: [],
    signatureAlgorithms: [],
    supportedVersions: [],
  };
  r.skip(32);
  r.skip(r.u8()); // session id
  const ciphers = r.vector(2);
  for (let i = 0; i + 1 < ciphers.length; i += 2) hello.ciphers.push((ciphers[i] << 8) | ciphers[i + 1]);
  r.skip(r.u8()); // compression methods
  if (r.failed) return null;
  if (r.left() < 2) return hello; // a hello without extensions (SSLv3, old TLS)
  const extensions = new Cursor(r.vector(2), 0);
  while (extensions.left() >= 4) {
    const type = extensions.u16();
    const body = new Cursor(extensions.vector(2), 0);
    if (extensions.failed) return null;
    hello.extensions.push(type);
    if (type === 0) hello.sni = serverName(body);
    else if (type === 16) hello.alpn = protocolNames(body);
    else if (type === 10) hello.groups = u16List(body.vector(2));
    else if (type === 11) hello.pointFormats = [...body.vector(1)];
    else if (type === 13) hello.signatureAlgorithms = u16List(body.vector(2));
    else if (type === 43) hello.supportedVersions = u16List(body.vector(1));
  }
  return hello;
}

export function parseServerHello(message: Uint8Array): ServerHello | null {
  if (message[0] !== HELLO_SERVER || !complete(message)) return null;
  const r = new Cursor(message, 4);
  let version = r.u16();
  r.skip(32);
  r.skip(r.u8());
  const cipher = r.u16();
  r.skip(1);
  if (r.failed) return null;
  if (r.left() >= 2) {
    const extensions = new Cursor(r.vector(2), 0);
    while (extensions.left() >= 4) {
      const type = extensions.u16();
      const body = extensions.vector(2);
      if (type === 43 && body.length === 2) version = (body[0] << 8) | body[1];
    }
  }
  return { version, cipher };
}

/** Does the message hold as many bytes as its handshake header says? */
function complete(message: Uint8Array): boolean {
  return message.length >= 4 && message.length >= 4 + ((message[1] << 16) | (message[2] << 8) | message[3]);
}

/** GREASE values (RFC 8701) are random per connection and left out of fingerprints. */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

/** The JA3 string: version,ciphers,extensions,groups,point formats, GREASE removed. */
export function ja3String(hello: ClientHello): string {
  const list = (values: number[]) => values.filter((v) => !isGrease(v)).join('-');
  return [hello.version, list(hello.ciphers), list(hello.extensions), list(hello.groups), hello.pointFormats.join('-')].join(',');
}

export function ja3(hello: ClientHello): string {
  return bytesToHex(md5(new TextEncoder().encode(ja3String(hello))));
}

const JA4_VERSIONS: Record<number, string> = { 0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2' };

/** JA4 (FoxIO, TLS over TCP: 't'; QUIC: 'q') of a ClientHello. */
export function ja4(hello: ClientHello, transport: 't' | 'q' = 't'): string {
  const versions = hello.supportedVersions.filter((v) => !isGrease(v));
  const version = JA4_VERSIONS[versions.length ? Math.max(...versions) : hello.version] ?? '00';
  const ciphers = hello.ciphers.filter((v) => !isGrease(v));
  const extensions = hello.extensions.filter((v) => !isGrease(v));
  const a = `${transport}${version}${hello.sni === null ? 'i' : 'd'}${count(ciphers)}${count(extensions)}${alpnCode(hello.alpn[0])}`;
  const b = truncatedHash(ciphers.map(hex4).sort().join(','));
  const others = extensions
    .filter((v) => v !== 0 && v !== 16)
    .map(hex4)
    .sort()
    .join(',');
  const signatures = hello.signatureAlgorithms
    .filter((v) => !isGrease(v))
    .map(hex4)
    .join(',');
  const c = truncatedHash(signatures ? `${others}_${signatures}` : others);
  return `${a}_${b}_${c}`;
}

const count = (values: number[]) => String(Math.min(values.length, 99)).padStart(2, '0');
const hex4 = (value: number) => value.toString(16).padStart(4, '0');
const truncatedHash = (text: string) => (text === '' ? '000000000000' : bytesToHex(sha256(new TextEncoder().encode(text))).slice(0, 12));

/** First and last character of the first ALPN value; their hex digits when either is not alphanumeric. */
function alpnCode(value: string | undefined): string {
  if (!value) return '00';
  const first = value[0];
  const last = value[value.length - 1];
  if (/[A-Za-z0-9]/.test(first) && /[A-Za-z0-9]/.test(last)) return first + last;
  return first.charCodeAt(0).toString(16).padStart(2, '0')[0] + last.charCodeAt(0).toString(16).padStart(2, '0')[1];
}

/** Zeek's ssl.log names for versions. */
export function tlsVersionName(version: number): string {
  const names: Record<number, string> = {
    0x0300: 'SSLv3',
    0x0301: 'TLSv10',
    0x0302: 'TLSv11',
    0x0303: 'TLSv12',
    0x0304: 'TLSv13',
    0x0002: 'SSLv2',
  };
  return names[version] ?? `unknown-${version}`;
}

function serverName(body: Cursor): string | null {
  const list = new Cursor(body.vector(2), 0);
  while (list.left() >= 3) {
    const type = list.u8();
    const name = list.vector(2);
    if (type === 0 && !list.failed) return latin1(name);
  }
  return null;
}

function protocolNames(body: Cursor): string[] {
  const list = new Cursor(body.vector(2), 0);
  const names: string[] = [];
  while (list.left() >= 1) {
    const name = list.vector(1);
    if (list.failed) break;
    names.push(latin1(name));
  }
  return names;
}

function u16List(bytes: Uint8Array): number[] {
  const values: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) values.push((bytes[i] << 8) | bytes[i + 1]);
  return values;
}

function join(parts: Uint8Array[], length: number): Uint8Array {
  if (parts[0].length >= length) return parts[0].subarray(0, length);
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    const n = Math.min(part.length, length - at);
    out.set(part.subarray(0, n), at);
    at += n;
    if (at === length) break;
  }
  return out;
}

/** Reads big-endian fields; past the end it returns zeros and sets `failed` instead of throwing. */
class Cursor {
  failed = false;
  constructor(
    private readonly bytes: Uint8Array,
    private at: number,
  ) {}
  left(): number {
    return this.bytes.length - this.at;
  }
  u8(): number {
    return this.take(1)[0] ?? 0;
  }
  u16(): number {
    const b = this.take(2);
    return b.length === 2 ? (b[0] << 8) | b[1] : 0;
  }
  skip(n: number): void {
    this.take(n);
  }
  /** A length-prefixed vector (`lengthBytes` of length, then the data). */
  vector(lengthBytes: 1 | 2): Uint8Array {
    const length = lengthBytes === 1 ? this.u8() : this.u16();
    return this.take(length);
  }
  private take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) {
      this.failed = true;
      this.at = this.bytes.length;
      return new Uint8Array(0);
    }
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}
