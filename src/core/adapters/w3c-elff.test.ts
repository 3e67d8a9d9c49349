import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { w3cElffAdapter } from './w3c-elff.ts';

const read = (name: string) => readFileSync(new URL(`./fixtures/w3c-elff/${name}`, import.meta.url), 'utf8');
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('W3C ELFF: Blue Coat ProxySG', () => {
  const text = read('proxysg.log');
  const run = runAdapter(w3cElffAdapter, text, 120);

  it('sniffs the #Fields header and reports the ProxySG flavour', () => {
    expect(w3cElffAdapter.sniff(text)).toBeGreaterThan(0.9);
    expect(run.format).toBe('w3c-proxysg');
    expect(run.meta).toBe(7);
  });

  it('maps fields by name, with quoted values, times in UTC whatever the offset', () => {
    expect(run.events[0]).toEqual({
      ts: micros('2024-05-01T12:00:01Z'),
      kind: 'proxy',
      src_ip: '10.0.0.5',
      src_port: null,
      src_user: 'alice',
      method: 'POST',
      status: 200,
      user_agent: 'python-requests/2.31.0',
      referrer: null,
      content_type: 'application/json',
      bytes_in: 1532,
      bytes_out: 410,
      duration: 0.087,
      action: 'allow',
      dst_ip: '149.154.167.220',
      dst_port: 443,
      dst_host: 'api.telegram.org',
      dst_host_origin: 'url',
      url_path: '/bot123456:ABC-def/getUpdates?offset=5',
      extra: expect.any(String),
    });
    const extra = extraOf(run.events[0]);
    expect(extra.get('cs-categories')).toBe('Chat/Instant Messaging');
    expect(extra.get('cs-auth-group')).toBe('corp\\staff');
  });

  it('reads denials, quoted commas and CONNECT tunnels', () => {
    expect(run.events[1]).toMatchObject({
      action: 'deny',
      status: 403,
      referrer: 'https://example.org/a,b',
      user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      url_path: '/api/webhooks/1/xyz',
      dst_ip: null,
    });
    expect(run.events[2]).toMatchObject({ method: 'CONNECT', dst_host: 'pastebin.com', dst_host_origin: 'connect', dst_port: 443 });
    expect(run.rejected).toEqual([{ recordNo: 10, reason: 'expected 28 fields, got 7' }]);
  });
});

describe('W3C ELFF: IIS', () => {
  const run = runAdapter(w3cElffAdapter, read('iis.log'));

  it('reports the IIS flavour and maps server-side fields', () => {
    expect(run.format).toBe('w3c-iis');
    expect(run.loaded).toBe(2);
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T12:00:01Z'),
      kind: 'http',
      src_ip: '2001:db8::7',
      dst_ip: '192.0.2.10',
      dst_port: 443,
      method: 'GET',
      url_path: '/owa/auth/logon.aspx?replaceCurrent=1&url=https%3a%2f%2fmail',
      user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      status: 200,
      duration: 0.015,
    });
    expect(run.events[1]).toMatchObject({
      ts: micros('2024-05-01T12:00:02.250Z'),
      src_user: 'CORP\\svc-sync',
      url_path: '/ews/exchange.asmx',
      referrer: 'https://mail.corp.example/owa/',
      status: 401,
    });
    expect(run.events[0].dst_host).toBeUndefined();
  });

  it('rejects a bad date and data before #Fields', () => {
    expect(run.rejected).toEqual([{ recordNo: 7, reason: 'bad date/time "2024-13-01 12:00:03"' }]);
    const early = runAdapter(w3cElffAdapter, '2024-05-01 12:00:01 10.0.0.1 GET /\n');
    expect(early.rejected).toEqual([{ recordNo: 1, reason: 'data before any #Fields: line' }]);
  });
});
