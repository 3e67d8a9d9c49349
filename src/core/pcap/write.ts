/**
 * Builds packets, TLS hellos, DNS messages and classic pcap files: the generator writes a scenario's traffic
 * with it, and tests make exact captures from it. Checksums are left zero (readers, tshark included, do not require them).
 */
import { ecb, gcm } from '@noble/ciphers/aes.js';
import { TCP_ACK, TCP_FIN, TCP_SYN } from './decode.ts';
import { clientInitialKeys } from './quic.ts';

export interface Segment {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** TCP flags; absent for UDP. */
  flags?: number;
  seq?: number;
  ack?: number;
  payload?: Uint8Array;
  /**
   * Payload length the headers state, when only the first `payload` bytes are captured (a snap length, which keeps
   * a capture of large transfers small). Defaults to the payload's length.
   */
  payloadLength?: number;
}

/** An IPv4 packet carrying a TCP segment (when `flags` is given) or a UDP datagram. */
export function ipv4Packet(s: Segment): Uint8Array {
  const payload = s.payload ?? new Uint8Array(0);
  const tcp = s.flags !== undefined;
  const transportLength = (tcp ? 20 : 8) + (s.payloadLength ?? payload.length);
  const packet = new Uint8Array(20 + (tcp ? 20 : 8) + payload.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x45;
  view.setUint16(2, 20 + transportLength);
  packet[8] = 64;
  packet[9] = tcp ? 6 : 17;
  packet.set(ipv4Bytes(s.src), 12);
  packet.set(ipv4Bytes(s.dst), 16);
  view.setUint16(20, s.srcPort);
  view.setUint16(22, s.dstPort);
  if (tcp) {
    view.setUint32(24, (s.seq ?? 0) >>> 0);
    view.setUint32(28, (s.ack ?? 0) >>> 0);
    packet[32] = 5 << 4;
    packet[33] = s.flags!;
    view.setUint16(34, 65535);
  } else {
    view.setUint16(24, transportLength);
  }
  packet.set(payload, 20 + (tcp ? 20 : 8));
  return packet;
}

/** An Ethernet II frame around an IP packet (locally administered addresses). */
export function ethernetFrame(ip: Uint8Array, ethertype = 0x0800): Uint8Array {
  const frame = new Uint8Array(14 + ip.length);
  frame.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0);
  frame[12] = ethertype >> 8;
  frame[13] = ethertype & 0xff;
  frame.set(ip, 14);
  return frame;
}

export interface CapturedPacket {
  /** Epoch microseconds. */
  ts: number;
  data: Uint8Array;
  /** Length on the wire when more than the captured `data`. */
  wireLength?: number;
}

/** A classic little-endian microsecond pcap file of Ethernet frames. */
export function pcapFile(packets: readonly CapturedPacket[]): Uint8Array {
  const size = 24 + packets.reduce((n, p) => n + 16 + p.data.length, 0);
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 262144, true);
  view.setUint32(20, 1, true);
  let at = 24;
  for (const p of packets) {
    view.setUint32(at, Math.floor(p.ts / 1e6), true);
    view.setUint32(at + 4, p.ts % 1e6, true);
    view.setUint32(at + 8, p.data.length, true);
    view.setUint32(at + 12, p.wireLength ?? p.data.length, true);
    file.set(p.data, at + 16);
    at += 16 + p.data.length;
  }
  return file;
}

export interface TcpExchange {
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  /** Epoch micros of the SYN. */
  start: number;
  /** Micros between consecutive packets. */
  step: number;
  /** Application data in order: who sends, and what. */
  messages: readonly { fromClient: boolean; data: Uint8Array }[];
}

/** A complete TCP connection: handshake, the messages (each acknowledged), and a FIN exchange (Zeek state SF). */
export function tcpConnection(x: TcpExchange): CapturedPacket[] {
  let clientSeq = 1000;
  let serverSeq = 5000;
  let ts = x.start;
  const out: CapturedPacket[] = [];
  const send = (fromClient: boolean, flags: number, payload?: Uint8Array) => {
    const seq = fromClient ? clientSeq : serverSeq;
    const ack = fromClient ? serverSeq : clientSeq;
    const [src, dst, srcPort, dstPort] = fromClient
      ? [x.client, x.server, x.clientPort, x.serverPort]
      : [x.server, x.client, x.serverPort, x.clientPort];
    out.push({ ts, data: ethernetFrame(ipv4Packet({ src, dst, srcPort, dstPort, flags, seq, ack, payload })) });
    ts += x.step;
    const used = (payload?.length ?? 0) + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
    if (fromClient) clientSeq += used;
    else serverSeq += used;
  };
  send(true, TCP_SYN);
  send(false, TCP_SYN | TCP_ACK);
  send(true, TCP_ACK);
  for (const m of x.messages) {
    send(m.fromClient, TCP_ACK, m.data);
    send(!m.fromClient, TCP_ACK);
  }
  send(true, TCP_FIN | TCP_ACK);
  send(false, TCP_FIN | TCP_ACK);
  send(true, TCP_ACK);
  return out;
}

/** A ClientHello: exactly the fields the fingerprints read. */
export interface HelloSpec {
  version?: number;
  ciphers: number[];
  sni?: string;
  alpn?: string[];
  groups?: number[];
  pointFormats?: number[];
  signatureAlgorithms?: number[];
  supportedVersions?: number[];
  /** Extra empty extensions, by type, after the ones above. */
  others?: number[];
}

const u16 = (v: number) => [v >> 8, v & 0xff];
const vec16 = (bytes: number[]) => [...u16(bytes.length), ...bytes];
const vec8 = (bytes: number[]) => [bytes.length, ...bytes];
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

export function clientHelloMessage(spec: HelloSpec): number[] {
  const extensions: number[] = [];
  const add = (type: number, body: number[]) => extensions.push(...u16(type), ...vec16(body));
  if (spec.sni !== undefined) add(0, vec16([0, ...vec16(ascii(spec.sni))]));
  if (spec.groups) add(10, vec16(spec.groups.flatMap(u16)));
  if (spec.pointFormats) add(11, vec8(spec.pointFormats));
  if (spec.signatureAlgorithms) add(13, vec16(spec.signatureAlgorithms.flatMap(u16)));
  if (spec.alpn) add(16, vec16(spec.alpn.flatMap((p) => vec8(ascii(p)))));
  if (spec.supportedVersions) add(43, vec8(spec.supportedVersions.flatMap(u16)));
  for (const type of spec.others ?? []) add(type, []);
  const body = [
    ...u16(spec.version ?? 0x0303),
    ...new Array(32).fill(7),
    ...vec8([]),
    ...vec16(spec.ciphers.flatMap(u16)),
    ...vec8([0]),
    ...vec16(extensions),
  ];
  return [1, 0, body.length >> 8, body.length & 0xff, ...body];
}

/** The message in handshake records of at most `recordSize` bytes each. */
export function handshakeRecords(message: number[], recordSize = 16384): Uint8Array {
  const out: number[] = [];
  for (let at = 0; at < message.length; at += recordSize) {
    const part = message.slice(at, at + recordSize);
    out.push(22, 3, 1, ...u16(part.length), ...part);
  }
  return new Uint8Array(out);
}

export function serverHelloRecord(version: number, cipher: number, supportedVersion?: number): Uint8Array {
  const extensions = supportedVersion ? [0, 43, 0, 2, ...u16(supportedVersion)] : [];
  const body = [...u16(version), ...new Array(32).fill(9), 0, ...u16(cipher), 0, ...vec16(extensions)];
  return handshakeRecords([2, 0, body.length >> 8, body.length & 0xff, ...body]);
}

export interface DnsSpec {
  id: number;
  query: string;
  qtype: number;
  /** Present in a response: its rcode and A-record answers. */
  response?: { rcode: number; answers: string[]; ttl: number };
}

/** A DNS query, or its response with A answers pointing back at the question's name. */
export function dnsMessage(spec: DnsSpec): Uint8Array {
  const r = spec.response;
  const question = [...spec.query.split('.').flatMap((label) => vec8(ascii(label))), 0, ...u16(spec.qtype), 0, 1];
  const answers = (r?.answers ?? []).flatMap((ip) => [0xc0, 12, ...u16(1), 0, 1, ...u32(r!.ttl), 0, 4, ...ipv4Bytes(ip)]);
  const flags = r ? 0x8180 | r.rcode : 0x0100;
  return Uint8Array.from([...u16(spec.id), ...u16(flags), 0, 1, ...u16(r?.answers.length ?? 0), 0, 0, 0, 0, ...question, ...answers]);
}

const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/**
 * A client's QUIC v1 Initial carrying `crypto` (a ClientHello or part of it) in one CRYPTO frame at `offset`, padded to the
 * 1200 bytes a client Initial must fill, protected with the keys of `dcid` (RFC 9001 §5).
 */
export function quicInitial(dcid: Uint8Array, scid: Uint8Array, crypto: Uint8Array, packetNumber = 0, offset = 0): Uint8Array {
  const frame = [0x06, 0x40 | (offset >> 8), offset & 0xff, 0x40 | (crypto.length >> 8), crypto.length & 0xff, ...crypto];
  const headerLength = 1 + 4 + 1 + dcid.length + 1 + scid.length + 1 + 2 + 4;
  const plain = new Uint8Array(Math.max(frame.length, 1200 - headerLength - 16));
  plain.set(frame);
  const length = 4 + plain.length + 16;
  const header = Uint8Array.from([
    0xc3,
    0,
    0,
    0,
    1,
    dcid.length,
    ...dcid,
    scid.length,
    ...scid,
    0,
    0x40 | (length >> 8),
    length & 0xff,
    ...u32(packetNumber),
  ]);
  const keys = clientInitialKeys(dcid);
  const nonce = keys.iv.slice();
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (packetNumber >>> (8 * i)) & 0xff;
  const sealed = gcm(keys.key, nonce, header).encrypt(plain);
  const mask = ecb(keys.hp, { disablePadding: true }).encrypt(sealed.subarray(0, 16));
  header[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < 4; i++) header[header.length - 4 + i] ^= mask[1 + i];
  const datagram = new Uint8Array(header.length + sealed.length);
  datagram.set(header);
  datagram.set(sealed, header.length);
  return datagram;
}
