import { beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../cli/native-engine.ts';
import { loadWorld, DAY1 } from './fixtures/world.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { dedupeTimes, runDetection, type DetectionResult, type Finding } from './detect.ts';

const pack = loadNodeDetectionPack();

async function detect(options: Partial<Parameters<typeof runDetection>[1]> = {}): Promise<DetectionResult> {
  const engine = await NativeEngine.open();
  await loadWorld(engine);
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
  it.each([
    ['periodic-beacon', ['srv01', 'telegram'], ['ws01', 'dropbox']],
    ['rare-service-for-peer-group', ['srv01', 'telegram'], ['ws02', 'dropbox']],
    ['first-seen-after-baseline', ['srv02', 'dropbox'], ['ws02', 'dropbox']],
    ['approved-not-for-role', ['srv03', 'slack'], ['ws07', 'slack']],
    ['non-browser-process', ['ws03', 'onedrive'], ['ws05', 'onedrive']],
    ['scripted-user-agent', ['srv02', 'dropbox'], ['ws01', 'dropbox']],
    ['server-role-consumer-service', ['srv02', 'dropbox'], ['ws02', 'dropbox']],
    ['off-hours', ['ws08', 'github'], ['ws02', 'github']],
    ['upload-volume', ['ws09', 'dropbox'], ['ws02', 'dropbox']],
    ['api-endpoint', ['srv01', 'telegram'], ['ws01', 'github']],
    ['ddr-sequence', ['ws05', 'pastebin'], ['ws06', 'pastebin']],
    ['tunnel-long-lived', ['ws10', 'ngrok'], ['ws01', 'github']],
    ['rare-ja3-or-ua', ['srv02', 'dropbox'], ['ws01', 'dropbox']],
    ['failed-connection-retries', ['ws06', 'update.blocked.example'], ['ws01', 'www.example-news.com']],
  ])('%s fires on %j and not on %j', (id, [posHost, posService], [negHost, negService]) => {
    expect(signalIds(findingsFor(result, posHost, posService))).toContain(id);
    expect(signalIds(findingsFor(result, negHost, negService))).not.toContain(id);
  });

  it('tests every analytic of the pack above', () => {
    const fired = new Set(result.findings.flatMap((f) => f.signals.map((s) => s.id)));
    for (const analytic of pack.analytics) expect(fired).toContain(analytic.id);
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
      expect(f.signals.map((s) => s.id).sort()).toEqual(['approved-service', 'periodic-beacon']);
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

  it('dedupes timestamps closer than the window', () => {
    expect(dedupeTimes([10, 10.15, 10.3, 11.5, 5], 1)).toEqual([5, 10, 11.5]);
  });
});
