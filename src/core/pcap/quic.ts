/**
 * QUIC version 1 Initial packets (RFC 9000, RFC 9001): their keys derive from the Destination Connection ID the
 * client chose, so anyone on the path can remove the protection and read the ClientHello inside the CRYPTO frames,
 * as tshark and Zeek do. Only the client's Initials are opened; everything after them is really encrypted.
 */
import { ecb, gcm } from '@noble/ciphers/aes.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

const VERSION_1 = 0x00000001;
/** RFC 9001 §5.2. */
const INITIAL_SALT = Uint8Array.from([
  0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
]);
const FRAME_PADDING = 0x00;
const FRAME_PING = 0x01;
const FRAME_CRYPTO = 0x06;

export interface InitialKeys {
  key: Uint8Array;
  iv: Uint8Array;
  hp: Uint8Array;
}

/** The client's Initial keys for a Destination Connection ID (RFC 9001 §5.2). */
export function clientInitialKeys(dcid: Uint8Array): InitialKeys {
  const secret = expandLabel(extract(sha256, dcid, INITIAL_SALT), 'client in', 32);
  return { key: expandLabel(secret, 'quic key', 16), iv: expandLabel(secret, 'quic iv', 12), hp: expandLabel(secret, 'quic hp', 16) };
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
function expandLabel(secret: Uint8Array, label: string, length: number): Uint8Array {
  const full = new TextEncoder().encode(`tls13 ${label}`);
  return expand(sha256, secret, Uint8Array.from([length >> 8, length & 0xff, full.length, ...full, 0]), length);
}

/** Is this UDP payload a QUIC v1 Initial (long header, type 0)? */
export function isQuicInitial(payload: Uint8Array): boolean {
  return payload.length >= 7 && (payload[0] & 0xf0) === 0xc0 && readU32(payload, 1) === VERSION_1;
}

export interface Initial {
  dcid: Uint8Array;
  /** CRYPTO frame data by offset in the crypto stream. */
  crypto: { offset: number; data: Uint8Array }[];
}

/**
 * Removes header protection and decrypts the first Initial packet of a UDP datagram with the client keys of `dcid`
 * (the connection's first DCID; the packet's own when absent). Null when it is not a v1 Initial or does not open.
 */
export function openInitial(datagram: Uint8Array, firstDcid?: Uint8Array): Initial | null {
  if (!isQuicInitial(datagram)) return null;
  let at = 5;
  const dcid = datagram.subarray(at + 1, at + 1 + datagram[at]);
  at += 1 + datagram[at];
  if (at >= datagram.length) return null;
  at += 1 + datagram[at]; // source connection id
  const token = readVarint(datagram, at);
  if (!token) return null;
  at = token.next + token.value;
  const length = readVarint(datagram, at);
  if (!length) return null;
  const pnOffset = length.next;
  const end = pnOffset + length.value;
  if (end > datagram.length || pnOffset + 20 > end) return null;
  const keys = clientInitialKeys(firstDcid ?? dcid);
  const mask = ecb(keys.hp, { disablePadding: true }).encrypt(datagram.subarray(pnOffset + 4, pnOffset + 20));
  const header = datagram.slice(0, pnOffset + 4);
  header[0] ^= mask[0] & 0x0f;
  const pnLength = (header[0] & 0x03) + 1;
  let packetNumber = 0;
  for (let i = 0; i < pnLength; i++) {
    header[pnOffset + i] ^= mask[1 + i];
    packetNumber = packetNumber * 256 + header[pnOffset + i];
  }
  const nonce = keys.iv.slice();
  for (let i = 0; i < 6; i++) nonce[11 - i] ^= Math.floor(packetNumber / 256 ** i) & 0xff;
  let plain: Uint8Array;
  try {
    plain = gcm(keys.key, nonce, header.subarray(0, pnOffset + pnLength)).decrypt(datagram.subarray(pnOffset + pnLength, end));
  } catch {
    return null; // not ours to open (a server Initial, a retransmission keyed by a later DCID) or corrupt
  }
  return { dcid: dcid.slice(), crypto: cryptoFrames(plain) };
}

/** CRYPTO frames of a decrypted Initial; stops at the first frame type a client Initial should not carry. */
function cryptoFrames(plain: Uint8Array): { offset: number; data: Uint8Array }[] {
  const frames: { offset: number; data: Uint8Array }[] = [];
  for (let at = 0; at < plain.length;) {
    const type = plain[at];
    if (type === FRAME_PADDING || type === FRAME_PING) {
      at += 1;
      continue;
    }
    if (type !== FRAME_CRYPTO) break;
    const offset = readVarint(plain, at + 1);
    const length = offset && readVarint(plain, offset.next);
    if (!offset || !length || length.next + length.value > plain.length) break;
    frames.push({ offset: offset.value, data: plain.slice(length.next, length.next + length.value) });
    at = length.next + length.value;
  }
  return frames;
}

/** The crypto stream from offset 0 as far as it is contiguous. */
export function cryptoStream(frames: readonly { offset: number; data: Uint8Array }[]): Uint8Array {
  const sorted = [...frames].sort((a, b) => a.offset - b.offset);
  const parts: Uint8Array[] = [];
  let next = 0;
  for (const frame of sorted) {
    if (frame.offset > next) break;
    const fresh = frame.data.subarray(next - frame.offset);
    if (fresh.length) parts.push(fresh);
    next = Math.max(next, frame.offset + frame.data.length);
  }
  const out = new Uint8Array(next);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A QUIC variable-length integer (RFC 9000 §16); 8-byte values past 2^53 lose precision, which Initial lengths never reach. */
export function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | null {
  if (at >= bytes.length) return null;
  const length = 1 << (bytes[at] >> 6);
  if (at + length > bytes.length) return null;
  let value = bytes[at] & 0x3f;
  for (let i = 1; i < length; i++) value = value * 256 + bytes[at + i];
  return { value, next: at + length };
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}
