/**
 * Flow logs that write one record per direction of a connection (AWS VPC Flow Logs, Google Cloud VPC Flow Logs)
 * log the server's reply as a flow from the server to the client. Read alone, that record makes the server look
 * like a source. Here the two records of one connection in one file become one event in the client's view: the
 * client's record gives bytes_out, the reply's gives bytes_in. Both lines still count as loaded records.
 * A connection that lasts beyond one capture window is reported again in the next: such a later report says
 * `"continued":"true"` in `extra`, as its time is when a window began, not when a connection did.
 */
import type { EventRecord } from '../canonical.ts';
import type { Sink } from '../ingest/adapter.ts';

/** IANA's well-known service ports end here. */
const WELL_KNOWN_MAX = 1023;
/** Ephemeral (client) ports start here on Linux; IANA's dynamic range and Windows' start higher, at 49152. */
const EPHEMERAL_MIN = 32768;
/** AWS tcp-flags bits: SYN and SYN-ACK (SYN 2 + ACK 16; ACK alone is not logged). */
const SYN = 2;
const ACK = 16;

/**
 * Is this record the reply half of a connection? From the TCP flags where logged (the SYN-ACK is the responder's,
 * a SYN alone the initiator's); else from the ports: a service port (well-known, or any port below the ephemeral
 * range) answering an ephemeral one. A record neither rule decides is taken as the initiator's, as logged.
 */
export function isReply(srcPort: number | null, dstPort: number | null, tcpFlags: number | null = null): boolean {
  if (tcpFlags !== null && tcpFlags & SYN) return (tcpFlags & ACK) !== 0;
  if (srcPort === null || dstPort === null) return false;
  return (srcPort <= WELL_KNOWN_MAX && dstPort > WELL_KNOWN_MAX) || (srcPort < EPHEMERAL_MIN && dstPort >= EPHEMERAL_MIN);
}

/** One direction's record, already in the client's view (a reply has its addresses and ports swapped back). */
export interface FlowHalf {
  reply: boolean;
  /** The connection as the client sees it (interface, protocol, client and server address and port). */
  key: string;
  /** Start and end of the record's capture, in microseconds. */
  start: number;
  end: number;
  /** The record's bytes and packets, sent by its own source. */
  bytes: number | null;
  packets: string | null;
  /** The event in the client's view, without bytes; its `extra` (a JSON object or null) leaves out the packets.
   * The pairing completes it in place. */
  event: EventRecord;
}

/** Records waiting for their other half; beyond this many, the oldest is written alone. */
const MAX_WAITING = 4096;
/** Connections whose last report is remembered, to tell a later window's report of them. */
const MAX_REPORTED = 65_536;
/** The longest capture window of flow logs (GCP's 15 minutes; AWS's is at most 10): a connection's next report
 * comes within one window of the last, else it is taken as a new connection on the same ports. */
const MAX_WINDOW_US = 15 * 60 * 1e6;

/**
 * Pairs the two halves of each connection within one file. Halves of one connection are written close together
 * (the same capture window) but in no set order; a half whose partner is not among the last `MAX_WAITING`
 * unpaired records, or whose capture does not overlap it (a later window of a long flow), is written alone.
 */
export class FlowPairs {
  private waiting = new Map<string, FlowHalf>();
  /** Start and end (µs) of each connection's last report written. */
  private reported = new Map<string, readonly [number, number]>();

  add(half: FlowHalf, sink: Sink): void {
    const partner = this.waiting.get(half.key);
    if (partner) this.waiting.delete(half.key);
    if (partner && partner.reply !== half.reply && partner.start <= half.end && half.start <= partner.end) {
      this.write(half.key, half.reply ? connection(partner, half) : connection(half, partner), Math.max(half.end, partner.end), sink);
      return;
    }
    if (partner) this.write(partner.key, alone(partner), partner.end, sink);
    this.waiting.set(half.key, half);
    if (this.waiting.size > MAX_WAITING) {
      const oldest: FlowHalf = this.waiting.values().next().value!;
      this.waiting.delete(oldest.key);
      this.write(oldest.key, alone(oldest), oldest.end, sink);
    }
  }

  /** Writes every half still waiting (end of the file). */
  flush(sink: Sink): void {
    for (const half of this.waiting.values()) this.write(half.key, alone(half), half.end, sink);
    this.waiting.clear();
  }

  /** Writes one event, marked when it is a later window's report of a connection already written. */
  private write(key: string, event: EventRecord, end: number, sink: Sink): void {
    const last = this.reported.get(key);
    if (last && event.ts > last[0] && event.ts - last[1] <= MAX_WINDOW_US) event.extra = withFields(event.extra, [['continued', 'true']]);
    this.reported.delete(key);
    this.reported.set(key, [event.ts, end]);
    if (this.reported.size > MAX_REPORTED) this.reported.delete(this.reported.keys().next().value!);
    sink.event(event);
  }
}

/** `extra` (a JSON object or null) with more text fields; null values are left out. */
export function withFields(extra: string | null | undefined, fields: readonly (readonly [string, string | null])[]): string | null {
  let added = '';
  for (const [name, value] of fields) if (value !== null) added += `,"${name}":${JSON.stringify(value)}`;
  if (added === '') return extra ?? null;
  return extra && extra.length > 2 ? `${extra.slice(0, -1)}${added}}` : `{${added.slice(1)}}`;
}

/** Both halves: the client's record with the reply's bytes as bytes_in, over both captures. */
function connection(client: FlowHalf, reply: FlowHalf): EventRecord {
  const event = client.event;
  const end = Math.max(client.end, reply.end);
  event.ts = Math.min(client.start, reply.start);
  event.duration = (end - event.ts) / 1e6;
  event.bytes_out = client.bytes;
  event.bytes_in = reply.bytes;
  event.extra = withFields(event.extra, [
    ['packets', client.packets],
    ['packets_in', reply.packets],
  ]);
  return event;
}

/** A half without its partner in this file: still the client's connection, with the bytes of its own direction. */
function alone(half: FlowHalf): EventRecord {
  const event = half.event;
  if (half.reply) {
    event.bytes_in = half.bytes;
    event.extra = withFields(event.extra, [
      ['packets_in', half.packets],
      ['logged_direction', 'reply'],
    ]);
  } else {
    event.bytes_out = half.bytes;
    event.extra = withFields(event.extra, [['packets', half.packets]]);
  }
  return event;
}
