/**
 * The capture reader against a reference decoder: tshark, on the loopback captures kept here and on the optional
 * public samples (RELAYWATCH_SAMPLES/pcaps). Connections, DNS names, SNI, JA3 and HTTP hosts must agree.
 * Skipped where tshark is not installed (CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sampleDir } from '../../test-support/sample-data.ts';
import type { EventRecord } from '../canonical.ts';
import { hostName } from '../adapters/zeek-common.ts';
import { feedCapture } from './fixtures/feed-capture.ts';
import { clientHelloMessage, ethernetFrame, ipv4Packet, pcapFile, quicInitial } from './write.ts';

const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const LOOPBACK = ['loopback.pcap', 'loopback-ns.pcap', 'loopback.pcapng'];

const FIELDS = [
  'tcp.stream',
  'udp.stream',
  'ip.src',
  'ipv6.src',
  'ip.dst',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'icmp.type',
  'icmpv6.type',
  'dns.qry.name',
  'dns.id',
  'tls.handshake.type',
  'tls.handshake.extensions_server_name',
  'tls.handshake.ja3',
  'http.host',
  'http.request.method',
  'http.request.uri',
  'http.user_agent',
  'http.response.code',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

/** tshark's fields for every packet, in one pass (each tshark start costs a second or two). */
function tshark(path: string): Row[] {
  const run = spawnSync(
    'tshark',
    ['-r', path, '-n', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f])],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`tshark failed on ${path}: ${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const values = line.split('\t');
      return Object.fromEntries(FIELDS.map((f, i) => [f, values[i] ?? ''])) as Row;
    });
}

const sorted = (values: string[]) => [...values].sort();

/** Each TCP/UDP conversation as "proto a:port b:port packets" with the two ends in a stable order. */
function referenceConversations(rows: Row[]): string[] {
  const streams = new Map<string, { ends: string[]; packets: number }>();
  // ICMP errors quote the packet they answer: tshark shows its ports, but the ICMP packet is not part of that conversation.
  for (const r of rows.filter((r) => (r['tcp.stream'] || r['udp.stream']) && !r['icmp.type'] && !r['icmpv6.type'])) {
    const key = r['tcp.stream'] ? `tcp${r['tcp.stream']}` : `udp${r['udp.stream']}`;
    const ends = [
      `${r['ip.src'] || r['ipv6.src']}:${r['tcp.srcport'] || r['udp.srcport']}`,
      `${r['ip.dst'] || r['ipv6.dst']}:${r['tcp.dstport'] || r['udp.dstport']}`,
    ].sort();
    const stream = streams.get(key) ?? { ends, packets: 0 };
    stream.packets += 1;
    streams.set(key, stream);
  }
  return sorted([...streams.entries()].map(([key, s]) => `${key.slice(0, 3)} ${s.ends.join(' ')} ${s.packets}`));
}

function ourConversations(events: EventRecord[]): string[] {
  return sorted(
    events
      .filter((e) => e.kind === 'flow' && e.protocol !== 'icmp')
      .map((e) => {
        const extra = JSON.parse(e.extra!);
        const ends = [`${e.src_ip}:${e.src_port}`, `${e.dst_ip}:${e.dst_port}`].sort();
        return `${e.protocol} ${ends.join(' ')} ${extra.orig_pkts + extra.resp_pkts}`;
      }),
  );
}

function compareWithTshark(path: string) {
  const ours = feedCapture(readFileSync(path));
  const of = (kind: string) => ours.events.filter((e) => e.kind === kind);
  const rows = tshark(path);

  expect(ourConversations(ours.events)).toEqual(referenceConversations(rows));

  // DNS (with mDNS and LLMNR, which Zeek's dns.log holds too): the same names, one record per transaction.
  const dns = rows.filter((r) => r['dns.id']);
  expect(sorted([...new Set(of('dns').map((e) => e.dns_query!))])).toEqual(sorted([...new Set(dns.map((r) => r['dns.qry.name']))]));
  expect(of('dns')).toHaveLength(new Set(dns.map((r) => `${r['tcp.stream']}|${r['udp.stream']}|${r['dns.id']}`)).size);

  const hellos = rows.filter((r) => r['tls.handshake.type'] === '1');
  expect(sorted(of('tls').map((e) => `${e.dst_host ?? ''} ${e.tls_ja3}`))).toEqual(
    sorted(hellos.map((r) => `${hostName(r['tls.handshake.extensions_server_name']) ?? ''} ${r['tls.handshake.ja3']}`)),
  );

  const requests = rows.filter((r) => r['http.request.method']);
  expect(sorted(of('http').map((e) => `${e.dst_host} ${e.method} ${e.url_path} ${e.user_agent}`))).toEqual(
    sorted(requests.map((r) => `${hostName(r['http.host'])} ${r['http.request.method']} ${r['http.request.uri']} ${r['http.user_agent']}`)),
  );
  const statuses = rows.filter((r) => r['http.response.code']).map((r) => r['http.response.code']);
  expect(sorted(of('http').map((e) => String(e.status)))).toEqual(sorted(statuses));
  return ours;
}

describe('capture reader against tshark', () => {
  it.skipIf(!hasTshark).each(LOOPBACK)('agrees on the loopback capture %s', (name) => {
    const ours = compareWithTshark(join(FIXTURES, name));
    // The capture holds each kind: a comparison of empty lists would prove nothing.
    expect(ours.events.filter((e) => e.kind === 'tls')).toHaveLength(3);
    expect(ours.events.filter((e) => e.kind === 'http')).toHaveLength(3);
    expect(ours.events.filter((e) => e.kind === 'dns')).toHaveLength(4);
    expect(ours.rejects).toEqual([]);
  });

  const samples = sampleDir('pcaps');
  it.skipIf(!hasTshark || !samples)('agrees on every public sample capture', () => {
    const files = readdirSync(samples!).filter((name) => /\.pcap(ng)?$/.test(name));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) compareWithTshark(join(samples!, name));
  });

  it.skipIf(!hasTshark)('opens QUIC Initials (a ClientHello split over two) as tshark does: SNI and JA3 agree', () => {
    const hello = Uint8Array.from(
      clientHelloMessage({
        ciphers: [0x1301, 0x1302],
        sni: 'quic.example.test',
        alpn: ['h3'],
        supportedVersions: [0x0304],
        groups: [29],
        others: [0x0039],
      }),
    );
    const [dcid, scid] = [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), Uint8Array.of(9, 9, 9, 9)];
    const datagram = (payload: Uint8Array) =>
      ethernetFrame(ipv4Packet({ src: '10.0.0.5', dst: '192.0.2.80', srcPort: 50000, dstPort: 443, payload }));
    const capture = pcapFile([
      { ts: 1_700_000_000_000_000, data: datagram(quicInitial(dcid, scid, hello.subarray(0, 60), 0, 0)) },
      { ts: 1_700_000_000_001_000, data: datagram(quicInitial(dcid, scid, hello.subarray(60), 1, 60)) },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'rw-quic-'));
    try {
      writeFileSync(join(dir, 'quic.pcap'), capture);
      const reference = tshark(join(dir, 'quic.pcap')).filter((r) => r['tls.handshake.type'] === '1');
      const ours = feedCapture(capture).events.filter((e) => e.kind === 'tls');
      expect(reference).toHaveLength(1);
      expect(ours.map((e) => [e.dst_host, e.tls_ja3, e.app_protocol])).toEqual([
        [reference[0]['tls.handshake.extensions_server_name'], reference[0]['tls.handshake.ja3'], 'quic'],
      ]);
      expect(ours[0].tls_ja4).toMatch(/^q13d0205h3_/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
