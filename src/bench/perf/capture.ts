/**
 * A benchmark packet capture: TLS and HTTP connections with full-size payload segments (the byte mix of an office
 * uplink, ~800 bytes a packet on average) and DNS lookups, written as a classic pcap of about `megabytes` MB.
 * Deterministic; generated once and reused while its size matches.
 */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 } from '../../core/prng.ts';
import {
  clientHelloMessage,
  dnsMessage,
  ethernetFrame,
  handshakeRecords,
  ipv4Packet,
  pcapFile,
  serverHelloRecord,
  type CapturedPacket,
} from '../../core/pcap/write.ts';
import { TCP_ACK, TCP_FIN, TCP_SYN } from '../../core/pcap/decode.ts';

const MSS = 1448;
const START_US = 1_714_953_600_000_000;

/** Writes the capture to `path` unless a file of the right size class is there; returns its size in bytes. */
export async function ensureCapture(path: string, megabytes: number): Promise<number> {
  if (existsSync(path) && Math.abs(statSync(path).size / 1e6 - megabytes) < megabytes * 0.1) return statSync(path).size;
  const out = createWriteStream(path);
  const random = mulberry32(megabytes);
  out.write(pcapFile([]));
  let written = 24;
  let ts = START_US;
  for (let n = 0; written < megabytes * 1e6; n++) {
    const client = `10.1.${(n >> 8) & 255}.${n & 255}`;
    const server = `198.18.${(n >> 4) & 255}.${(n * 7) & 255}`;
    const port = 40000 + (n % 20000);
    const packets = [
      ...lookup(ts, client, port + 1, n, random),
      ...connection(ts + 2_000, client, server, port, n % 4 !== 0, Math.floor(random() * 200_000), random),
    ];
    ts += 5_000;
    const bytes = pcapFile(packets).subarray(24);
    written += bytes.length;
    if (!out.write(bytes)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return written;
}

function lookup(ts: number, client: string, port: number, n: number, random: () => number): CapturedPacket[] {
  const query = { id: n & 0xffff, query: `host-${n % 997}.example.test`, qtype: 1 };
  const answer = dnsMessage({ ...query, response: { rcode: 0, answers: [`198.18.0.${n & 255}`], ttl: 60 } });
  const resolver = '10.0.0.53';
  return [
    { ts, data: ethernetFrame(ipv4Packet({ src: client, dst: resolver, srcPort: port, dstPort: 53, payload: dnsMessage(query) })) },
    {
      ts: ts + Math.floor(random() * 900),
      data: ethernetFrame(ipv4Packet({ src: resolver, dst: client, srcPort: 53, dstPort: port, payload: answer })),
    },
  ];
}

/** A connection: handshake, a hello or request, a response of `responseBytes` in MSS segments (ACK every two), FIN. */
function connection(
  ts: number,
  client: string,
  server: string,
  port: number,
  tls: boolean,
  responseBytes: number,
  random: () => number,
): CapturedPacket[] {
  const out: CapturedPacket[] = [];
  let [clientSeq, serverSeq] = [Math.floor(random() * 2 ** 32), Math.floor(random() * 2 ** 32)];
  const send = (fromClient: boolean, flags: number, payload?: Uint8Array) => {
    const [src, dst, srcPort, dstPort] = fromClient ? [client, server, port, tls ? 443 : 80] : [server, client, tls ? 443 : 80, port];
    const [seq, ack] = fromClient ? [clientSeq, serverSeq] : [serverSeq, clientSeq];
    out.push({ ts, data: ethernetFrame(ipv4Packet({ src, dst, srcPort, dstPort, flags, seq, ack, payload })) });
    ts += 50;
    const used = (payload?.length ?? 0) + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
    if (fromClient) clientSeq = (clientSeq + used) >>> 0;
    else serverSeq = (serverSeq + used) >>> 0;
  };
  const request = tls
    ? handshakeRecords(
        clientHelloMessage({
          ciphers: [0x1301, 0x1302, 0xc02f],
          sni: `host-${port % 997}.example.test`,
          alpn: ['h2'],
          supportedVersions: [0x0304],
        }),
      )
    : new TextEncoder().encode(`GET /item/${port} HTTP/1.1\r\nHost: host-${port % 997}.example.test\r\nUser-Agent: bench/1.0\r\n\r\n`);
  const responseHead = tls
    ? serverHelloRecord(0x0303, 0x1301, 0x0304)
    : new TextEncoder().encode(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${responseBytes}\r\n\r\n`);
  const response = new Uint8Array(responseHead.length + responseBytes);
  response.set(responseHead);
  send(true, TCP_SYN);
  send(false, TCP_SYN | TCP_ACK);
  send(true, TCP_ACK);
  send(true, TCP_ACK, request);
  for (let at = 0, segment = 0; at < response.length; at += MSS, segment++) {
    send(false, TCP_ACK, response.subarray(at, at + MSS));
    if (segment % 2 === 1) send(true, TCP_ACK);
  }
  send(true, TCP_FIN | TCP_ACK);
  send(false, TCP_FIN | TCP_ACK);
  send(true, TCP_ACK);
  return out;
}
