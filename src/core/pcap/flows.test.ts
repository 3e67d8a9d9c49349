import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../canonical.ts';
import { decodePacket, LINK, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Decoded } from './decode.ts';
import { FlowTracker } from './flows.ts';
import {
  clientHelloMessage,
  handshakeRecords,
  ipv4Packet,
  serverHelloRecord,
  tcpConnection,
  type CapturedPacket,
  type Segment,
} from './write.ts';

const T0 = 1_700_000_000_000_000;
const C = '10.0.0.5';
const S = '192.0.2.80';
const text = (s: string) => new TextEncoder().encode(s);

function track(packets: { ts: number; decoded: Decoded }[]) {
  const events: (EventRecord & { no: number })[] = [];
  const tracker = new FlowTracker((event, no) => events.push({ ...event, no }));
  packets.forEach((p, i) => tracker.packet(p.decoded, p.ts, i + 1));
  tracker.end();
  const flows = events.filter((e) => e.kind === 'flow');
  return { events, flows, flow: flows[0], extra: flows[0] ? JSON.parse(flows[0].extra!) : null };
}

const decode = (data: Uint8Array) => decodePacket(LINK.RAW, data) as Decoded;
/** Captured Ethernet packets → tracker input. */
const fromCapture = (packets: CapturedPacket[]) =>
  packets.map((p) => ({ ts: p.ts, decoded: decodePacket(LINK.ETHERNET, p.data) as Decoded }));
/** Client → server (or back, with `back`) TCP segments, 1 ms apart. */
function segments(list: [boolean, number, number, string?][], base: Partial<Segment> = {}) {
  return list.map(([back, flags, seq, payload], i) => ({
    ts: T0 + i * 1000,
    decoded: decode(
      ipv4Packet({
        src: back ? S : C,
        dst: back ? C : S,
        srcPort: back ? 443 : 50000,
        dstPort: back ? 50000 : 443,
        flags,
        seq,
        payload: payload ? text(payload) : undefined,
        ...base,
      }),
    ),
  }));
}

describe('connections', () => {
  it('a complete exchange: SF, Zeek history, bytes and packets each way, duration, uid linking the HTTP record', () => {
    const request = 'GET /bot1/getUpdates HTTP/1.1\r\nHost: Api.Telegram.org:80\r\nUser-Agent: curl/8\r\n\r\n';
    const response = 'HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}';
    const { events, flow, extra } = track(
      fromCapture(
        tcpConnection({
          client: C,
          server: S,
          clientPort: 50000,
          serverPort: 80,
          start: T0,
          step: 1000,
          messages: [
            { fromClient: true, data: text(request) },
            { fromClient: false, data: text(response) },
          ],
        }),
      ),
    );
    expect(flow).toMatchObject({
      kind: 'flow',
      ts: T0,
      src_ip: C,
      src_port: 50000,
      dst_ip: S,
      dst_port: 80,
      protocol: 'tcp',
      app_protocol: 'http',
      conn_state: 'SF',
      bytes_out: request.length,
      bytes_in: response.length,
      duration: 0.009,
      no: 1,
    });
    expect(extra).toEqual({
      history: 'ShADadFf',
      orig_pkts: 6,
      resp_pkts: 4,
      orig_ip_bytes: 6 * 40 + request.length,
      resp_ip_bytes: 4 * 40 + response.length,
    });
    const http = events.find((e) => e.kind === 'http')!;
    expect(http).toMatchObject({
      uid: flow.uid,
      ts: T0 + 3000,
      no: 4,
      dst_host: 'api.telegram.org',
      dst_host_origin: 'http-host',
      method: 'GET',
      url_path: '/bot1/getUpdates',
      user_agent: 'curl/8',
      status: 200,
      content_type: 'application/json',
      bytes_in: 2,
    });
  });

  it.each<[string, [boolean, number, number, string?][], string, string]>([
    ['S0: an unanswered SYN', [[false, TCP_SYN, 1]], 'S0', 'S'],
    [
      'REJ: SYN answered by RST',
      [
        [false, TCP_SYN, 1],
        [true, TCP_RST | TCP_ACK, 0],
      ],
      'REJ',
      'Sr',
    ],
    [
      'RSTO: the originator resets',
      [
        [false, TCP_SYN, 1],
        [true, TCP_SYN | TCP_ACK, 9],
        [false, TCP_ACK, 2],
        [false, TCP_RST, 2],
      ],
      'RSTO',
      'ShAR',
    ],
    [
      'S1: established, not closed',
      [
        [false, TCP_SYN, 1],
        [true, TCP_SYN | TCP_ACK, 9],
        [false, TCP_ACK, 2],
      ],
      'S1',
      'ShA',
    ],
    [
      'S2: only the originator closed',
      [
        [false, TCP_SYN, 1],
        [true, TCP_SYN | TCP_ACK, 9],
        [false, TCP_FIN | TCP_ACK, 2],
      ],
      'S2',
      'ShF',
    ],
    [
      'SH: SYN then FIN, no answer',
      [
        [false, TCP_SYN, 1],
        [false, TCP_FIN, 2],
      ],
      'SH',
      'SF',
    ],
    [
      'OTH: picked up mid-stream',
      [
        [false, TCP_ACK, 100, 'x'],
        [true, TCP_ACK, 900, 'y'],
      ],
      'OTH',
      'Dd',
    ],
  ])('%s', (_name, list, state, history) => {
    const { flow, extra } = track(segments(list));
    expect(flow.conn_state).toBe(state);
    expect(extra.history).toBe(history);
  });

  it('makes the server the responder when the first packet seen is its SYN-ACK', () => {
    const { flow, extra } = track(
      segments([
        [true, TCP_SYN | TCP_ACK, 9],
        [false, TCP_ACK, 2],
      ]),
    );
    expect(flow).toMatchObject({ src_ip: C, dst_ip: S, dst_port: 443, conn_state: 'OTH' });
    expect(extra.history).toBe('^hA');
  });

  it('counts retransmitted bytes once and ends a connection whose ports a new SYN reuses after it closed', () => {
    const { flows } = track(
      segments([
        [false, TCP_SYN, 1],
        [true, TCP_SYN | TCP_ACK, 9],
        [false, TCP_ACK, 2, 'hello'],
        [false, TCP_ACK, 2, 'hello'],
        [false, TCP_RST, 7],
        [false, TCP_SYN, 500],
      ]),
    );
    expect(flows.map((f) => [f.conn_state, f.bytes_out])).toEqual([
      ['RSTO', 5],
      ['S0', 0],
    ]);
    expect(flows[0].uid).not.toBe(flows[1].uid);
  });

  it('ends a UDP connection after a minute of silence, as Zeek does', () => {
    const datagram = (ts: number) => ({
      ts,
      decoded: decode(ipv4Packet({ src: C, dst: S, srcPort: 40000, dstPort: 9999, payload: text('x') })),
    });
    const { flows } = track([datagram(T0), datagram(T0 + 30e6), datagram(T0 + 200e6)]);
    expect(flows.map((f) => [f.ts, f.conn_state, f.bytes_out, f.duration])).toEqual([
      [T0, 'S0', 2, 30],
      [T0 + 200e6, 'S0', 1, 0],
    ]);
  });
});

describe('application records', () => {
  it('DNS over UDP: the query paired with its answer, an unanswered query kept with no rcode', () => {
    const query = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77, 1, 0x78, 0, 0, 1, 0, 1];
    const answer = [
      0x12,
      0x34,
      0x81,
      0x80,
      0,
      1,
      0,
      1,
      0,
      0,
      0,
      0,
      ...query.slice(12),
      0xc0,
      12,
      0,
      1,
      0,
      1,
      0,
      0,
      0,
      60,
      0,
      4,
      192,
      0,
      2,
      1,
    ];
    const lone = [0x55, 0x55, ...query.slice(2)];
    const packet = (ts: number, back: boolean, payload: number[]) => ({
      ts,
      decoded: decode(
        ipv4Packet({
          src: back ? S : C,
          dst: back ? C : S,
          srcPort: back ? 53 : 40000,
          dstPort: back ? 40000 : 53,
          payload: Uint8Array.from(payload),
        }),
      ),
    });
    const { events, flow } = track([packet(T0, false, query), packet(T0 + 2000, true, answer), packet(T0 + 3000, false, lone)]);
    const dns = events.filter((e) => e.kind === 'dns');
    expect(dns).toHaveLength(2);
    expect(dns[0]).toMatchObject({
      uid: flow.uid,
      ts: T0,
      dns_query: 'www.x',
      dns_qtype: 'A',
      dns_rcode: 'NOERROR',
      dns_answers: '192.0.2.1',
      dst_host: 'www.x',
      no: 1,
    });
    expect(JSON.parse(dns[0].extra!)).toEqual({ rtt: 0.002 });
    expect(dns[1]).toMatchObject({ ts: T0 + 3000, dns_rcode: null, dns_answers: null });
    expect(flow).toMatchObject({ app_protocol: 'dns', conn_state: 'SF' });
  });

  it('TLS: a ClientHello split over segments that arrive out of order, the ServerHello version, JA3/JA4', () => {
    const hello = handshakeRecords(
      clientHelloMessage({ ciphers: [0x1301], sni: 'Files.Example.test', alpn: ['h2'], supportedVersions: [0x0304] }),
    );
    const cut = 30;
    const [first, second] = [hello.subarray(0, cut), hello.subarray(cut)];
    const decoder = new TextDecoder('latin1');
    const packets = segments([
      [false, TCP_SYN, 99],
      [true, TCP_SYN | TCP_ACK, 9],
      [false, TCP_ACK, 100 + cut, decoder.decode(second)], // ahead of the stream: held back
      [false, TCP_ACK, 100, decoder.decode(first)],
      [true, TCP_ACK, 10, decoder.decode(serverHelloRecord(0x0303, 0x1301, 0x0304))],
    ]);
    const { events, flow } = track(packets);
    const tls = events.find((e) => e.kind === 'tls')!;
    expect(tls).toMatchObject({ uid: flow.uid, dst_host: 'files.example.test', dst_host_origin: 'sni', tls_version: 'TLSv13', no: 4 });
    expect(tls.tls_ja3).toMatch(/^[0-9a-f]{32}$/);
    expect(tls.tls_ja4).toMatch(/^t13d0103h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
    expect(flow).toMatchObject({ app_protocol: 'tls', bytes_out: hello.length });
  });

  it('HTTP keep-alive: requests and responses paired in order across bodies, chunked framing and HEAD', () => {
    const client = [
      'POST /upload HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello',
      'HEAD /probe HTTP/1.1\r\nHost: a.test\r\n\r\n',
      'GET /last HTTP/1.1\r\nHost: a.test\r\n\r\n',
    ];
    const server = [
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n', // HEAD: no body despite the length
      'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
    ];
    const messages = client.flatMap((c, i) => [
      { fromClient: true, data: text(c) },
      { fromClient: false, data: text(server[i]) },
    ]);
    const { events } = track(
      fromCapture(tcpConnection({ client: C, server: S, clientPort: 50001, serverPort: 8080, start: T0, step: 10, messages })),
    );
    // Each request keeps the time and packet number of its own segment (4th, 6th and 8th packets).
    expect(events.filter((e) => e.kind === 'http').map((e) => [e.method, e.url_path, e.status, e.bytes_out, e.ts - T0, e.no])).toEqual([
      ['POST', '/upload', 201, 5, 30, 4],
      ['HEAD', '/probe', 200, null, 70, 8],
      ['GET', '/last', 404, null, 110, 12],
    ]);
  });
});
