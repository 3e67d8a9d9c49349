import { describe, expect, it } from 'vitest';
import { parseDns, qtypeName, rcodeName, readName } from './dns.ts';
import { dnsMessage } from './write.ts';

const name = (...labels: string[]) => labels.flatMap((l) => [l.length, ...[...l].map((c) => c.charCodeAt(0))]).concat(0);

describe('parseDns', () => {
  it('reads a query and a response with A answers', () => {
    expect(parseDns(dnsMessage({ id: 7, query: 'api.telegram.org', qtype: 1 }))).toEqual({
      id: 7,
      response: false,
      rcode: 0,
      query: 'api.telegram.org',
      qtype: 1,
      answers: [],
    });
    const response = dnsMessage({ id: 7, query: 'x.test', qtype: 1, response: { rcode: 3, answers: ['192.0.2.1', '192.0.2.2'], ttl: 5 } });
    expect(parseDns(response)).toMatchObject({ response: true, rcode: 3, answers: ['192.0.2.1', '192.0.2.2'] });
  });

  it('reads CNAME, AAAA, TXT and unknown records, following compression pointers', () => {
    const header = [0, 1, 0x81, 0x80, 0, 1, 0, 4, 0, 0, 0, 0];
    const question = [...name('a', 'test'), 0, 1, 0, 1];
    const rr = (type: number, data: number[]) => [0xc0, 12, 0, type, 0, 1, 0, 0, 0, 60, 0, data.length, ...data];
    const bytes = Uint8Array.from([
      ...header,
      ...question,
      ...rr(5, [3, 99, 100, 110, 0xc0, 12]), // CNAME cdn.a.test
      ...rr(28, [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]),
      ...rr(16, [5, 104, 101, 108, 108, 111, 2, 104, 105]),
      ...rr(99, [1, 2]),
    ]);
    expect(parseDns(bytes)?.answers).toEqual(['cdn.a.test', '2001:db8::1', 'TXT 5 hello TXT 2 hi', '<SPF>']);
  });

  it('refuses pointer loops, names running off the end and messages too short', () => {
    expect(readName(Uint8Array.from([0xc0, 0]), 0)).toBeNull();
    expect(readName(Uint8Array.from([5, 97]), 0)).toBeNull();
    expect(parseDns(new Uint8Array(5))).toBeNull();
    const looping = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(parseDns(looping)).toBeNull();
  });

  it('names types and rcodes as Zeek does, with the RFC 3597 form for unknown types', () => {
    expect([qtypeName(1), qtypeName(65), qtypeName(4242)]).toEqual(['A', 'HTTPS', 'TYPE4242']);
    expect([rcodeName(0), rcodeName(3), rcodeName(15)]).toEqual(['NOERROR', 'NXDOMAIN', 'RCODE15']);
  });
});
