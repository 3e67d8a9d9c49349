import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { fortigateAdapter, parseKeyValues } from './fortigate.ts';

const text = readFileSync(new URL('./fixtures/fortigate/fortigate.log', import.meta.url), 'utf8');
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('FortiGate key=value', () => {
  const run = runAdapter(fortigateAdapter, text, -300);

  it('sniffs FortiGate lines with and without a syslog prefix', () => {
    expect(fortigateAdapter.sniff(text)).toBeGreaterThan(0.8);
  });

  it('maps a traffic log, timed by eventtime in ns kept to the microsecond', () => {
    expect(run.events[0]).toMatchObject({
      ts: 1714564801123456,
      kind: 'firewall',
      src_ip: '10.0.0.5',
      src_port: 51234,
      src_user: 'alice',
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      action: 'allow',
      conn_state: 'close',
      bytes_out: 1822,
      bytes_in: 5000,
      duration: 29,
      uid: '123456',
    });
    expect(extraOf(run.events[0]).get('app')).toBe('Telegram');
  });

  it('maps a webfilter log with the tz field, escaped quotes and a full URL', () => {
    expect(run.events[1]).toMatchObject({
      ts: micros('2024-05-01T12:00:02Z'),
      kind: 'proxy',
      dst_host: 'discord.com',
      dst_host_origin: 'log',
      url_path: '/api/webhooks/1/x y"z',
      action: 'allow',
      user_agent: 'python-requests/2.31.0',
      bytes_out: 900,
    });
  });

  it('maps a DNS filter log over IPv6 with its answers', () => {
    expect(run.events[2]).toMatchObject({
      ts: micros('2024-05-01T12:00:03Z'),
      kind: 'dns',
      src_ip: '2001:db8::5',
      dst_ip: '2001:db8::53',
      protocol: 'udp',
      dns_query: 'api.telegram.org',
      dns_qtype: 'A',
      dns_answers: '149.154.167.220,149.154.167.221',
      dst_host_origin: 'dns-query',
    });
  });

  it('rejects event logs and bad times', () => {
    expect(run.loaded).toBe(3);
    expect(run.rejected).toEqual([
      { recordNo: 4, reason: 'FortiGate event log: not a traffic or UTM record' },
      { recordNo: 5, reason: 'bad or missing time (date=2024-05-01 time=25:00:04)' },
    ]);
  });

  it('applies utcOffsetMinutes when there is neither eventtime nor tz', () => {
    const line = 'date=2024-05-01 time=07:00:00 logid="0000000013" type="traffic" subtype="forward" srcip=10.0.0.5 dstip=192.0.2.1 action="deny"';
    const one = runAdapter(fortigateAdapter, line, -300);
    expect(one.events[0]).toMatchObject({ ts: micros('2024-05-01T12:00:00Z'), action: 'deny', conn_state: null });
  });

  it('parses key=value pairs into a Map without prototype keys leaking', () => {
    const kv = parseKeyValues('<1>x __proto__="a" constructor=b msg="say \\"hi\\""');
    expect(kv.get('__proto__')).toBe('a');
    expect(kv.get('msg')).toBe('say "hi"');
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
