import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { mdeNetworkCsvAdapter, mdeNetworkJsonAdapter } from './mde-network.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/mde-network/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => Date.parse(iso) * 1000;

describe('DeviceNetworkEvents CSV', () => {
  const text = fixture('device-network-events.csv');
  const run = runAdapter(mdeNetworkCsvAdapter, text);

  it('sniffs by header', () => {
    expect(mdeNetworkCsvAdapter.sniff(text)).toBeGreaterThan(0.9);
    expect(mdeNetworkJsonAdapter.sniff(text)).toBe(0);
  });

  it('accounts for every row', () => {
    expect(run.loaded).toBe(4);
    expect(run.rejected.map((r) => r.recordNo)).toEqual([5, 6]);
    expect(run.rejected[0].reason).toBe('unreadable Timestamp "not-a-time"');
    expect(run.rejected[1].reason).toMatch(/^CSV: /);
    expect(run.raw).toHaveLength(1);
    expect(run.raw[0]).toMatchObject({ table: 'mde_network_other', row: { ActionType: 'ListeningConnectionCreated', LocalPort: '8080' } });
  });

  it('maps a connection to a flow with RemoteUrl as dst_host', () => {
    expect(run.events[0]).toMatchObject({
      ts: utc('2024-05-01T12:00:01.123Z') + 456, // seven fractional digits, microseconds kept
      kind: 'flow',
      src_host: 'ws042.corp.example',
      src_user: 'alice',
      src_ip: '10.1.2.42',
      src_port: 51544,
      dst_ip: '162.159.135.232',
      dst_port: 443,
      dst_host: 'discord.com',
      dst_host_origin: 'log',
      process: 'c:\\users\\alice\\appdata\\local\\temp\\updater.exe',
      process_id: 4312,
      parent_process: 'explorer.exe',
      command_line: '"updater.exe" --silent',
      protocol: 'tcp',
      conn_state: 'ConnectionSuccess',
    });
    expect(extraOf(run.events[0]).get('DeviceId')).toBe('a1b2c3');
  });

  it('uses what HTTP inspection saw and flips inbound connections', () => {
    expect(run.events[1]).toMatchObject({
      kind: 'http',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'http-host',
      url_path: '/bot123:abc/sendDocument',
      method: 'POST',
      status: 200,
      user_agent: 'Go-http-client/1.1',
      process: 'c:\\programdata\\svc\\rundll32.exe',
    });
    expect(run.events[2]).toMatchObject({ src_ip: '10.1.2.42', src_port: 51610, dst_ip: '10.1.9.5', dst_port: 445, src_host: null });
    expect(extraOf(run.events[2]).get('DeviceName')).toBe('srv-file01.corp.example');
  });
});

describe('DeviceNetworkEvents JSON', () => {
  const text = fixture('device-network-events.json');

  it('reads an array, nested AdditionalFields and a truncated tail', () => {
    expect(mdeNetworkJsonAdapter.sniff(text)).toBeGreaterThan(0.8);
    const run = runAdapter(mdeNetworkJsonAdapter, text);
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([{ recordNo: 3, reason: 'truncated JSON record' }]);
    expect(run.events[0]).toMatchObject({
      kind: 'tls',
      dst_host: 'api.github.com',
      dst_host_origin: 'sni',
      tls_version: 'TLS 1.2',
      tls_ja3: '72a589da586844d7f0818ce684948eea',
      src_port: 52000,
      process: 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe',
    });
    expect(run.events[1]).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-01T12:00:05Z'),
      dst_ip: '52.96.1.1',
      dst_host: 'graph.microsoft.com',
      process: 'rundll32.exe',
      protocol: 'tcp',
    });
  });
});
