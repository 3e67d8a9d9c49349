/**
 * Packets → connections, the way Zeek's conn.log sees them, plus the DNS, TLS and HTTP records of each
 * connection (linked by `uid`, as Zeek links dns/ssl/http to conn).
 *
 * - The originator is the sender of the first packet, flipped (history '^') when that packet is a SYN-ACK or,
 *   for UDP and mid-stream TCP, when only its source port looks like a server's.
 * - TCP bytes each way come from sequence numbers (retransmissions are not counted twice), as in Zeek.
 * - conn_state and history follow Zeek's letters: S/H/A/D/F/R per direction (upper case: originator), each once.
 * - A connection ends when it has been idle for Zeek's inactivity timeout, a few seconds after it closed, when a
 *   new SYN reuses its ports after it closed, when the table is full (the oldest goes), or at the end of the file.
 */
import type { EventRecord } from '../canonical.ts';
import { hostName, urlPath } from '../adapters/zeek-common.ts';
import { concat, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Decoded } from './decode.ts';
import { parseDns, qtypeName, rcodeName } from './dns.ts';
import { HttpStream, looksLikeHttpRequest, type HttpHead } from './http.ts';
import { cryptoStream, isQuicInitial, openInitial } from './quic.ts';
import {
  firstHandshake,
  ja3,
  ja4,
  looksLikeTls,
  parseClientHello,
  parseServerHello,
  tlsVersionName,
  type ClientHello,
  type ServerHello,
} from './tls.ts';

/** Zeek's defaults: tcp_inactivity_timeout 5 min, udp/icmp 1 min, tcp_close_delay 5 s. */
const TCP_IDLE_MICROS = 300e6;
const OTHER_IDLE_MICROS = 60e6;
const CLOSE_DELAY_MICROS = 5e6;
/** How often (capture time) idle connections are looked for. */
const SWEEP_MICROS = 10e6;
/** Connections held at once; past this the oldest is written out early. */
export const MAX_FLOWS = 100_000;
/** Stream bytes buffered per direction while looking for a TLS hello or protocol signature. */
const MAX_HELLO_STREAM = 64 * 1024;
/** Out-of-order TCP segments held per direction before the stream is given up for application parsing. */
const MAX_HELD_SEGMENTS = 64;
/** Client QUIC Initials opened per connection while looking for the whole ClientHello (it spans one to three). */
const MAX_QUIC_INITIALS = 4;
/** DNS queries awaiting an answer, and HTTP requests awaiting a response, per connection. */
const MAX_PENDING = 1024;

const DNS_PORTS = new Set([53, 5353, 5355]);
/** Ports only a server uses: a first packet from one of these (to a port not in it) travels server → client. */
const SERVER_PORTS = new Set([53, 67, 80, 88, 123, 137, 161, 389, 443, 445, 853, 993, 995, 5353, 5355, 8080, 8443]);

/** Where a tracker puts what it finds; `no` is the packet number the record points back to. */
export type EmitEvent = (event: EventRecord, no: number) => void;

interface Side {
  packets: number;
  ipBytes: number;
  /** UDP/ICMP payload bytes. */
  payloadBytes: number;
  syn: boolean;
  synAck: boolean;
  fin: boolean;
  rst: boolean;
  /** First byte of the TCP payload (after the SYN), as a sequence number; null until seen. */
  base: number | null;
  /** Highest payload end seen, relative to base. */
  seen: number;
  /** Next sequence number the application stream expects. */
  next: number | null;
  held: { seq: number; payload: Uint8Array; length: number }[];
  /** Application bytes put together while a hello or a first line is looked for. */
  stream: Uint8Array;
  http: HttpStream | null;
  done: boolean;
}

interface PendingDns {
  ts: number;
  no: number;
  query: string | null;
  qtype: number | null;
}

interface PendingHttp {
  ts: number;
  no: number;
  head: HttpHead;
}

interface Flow {
  key: string;
  uid: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  origIp: string;
  origPort: number;
  respIp: string;
  respPort: number;
  start: number;
  last: number;
  firstNo: number;
  orig: Side;
  resp: Side;
  history: string;
  closed: boolean;
  service: 'dns' | 'tls' | 'http' | 'quic' | null;
  /** QUIC: the client's first DCID (it keys every client Initial), CRYPTO frames so far, Initials still to try. */
  quic: { dcid: Uint8Array; frames: { offset: number; data: Uint8Array }[]; tries: number } | null;
  dns: Map<number, PendingDns> | null;
  hello: { ts: number; no: number; client: ClientHello } | null;
  server: ServerHello | null;
  requests: PendingHttp[];
}

export class FlowTracker {
  /** Open connections, oldest first. */
  private flows = new Set<Flow>();
  /** Each open connection under its key from either end, so a packet needs one lookup whichever way it travels. */
  private index = new Map<string, { flow: Flow; fromOrig: boolean }>();
  private lastSweep = -Infinity;
  /** The packet being added: application records found in it take its time and number. */
  private readonly now = { ts: 0, no: 0 };

  constructor(private readonly emit: EmitEvent) {}

  /** Adds one decoded packet (`no` its number in the file, `ts` epoch micros). */
  packet(p: Decoded, ts: number, no: number): void {
    if (ts - this.lastSweep > SWEEP_MICROS) this.sweep(ts);
    this.now.ts = ts;
    this.now.no = no;
    const key = `${p.protocol}|${p.src}|${p.srcPort}|${p.dst}|${p.dstPort}`;
    let found = this.index.get(key);
    if (found && found.flow.closed && p.protocol === 'tcp' && (p.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      this.finish(found.flow);
      found = undefined;
    }
    const flow = found?.flow ?? this.open(p, ts, no);
    const fromOrig = found ? found.fromOrig : flow.origIp === p.src && flow.origPort === p.srcPort;
    this.update(flow, fromOrig ? flow.orig : flow.resp, fromOrig ? flow.resp : flow.orig, fromOrig, p, ts, no);
  }

  /** End of input: every open connection is written. */
  end(): void {
    for (const flow of [...this.flows]) this.finish(flow);
  }

  private open(p: Decoded, ts: number, no: number): Flow {
    const flip =
      p.protocol === 'tcp'
        ? (p.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) || (!(p.flags & TCP_SYN) && looksServerToClient(p))
        : p.protocol === 'udp' && looksServerToClient(p);
    const [origIp, origPort, respIp, respPort] = flip ? [p.dst, p.dstPort, p.src, p.srcPort] : [p.src, p.srcPort, p.dst, p.dstPort];
    const key = `${p.protocol}|${origIp}|${origPort}|${respIp}|${respPort}`;
    const flow: Flow = {
      key,
      uid: connectionUid(key, ts, no),
      protocol: p.protocol,
      origIp,
      origPort,
      respIp,
      respPort,
      start: ts,
      last: ts,
      firstNo: no,
      orig: newSide(),
      resp: newSide(),
      history: flip ? '^' : '',
      closed: false,
      service: null,
      dns: null,
      hello: null,
      server: null,
      requests: [],
      quic: null,
    };
    if (this.flows.size >= MAX_FLOWS) this.finish(this.flows.values().next().value!);
    this.flows.add(flow);
    this.index.set(key, { flow, fromOrig: true });
    this.index.set(`${p.protocol}|${respIp}|${respPort}|${origIp}|${origPort}`, { flow, fromOrig: false });
    return flow;
  }

  private update(flow: Flow, side: Side, other: Side, fromOrig: boolean, p: Decoded, ts: number, no: number): void {
    flow.last = ts;
    side.packets += 1;
    side.ipBytes += p.ipBytes;
    if (p.protocol !== 'tcp') {
      side.payloadBytes += p.payloadLength;
      if (p.protocol !== 'udp') return;
      if (DNS_PORTS.has(flow.respPort) || DNS_PORTS.has(flow.origPort)) this.dnsMessage(flow, p.payload, ts, no);
      else if (fromOrig && (flow.service === null || flow.quic) && isQuicInitial(p.payload)) this.quicInitial(flow, p.payload, ts, no);
      return;
    }
    const flags = p.flags;
    const mark = fromOrig ? markOrig : markResp;
    if (flags & TCP_SYN) {
      if (flags & TCP_ACK) side.synAck = true;
      else side.syn = true;
      mark(flow, flags & TCP_ACK ? 'H' : 'S');
      side.base = (p.seq + 1) >>> 0;
      side.next ??= side.base;
    }
    if (flags & TCP_FIN) {
      side.fin = true;
      mark(flow, 'F');
    }
    if (flags & TCP_RST) {
      side.rst = true;
      mark(flow, 'R');
    }
    if (p.payloadLength > 0) mark(flow, 'D');
    else if ((flags & (TCP_ACK | TCP_SYN | TCP_FIN | TCP_RST)) === TCP_ACK) mark(flow, 'A');
    if (side.rst || (side.fin && other.fin)) flow.closed = true;
    if (p.payloadLength === 0) return;

    side.base ??= p.seq;
    side.next ??= p.seq;
    const offset = (p.seq - side.base) | 0;
    if (offset >= 0) side.seen = Math.max(side.seen, offset + p.payloadLength);
    if (!side.done) this.segment(flow, side, fromOrig, p.seq, p.payload, p.payloadLength, ts, no);
  }

  /**
   * Puts a TCP segment in stream order and hands in-order bytes to the application parsers. `length` is the
   * segment's stated length; bytes past the captured `payload` (a snap length) are a gap the parsers are told of.
   */
  private segment(
    flow: Flow,
    side: Side,
    fromOrig: boolean,
    seq: number,
    payload: Uint8Array,
    length: number,
    ts: number,
    no: number,
  ): void {
    const ahead = (seq - side.next!) | 0;
    if (ahead > 0) {
      if (side.held.length >= MAX_HELD_SEGMENTS) side.done = true;
      else side.held.push({ seq, payload: payload.slice(), length });
      return;
    }
    if (-ahead >= length) return; // a retransmission of bytes already delivered
    if (-ahead < payload.length) this.deliver(flow, side, fromOrig, payload.subarray(-ahead), ts, no);
    const missing = length - Math.max(payload.length, -ahead);
    if (missing > 0) this.gap(side, missing);
    side.next = (seq + length) >>> 0;
    // Segments held back may now fit.
    for (let progress = true; progress && side.held.length && !side.done;) {
      progress = false;
      for (let i = 0; i < side.held.length; i++) {
        const segment = side.held[i];
        if (((segment.seq - side.next) | 0) <= 0) {
          side.held.splice(i, 1);
          this.segment(flow, side, fromOrig, segment.seq, segment.payload, segment.length, ts, no);
          progress = true;
          break;
        }
      }
    }
  }

  private deliver(flow: Flow, side: Side, fromOrig: boolean, bytes: Uint8Array, ts: number, no: number): void {
    if (side.http) {
      side.http.push(bytes);
      if (side.http.stopped) side.done = true;
      return;
    }
    side.stream = side.stream.length ? concat(side.stream, bytes) : bytes.slice();
    if (flow.service === null && fromOrig) this.recognise(flow, side);
    if (flow.service === 'tls') this.hello(flow, side, fromOrig, ts, no);
    else if (flow.service === 'dns') this.dnsOverTcp(flow, side, ts, no);
    else if (flow.service === 'http') {
      const stream = side.stream;
      side.stream = new Uint8Array(0);
      side.http = fromOrig ? this.clientHttp(flow) : this.serverHttp(flow);
      side.http.push(stream);
    } else if (side.stream.length >= 16 || !fromOrig) {
      side.done = true; // nothing this tracker reads
      side.stream = new Uint8Array(0);
    }
    if (side.stream.length > MAX_HELLO_STREAM) {
      side.done = true;
      side.stream = new Uint8Array(0);
    }
  }

  /** Stream bytes the capture did not keep: an HTTP body can skip them; anything else loses its place. */
  private gap(side: Side, bytes: number): void {
    if (side.done) return;
    if (side.http) {
      side.http.gap(bytes);
      if (side.http.stopped) side.done = true;
    } else {
      side.done = true;
      side.stream = new Uint8Array(0);
    }
  }

  /** What the client's first bytes say the connection carries, as Zeek's dynamic protocol detection does. */
  private recognise(flow: Flow, side: Side): void {
    if (DNS_PORTS.has(flow.respPort)) flow.service = 'dns';
    else if (looksLikeTls(side.stream)) flow.service = 'tls';
    else if (looksLikeHttpRequest(side.stream)) flow.service = 'http';
  }

  private hello(flow: Flow, side: Side, fromOrig: boolean, ts: number, no: number): void {
    const message = firstHandshake(side.stream);
    if (message === 'more') return;
    side.done = true;
    side.stream = new Uint8Array(0);
    if (message === null) return;
    if (fromOrig) {
      const client = parseClientHello(message);
      if (client) flow.hello = { ts, no, client };
    } else {
      flow.server = parseServerHello(message);
      this.writeTls(flow);
    }
  }

  /** A client QUIC Initial: its CRYPTO frames are gathered until they hold the whole ClientHello. */
  private quicInitial(flow: Flow, datagram: Uint8Array, ts: number, no: number): void {
    if (flow.hello || (flow.quic && flow.quic.tries <= 0)) return;
    const initial = openInitial(datagram, flow.quic?.dcid);
    if (!initial) return;
    flow.service = 'quic';
    flow.quic ??= { dcid: initial.dcid, frames: [], tries: MAX_QUIC_INITIALS };
    flow.quic.tries -= 1;
    flow.quic.frames.push(...initial.crypto);
    const stream = cryptoStream(flow.quic.frames);
    const need = stream.length >= 4 ? 4 + ((stream[1] << 16) | (stream[2] << 8) | stream[3]) : Infinity;
    if (stream.length < need) return;
    const client = parseClientHello(stream.subarray(0, need));
    if (client) flow.hello = { ts, no, client };
    flow.quic.frames = [];
  }

  private writeTls(flow: Flow): void {
    const hello = flow.hello;
    if (!hello) return;
    flow.hello = null;
    const client = hello.client;
    const host = hostName(client.sni);
    this.emit(
      {
        ...this.endpoints(flow, hello.ts, 'tls'),
        app_protocol: flow.service === 'quic' ? 'quic' : 'tls',
        dst_host: host,
        dst_host_origin: host ? 'sni' : null,
        tls_version: flow.server ? tlsVersionName(flow.server.version) : null,
        tls_ja3: ja3(client),
        tls_ja4: ja4(client, flow.service === 'quic' ? 'q' : 't'),
        extra: JSON.stringify({
          server_name: client.sni,
          client_alpn: client.alpn,
          cipher: flow.server ? `0x${flow.server.cipher.toString(16).padStart(4, '0')}` : null,
          established: flow.server !== null,
        }),
      },
      hello.no,
    );
  }

  private clientHttp(flow: Flow): HttpStream {
    return new HttpStream((head) => {
      if (flow.requests.length < MAX_PENDING) flow.requests.push({ ...this.now, head });
    });
  }

  private serverHttp(flow: Flow): HttpStream {
    return new HttpStream(
      (response) => {
        const request = flow.requests.shift();
        // 1xx responses are interim: the final one follows for the same request.
        if (request && response.status! < 200) flow.requests.unshift(request);
        else if (request) this.writeHttp(flow, request, response);
      },
      (response) =>
        response.status! < 200 || response.status === 204 || response.status === 304 || flow.requests[0]?.head.method === 'HEAD',
    );
  }

  private writeHttp(flow: Flow, request: PendingHttp, response: HttpHead | null): void {
    const head = request.head;
    const connect = head.method === 'CONNECT' ? head.target : null;
    const host = hostName(head.headers.get('host') ?? null) ?? hostName(connect);
    const length = (h: HttpHead | null) => {
      const n = Number(h?.headers.get('content-length') ?? NaN);
      return Number.isSafeInteger(n) ? n : null;
    };
    this.emit(
      {
        ...this.endpoints(flow, request.ts, 'http'),
        app_protocol: 'http',
        dst_host: host,
        dst_host_origin: host ? (head.headers.has('host') ? 'http-host' : 'connect') : null,
        url_path: connect ? null : urlPath(head.target),
        method: head.method,
        status: response?.status ?? null,
        user_agent: head.headers.get('user-agent') ?? null,
        referrer: head.headers.get('referer') ?? null,
        content_type: response?.headers.get('content-type')?.split(';', 1)[0].trim() || null,
        bytes_out: length(head),
        bytes_in: length(response),
        extra: JSON.stringify({ version: head.version, uri: head.target }),
      },
      request.no,
    );
  }

  /** DNS over TCP: each message carries a two-byte length. */
  private dnsOverTcp(flow: Flow, side: Side, ts: number, no: number): void {
    while (side.stream.length >= 2) {
      const length = (side.stream[0] << 8) | side.stream[1];
      if (side.stream.length < 2 + length) return;
      this.dnsMessage(flow, side.stream.subarray(2, 2 + length), ts, no);
      side.stream = side.stream.slice(2 + length);
    }
  }

  private dnsMessage(flow: Flow, payload: Uint8Array, ts: number, no: number): void {
    const message = parseDns(payload);
    if (!message) return;
    flow.service = 'dns';
    flow.dns ??= new Map();
    if (!message.response) {
      if (flow.dns.size < MAX_PENDING && !flow.dns.has(message.id))
        flow.dns.set(message.id, { ts, no, query: message.query, qtype: message.qtype });
      return;
    }
    const query = flow.dns.get(message.id);
    flow.dns.delete(message.id);
    this.writeDns(
      flow,
      query ?? { ts, no, query: message.query, qtype: message.qtype },
      message.rcode,
      message.answers,
      query ? ts - query.ts : null,
    );
  }

  private writeDns(flow: Flow, query: PendingDns, rcode: number | null, answers: string[], rttMicros: number | null): void {
    const host = hostName(query.query);
    this.emit(
      {
        ...this.endpoints(flow, query.ts, 'dns'),
        app_protocol: 'dns',
        dns_query: query.query,
        dst_host: host,
        dst_host_origin: host ? 'dns-query' : null,
        dns_qtype: query.qtype === null ? null : qtypeName(query.qtype),
        dns_rcode: rcode === null ? null : rcodeName(rcode),
        dns_answers: answers.length ? answers.join(',') : null,
        extra: rttMicros === null ? null : JSON.stringify({ rtt: rttMicros / 1e6 }),
      },
      query.no,
    );
  }

  private endpoints(flow: Flow, ts: number, kind: EventRecord['kind']): EventRecord {
    return {
      ts,
      kind,
      uid: flow.uid,
      protocol: flow.protocol,
      src_ip: flow.origIp,
      src_port: flow.origPort,
      dst_ip: flow.respIp,
      dst_port: flow.respPort,
    };
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const flow of [...this.flows]) {
      const idle = now - flow.last;
      const limit = flow.closed ? CLOSE_DELAY_MICROS : flow.protocol === 'tcp' ? TCP_IDLE_MICROS : OTHER_IDLE_MICROS;
      if (idle > limit) this.finish(flow);
    }
  }

  /** Writes a connection and what is still pending in it (unanswered queries, requests, a lone ClientHello). */
  private finish(flow: Flow): void {
    this.flows.delete(flow);
    this.index.delete(flow.key);
    this.index.delete(`${flow.protocol}|${flow.respIp}|${flow.respPort}|${flow.origIp}|${flow.origPort}`);
    for (const query of flow.dns?.values() ?? []) this.writeDns(flow, query, null, [], null);
    for (const request of flow.requests) this.writeHttp(flow, request, null);
    this.writeTls(flow);
    const { orig, resp } = flow;
    const tcp = flow.protocol === 'tcp';
    this.emit(
      {
        ...this.endpoints(flow, flow.start, 'flow'),
        app_protocol: flow.service,
        duration: (flow.last - flow.start) / 1e6,
        bytes_out: tcp ? orig.seen : orig.payloadBytes,
        bytes_in: tcp ? resp.seen : resp.payloadBytes,
        conn_state: tcp ? tcpState(orig, resp) : resp.packets === 0 ? 'S0' : orig.packets === 0 ? 'SHR' : 'SF',
        extra: JSON.stringify({
          history: flow.history || null,
          orig_pkts: orig.packets,
          resp_pkts: resp.packets,
          orig_ip_bytes: orig.ipBytes,
          resp_ip_bytes: resp.ipBytes,
        }),
      },
      flow.firstNo,
    );
  }
}

/** Zeek history letters: each once per direction, upper case for the originator. */
function markOrig(flow: Flow, letter: string): void {
  if (!flow.history.includes(letter)) flow.history += letter;
}

function markResp(flow: Flow, letter: string): void {
  const l = letter.toLowerCase();
  if (!flow.history.includes(l)) flow.history += l;
}

function newSide(): Side {
  return {
    packets: 0,
    ipBytes: 0,
    payloadBytes: 0,
    syn: false,
    synAck: false,
    fin: false,
    rst: false,
    base: null,
    seen: 0,
    next: null,
    held: [],
    stream: new Uint8Array(0),
    http: null,
    done: false,
  };
}

function looksServerToClient(p: Decoded): boolean {
  return SERVER_PORTS.has(p.srcPort) && !SERVER_PORTS.has(p.dstPort);
}

/** Zeek's conn_state from what each side did. */
function tcpState(orig: Side, resp: Side): string {
  if (orig.syn && !resp.synAck) {
    if (resp.rst) return 'REJ';
    if (orig.rst) return 'RSTOS0';
    return orig.fin ? 'SH' : 'S0';
  }
  if (!orig.syn && resp.synAck) {
    if (resp.rst) return 'RSTRH';
    return resp.fin ? 'SHR' : 'OTH';
  }
  if (!orig.syn && !resp.synAck) return 'OTH';
  if (orig.rst) return 'RSTO';
  if (resp.rst) return 'RSTR';
  if (orig.fin && resp.fin) return 'SF';
  if (orig.fin) return 'S2';
  return resp.fin ? 'S3' : 'S1';
}

/** A stable id from what identifies the connection in the capture: the same file gives the same uids in the tab and the CLI. */
function connectionUid(key: string, ts: number, no: number): string {
  const text = `${key}|${ts}|${no}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return `C${(a >>> 0).toString(36).padStart(7, '0')}${(b >>> 0).toString(36).padStart(7, '0')}`;
}
