import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseAdapter } from '../ingest/pipeline.ts';
import { sampleDir } from '../../test-support/sample-data.ts';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { ALL_ADAPTERS } from './index.ts';
import { sentinelCsvAdapter, sentinelJsonAdapter } from './sentinel.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/sentinel/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => Date.parse(iso) * 1000;

describe('Sentinel format recognition', () => {
  it.each([
    ['tables.json', 'sentinel-json'],
    ['query-api.json', 'sentinel-json'],
    ['vmconnection.csv', 'sentinel-csv'],
  ])('%s is read by %s', (name, id) => {
    expect(chooseAdapter(fixture(name), ALL_ADAPTERS)?.adapter.id).toBe(id);
  });
});

describe('Log Analytics rows by table (JSON array)', () => {
  const run = runAdapter(sentinelJsonAdapter, fixture('tables.json'));
  const byTime = (iso: string) => run.events.find((e) => e.ts === utc(iso));

  it('accounts for every row: mapped tables as events, the rest raw, broken rows rejected', () => {
    expect(run.format).toBe('sentinel-json');
    expect(run.loaded).toBe(10);
    expect(run.rejected).toEqual([
      { recordNo: 10, reason: expect.stringMatching(/^malformed EventData XML/) },
      { recordNo: 12, reason: 'no TimeGenerated' },
    ]);
    expect(run.raw.map((r) => r.table)).toEqual(['sentinel_dnsevents', 'sentinel_securityevent', 'sentinel_heartbeat']);
  });

  it('maps ASIM NetworkSession, WebSession and Dns', () => {
    expect(byTime('2024-05-06T10:00:00Z')).toMatchObject({
      kind: 'flow',
      src_ip: '10.4.0.12',
      src_port: 50110,
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      bytes_out: 1300,
      bytes_in: 7800,
      duration: 2.5,
      action: 'allow',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'log',
      src_host: 'ws-17',
      uid: 's-1',
    });
    expect(byTime('2024-05-06T10:01:00Z')).toMatchObject({
      kind: 'proxy',
      dst_host: 'pastebin.example',
      dst_host_origin: 'url',
      url_path: '/raw/abc?x=1',
      method: 'GET',
      status: 200,
      src_user: 'anna',
    });
    expect(byTime('2024-05-06T10:02:00Z')).toMatchObject({
      kind: 'dns',
      dns_query: 'api.telegram.org',
      dns_answers: '149.154.167.220,149.154.167.221',
      dns_rcode: 'NOERROR',
      src_port: 53011,
    });
  });

  it('maps CommonSecurityLog as proxy or firewall, DnsEvents lookups and SecurityEvent 5156', () => {
    expect(byTime('2024-05-06T10:03:00Z')).toMatchObject({
      kind: 'proxy',
      dst_host: 'discord.example',
      url_path: '/api/webhooks/1',
      method: 'POST',
      user_agent: 'python-requests/2.31',
      bytes_out: 9000,
      action: 'allow',
    });
    expect(extraOf(byTime('2024-05-06T10:03:00Z')!).get('DeviceVendor')).toBe('Zscaler');
    expect(byTime('2024-05-06T10:03:30Z')).toMatchObject({
      kind: 'firewall',
      dst_port: 22,
      action: 'deny',
      app_protocol: 'ssh',
      protocol: 'tcp',
    });
    expect(byTime('2024-05-06T10:04:00Z')).toMatchObject({
      kind: 'dns',
      src_ip: '10.4.0.14',
      dns_query: 'files.example.net',
      dns_rcode: 'NXDOMAIN',
    });
    const wfp = byTime('2024-05-06T10:05:00Z')!;
    expect(wfp).toMatchObject({
      kind: 'flow',
      src_ip: '10.4.0.18',
      src_port: 51000,
      dst_ip: '162.159.135.232',
      dst_port: 443,
      protocol: 'tcp',
      process_id: 4242,
      process: '\\device\\harddiskvolume3\\users\\eve\\appdata\\local\\temp\\upd.exe',
      src_host: 'WS-18',
    });
    expect(extraOf(wfp).get('Direction')).toBe('outbound');
  });
});

describe('VMConnection from the query API and the portal CSV', () => {
  it('orients inbound connections with the remote client as source', () => {
    const run = runAdapter(sentinelJsonAdapter, fixture('query-api.json'));
    expect(run.format).toBe('sentinel-vmconnection-json');
    expect(run.rejected).toEqual([]);
    expect(run.events[0]).toMatchObject({
      src_ip: '198.51.100.77',
      dst_ip: '10.5.0.10',
      bytes_out: 300,
      bytes_in: 9000,
      src_host: null,
      process: null,
    });
    expect(run.events[1]).toMatchObject({
      src_ip: '10.5.0.10',
      bytes_out: 150,
      bytes_in: 4000,
      src_host: 'web-01',
      process: 'curl',
      uid: 'C-2',
    });
  });

  it('reads "[UTC]" columns as UTC whatever the file offset', () => {
    const run = runAdapter(sentinelCsvAdapter, fixture('vmconnection.csv'), 120);
    expect(run.format).toBe('sentinel-vmconnection-csv');
    expect(run.events.map((e) => e.ts)).toEqual([utc('2024-05-06T11:00:00.250Z'), utc('2024-05-06T13:00:00Z')]);
    expect(run.rejected).toEqual([{ recordNo: 3, reason: 'unreadable TimeGenerated "yesterday"' }]);
  });
});

describe('Sysmon for Linux in the Syslog table', () => {
  const data = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `<Data Name="${k}">${v}</Data>`).join('');
  const syslogRow = (message: string) => JSON.stringify({ TimeGenerated: '2022-05-11T18:10:22.003Z', Computer: 'UBUNTU5', Type: 'Syslog', SyslogMessage: message });
  const event = (fields: Record<string, string>) =>
    '<Event><System><Provider Name="Linux-Sysmon"/><EventID>1</EventID><Computer>UBUNTU5</Computer></System><EventData>' + data(fields);
  const start = { UtcTime: '2022-05-11 18:10:21.998', ProcessGuid: '{p-1}', ProcessId: '17790', Image: '/bin/bash', CommandLine: 'bash -c x', ParentProcessGuid: '{java}', ParentImage: '/usr/lib/jvm/bin/java' };

  it('reads an event the syslog relay cut short from its complete elements, and keeps a message with none as raw', () => {
    const cut = event(start) + '<Data Name="ParentCommandLine">/usr/lib/jvm/bin/java -Dcatalina.base=/opt/tom';
    const whole = event({ ...start, ProcessGuid: '{p-2}' }) + '</EventData></Event>';
    const run = runAdapter(sentinelJsonAdapter, [syslogRow(cut), syslogRow(whole), syslogRow('<Event><System><Provider Name="Linux-Sysmon"/><EventID>1</EvID')].join('\n'));
    expect(run.rejected).toEqual([]);
    expect(run.events.map((e) => [e.kind, e.uid, e.process, e.parent_process])).toEqual([
      ['process', '{p-1}', '/bin/bash', '/usr/lib/jvm/bin/java'],
      ['process', '{p-2}', '/bin/bash', '/usr/lib/jvm/bin/java'],
    ]);
    expect(extraOf(run.events[0]).get('ParentProcessGuid')).toBe('{java}');
    expect(run.raw).toHaveLength(1);
  });
});

describe('OTRF Log4Shell Sentinel export (real sample)', () => {
  const dir = sampleDir('real-labelled/otrf-log4shell-sentinel');
  it.skipIf(!dir)('every record of every table loads, network tables as events and the rest as raw rows', () => {
    const kinds = new Map<string, number>();
    for (const name of readdirSync(dir!).filter((n) => n.endsWith('.json'))) {
      const text = readFileSync(join(dir!, name), 'utf8');
      const adapter = chooseAdapter(text.slice(0, 65_536), ALL_ADAPTERS)?.adapter;
      expect(adapter?.id, name).toBe('sentinel-json');
      const run = runAdapter(adapter!, text);
      const records = text.split('\n').filter((line) => line.trim() !== '').length;
      expect(run.rejected, name).toEqual([]);
      expect(run.loaded, name).toBe(records);
      for (const e of run.events) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    }
    // SecurityEvent 5156, Sysmon 3 (Windows and Linux) and VMConnection give flows; Sysmon 22 DNS; Sysmon 1 processes.
    // One Sysmon 1 (bash -c under Tomcat's java) was cut by the syslog relay inside ParentCommandLine: a process all the same.
    expect(Object.fromEntries(kinds)).toEqual({ flow: 21, dns: 2, process: 33 });
  });
});
