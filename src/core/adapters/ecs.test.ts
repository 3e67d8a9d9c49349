import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_ADAPTERS } from './index.ts';
import { chooseAdapter } from '../ingest/pipeline.ts';
import { ecsKibanaCsvAdapter, ecsNdjsonAdapter, ecsSearchJsonAdapter } from './ecs.ts';
import { ecsTimeToMicros } from './ecs-map.ts';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/ecs/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => Date.parse(iso) * 1000;

describe('ECS format recognition', () => {
  it.each([
    ['filebeat-zeek.ndjson', 'ecs-ndjson'],
    ['security-onion.ndjson', 'ecs-ndjson'],
    ['endpoint.ndjson', 'ecs-ndjson'],
    ['search-response.json', 'ecs-search-json'],
    ['discover.csv', 'ecs-kibana-csv'],
  ])('%s is read by %s', (name, id) => {
    expect(chooseAdapter(fixture(name).slice(0, 65_536), ALL_ADAPTERS)?.adapter.id).toBe(id);
  });

  it('leaves Zeek, Suricata and Winlogbeat Sysmon JSON to their own adapters', () => {
    const zeek = '{"ts":1715000000.5,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":53}\n';
    const suricata = '{"timestamp":"2024-05-06T08:00:00Z","event_type":"flow","src_ip":"10.0.0.1"}\n';
    const winlogbeat =
      '{"@timestamp":"2024-05-06T08:00:00Z","event":{"module":"sysmon"},"winlog":{"event_id":3},"source":{"ip":"10.0.0.1"}}\n';
    for (const text of [zeek, suricata, winlogbeat]) expect(ecsNdjsonAdapter.sniff(text)).toBe(0);
  });

  it('reads Kibana date format and epoch milliseconds', () => {
    expect(ecsTimeToMicros('May 6, 2024 @ 10:15:31.123', 120)).toBe(utc('2024-05-06T08:15:31.123Z'));
    expect(ecsTimeToMicros(1714990531123, 0)).toBe(utc('2024-05-06T10:15:31.123Z'));
    expect(ecsTimeToMicros('2024-05-06T10:15:31.123456Z', 0)).toBe(utc('2024-05-06T10:15:31.123Z') + 456);
    expect(ecsTimeToMicros('Smarch 6, 2024 @ 10:15:31.123', 0)).toBeNull();
  });
});

describe('Filebeat Zeek module (NDJSON)', () => {
  const run = runAdapter(ecsNdjsonAdapter, fixture('filebeat-zeek.ndjson').trimEnd());

  it('accounts for every line', () => {
    expect(run.format).toBe('ecs-zeek-ndjson');
    expect(run.loaded).toBe(5);
    expect(run.rejected.map((r) => r.reason)).toEqual([
      'unreadable @timestamp "not a time"',
      'no @timestamp',
      expect.stringMatching(/^invalid JSON/),
    ]);
    expect(run.raw).toEqual([expect.objectContaining({ table: 'ecs_zeek_x509' })]);
  });

  it('maps zeek.connection to a flow linked by zeek.session_id', () => {
    expect(run.events[0]).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-06T08:00:01.250Z'),
      uid: 'CwA1b2c3d4e5f6',
      src_ip: '10.1.2.3',
      src_port: 51544,
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      app_protocol: 'tls',
      bytes_out: 1200,
      bytes_in: 5400,
      duration: 2.5,
      conn_state: 'SF',
      src_host: null,
    });
    // The sensor's host name is kept, not taken for the client's.
    expect(extraOf(run.events[0]).get('host.name')).toBe('sensor-01');
  });

  it('maps zeek.ssl, zeek.dns and zeek.http', () => {
    const [, tls, dns, http] = run.events;
    expect(tls).toMatchObject({
      kind: 'tls',
      uid: 'CwA1b2c3d4e5f6',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'sni',
      tls_version: 'TLSv13',
    });
    expect(dns).toMatchObject({
      kind: 'dns',
      dns_query: 'api.telegram.org',
      dns_qtype: 'A',
      dns_rcode: 'NOERROR',
      dns_answers: '149.154.167.220,149.154.167.221',
      dst_host: 'api.telegram.org',
    });
    expect(http).toMatchObject({
      kind: 'http',
      dst_host: 'pastebin.example',
      url_path: '/bot123:ABC/getUpdates?offset=1',
      method: 'GET',
      status: 200,
      user_agent: 'python-requests/2.31',
      referrer: 'http://start.example/',
      content_type: 'text/plain',
      bytes_out: 0,
      bytes_in: 431,
    });
  });
});

describe('Security Onion 2 (NDJSON)', () => {
  const run = runAdapter(ecsNdjsonAdapter, fixture('security-onion.ndjson').trimEnd());

  it('reads its field names and links by log.id.uid', () => {
    expect(run.rejected).toEqual([]);
    expect(run.format).toBe('ecs-ndjson'); // Zeek and Suricata in one file
    const [conn, tls, dns, alert] = run.events;
    expect(conn).toMatchObject({ kind: 'flow', uid: 'CSo2conn01', conn_state: 'S0', app_protocol: 'tls' });
    expect(tls).toMatchObject({
      kind: 'tls',
      uid: 'CSo2conn01',
      dst_host: 'files.example.net',
      tls_version: 'TLSv12',
      tls_ja3: 'e7d705a3286e19ea42f587b344ee6865',
    });
    expect(dns).toMatchObject({
      kind: 'dns',
      dns_query: 'files.example.net',
      dns_qtype: 'A',
      dns_rcode: 'NOERROR',
      dns_answers: '198.51.100.9',
    });
    // The flow id keeps every digit (it is beyond 2^53).
    expect(alert).toMatchObject({ kind: 'alert', alert: 'ET POLICY Telegram API Domain in DNS Lookup', uid: '1234567890123456789' });
  });
});

describe('Elastic Endpoint and Packetbeat (NDJSON)', () => {
  const run = runAdapter(ecsNdjsonAdapter, fixture('endpoint.ndjson').trimEnd());

  it('maps network and DNS events with process, host and user', () => {
    expect(run.rejected).toEqual([]);
    expect(run.loaded).toBe(4);
    expect(run.events[0]).toMatchObject({
      kind: 'flow',
      src_host: 'WS-0042',
      src_user: 'anna.adler',
      process: 'C:\\Users\\anna\\AppData\\Local\\Temp\\rundll32.exe',
      process_id: 4412,
      dst_ip: '162.159.135.232',
      dst_port: 443,
    });
    expect(run.events[1]).toMatchObject({
      kind: 'dns',
      dns_query: 'discord.com',
      dns_answers: '162.159.135.232,162.159.136.232',
      process_id: 4412,
    });
    expect(run.raw.map((r) => r.table)).toEqual(['ecs_endpoint_events_process']);
  });

  it('dates a Packetbeat flow by its start and links it by flow.id', () => {
    expect(run.events[2]).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-06T10:00:30Z'),
      duration: 30,
      bytes_out: 900,
      bytes_in: 20000,
      uid: 'EQwA////DP//////FBgBAAEAAAABAAAA',
    });
  });
});

describe('Elasticsearch search responses', () => {
  const run = runAdapter(ecsSearchJsonAdapter, fixture('search-response.json'));

  it('reads the hits of every response and counts a hit without _source as rejected', () => {
    expect(run.format).toBe('ecs-zeek-json');
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([{ recordNo: 2, reason: expect.stringMatching(/^hit has no _source/) }]);
    expect(run.events.map((e) => [e.kind, e.uid])).toEqual([
      ['flow', 'Cone'],
      ['dns', 'Ctwo'],
    ]);
    expect(run.events[0]).toMatchObject({ duration: 1.5, bytes_out: 100, bytes_in: 200, dst_port: 8443 });
  });

  it('reads a JSON array of documents and counts a truncated one', () => {
    const array = `[{"@timestamp":"2024-05-06T08:00:00Z","event":{"dataset":"zeek.dns"},"dns":{"question":{"name":"a.example"}}},\n{"@timestamp":"2024-05-06T08:00:01Z","event":{"dat`;
    expect(ecsSearchJsonAdapter.sniff(array)).toBeGreaterThan(0.5);
    const arrayRun = runAdapter(ecsSearchJsonAdapter, array);
    expect(arrayRun.loaded).toBe(1);
    expect(arrayRun.rejected).toEqual([{ recordNo: 2, reason: 'truncated JSON record' }]);
  });
});

describe('Kibana Discover CSV', () => {
  const run = runAdapter(ecsKibanaCsvAdapter, fixture('discover.csv'), 120);

  it('reads rows in Kibana date format at the given offset, grouped thousands and joined answers', () => {
    expect(run.format).toBe('ecs-zeek-kibana-csv');
    expect(run.loaded).toBe(3);
    expect(run.rejected.map((r) => r.recordNo)).toEqual([4, 5]);
    expect(run.rejected[0].reason).toMatch(/^unreadable @timestamp/);
    expect(run.events[0]).toMatchObject({ kind: 'flow', ts: utc('2024-05-06T08:15:31.123Z'), bytes_out: 1200, bytes_in: 45000, uid: 'C1' });
    expect(run.events[1]).toMatchObject({ kind: 'http', dst_host: 'cdn.example', url_path: '/a/b?c=1', method: 'GET', status: 200 });
    expect(run.events[2]).toMatchObject({ kind: 'dns', dns_query: 'cdn.example', dns_answers: '203.0.113.5,203.0.113.6' });
  });
});
