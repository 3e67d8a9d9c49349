import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { runQuery, type Query } from '../engine/sql-engine.ts';
import { binsForWidth } from '../core/vocabulary.ts';
import { appendEvents, createSchema, type FixtureEvent } from '../detection/fixtures/world.ts';
import { keepAnalysisTables } from '../test-support/view-events.ts';
import {
  dataWindowQuery, hostHourProfileQuery, hostListQuery, hostServicesQuery, hostSummaryQuery,
  serviceHostsQuery, serviceListQuery, serviceSummaryQuery, sourcesQuery, serviceTimelineQuery, serviceUsersByGroupQuery,
} from './views.ts';

const T0 = Date.UTC(2024, 4, 1);
const HOUR = 3_600_000;
let engine: NativeEngine;
const run = <T = Record<string, unknown>>(q: Query) => runQuery<T>(engine, q);

/**
 * Five hosts: four finance workstations (fin-ws-01 logged both by name, as an endpoint, and by IP, as a proxy
 * client) and one IT server. Only fin-ws-01 talks to Telegram, at 02:00 UTC; three finance hosts use Dropbox.
 */
function world(): FixtureEvent[] {
  const events: FixtureEvent[] = [];
  const web = (at: number, src: { src_ip?: string; src_host?: string }, dst_host: string, extra: Partial<FixtureEvent> = {}) =>
    events.push({ at, kind: 'proxy', ...src, dst_host, bytes_out: 100, bytes_in: 1000, ...extra });
  for (let i = 0; i < 10; i++) {
    const src = i % 2 ? { src_host: 'FIN-WS-01.corp.local' } : { src_ip: '10.0.0.1' };
    web(T0 + 2 * HOUR + i * 60_000, src, 'api.telegram.org', { bytes_out: 5000 });
  }
  for (const [ip, n] of [['10.0.0.1', 3], ['10.0.0.2', 4], ['10.0.0.3', 5]] as const) {
    for (let i = 0; i < n; i++) web(T0 + 10 * HOUR + i * 600_000, { src_ip: ip }, i % 2 ? 'www.dropbox.com' : 'content.dropboxapi.com');
  }
  for (let i = 0; i < 6; i++) web(T0 + 11 * HOUR + i * 60_000, { src_ip: '10.0.0.1' }, `site${i % 3}.example.com`);
  for (let i = 0; i < 2; i++) web(T0 + 12 * HOUR, { src_ip: '10.0.0.4' }, 'site0.example.com');
  for (let i = 0; i < 3; i++) web(T0 + 30 * HOUR + i * HOUR, { src_ip: '10.0.9.1' }, 'github.com');
  events.push({ at: T0 + 13 * HOUR, kind: 'process', src_host: 'fin-ws-01', process: 'C:\\tools\\updater.exe' });
  return events;
}

beforeAll(async () => {
  engine = await NativeEngine.open();
  await createSchema(engine);
  await engine.exec(`
    INSERT INTO sources (name, format, rows_read, rows_loaded, rows_rejected, bytes, millis, message) VALUES ('proxy.log', 'squid', 40, 33, 7, 4096, 12, '7 lines were not Squid records'),
      ('endpoint.json', 'sysmon-json', 1, 1, 0, 300, 3, null);
    INSERT INTO catalog_services VALUES ('telegram', 'Telegram', 'messaging', 'T1102.002', true, null, null),
      ('dropbox', 'Dropbox', 'storage', 'T1102.002', true, null, null), ('github', 'GitHub', 'code-hosting', 'T1102.001', true, null, null);
    INSERT INTO dst_services VALUES ('api.telegram.org', 'telegram', 'telegram.org', 'telegram.org'),
      ('www.dropbox.com', 'dropbox', 'dropbox.com', 'dropbox.com'), ('content.dropboxapi.com', 'dropbox', 'dropboxapi.com', 'dropboxapi.com'),
      ('github.com', 'github', 'github.com', 'github.com');
    INSERT INTO host_roles VALUES ('10.0.0.1', 'FIN-WS-01.corp.local', 'workstation', 'finance', null, null, null, 'inventory'),
      ('10.0.0.2', null, 'workstation', 'finance', null, null, null, 'inventory'),
      ('10.0.0.3', null, 'workstation', 'finance', null, null, null, 'inventory'),
      ('10.0.0.4', null, 'workstation', 'finance', null, null, null, 'inventory'),
      ('10.0.9.1', null, 'server', 'it', null, null, null, 'inventory');`);
  await appendEvents(engine, world());
  await keepAnalysisTables(engine);
});
afterAll(() => engine.close());


describe('host queries', () => {
  it('lists hosts under the detection pack keys, busiest first, with search', async () => {
    const hosts = await run<{ host_key: string; role: string; events: number; services: number; total_hosts: number }>(hostListQuery('', 50));
    expect(hosts.map((h) => [h.host_key, h.events, h.services])).toEqual([
      ['fin-ws-01', 19, 2], ['10.0.0.3', 5, 1], ['10.0.0.2', 4, 1], ['10.0.0.4', 2, 0], ['10.0.9.1', 3, 1],
    ].sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0]))));
    expect(hosts[0]).toMatchObject({ role: 'workstation', total_hosts: 5 });
    const found = await run<{ host_key: string }>(hostListQuery(' WS-01 ', 50));
    expect(found.map((h) => h.host_key)).toEqual(['fin-ws-01']);
  });

  it('names a host seen only by IP as the inventory row listing both does, as the findings do, and finds it by either', async () => {
    await engine.exec(`INSERT INTO inventory (match, match_kind, role, business_unit, source, hostname)
      VALUES ('10.0.9.1', 'ip', 'server', 'it', 'inventory.csv:2', 'APP01.corp.local')`);
    // A context change re-runs the analysis in the app, which keys the events again.
    await keepAnalysisTables(engine);
    try {
      const byName = await run<{ host_key: string; events: number }>(hostListQuery('app01', 50));
      expect(byName.map((h) => [h.host_key, h.events])).toEqual([['app01', 3]]);
      const byIp = await run<{ host_key: string }>(hostListQuery('10.0.9.1', 50));
      expect(byIp.map((h) => h.host_key)).toEqual(['app01']);
      expect((await run<{ host_key: string }>(hostListQuery('', 50))).map((h) => h.host_key)).not.toContain('10.0.9.1');
      const [summary] = await run(hostSummaryQuery('app01'));
      expect(summary).toMatchObject({ events: 3, mapped_ips: ['10.0.9.1'] });
    } finally {
      await engine.exec(`DELETE FROM inventory`);
      await keepAnalysisTables(engine);
    }
  });

  it('summarises a host with its peer group and mapped IPs', async () => {
    const [summary] = await run(hostSummaryQuery('fin-ws-01'));
    expect(summary).toMatchObject({ role: 'workstation', business_unit: 'finance', peer_count: 3, events: 19, mapped_ips: ['10.0.0.1'] });
    const [unknown] = await run(hostSummaryQuery('no-such-host'));
    expect(unknown).toMatchObject({ host_key: 'no-such-host', role: null, events: 0 });
  });

  it('lists the services a host used against the share of peers using them', async () => {
    const rows = await run<Record<string, unknown>>(hostServicesQuery('fin-ws-01', 2));
    expect(rows.map((r) => [r.dest_key, r.catalogued, r.events, r.peer_users, r.peer_count])).toEqual([
      ['telegram', true, 10, 0, 3],
      ['dropbox', true, 3, 2, 3],
      ['site0.example.com', false, 2, 1, 3],
      ['site1.example.com', false, 2, 0, 3],
    ]);
    expect(rows[0]).toMatchObject({ service_name: 'Telegram', category: 'messaging', bytes_out: 50_000, bytes_in: 10_000, first_ts: T0 + 2 * HOUR });
  });

  it('profiles hours of the day against peers', async () => {
    const hours = await run<{ hour: number; host_events: number; peer_events: number; host_share: number; peer_share: number }>(hostHourProfileQuery('fin-ws-01'));
    expect(hours).toHaveLength(24);
    expect(hours[2]).toMatchObject({ host_events: 10, peer_events: 0 });
    expect(hours[10]).toMatchObject({ host_events: 3, peer_events: 9 });
    expect(hours[2].host_share).toBeCloseTo(10 / 19);
    expect(hours[12].peer_share).toBeCloseTo(2 / 11);
    expect(hours.reduce((s, h) => s + h.peer_share, 0)).toBeCloseTo(1);
  });
});

describe('service queries', () => {
  it('lists the catalogued services seen, most hosts first', async () => {
    const services = await run(serviceListQuery());
    expect(services.map((s) => [s.service_id, s.name, s.hosts, s.events])).toEqual([
      ['dropbox', 'Dropbox', 3, 12], ['telegram', 'Telegram', 1, 10], ['github', 'GitHub', 1, 3],
    ]);
  });

  it('summarises who uses a service by role and business unit', async () => {
    const [summary] = await run(serviceSummaryQuery('dropbox'));
    expect(summary).toMatchObject({ name: 'Dropbox', events: 12, hosts: 3, all_hosts: 5 });
    const groups = await run(serviceUsersByGroupQuery('dropbox'));
    expect(groups).toEqual([{ role: 'workstation', business_unit: 'finance', hosts: 3, group_hosts: 4, events: 12 }]);
    const hosts = await run<{ host_key: string; events: number }>(serviceHostsQuery('dropbox', 2));
    expect(hosts.map((h) => [h.host_key, h.events])).toEqual([['10.0.0.3', 5], ['10.0.0.2', 4]]);
  });

  it('bins a service timeline at a nice width sized to the chart', async () => {
    const [window] = await engine.all<{ t0: number; t1: number }>('SELECT epoch_ms(min(ts)) t0, epoch_ms(max(ts)) t1 FROM events');
    const bins = binsForWidth(400); // 100 bins
    const rows = await run<{ bin_start: number; bin_ms: number; t0: number; t1: number; role: string; events: number }>(serviceTimelineQuery('github', bins));
    const raw = (window.t1 - window.t0 + 1) / bins;
    expect(rows[0].bin_ms).toBeGreaterThanOrEqual(raw);
    expect(rows[0].bin_ms).toBe(1_800_000); // 30 h / 100 = 18 min → 30 min
    expect(rows[0]).toMatchObject({ t0: T0 + 2 * HOUR, t1: T0 + 32 * HOUR });
    expect(rows.map((r) => [r.bin_start, r.events, r.role])).toEqual([0, 1, 2].map((i) => [T0 + 30 * HOUR + i * HOUR, 1, 'server']));
    expect(binsForWidth(20)).toBe(10);
  });
});

describe('overview queries', () => {
  it('lists the sources with their counts', async () => {
    const sources = await run(sourcesQuery());
    expect(sources.map((s) => [s.name, s.rows_read, s.rows_loaded, s.rows_rejected])).toEqual([
      ['endpoint.json', 1, 1, 0], ['proxy.log', 40, 33, 7],
    ]);
  });

  it('reports the data window per kind', async () => {
    const kinds = await run(dataWindowQuery());
    expect(kinds).toEqual([
      { kind: 'proxy', events: 33, first_ts: T0 + 2 * HOUR, last_ts: T0 + 32 * HOUR, files: 0 },
      { kind: 'process', events: 1, first_ts: T0 + 13 * HOUR, last_ts: T0 + 13 * HOUR, files: 0 },
    ]);
  });
});
