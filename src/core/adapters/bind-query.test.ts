import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { bindQueryAdapter } from './bind-query.ts';

const text = readFileSync(new URL('./fixtures/bind-query/query.log', import.meta.url), 'utf8');
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('BIND query log', () => {
  const run = runAdapter(bindQueryAdapter, text, 60);

  it('sniffs query logs', () => {
    expect(bindQueryAdapter.sniff(text)).toBeGreaterThan(0.7);
  });

  it('maps a 9.11+ line with @0x, category and severity, in local time', () => {
    expect(run.events[0]).toEqual({
      ts: micros('2024-05-01T11:00:01.123Z'),
      kind: 'dns',
      src_ip: '10.0.0.5',
      src_port: 53211,
      dst_ip: '10.0.0.1',
      protocol: 'udp',
      app_protocol: 'dns',
      dns_query: 'api.telegram.org',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'dns-query',
      dns_qtype: 'A',
      extra: JSON.stringify({ class: 'IN', flags: '+E(0)K' }),
    });
  });

  it('reads older variants, views, TCP flags, IPv6 clients and ISO times', () => {
    expect(run.events[1]).toMatchObject({ src_ip: '10.0.0.6', dns_query: 'pastebin.com', dns_qtype: 'AAAA', protocol: 'tcp' });
    expect(extraOf(run.events[1]).get('view')).toBe('internal');
    expect(run.events[2]).toMatchObject({ ts: micros('2024-05-01T11:00:03Z'), src_ip: '2001:db8::5', src_port: 5353, dst_ip: '2001:db8::53', dns_query: 'raw.githubusercontent.com' });
    expect(run.events[3]).toMatchObject({ ts: micros('2024-05-01T12:00:04.500Z'), dns_qtype: 'HTTPS' });
  });

  it('skips other categories and rejects broken query lines', () => {
    expect(run.loaded).toBe(4);
    expect(run.meta).toBe(2);
    expect(run.rejected).toEqual([
      { recordNo: 6, reason: 'unreadable query line' },
      { recordNo: 7, reason: 'bad time "32-May-2024 12:00:07.000"' },
    ]);
  });
});
