import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { cefAdapter, cefTimeToMicros, parseCefExtension, splitCefHeader } from './cef.ts';

const text = readFileSync(new URL('./fixtures/cef/cef.log', import.meta.url), 'utf8');
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('CEF', () => {
  const run = runAdapter(cefAdapter, text, 120);

  it('sniffs CEF lines', () => {
    expect(cefAdapter.sniff(text)).toBeGreaterThan(0.8);
  });

  it('maps a proxy record after a syslog header, with escaped = and spaces in values', () => {
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T12:00:01Z'),
      kind: 'proxy',
      src_ip: '10.0.0.5',
      src_port: 51234,
      src_user: 'LDAP://10.0.0.2 CN=alice,DC=corp/alice',
      dst_ip: '149.154.167.220',
      dst_port: 443,
      dst_host: 'api.telegram.org',
      dst_host_origin: 'url',
      url_path: '/bot123456:ABC-def/sendMessage?text=a b',
      method: 'POST',
      user_agent: 'python-requests/2.31.0 (compatible; x)',
      bytes_out: 1822,
      bytes_in: 5000,
      action: 'allow',
      app_protocol: 'https',
    });
    const extra = extraOf(run.events[0]);
    expect(extra.get('vendor')).toBe('Forcepoint');
    expect(extra.get('loginID')).toBe('alice');
    expect(extra.get('cs1')).toBe('Default');
  });

  it('maps a firewall record with a dated rt, IPv6 and an escaped process path', () => {
    expect(run.events[1]).toMatchObject({
      ts: micros('2024-05-01T12:00:02Z'),
      kind: 'firewall',
      src_ip: '2001:db8::5',
      dst_ip: '2606:4700::6810:8567',
      protocol: 'tcp',
      process: 'C:\\Program Files\\Tool\\tool.exe',
      bytes_out: 300,
      bytes_in: 7000,
    });
  });

  it('unescapes pipes and backslashes in the header and newlines in values', () => {
    expect(run.events[2]).toMatchObject({ ts: 1714564803000000, action: 'deny', kind: 'firewall' });
    const extra = extraOf(run.events[2]);
    expect(extra.get('vendor')).toBe('Vendor|Pipe');
    expect(extra.get('product')).toBe('Prod\\uct');
    expect(extra.get('name')).toBe('Name with | pipe');
    expect(extra.get('msg')).toBe('line1\nline2');
  });

  it('rejects records without a time or a full header', () => {
    expect(run.loaded).toBe(3);
    expect(run.rejected).toEqual([
      { recordNo: 4, reason: 'no rt/start/end time' },
      { recordNo: 5, reason: 'CEF header has fewer than 7 fields' },
    ]);
  });

  it('reads every documented rt form', () => {
    expect(cefTimeToMicros('1714564801000', 0)).toBe(micros('2024-05-01T12:00:01Z'));
    expect(cefTimeToMicros('May 01 2024 14:00:01.250', 120)).toBe(micros('2024-05-01T12:00:01.250Z'));
    expect(cefTimeToMicros('May 01 2024 14:00:01 +02:00', 0)).toBe(micros('2024-05-01T12:00:01Z'));
    expect(cefTimeToMicros('Foo 01 2024 14:00:01', 0)).toBeNull();
  });

  it('splits header and extension at unescaped pipes only', () => {
    const split = splitCefHeader('CEF:0|a\\|b|c|1|2|n|3|k=v\\|w x=y');
    expect(split?.header).toEqual(['CEF:0', 'a|b', 'c', '1', '2', 'n', '3']);
    expect([...parseCefExtension(split!.extension)]).toEqual([['k', 'v\\|w'], ['x', 'y']]);
  });
});
