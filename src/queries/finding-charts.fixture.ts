/**
 * A small hand-made world for the finding-events and finding-charts tests: WS01 beacons to Telegram every
 * 300 s for six hours (seen by the proxy, by a flow log without host names, and by two Sysmon rows), with a
 * DNS lookup, a process-creation row and unrelated browsing around it; WS02 is its workstation peer.
 */
import type { SqlEngine } from '../engine/sql-engine.ts';
import type { Finding } from '../detection/detect.ts';
import { appendEvents, createSchema, type FixtureEvent } from '../detection/fixtures/world.ts';
import { keepAnalysisTables } from '../test-support/view-events.ts';

/** 2024-05-01T00:00Z, a Wednesday (ISO day 3); a multiple of 300 s, so the beacon's phase is 0. */
export const DAY0 = Date.UTC(2024, 4, 1);
export const BEACON_START = DAY0 + 8 * 3_600_000;
export const PERIOD_S = 300;
export const BEACONS = 72;
export const TELEGRAM_IP = '149.154.167.220';
export const EVIL = 'C:\\Users\\amy\\AppData\\Roaming\\evil.exe';

export function beaconEvents(): FixtureEvent[] {
  const events: FixtureEvent[] = [];
  for (let i = 0; i < BEACONS; i++) {
    const at = BEACON_START + i * PERIOD_S * 1000;
    events.push({ at, kind: 'proxy', src_ip: '10.0.1.1', dst_host: 'api.telegram.org', dst_port: 443, url_path: '/bot1:x/getUpdates', bytes_out: 500, bytes_in: 1000 });
    events.push({ at, kind: 'flow', src_ip: '10.0.1.1', dst_ip: TELEGRAM_IP, dst_port: 443, bytes_out: 600 });
  }
  const sysmon = { kind: 'flow' as const, src_host: 'WS01.corp.local', dst_host: 'api.telegram.org', dst_port: 443 };
  events.push({ ...sysmon, at: BEACON_START, process: EVIL });
  events.push({ ...sysmon, at: BEACON_START + PERIOD_S * 1000, process: 'C:\\Tools\\notevil.exe' });
  return events;
}

export function contextEvents(): FixtureEvent[] {
  return [
    { at: BEACON_START - 10_000, kind: 'dns', src_ip: '10.0.1.1', dns_query: 'api.telegram.org', dns_answers: TELEGRAM_IP },
    { at: DAY0 + 7 * 3_600_000, kind: 'process', src_host: 'WS01.corp.local', process: EVIL, parent_process: 'C:\\Windows\\explorer.exe', command_line: 'evil.exe --quiet' },
    { at: BEACON_START + 30_000, kind: 'proxy', src_ip: '10.0.1.1', dst_host: 'www.example.com', dst_port: 443 },
    { at: DAY0 + 20 * 3_600_000, kind: 'proxy', src_ip: '10.0.1.1', dst_host: 'www.example.com', dst_port: 443 },
    ...Array.from({ length: 10 }, (_, i): FixtureEvent => ({ at: DAY0 + 13 * 3_600_000 + i * 60_000, kind: 'proxy', src_ip: '10.0.1.2', dst_host: 'www.example.com' })),
    { at: DAY0 + 13 * 3_600_000, kind: 'proxy', src_ip: '10.0.1.2', dst_host: 'api.telegram.org' },
    { at: DAY0 + 2 * 3_600_000, kind: 'flow', src_ip: '10.0.2.1', dst_host: 'www.example.com' },
  ];
}

export async function loadFixture(engine: SqlEngine): Promise<void> {
  await createSchema(engine);
  await appendEvents(engine, [...beaconEvents(), ...contextEvents()]);
  await engine.append('dst_services', { dst_host: ['api.telegram.org'], service_id: ['telegram'] }, { dst_host: 'VARCHAR', service_id: 'VARCHAR' });
  await engine.append(
    'host_roles',
    {
      src_ip: ['10.0.1.1', null, '10.0.1.2', '10.0.2.1'],
      // The inventory links WS01's address to its name, so detection keys both as one source (ws01).
      src_host: ['WS01.corp.local', 'WS01.corp.local', null, null],
      role: ['workstation', 'workstation', 'workstation', 'server'],
      business_unit: ['finance', 'finance', 'finance', 'it'],
      role_origin: ['inventory', 'inventory', 'inventory', 'inventory'],
    },
    { src_ip: 'VARCHAR', src_host: 'VARCHAR', role: 'VARCHAR', business_unit: 'VARCHAR', role_origin: 'VARCHAR' },
  );
  await keepAnalysisTables(engine);
}

/** The WS01 → Telegram finding as the detection pack would report it. */
export function telegramFinding(overrides: Partial<Finding['source']> = {}): Finding {
  return {
    id: 'rw-test', rank: 1, score: 91, severity: 'critical',
    source: { ip: '10.0.1.1', hostname: 'ws01', user: null, process: null, role: 'workstation', role_origin: 'inventory', ...overrides },
    service: { id: 'telegram', name: 'Telegram', category: 'messaging' },
    destination: { domain: 'api.telegram.org', ips: [TELEGRAM_IP], ports: [443], url_patterns: ['/bot*/getUpdates'] },
    first_seen: new Date(BEACON_START).toISOString(),
    last_seen: new Date(BEACON_START + (BEACONS - 1) * PERIOD_S * 1000).toISOString(),
    events: BEACONS, bytes_out: 36_000, bytes_in: 72_000,
    periodicity: { period_s: PERIOD_S, jitter: 0, p_value: 1e-12, other_periods_s: [] },
    signals: [], attack: ['T1102.002'], summary: 'ws01 → Telegram',
  };
}
