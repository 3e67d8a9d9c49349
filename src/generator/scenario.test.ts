import { describe, expect, it } from 'vitest';
import { BEHAVIOURS } from './incidents.ts';
import { type Scenario, generateFiles, generateScenario, resolveOptions } from './scenario.ts';

const SMALL = { hosts: 20, days: 1, incidents: 3, noise: 0.3 } as const;
const text = (s: Scenario, name: string): string => s.files.find((f) => f.name === name)?.text ?? '';
const lineCount = (s: Scenario, name: string): number => text(s, name).split('\n').filter((l) => l && !l.startsWith('#')).length;

describe('determinism', () => {
  it('same seed and options give identical files; another seed differs', () => {
    const a = generateScenario({ ...SMALL, seed: 5 });
    const b = generateScenario({ ...SMALL, seed: 5 });
    const c = generateScenario({ ...SMALL, seed: 6 });
    expect(b.files.map((f) => f.name)).toEqual(a.files.map((f) => f.name));
    for (let i = 0; i < a.files.length; i++) expect(b.files[i].text).toBe(a.files[i].text);
    expect(text(c, 'zeek/conn.log')).not.toBe(text(a, 'zeek/conn.log'));
    expect(c.answerKey.incidents).not.toEqual(a.answerKey.incidents);
  });

  it('streams chunks whose concatenation is the whole file', () => {
    const chunks = [...generateFiles({ ...SMALL, days: 2, seed: 5 })];
    const conn = chunks.filter((c) => c.name === 'zeek/conn.log');
    expect(conn.length).toBeGreaterThanOrEqual(3); // header with the first rows, more rows, #close footer
    expect(conn[0].text!.startsWith('#separator')).toBe(true);
    expect(conn.at(-1)!.text!.startsWith('#close')).toBe(true);
    const whole = generateScenario({ ...SMALL, days: 2, seed: 5 });
    expect(conn.map((c) => c.text).join('')).toBe(text(whole, 'zeek/conn.log'));
    expect(chunks.at(-1)!.name).toBe('answer-key.json');
  });
});

describe('answer key against the written logs', () => {
  const scenario = generateScenario({ seed: 21, hosts: 60, days: 3, incidents: BEHAVIOURS.length, mix: [...BEHAVIOURS], noise: 0.3 });
  const key = scenario.answerKey;
  const sysmon = text(scenario, 'sysmon/winlogbeat-sysmon.ndjson').trim().split('\n').map((l) => JSON.parse(l));
  const conn = text(scenario, 'zeek/conn.log').split('\n').filter((l) => !l.startsWith('#')).map((l) => l.split('\t'));
  const squid = text(scenario, 'proxy/access.log').split('\n');
  const w3c = text(scenario, 'proxy/proxysg-main.log');

  it('injects every behaviour of the library (≥ 12) once', () => {
    expect(BEHAVIOURS.length).toBeGreaterThanOrEqual(12);
    expect(key.incidents.map((i) => i.behaviour).sort()).toEqual([...BEHAVIOURS].sort());
    for (const i of key.incidents) {
      expect(i.events).toBeGreaterThan(0);
      expect(i.technique).toMatch(/^T1102\.00[123]$/);
      expect(i.service_id).not.toBe('');
      expect(i.signals.length).toBeGreaterThan(0);
    }
  });

  it('each incident shows up with its host, process and destinations', () => {
    for (const i of key.incidents) {
      const fromHost = conn.filter((c) => c[2] === i.source.ip);
      for (const ip of i.destination_ips) expect(fromHost.some((c) => c[4] === ip), `${i.id} conn to ${ip}`).toBe(true);
      for (const host of i.destination_hosts) {
        expect(squid.some((l) => l.includes(` ${i.source.ip} `) && l.includes(` ${host}:`)), `${i.id} squid ${host}`).toBe(true);
        expect(w3c.includes(` ${i.source.ip} `) && w3c.includes(` ${host} `), `${i.id} w3c ${host}`).toBe(true);
      }
      if (i.source.os.startsWith('Windows')) {
        for (const process of i.processes) {
          const network = sysmon.filter((e) => e.host.name === i.source.hostname && e.winlog.event_data.Image === process);
          expect(network.some((e) => e.winlog.event_id === '3'), `${i.id} sysmon 3 for ${process}`).toBe(true);
          expect(network.some((e) => e.winlog.event_id === '1'), `${i.id} sysmon 1 for ${process}`).toBe(true);
        }
      }
    }
  });

  it('cites the signals that the behaviour implies', () => {
    const by = (b: string) => key.incidents.find((i) => i.behaviour === b)!;
    expect(by('github-dead-drop').signals).toEqual(expect.arrayContaining(['ddr-sequence', 'first-seen', 'periodic']));
    expect(by('paste-then-payload').signals).toContain('ddr-sequence');
    expect(by('upload-burst-exfil').signals).toContain('upload-volume');
    expect(by('dev-tunnel').signals).toContain('tunnel');
    expect(by('server-beacon').signals).toContain('server-role');
    expect(by('telegram-bot-polling').signals).toEqual(expect.arrayContaining(['api-endpoint', 'periodic', 'non-browser-process']));
    expect(by('two-implants').beacons.length).toBe(2);
    expect(by('office-hours-graph-c2').beacons[0].office_hours_only).toBe(true);
    expect(by('slack-api-c2').signals).not.toContain('first-seen');
  });

  it('lists hard negatives that really occur in the logs', () => {
    const reasons = new Set(key.hard_negatives.map((h) => h.reason));
    for (const r of ['sync-client', 'edr-telemetry', 'updater', 'ntp', 'backup', 'ci-polling', 'browser-web-ui']) expect(reasons).toContain(r);
    const slack = key.hard_negatives.find((h) => h.reason === 'sync-client' && h.process === 'slack.exe')!;
    const slackHost = key.incidents.find((i) => i.behaviour === 'slack-api-c2')!.source.hostname;
    expect(slack.hosts).toContain(slackHost);
    expect(sysmon.some((e) => e.host.name === slackHost && String(e.winlog.event_data.Image).endsWith('\\slack.exe'))).toBe(true);
  });
});

describe('knobs', () => {
  it('counts scale with hosts, days and noise', () => {
    const base = generateScenario({ ...SMALL, seed: 9 });
    const moreHosts = generateScenario({ ...SMALL, seed: 9, hosts: 40 });
    const moreDays = generateScenario({ ...SMALL, seed: 9, days: 2 });
    const noisier = generateScenario({ ...SMALL, seed: 9, noise: 1.5 });
    const n = lineCount(base, 'zeek/conn.log');
    expect(lineCount(moreHosts, 'zeek/conn.log')).toBeGreaterThan(1.5 * n);
    expect(lineCount(moreDays, 'zeek/conn.log')).toBeGreaterThan(1.5 * n);
    expect(lineCount(noisier, 'proxy/access.log')).toBeGreaterThan(1.3 * lineCount(base, 'proxy/access.log'));
  });

  it('writes only the requested formats and the requested number of incidents', () => {
    const s = generateScenario({ ...SMALL, seed: 9, formats: ['squid'], incidents: 5 });
    expect(s.files.map((f) => f.name).sort()).toEqual(['answer-key.json', 'inventory/assets.csv', 'proxy/access.log']);
    expect(s.answerKey.incidents.length).toBe(5);
  });

  it('hard difficulty jitters more, misses more check-ins and covers less of the inventory', () => {
    const opts = { seed: 3, hosts: 25, days: 2, incidents: 10, noise: 0.2 };
    const easy = generateScenario({ ...opts, difficulty: 'easy' }).answerKey;
    const hard = generateScenario({ ...opts, difficulty: 'hard' }).answerKey;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const beacons = (k: typeof easy) => k.incidents.flatMap((i) => i.beacons);
    expect(mean(beacons(hard).map((b) => b.missing_rate))).toBeGreaterThan(mean(beacons(easy).map((b) => b.missing_rate)) + 0.2);
    expect(mean(beacons(hard).map((b) => b.jitter))).toBeGreaterThan(mean(beacons(easy).map((b) => b.jitter)));
    expect(easy.organisation.hosts_missing_from_inventory.length).toBe(0);
    expect(hard.organisation.hosts_missing_from_inventory.length).toBeGreaterThan(0);
  });

  it('the demo preset is small, has every format, about eight incidents and a campaign over three hosts', () => {
    const demo = resolveOptions({}, 'demo');
    expect(demo.hosts).toBe(40);
    expect(demo.days).toBe(2);
    const s = generateScenario(demo);
    expect(s.answerKey.incidents.length).toBe(10);
    const campaign = s.answerKey.incidents.filter((i) => i.campaign);
    expect(campaign).toHaveLength(3);
    expect(new Set(campaign.map((i) => i.source.hostname)).size).toBe(3);
    expect(new Set(campaign.map((i) => i.behaviour)).size).toBe(1);
    expect(s.files.length).toBeGreaterThanOrEqual(14);
    const total = s.files.reduce((sum, f) => sum + f.text.length, 0);
    expect(total).toBeLessThan(60_000_000);
  });

  it('rejects invalid options', () => {
    expect(() => resolveOptions({ hosts: 2 })).toThrow(/hosts/);
    expect(() => resolveOptions({ days: 0 })).toThrow(/days/);
    expect(() => resolveOptions({ formats: ['nope' as never] })).toThrow(/format/);
    expect(() => resolveOptions({ mix: ['nope' as never] })).toThrow(/behaviour/);
    expect(() => resolveOptions({ startDate: '2024-5-1' })).toThrow(/YYYY-MM-DD/);
  });
});
