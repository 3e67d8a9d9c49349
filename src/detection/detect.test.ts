import { beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { WORLD_ANALYTIC_CASES } from './fixtures/world-cases.ts';
import { loadWorld, CHROME_UA, DAY0, DAY1, servers, workstations, type FixtureEvent } from './fixtures/world.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { compareSignals, dedupeTimes, runDetection, toSignalRow, type DetectionResult, type Finding } from './detect.ts';

const pack = loadNodeDetectionPack();

async function detect(options: Partial<Parameters<typeof runDetection>[1]> = {}, extra: FixtureEvent[] = []): Promise<DetectionResult> {
  const engine = await NativeEngine.open();
  await loadWorld(engine, extra);
  const result = await runDetection(engine, { pack, ...options });
  engine.close();
  return result;
}

/** Findings about one source and service (catalogued id or destination name), optionally one process. */
function findingsFor(result: DetectionResult, host: string, service: string, process?: string | null): Finding[] {
  return result.findings.filter(
    (f) =>
      f.source.hostname === host &&
      (f.service?.id ?? f.destination.domain) === service &&
      (process === undefined || f.source.process === process),
  );
}
const signalIds = (findings: Finding[]) => new Set(findings.flatMap((f) => f.signals.map((s) => s.id)));
const evidenceOf = (findings: Finding[], id: string) => findings.flatMap((f) => f.signals).find((s) => s.id === id)!.evidence;

describe('runDetection on the hand-made world', () => {
  let result: DetectionResult;
  beforeAll(async () => {
    result = await detect();
  });

  // Each analytic: a planted positive, and a look-alike negative from the same world.
  it.each(WORLD_ANALYTIC_CASES)('%s fires on %j and not on %j', (id, [posHost, posService], [negHost, negService]) => {
    expect(signalIds(findingsFor(result, posHost, posService))).toContain(id);
    expect(signalIds(findingsFor(result, negHost, negService))).not.toContain(id);
  });

  it('tests every analytic of the pack above', () => {
    const fired = new Set(result.findings.flatMap((f) => f.signals.map((s) => s.id)));
    for (const analytic of pack.analytics) expect(fired).toContain(analytic.id);
  });

  it('times every SQL file of the pack, the timing analysis and the scoring', () => {
    const steps = [...pack.baselines, ...pack.analytics].map((file) => file.id);
    expect(Object.keys(result.timings ?? {})).toEqual(
      expect.arrayContaining([...steps, 'periodicity-candidates', 'periodicity-analysis', 'scoring']),
    );
    for (const ms of Object.values(result.timings ?? {})) expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('reports the numbers behind the signals', () => {
    const beacon = findingsFor(result, 'srv01', 'telegram');
    expect(beacon).toHaveLength(1);
    expect(beacon[0].periodicity!.period_s).toBeGreaterThan(270);
    expect(beacon[0].periodicity!.period_s).toBeLessThan(330);
    expect(beacon[0].periodicity!.p_value!).toBeLessThan(1e-6);
    expect(evidenceOf(beacon, 'rare-service-for-peer-group')).toMatchObject({ peer_hosts_using: 1, peer_hosts: 4 });
    expect(evidenceOf(beacon, 'api-endpoint')).toMatchObject({ uses: 'bot-api' });
    expect(evidenceOf(findingsFor(result, 'ws09', 'dropbox'), 'upload-volume').peak_bytes_out).toBe(2_500_000);
    expect(evidenceOf(findingsFor(result, 'ws05', 'pastebin'), 'ddr-sequence')).toMatchObject({
      new_destination: 'cdn-sync.evil.example', delay_s: 4,
    });
    expect(evidenceOf(findingsFor(result, 'ws06', 'update.blocked.example'), 'failed-connection-retries'))
      .toMatchObject({ failures: 30, attempts: 30 });
    expect(evidenceOf(findingsFor(result, 'ws08', 'github'), 'off-hours')).toMatchObject({ quiet_events: 5 });
  });

  it('merges proxy and Zeek rows of one connection instead of counting them twice', () => {
    const [beacon] = findingsFor(result, 'srv01', 'telegram');
    const proxyRequests = beacon.signals.find((s) => s.id === 'scripted-user-agent')!.evidence.events as number;
    expect(beacon.events).toBe(proxyRequests);
    expect(beacon.destination.ips).toEqual(['149.154.167.220']);
    expect(beacon.attack).toEqual(['T1102', 'T1102.002']);
  });

  it('ranks a popular service used by a server with a script user agent high', () => {
    const [server] = findingsFor(result, 'srv02', 'dropbox');
    expect(server.score).toBeGreaterThanOrEqual(60);
    expect(server.rank).toBeLessThanOrEqual(3);
    const workstationDropbox = result.findings.filter((f) => f.service?.id === 'dropbox' && f.source.role === 'workstation');
    for (const f of workstationDropbox) expect(f.score).toBeLessThan(server.score);
  });

  it('keeps OneDrive.exe syncing every 5 minutes from its normal path on workstations low', () => {
    const sync = result.findings.filter((f) => f.source.process?.endsWith('\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe'));
    expect(sync.length).toBeGreaterThanOrEqual(8);
    for (const f of sync) {
      expect(f.score).toBeLessThan(10);
      expect(f.signals.map((s) => s.id).sort()).toEqual(['approved-service', 'established-in-baseline', 'periodic-beacon']);
      expect(f.signals[0].evidence.peers_same_cadence).toBeGreaterThanOrEqual(5);
      expect(f.signals[0].explanation).toMatch(/fleet software/);
    }
    const masquerade = findingsFor(result, 'ws03', 'onedrive', 'C:\\Users\\Public\\OneDrive.exe');
    expect(masquerade[0].signals[0].explanation).toMatch(/unusual path/);
  });

  it('down-weights an approved pair and says so instead of dropping it', () => {
    const [approved] = findingsFor(result, 'ws07', 'slack');
    const approval = approved.signals.find((s) => s.id === 'approved-service')!;
    expect(approval.explanation).toMatch(/slack for role workstation/);
    expect(approved.summary).toMatch(/approved by policy/);
  });

  it('explains each finding in one sentence with numbers', () => {
    const [top] = result.findings;
    expect(top.source.hostname).toBe('srv01');
    expect(top.summary).toMatch(/^srv01 \(server\) → Telegram: srv01 contacts api\.telegram\.org every \d+ s/);
    expect(top.summary.split('. ').length).toBe(1);
  });

  it('gives the same ids for the same data and settings', async () => {
    const again = await detect();
    expect(again.findings.map((f) => [f.id, f.score])).toEqual(result.findings.map((f) => [f.id, f.score]));
  });
});

describe('runDetection settings', () => {
  it('lets the caller override weights, parameters and the baseline window', async () => {
    const base = await detect();
    const lighter = await detect({ weights: { 'periodic-beacon': 0.05 }, params: { burst_bytes: 10_000_000, ratio_min_bytes: 10_000_000 } });
    const score = (r: DetectionResult, host: string, service: string) => findingsFor(r, host, service)[0]?.score ?? 0;
    expect(score(lighter, 'srv01', 'telegram')).toBeLessThan(score(base, 'srv01', 'telegram'));
    expect(signalIds(findingsFor(lighter, 'ws09', 'dropbox'))).not.toContain('upload-volume');
    const longBaseline = await detect({ window: { baselineEnd: DAY1 + 86_400_000 } });
    expect(longBaseline.window.baseline_end).toBe('2024-05-03T00:00:00.000Z');
    expect(longBaseline.findings.flatMap((f) => f.signals).some((s) => s.id === 'first-seen-after-baseline')).toBe(false);
  });

  it('keys a source that only IP-keyed logs cover by the host name its inventory row gives', async () => {
    const engine = await NativeEngine.open();
    const zeekOnly = Array.from({ length: 36 }, (_, k): FixtureEvent => ({
      at: DAY1 + 3_600_000 + k * 300_000, kind: 'flow', src_ip: '10.0.3.7', dst_host: 'api.telegram.org', dst_ip: '149.154.167.220',
      dst_port: 443, protocol: 'tcp', conn_state: 'SF',
    }));
    await loadWorld(engine, zeekOnly);
    await engine.append('inventory', { match: ['10.0.3.7'], match_kind: ['ip'], role: ['server'], hostname: ['app07.corp.local'] },
      { match: 'VARCHAR', match_kind: 'VARCHAR', role: 'VARCHAR', hostname: 'VARCHAR' });
    const result = await runDetection(engine, { pack });
    engine.close();
    const telegram = result.findings.filter((f) => f.source.ip === '10.0.3.7');
    expect(telegram.length).toBeGreaterThan(0);
    for (const f of telegram) expect(f.source.hostname).toBe('app07');
    expect(telegram[0].summary).toMatch(/^app07 /);
  });

  it('rejects unknown parameters and analytics', async () => {
    await expect(detect({ params: { no_such_param: 1 } })).rejects.toThrow(/Unknown detection parameter/);
    await expect(detect({ weights: { 'no-such-analytic': 0.5 } })).rejects.toThrow(/Unknown analytic/);
  });

  it('uses the injected timing analysis on deduplicated times', async () => {
    const seen: number[][] = [];
    const result = await detect({
      analyzePeriodicity: async (series) =>
        series.map((times) => {
          seen.push([...times]);
          return { periodic: false, period_s: null, jitter: null, p_value: null, other_periods_s: [], score: 0, method: 'stand-in', explanation: '' };
        }),
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(result.periodicity.periodic).toBe(0);
    expect(result.findings.flatMap((f) => f.signals).some((s) => s.id === 'periodic-beacon')).toBe(false);
    for (const times of seen) for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1);
  });

  it('orders signal rows totally, so ties break the same way whatever order DuckDB returns rows in', () => {
    const row = (src_key: string, weight: number, explanation: string) => toSignalRow('scripted-user-agent', {
      signal_id: 'scripted-user-agent', src_key, src_ip: null, src_host: null, src_user: null, process: null, service_id: 'telegram',
      dst_host: 'api.telegram.org', weight, events: 1, first_seen: null, last_seen: null, explanation,
    });
    const rows = [row('ws02', 0.9, 'b'), row('ws01', 0.9, 'z'), row('ws02', 0.9, 'a'), row('ws02', 1, 'c')];
    const order = (list: typeof rows) => [...list].sort(compareSignals).map((r) => `${r.src_key}:${r.weight}:${r.explanation}`);
    expect(order(rows)).toEqual(['ws01:0.9:z', 'ws02:1:c', 'ws02:0.9:a', 'ws02:0.9:b']);
    expect(order([...rows].reverse())).toEqual(order(rows));
  });

  it('dedupes timestamps closer than the window', () => {
    expect(dedupeTimes([10, 10.15, 10.3, 11.5, 5], 1)).toEqual([5, 10, 11.5]);
    const sorted = [1, 1.5, 2.6, 2.7, 4];
    expect(dedupeTimes(sorted, 1)).toEqual([1, 2.6, 4]);
    expect(sorted).toEqual([1, 1.5, 2.6, 2.7, 4]);
  });
});

/** Benign look-alikes of C2 added to the world: each must stay weak, each for the reason its analytic gives. */
describe('look-alikes that stay low', () => {
  const HOUR = 3_600_000;
  const [, ws02, , ws04, , , ws07, ws08, , ws10] = workstations;
  const srv04 = servers[3];
  const flow = (src: { host: string; ip: string }, at: number, dst: string, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
    at, kind: 'flow', src_ip: src.ip, src_host: `${src.host.toUpperCase()}.corp.local`, dst_host: dst, dst_port: 443, protocol: 'tcp', ...extra,
  });
  const proxy = (src: { ip: string }, at: number, dst: string, extra: Partial<FixtureEvent> = {}): FixtureEvent => ({
    at, kind: 'proxy', src_ip: src.ip, dst_host: dst, dst_port: 443, method: 'GET', status: 200, url_path: '/', user_agent: CHROME_UA, ...extra,
  });
  const slackDesktop = 'C:\\Users\\user2\\AppData\\Local\\slack\\app-4.37.101\\slack.exe';
  const backupAgent = 'C:\\Program Files\\Vendor Backup\\BackupAgent.exe';
  const lookAlikes: FixtureEvent[] = [
    // ws02: the Slack desktop client holds a websocket open for two hours.
    flow(ws02, DAY1 + 9 * HOUR, 'wss-primary.slack.com', { process: slackDesktop, duration: 7200, conn_state: 'SF' }),
    // ws10: opens Dropbox in Chrome for the first time; nine finance peers used it in the baseline.
    ...[0, 1, 2].map((k) => proxy(ws10, DAY1 + 10 * HOUR + k * 60_000, 'www.dropbox.com', { url_path: `/home/${k}` })),
    // ws04: a paste page in the browser, then the page's new CDN host two seconds later.
    proxy(ws04, DAY1 + 11 * HOUR, 'pastebin.com', { url_path: '/raw/Qw12Er' }),
    proxy(ws04, DAY1 + 11 * HOUR + 2_000, 'static.new-cdn.example', { url_path: '/app.js' }),
    // srv04: a backup agent uploading to Dropbox every night, in the baseline too.
    ...[DAY0, DAY1].flatMap((day) => [0, 1, 2, 3].map((k) =>
      flow(srv04, day + 1 * HOUR + k * 60_000, 'content.dropboxapi.com', { process: backupAgent, bytes_out: 900_000, bytes_in: 500 }))),
    // ws08: the catalogued Dropbox desktop client checking in every 10 minutes on day 1.
    ...Array.from({ length: 40 }, (_, k) => flow(ws08, DAY1 + 8 * HOUR + k * 600_000, 'client.dropbox.com', { process: 'C:\\Program Files\\Dropbox\\Client\\Dropbox.exe' })),
    // ws07: GitHub at 22:00 UTC, an hour the default baseline (the first quarter of the data) never saw.
    ...[0, 1, 2, 3, 4].map((k) => proxy(ws07, DAY1 + 22 * HOUR + k * 300_000, 'github.com', { url_path: '/late' })),
  ];
  let result: DetectionResult;
  beforeAll(async () => {
    result = await detect({}, lookAlikes);
  });
  const signal = (host: string, service: string, id: string) =>
    findingsFor(result, host, service).flatMap((f) => f.signals).find((s) => s.id === id);

  it('leaves long websockets of chat clients to the tunnel analytic, which judges dev-tunnel services only', () => {
    expect(findingsFor(result, 'ws02', 'slack').flatMap((f) => f.signals.map((s) => s.id))).not.toContain('tunnel-long-lived');
    expect(signal('ws10', 'ngrok', 'tunnel-long-lived')?.weight).toBe(0.4);
  });

  it('weakens first use of a service through a browser when peers already used it, not first use by a script', () => {
    const browser = signal('ws10', 'dropbox', 'first-seen-after-baseline')!;
    expect(browser.weight).toBeCloseTo(0.25 * 0.2, 6);
    expect(browser.evidence.familiar_habit).toBe(true);
    expect(browser.explanation).toMatch(/only through browsers and the service's own clients, and 9 peer host\(s\) used it in the baseline/);
    expect(signal('srv02', 'dropbox', 'first-seen-after-baseline')!.weight).toBe(0.25);
  });

  it('weakens a dead-drop sequence produced by a browser page load', () => {
    const browser = signal('ws04', 'pastebin', 'ddr-sequence')!;
    const implant = signal('ws05', 'pastebin', 'ddr-sequence')!;
    expect(browser.evidence.new_destination).toBe('static.new-cdn.example');
    expect(browser.evidence.familiar_clients_only).toBe(true);
    expect(browser.evidence.strength).toBeCloseTo(Number(implant.evidence.strength) * 0.2, 6);
  });

  it('down-weights software that did the same in the baseline and says so', async () => {
    const [backup] = findingsFor(result, 'srv04', 'dropbox', backupAgent);
    const established = backup.signals.find((s) => s.id === 'established-in-baseline')!;
    expect(established.evidence.process_baseline_events).toBe(4);
    expect(backup.summary).toMatch(/already used the same way in the baseline/);
    const undamped = await detect({ scoring: { establishedFactor: 1 } }, lookAlikes);
    const [plain] = findingsFor(undamped, 'srv04', 'dropbox', backupAgent);
    expect(backup.score).toBeCloseTo(plain.score * 0.5, 0);
    expect(findingsFor(result, 'srv02', 'dropbox').flatMap((f) => f.signals.map((s) => s.id))).not.toContain('established-in-baseline');
  });

  it('does not make an outside scanner a source: Zeek marks its connections as coming in', async () => {
    // 203.0.113.7 probes ws02's HTTPS port every 5 minutes for a day; the sensor knows its own networks.
    const scan = Array.from({ length: 288 }, (_, k): FixtureEvent => ({
      at: DAY1 + k * 300_000, kind: 'flow', src_ip: '203.0.113.7', dst_ip: ws02.ip, dst_port: 443, protocol: 'tcp',
      conn_state: 'REJ', extra: '{"local_orig":"F","local_resp":"T","history":"Sr"}',
    }));
    const scanned = await detect({}, scan);
    expect(scanned.findings.filter((f) => f.source.ip === '203.0.113.7')).toEqual([]);
    // Without Zeek's marks, the inventory still says ws02 is one of ours and the scanner is not: still no source.
    const unmarked = await detect({}, scan.map((e) => ({ ...e, extra: null })));
    expect(unmarked.findings.filter((f) => f.source.ip === '203.0.113.7')).toEqual([]);
    expect(result.findings.flatMap((f) => f.signals).some((s) => s.id === 'external-source')).toBe(false);
  });

  it('decides direction from fan-in where neither Zeek nor the inventory says: scanners of a server are no sources, clients of a popular service are', async () => {
    // 198.51.100.10, in no inventory, reaches two addresses itself (a resolver; Telegram every 5 minutes), and 40
    // public addresses open connections to it.
    const sensor = '198.51.100.10';
    const own = [
      ...Array.from({ length: 6 }, (_, k): FixtureEvent => ({ at: DAY1 + k * HOUR, kind: 'flow', src_ip: sensor, dst_ip: '192.0.2.53', dst_port: 53, protocol: 'udp' })),
      ...Array.from({ length: 72 }, (_, k): FixtureEvent => ({ at: DAY1 + k * 300_000, kind: 'tls', src_ip: sensor, dst_ip: '149.154.167.220', dst_host: 'api.telegram.org', dst_port: 443 })),
    ];
    const scanners = Array.from({ length: 40 }, (_, i) => Array.from({ length: 72 }, (_, k): FixtureEvent => ({
      at: DAY1 + i * 60_000 + k * 300_000, kind: 'tls', src_ip: `203.0.113.${i + 1}`, dst_ip: sensor, dst_host: 'api.telegram.org', dst_port: 443,
    }))).flat();
    // The same 40 public addresses reaching Telegram's own address (which opens no connection): clients, not scanners.
    const clients = scanners.map((e) => ({ ...e, dst_ip: '149.154.167.221' }));
    const scanned = await detect({}, [...own, ...scanners]);
    expect(scanned.findings.filter((f) => f.source.ip?.startsWith('203.0.113.'))).toEqual([]);
    const sensorFinding = scanned.findings.find((f) => f.source.ip === sensor && f.service?.id === 'telegram')!;
    expect(sensorFinding.signals.map((s) => s.id)).toContain('external-source');
    expect(sensorFinding.summary).toMatch(/^198\.51\.100\.10 \(an address outside the organisation's known ranges\)/);
    const served = await detect({}, [...own, ...clients]);
    expect(served.findings.filter((f) => f.source.ip?.startsWith('203.0.113.')).length).toBeGreaterThan(0);
  });

  it('times connections coming in from outside: one address checking in with our server all day is a finding, scanners and a server\'s many clients are not', async () => {
    const server = '198.51.100.10';
    const own = Array.from({ length: 24 }, (_, k): FixtureEvent => ({ at: DAY1 + k * HOUR, kind: 'flow', src_ip: server, dst_ip: '192.0.2.53', dst_port: 53, protocol: 'udp' }));
    // 60 scanners, each a burst of refused probes every 10 s for 20 minutes at its own hour.
    const scanners = Array.from({ length: 60 }, (_, i) => Array.from({ length: 120 }, (_, k): FixtureEvent => ({
      at: DAY1 + (i % 24) * HOUR + i * 1000 + k * 10_000, kind: 'flow', src_ip: `203.0.113.${i + 1}`, dst_ip: server, dst_port: 22 + i,
      protocol: 'tcp', conn_state: 'REJ',
    }))).flat();
    // One outside address that checks in over HTTP every ~272 s through both days of the data, and is answered.
    const beacon = Array.from({ length: 635 }, (_, k): FixtureEvent => ({
      at: DAY0 + k * 272_000 + ((k * 7919) % 40) * 1000, kind: 'flow', src_ip: '192.0.2.243', dst_ip: server, dst_port: 80, protocol: 'tcp',
      conn_state: 'SF', bytes_out: 80, bytes_in: 327,
    }));
    const found = await detect({}, [...own, ...scanners, ...beacon]);
    const inbound = found.findings.filter((f) => f.destination.ips.includes(server));
    expect(inbound.map((f) => f.source.ip)).toEqual(['192.0.2.243']);
    const timing = inbound[0].signals.find((s) => s.id === 'periodic-beacon')!;
    expect(timing.evidence).toMatchObject({ inbound: true, window_parts_seen: 24, window_parts_active: 24 });
    expect(timing.explanation).toMatch(/come in from outside to 198\.51\.100\.10, and keep coming: in 24 of the 24 parts/);
    expect(inbound[0].signals.map((s) => s.id)).toContain('external-source');
    // The same check-ins for a few hours only: a client that came and went.
    const brief = await detect({}, [...own, ...scanners, ...beacon.slice(300, 380)]);
    expect(brief.findings.filter((f) => f.destination.ips.includes(server))).toEqual([]);
  });

  it('has one short-baseline rule: too few hours for a baseline means no baseline, nothing established or new, and every finding says so', async () => {
    const [established] = findingsFor(result, 'srv04', 'dropbox', backupAgent);
    expect(established.signals.map((s) => s.id)).toContain('established-in-baseline');
    const short = await detect({ params: { baseline_min_hours: 100 } }, lookAlikes);
    const [backup] = findingsFor(short, 'srv04', 'dropbox', backupAgent);
    expect(backup.signals.map((s) => s.id)).not.toContain('established-in-baseline');
    expect(backup.summary).toMatch(/the data is too short for a baseline: it holds \d+ hour\(s\) with activity where one would be, fewer than 100, so nothing is judged new or already established\.$/);
    expect(short.findings.flatMap((f) => f.signals).some((s) => s.id === 'first-seen-after-baseline')).toBe(false);
    expect(short.window.baseline_end).toBe(short.window.baseline_start);
    expect(backup.score).toBeGreaterThan(established.score);
  });

  it("down-weights a beacon when only the service's catalogued clients and browsers reach it", () => {
    const beacon = signal('ws08', 'dropbox', 'periodic-beacon')!;
    expect(beacon.evidence.known_clients_only).toBe(true);
    expect(beacon.evidence.strength).toBeCloseTo(Number(beacon.evidence.periodicity_score) * 0.3, 6);
    expect(signal('srv01', 'telegram', 'periodic-beacon')!.evidence.known_clients_only).toBe(false);
  });

  it('judges off-hours only in hours the baseline covered', async () => {
    expect(signal('ws07', 'github', 'off-hours')).toBeUndefined();
    const dayBaseline = await detect({ window: { baselineEnd: DAY1 } }, lookAlikes);
    const late = findingsFor(dayBaseline, 'ws07', 'github').flatMap((f) => f.signals).find((s) => s.id === 'off-hours');
    expect(late?.evidence.quiet_events).toBe(5);
  });
});
