import { readFileSync } from 'node:fs';
import { sampleDir } from '../../test-support/sample-data.ts';
import { describe, expect, it } from 'vitest';
import { runAdapter, extraOf } from './fixtures/run-adapter.ts';
import { squidAdapter } from './squid.ts';
import { w3cElffAdapter } from './w3c-elff.ts';

const fixture = readFileSync(new URL('./fixtures/squid/access.log', import.meta.url), 'utf8');
const REAL = sampleDir('real/squid-elastic-beats/access1.log');
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('squid native access.log', () => {
  const run = runAdapter(squidAdapter, fixture);

  it('sniffs squid and not other formats', () => {
    expect(squidAdapter.sniff(fixture)).toBeGreaterThan(0.5);
    expect(squidAdapter.sniff(readFileSync(new URL('./fixtures/w3c-elff/proxysg.log', import.meta.url), 'utf8'))).toBe(0);
    expect(w3cElffAdapter.sniff(fixture)).toBe(0);
  });

  it('maps a CONNECT tunnel with a user and a direct peer', () => {
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T12:00:01.123Z'),
      kind: 'proxy',
      src_ip: '10.0.0.5',
      src_user: 'alice',
      method: 'CONNECT',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'connect',
      dst_port: 443,
      dst_ip: '149.154.167.220',
      status: 200,
      bytes_in: 5120,
      duration: 0.25,
      action: 'allow',
      content_type: null,
    });
    expect(extraOf(run.events[0]).get('result_code')).toBe('TCP_TUNNEL');
  });

  it('splits URLs, decodes user names and keeps parent proxies out of dst_ip', () => {
    expect(run.events[1]).toMatchObject({ action: 'deny', status: 407, dst_host: 'pastebin.com', dst_host_origin: 'url', url_path: '/raw/abc123?x=1', dst_port: 80, src_user: null, dst_ip: null });
    expect(run.events[2]).toMatchObject({ src_ip: '2001:db8::5', src_user: 'CORP\\bob', dst_host: '2001:db8::80', dst_port: 8080, url_path: '/upload', dst_ip: null, method: 'POST' });
    expect(run.events[3]).toMatchObject({ status: null, method: 'NONE' });
    expect(run.events[3].dst_host ?? run.events[3].url_path).toBeUndefined();
    expect(extraOf(run.events[3]).get('url')).toBe('error:invalid-request');
    expect(run.events[4]).toMatchObject({ dst_host: '2001:db8::443', dst_port: 443, dst_ip: '2001:db8::443' });
  });

  it('rejects malformed lines with reasons', () => {
    expect(run.loaded).toBe(5);
    expect(run.rejected).toEqual([
      { recordNo: 6, reason: 'expected 10 fields, got 4' },
      { recordNo: 7, reason: 'bad time "not-a-time"' },
      { recordNo: 8, reason: 'bad result code "TCP_MISS"' },
    ]);
  });

  it.skipIf(!REAL)('loads every record of the real Elastic Beats sample (RELAYWATCH_SAMPLES; skipped when absent)', () => {
    const text = readFileSync(REAL!, 'utf8');
    expect(squidAdapter.sniff(text)).toBeGreaterThan(0.9);
    const real = runAdapter(squidAdapter, text);
    expect(real.loaded).toBe(100);
    expect(real.rejected).toEqual([]);
    const connects = real.events.filter((e) => e.method === 'CONNECT');
    expect(connects).toHaveLength(9);
    expect(connects.every((e) => e.dst_host_origin === 'connect' && e.dst_port === 443 && e.url_path === undefined)).toBe(true);
    expect(real.events.filter((e) => e.action === 'deny' && e.status === 407)).toHaveLength(15);
    expect(real.events.filter((e) => e.src_user)).toHaveLength(85);
    expect(new Set(real.events.map((e) => e.src_user).filter(Boolean))).toEqual(new Set(['adeolaegbedokun', 'badeyek', 'nazsoau']));
    expect(real.events[0]).toMatchObject({ ts: 1157689312049000, dst_host: 'login.yahoo.com', bytes_in: 19763, duration: 5.006 });
  });
});
