import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../canonical.ts';
import { FlowPairs, isReply, type FlowHalf } from './flow-pairs.ts';

describe('which record of a connection is the reply', () => {
  it.each([
    // [srcPort, dstPort, tcpFlags, reply]
    [51544, 443, null, false],
    [443, 51544, null, true],
    [53, 53000, null, true],
    [8443, 50112, null, true], // a registered service port answering an ephemeral one
    [50112, 8443, null, false],
    [40000, 22, null, false], // a scanner's attempt on a service port
    [null, null, null, false], // ICMP: no ports, taken as logged
    [60001, 60002, 18, true], // the SYN-ACK is the responder's, whatever the ports
    [443, 51544, 2, false], // a SYN alone is the initiator's, whatever the ports
    [50112, 443, 3, false], // SYN and FIN of a short connection
    [443, 50112, 19, true], // SYN-ACK and FIN
    [443, 51544, 1, true], // only FIN (a later capture window): the ports decide
  ] as const)('%s → %s, tcp-flags %s: reply %s', (src, dst, flags, reply) => {
    expect(isReply(src, dst, flags)).toBe(reply);
  });
});

describe('pairing the halves of a connection', () => {
  const collect = () => {
    const events: EventRecord[] = [];
    return { events, sink: { event: (e: EventRecord) => events.push(e), raw: () => {} } };
  };
  const half = (reply: boolean, start: number, bytes: number, key = 'k'): FlowHalf => ({
    reply,
    key,
    start: start * 1e6,
    end: (start + 10) * 1e6,
    bytes,
    packets: String(bytes / 100),
    event: { ts: start * 1e6, kind: 'flow', src_ip: '10.0.0.1', dst_ip: '192.0.2.1', extra: '{"interface-id":"eni-1"}' },
  });

  it('joins the reply to its client record in either order, one event each', () => {
    const { events, sink } = collect();
    const pairs = new FlowPairs();
    pairs.add(half(true, 100, 900), sink);
    pairs.add(half(false, 101, 300), sink);
    pairs.flush(sink);
    expect(events).toEqual([
      {
        ts: 100e6,
        kind: 'flow',
        src_ip: '10.0.0.1',
        dst_ip: '192.0.2.1',
        duration: 11,
        bytes_out: 300,
        bytes_in: 900,
        extra: '{"interface-id":"eni-1","packets":"3","packets_in":"9"}',
      },
    ]);
  });

  it('writes halves alone when their captures do not overlap or no partner comes, a reply still in the client view', () => {
    const { events, sink } = collect();
    const pairs = new FlowPairs();
    pairs.add(half(false, 100, 300), sink);
    pairs.add(half(true, 200, 900), sink); // a later capture window of the same flow
    pairs.add(half(false, 300, 500, 'other'), sink);
    pairs.flush(sink);
    expect(events.map((e) => [e.ts / 1e6, e.src_ip, e.bytes_out ?? null, e.bytes_in ?? null])).toEqual([
      [100, '10.0.0.1', 300, null],
      [200, '10.0.0.1', null, 900],
      [300, '10.0.0.1', 500, null],
    ]);
    // The reply of a later capture window of the same connection is a later report of it.
    expect(JSON.parse(events[1].extra!)).toEqual({ 'interface-id': 'eni-1', packets_in: '9', logged_direction: 'reply', continued: 'true' });
  });

  it('marks the reports of later capture windows of one connection, not a new connection on the same ports', () => {
    const { events, sink } = collect();
    const pairs = new FlowPairs();
    for (const start of [0, 60, 120, 2000]) {
      pairs.add(half(false, start, 100), sink);
      pairs.add(half(true, start, 100), sink);
    }
    pairs.flush(sink);
    // 0–10, 60–70, 120–130: one connection over three windows; 2000: idle longer than any capture window.
    expect(events.map((e) => [e.ts / 1e6, JSON.parse(e.extra!).continued ?? null])).toEqual([
      [0, null],
      [60, 'true'],
      [120, 'true'],
      [2000, null],
    ]);
  });
});
