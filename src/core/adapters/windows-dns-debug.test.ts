import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { decodeDnsName, WINDOWS_DNS_PACKETS_TABLE, windowsDnsDebugAdapter } from './windows-dns-debug.ts';

const text = readFileSync(new URL('./fixtures/windows-dns-debug/dns.log', import.meta.url), 'utf8');
const micros = (iso: string) => Date.parse(iso) * 1000;
const packet = (date: string, rest = 'UDP Rcv 10.0.0.5        a1b2   Q [0001   D   NOERROR] A      (7)dropbox(3)com(0)') =>
  `${date} 0E4C PACKET  0000020D8B1C8F40 ${rest}`;

describe('Windows DNS Server debug log', () => {
  const run = runAdapter(windowsDnsDebugAdapter, text, 120);

  it('sniffs the log and treats the header block as META', () => {
    expect(windowsDnsDebugAdapter.sniff(text)).toBeGreaterThan(0.9);
    expect(run.meta).toBe(2 + 1 + 26 + 1 + 1 + 1); // creation/wrap, blank, legend, EVENT line, final newline
  });

  it('turns client queries into events, in local time with AM/PM', () => {
    expect(run.events[0]).toEqual({
      ts: micros('2024-05-01T10:00:01Z'),
      kind: 'dns',
      src_ip: '10.0.0.5',
      protocol: 'udp',
      app_protocol: 'dns',
      dns_query: 'api.telegram.org',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'dns-query',
      dns_qtype: 'A',
      dns_rcode: null,
      extra: JSON.stringify({ xid: 'a1b2', opcode: 'Q', logged_packet: 'query' }),
    });
    expect(run.events[2]).toMatchObject({ ts: micros('2024-04-30T22:00:03Z'), src_ip: '2001:db8::5', protocol: 'tcp', dns_qtype: 'AAAA', dns_query: 'example.com' });
  });

  it('counts each query once: answers to logged queries and recursion go to the raw table', () => {
    expect(run.events).toHaveLength(3);
    expect(run.raw.map((r) => [r.table, r.row.direction, r.row.packet, r.row.remote_ip, r.row.rcode])).toEqual([
      [WINDOWS_DNS_PACKETS_TABLE, 'snd', 'query', '192.0.2.53', null],
      [WINDOWS_DNS_PACKETS_TABLE, 'rcv', 'response', '192.0.2.53', 'NOERROR'],
      [WINDOWS_DNS_PACKETS_TABLE, 'snd', 'response', '10.0.0.5', 'NOERROR'],
    ]);
    expect(run.events[1]).toMatchObject({ src_ip: '10.0.0.6', dns_query: 'xn--x1a.example', dns_rcode: 'NXDOMAIN' });
    expect(extraOf(run.events[1]).get('logged_packet')).toBe('response');
    expect(run.loaded).toBe(6);
  });

  it('rejects unreadable PACKET lines', () => {
    expect(run.rejected).toEqual([{ recordNo: 38, reason: 'unreadable PACKET line' }]);
  });

  it('reads 24-hour day-first dates and switches order when only month-first can be right', () => {
    const dayFirst = runAdapter(windowsDnsDebugAdapter, [packet('01/05/2024 14:00:02'), packet('13/05/2024 14:00:01'), packet('02.05.2024 09:00:00')].join('\n'));
    expect(dayFirst.events.map((e) => e.ts)).toEqual([micros('2024-05-01T14:00:02Z'), micros('2024-05-13T14:00:01Z'), micros('2024-05-02T09:00:00Z')]);
    const monthFirst = runAdapter(windowsDnsDebugAdapter, [packet('5/13/2024 14:00:01'), packet('5/1/2024 14:00:02'), packet('2024-05-03 01:02:03')].join('\n'));
    expect(monthFirst.events.map((e) => e.ts)).toEqual([micros('2024-05-13T14:00:01Z'), micros('2024-05-01T14:00:02Z'), micros('2024-05-03T01:02:03Z')]);
    expect(runAdapter(windowsDnsDebugAdapter, packet('5/1/2024 13:00:01 PM')).rejected[0].reason).toBe('bad date/time "5/1/2024 13:00:01 PM"');
  });

  it('decodes wire-format names', () => {
    expect(decodeDnsName('(3)www(6)google(3)com(0)')).toBe('www.google.com');
    expect(decodeDnsName('(0)')).toBe('.');
  });
});
