/**
 * The scenario's traffic as one classic pcap, as a tap at the network edge would capture it: DNS lookups and
 * answers, NTP, HTTP requests with their responses, and TLS connections with a ClientHello (SNI, and a cipher and
 * extension set that differs between client families, so JA3/JA4 tell them apart) and a ServerHello. Like a
 * capture taken with a snap length, only the protocol headers are kept: the rest of each transfer is stated in the
 * IP and TCP headers (so bytes each way are right) but not stored, in large offloaded segments spread over the
 * connection's duration. That keeps a day of a small organisation's traffic to a few megabytes.
 */
import type { Activity } from '../activity.ts';
import { seedFrom } from '../random.ts';
import {
  clientHelloMessage,
  dnsMessage,
  ethernetFrame,
  handshakeRecords,
  ipv4Packet,
  pcapFile,
  serverHelloRecord,
  type CapturedPacket,
  type HelloSpec,
} from '../../core/pcap/write.ts';
import { TCP_ACK, TCP_FIN, TCP_SYN } from '../../core/pcap/decode.ts';

/** A file written as bytes: a header, records as activities come (in time order), the records still held at the end. */
export interface CaptureFile {
  readonly name: string;
  header(): Uint8Array;
  /** Appends the pcap records of every packet sent before this activity started. */
  write(activity: Activity, records: Uint8Array[]): void;
  footer(): Uint8Array;
}

/** Stated bytes per segment, as a NIC with segmentation offload hands them to the capture. */
const SEGMENT = 64_000;
/** Longest silence inside a connection: a long one sends keep-alives, as real stacks and tunnels do, so no reader times it out. */
const KEEPALIVE_US = 60_000_000;
const encoder = new TextEncoder();

/** Client families by their hellos: a browser-like, a library-like and a minimal one (TLS 1.2 only). */
const HELLOS: readonly Omit<HelloSpec, 'sni'>[] = [
  {
    ciphers: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8],
    alpn: ['h2', 'http/1.1'],
    groups: [29, 23, 24],
    pointFormats: [0],
    signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503],
    supportedVersions: [0x0304, 0x0303],
    others: [0x0017, 0xff01, 0x0023, 0x002d, 0x0033],
  },
  {
    ciphers: [0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f],
    alpn: ['http/1.1'],
    groups: [29, 23],
    pointFormats: [0],
    signatureAlgorithms: [0x0403, 0x0503, 0x0603, 0x0804],
    supportedVersions: [0x0304, 0x0303],
    others: [0x0016, 0x0017, 0x0031, 0x002d, 0x0033],
  },
  {
    ciphers: [0xc02f, 0xc030, 0x009c, 0x009d],
    groups: [23, 24],
    pointFormats: [0],
    signatureAlgorithms: [0x0401, 0x0501],
    others: [0xff01],
  },
];

/**
 * A capture is in time order, but a connection's packets span its duration while activities arrive by start time:
 * packets wait in a queue until no later activity can precede them.
 */
export function pcapCapture(name = 'pcap/edge.pcap'): CaptureFile {
  const waiting = new PacketQueue();
  const records = (packets: CapturedPacket[]) => (packets.length ? [pcapFile(packets).subarray(24)] : []);
  return {
    name,
    header: () => pcapFile([]),
    write(a, out) {
      for (const packet of a.kind === 'dns' ? dns(a) : a.kind === 'ntp' ? ntp(a) : a.kind === 'web' ? web(a) : []) waiting.push(packet);
      out.push(...records(waiting.takeBefore(a.ts)));
    },
    footer: () => records(waiting.takeBefore(Infinity))[0] ?? new Uint8Array(0),
  };
}

/** A binary min-heap of packets by time (ties keep insertion order). */
class PacketQueue {
  private heap: { packet: CapturedPacket; order: number }[] = [];
  private count = 0;

  push(packet: CapturedPacket): void {
    const heap = this.heap;
    heap.push({ packet, order: this.count++ });
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  /** Removes and returns, in time order, every packet earlier than `ts`. */
  takeBefore(ts: number): CapturedPacket[] {
    const out: CapturedPacket[] = [];
    const heap = this.heap;
    while (heap.length && heap[0].packet.ts < ts) {
      out.push(heap[0].packet);
      const last = heap.pop()!;
      if (!heap.length) break;
      heap[0] = last;
      for (let i = 0; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let least = i;
        if (l < heap.length && this.before(heap[l], heap[least])) least = l;
        if (r < heap.length && this.before(heap[r], heap[least])) least = r;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least], heap[i]];
        i = least;
      }
    }
    return out;
  }

  private before(a: { packet: CapturedPacket; order: number }, b: { packet: CapturedPacket; order: number }): boolean {
    return a.packet.ts < b.packet.ts || (a.packet.ts === b.packet.ts && a.order < b.order);
  }
}

function dns(a: Activity): CapturedPacket[] {
  const x = a.dns!;
  const ends = { src: a.host.ip, dst: a.dstIp, srcPort: a.srcPort, dstPort: 53 };
  const question = { id: x.transId, query: x.query, qtype: 1 };
  const answer = dnsMessage({ ...question, response: { rcode: x.rcode === 'NOERROR' ? 0 : 3, answers: x.answers, ttl: x.ttl } });
  return [
    { ts: a.ts, data: ethernetFrame(ipv4Packet({ ...ends, payload: dnsMessage(question) })) },
    {
      ts: a.ts + a.durationUs,
      data: ethernetFrame(ipv4Packet({ src: a.dstIp, dst: a.host.ip, srcPort: 53, dstPort: a.srcPort, payload: answer })),
    },
  ];
}

function ntp(a: Activity): CapturedPacket[] {
  const payload = new Uint8Array(48);
  payload[0] = 0x23; // version 4, client
  const reply = new Uint8Array(48);
  reply[0] = 0x24; // version 4, server
  return [
    { ts: a.ts, data: ethernetFrame(ipv4Packet({ src: a.host.ip, dst: a.dstIp, srcPort: a.srcPort, dstPort: 123, payload })) },
    {
      ts: a.ts + a.durationUs,
      data: ethernetFrame(ipv4Packet({ src: a.dstIp, dst: a.host.ip, srcPort: 123, dstPort: a.srcPort, payload: reply })),
    },
  ];
}

/** One TCP connection: handshake, the client's bytes, the server's bytes, FIN exchange, over `durationUs`. */
function web(a: Activity): CapturedPacket[] {
  const [client, server] = a.tls ? tlsHellos(a) : httpHeads(a);
  const segments = Math.ceil(client.total / SEGMENT) + Math.ceil(server.total / SEGMENT);
  let step = Math.min(KEEPALIVE_US, Math.max(1, Math.floor(a.durationUs / (segments + 5))));
  let ts = a.ts;
  let clientSeq = seedFrom(a.uid, 'c') >>> 0;
  let serverSeq = seedFrom(a.uid, 's') >>> 0;
  const out: CapturedPacket[] = [];
  const send = (fromClient: boolean, flags: number, payload?: Uint8Array, payloadLength = payload?.length ?? 0) => {
    const [src, dst, srcPort, dstPort] = fromClient
      ? [a.host.ip, a.dstIp, a.srcPort, a.dstPort]
      : [a.dstIp, a.host.ip, a.dstPort, a.srcPort];
    const [seq, ack] = fromClient ? [clientSeq, serverSeq] : [serverSeq, clientSeq];
    const data = ethernetFrame(ipv4Packet({ src, dst, srcPort, dstPort, flags, seq, ack, payload, payloadLength }));
    out.push({ ts, data, wireLength: data.length + payloadLength - (payload?.length ?? 0) });
    ts += step;
    const used = payloadLength + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
    if (fromClient) clientSeq = (clientSeq + used) >>> 0;
    else serverSeq = (serverSeq + used) >>> 0;
  };
  send(true, TCP_SYN);
  send(false, TCP_SYN | TCP_ACK);
  send(true, TCP_ACK);
  for (const [fromClient, stream] of [
    [true, client],
    [false, server],
  ] as const) {
    for (let at = 0; at < stream.total; at += SEGMENT) {
      send(fromClient, TCP_ACK, stream.head.subarray(at, at + SEGMENT), Math.min(SEGMENT, stream.total - at));
    }
  }
  const end = a.ts + a.durationUs;
  while (end - ts > KEEPALIVE_US) {
    ts += KEEPALIVE_US - step;
    send(true, TCP_ACK);
  }
  // The close takes a few milliseconds at the end, well inside the delay after which a closed connection is done.
  step = Math.min(step, 1000);
  ts = Math.max(ts, end - 2 * step);
  send(true, TCP_FIN | TCP_ACK);
  send(false, TCP_FIN | TCP_ACK);
  ts = Math.max(ts, end);
  send(true, TCP_ACK);
  return out;
}

/** What one side sends: the bytes the capture keeps, and the total the headers state. */
interface Stream {
  head: Uint8Array;
  total: number;
}

function tlsHellos(a: Activity): [Stream, Stream] {
  const family = HELLOS[seedFrom(a.proc.image, a.userAgent) % HELLOS.length];
  const hello = handshakeRecords(clientHelloMessage({ ...family, sni: a.dstHost ?? undefined }));
  const serverHello = serverHelloRecord(0x0303, family.ciphers[0], family.supportedVersions ? 0x0304 : undefined);
  return [
    { head: hello, total: Math.max(hello.length, a.bytesOut) },
    { head: serverHello, total: Math.max(serverHello.length, a.bytesIn) },
  ];
}

/** Request and response whose bytes on the wire add up to the activity's bytes each way, as its conn record says. */
function httpHeads(a: Activity): [Stream, Stream] {
  const request =
    `${a.method} ${a.path} HTTP/1.1\r\nHost: ${a.dstHost ?? a.dstIp}\r\n` + (a.userAgent ? `User-Agent: ${a.userAgent}\r\n` : '');
  const response = `HTTP/1.1 ${a.status} ${a.status === 200 ? 'OK' : 'Status'}\r\nContent-Type: ${a.contentType}\r\n`;
  return [message(request, a.bytesOut, a.method !== 'GET'), message(response, a.bytesIn, true)];
}

/** A head and a body of `total` bytes together: a Content-Length body where one belongs, else a filler cookie. */
function message(start: string, total: number, withBody: boolean): Stream {
  if (!withBody) {
    const room = total - start.length - 2;
    const text = start + (room > 10 ? `Cookie: ${'x'.repeat(room - 10)}\r\n` : '') + '\r\n';
    return { head: encoder.encode(text), total: text.length };
  }
  const head = (body: number) => `${start}Content-Length: ${body}\r\n\r\n`;
  // The length header's own digits count too: settle them in a step or two.
  let body = Math.max(0, total - start.length - 20);
  for (let i = 0; i < 3; i++) body = Math.max(0, total - head(body).length);
  const text = head(body);
  return { head: encoder.encode(text), total: text.length + body };
}
