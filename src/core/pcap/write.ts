/**
 * Builds packets and classic pcap files: the generator writes a scenario's traffic with it, and tests make
 * exact captures from it. Checksums are left zero (readers, tshark included, do not require them).
 */
import { TCP_ACK, TCP_FIN, TCP_SYN } from './decode.ts';

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
}

/** An IPv4 packet carrying a TCP segment (when `flags` is given) or a UDP datagram. */
export function ipv4Packet(s: Segment): Uint8Array {
  const payload = s.payload ?? new Uint8Array(0);
  const tcp = s.flags !== undefined;
  const transportLength = (tcp ? 20 : 8) + payload.length;
  const packet = new Uint8Array(20 + transportLength);
  const view = new DataView(packet.buffer);
  packet[0] = 0x45;
  view.setUint16(2, packet.length);
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
    view.setUint32(at + 12, p.data.length, true);
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

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}
