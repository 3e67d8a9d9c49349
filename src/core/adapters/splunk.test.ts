import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseAdapter } from '../ingest/pipeline.ts';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { ALL_ADAPTERS } from './index.ts';
import { splunkCsvAdapter, splunkJsonAdapter } from './splunk.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/splunk/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => Date.parse(iso) * 1000;

describe('Splunk format recognition', () => {
  it.each([
    ['cim-results.csv', 'splunk-csv'],
    ['zeek-addon.csv', 'splunk-csv'],
    ['export.json', 'splunk-json'],
    ['api-results.json', 'splunk-json'],
  ])('%s is read by %s', (name, id) => {
    expect(chooseAdapter(fixture(name), ALL_ADAPTERS)?.adapter.id).toBe(id);
  });
});

describe('Splunk CSV with CIM field names', () => {
  const run = runAdapter(splunkCsvAdapter, fixture('cim-results.csv'));

  it('accounts for every result', () => {
    expect(run.format).toBe('splunk-csv');
    expect(run.loaded).toBe(5);
    expect(run.rejected).toEqual([{ recordNo: 6, reason: 'unreadable _time "not a time"' }]);
  });

  it('maps Network_Traffic, Web, Network_Resolution and Endpoint results', () => {
    const [allowed, blocked, web, dns, process] = run.events;
    expect(allowed).toMatchObject({
      kind: 'firewall',
      ts: utc('2024-05-06T08:00:00Z'),
      src_ip: '10.6.0.21',
      src_port: 50000,
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      app_protocol: 'ssl',
      bytes_in: 8000,
      bytes_out: 1200,
      action: 'allow',
    });
    expect(extraOf(allowed).get('host')).toBe('fw01');
    expect(blocked.action).toBe('deny');
    expect(web).toMatchObject({
      kind: 'proxy',
      dst_host: 'cdn.example',
      dst_host_origin: 'log',
      dst_ip: null,
      url_path: '/payload.bin?id=7',
      method: 'GET',
      status: 200,
      user_agent: 'Mozilla/5.0',
      src_user: 'carol',
    });
    expect(dns).toMatchObject({
      kind: 'dns',
      dns_query: 'api.telegram.org',
      dst_host: 'api.telegram.org',
      dns_answers: '149.154.167.220,149.154.167.221',
      dns_qtype: 'A',
      dns_rcode: 'NoError',
      dst_ip: '10.6.0.2',
    });
    expect(process).toMatchObject({
      kind: 'process',
      src_host: 'ws-24',
      src_ip: null,
      process: 'C:\\Windows\\System32\\rundll32.exe',
      process_id: 4100,
    });
  });
});

describe('Splunk Add-on for Zeek results', () => {
  it('maps them as Zeek records, linked by uid', () => {
    const run = runAdapter(splunkCsvAdapter, fixture('zeek-addon.csv'));
    expect(run.format).toBe('splunk-zeek-csv');
    expect(run.rejected).toEqual([]);
    expect(run.events[0]).toMatchObject({
      kind: 'flow',
      uid: 'CAbc1',
      ts: utc('2024-05-06T08:00:01.250Z'),
      src_ip: '10.7.0.5',
      dst_port: 443,
      bytes_out: 1200,
      bytes_in: 5400,
      duration: 2.5,
      conn_state: 'SF',
      app_protocol: 'tls',
    });
    expect(run.events[1]).toMatchObject({ kind: 'dns', dns_query: 'api.telegram.org', dns_answers: '149.154.167.220,149.154.167.221' });
  });
});

describe('Splunk JSON', () => {
  it('reads export lines, multi-value fields and counts a bad result', () => {
    const run = runAdapter(splunkJsonAdapter, fixture('export.json'));
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([{ recordNo: 3, reason: 'unreadable _time "soon"' }]);
    expect(run.events[0]).toMatchObject({ kind: 'flow', dst_ip: '162.159.135.232', bytes_out: 900, uid: 's-9' });
    expect(extraOf(run.events[0]).has('_raw')).toBe(false);
    expect(run.events[1]).toMatchObject({
      kind: 'dns',
      dns_query: 'discord.com',
      dns_answers: '162.159.135.232,162.159.136.232',
      src_ip: '10.6.0.30',
    });
  });

  it('reads the REST API answer with epoch _time', () => {
    const run = runAdapter(splunkJsonAdapter, fixture('api-results.json'));
    expect(run.rejected).toEqual([]);
    expect(run.events).toEqual([
      expect.objectContaining({ kind: 'firewall', ts: utc('2024-05-06T10:00:00Z'), dst_port: 8443, action: 'allow' }),
    ]);
  });
});
