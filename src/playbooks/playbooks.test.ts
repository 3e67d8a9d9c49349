import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeEngine } from '../engine/native-engine.ts';
import type { Finding, FindingSignal } from '../detection/detect.ts';
import { D0, DAY, appendWorldEvents, applyWorldContext, openWorld, type WorldEvent } from '../test-support/readiness-world.ts';
import { evaluatePlaybook } from './evidence.ts';
import { dropFindingRows } from '../queries/finding-events.ts';
import { keepAnalysisTables } from '../test-support/view-events.ts';
import { EVIDENCE_IDS, exportPlaybooks, importPlaybooks, parsePlaybook, selectPlaybook, shippedPlaybooks } from './playbook.ts';

const HOUR = 3_600_000;
const signal = (id: string, explanation = `${id} fired.`): FindingSignal => ({ id, title: id, weight: 0.5, evidence: {}, explanation });

function finding(overrides: Partial<Finding> & Pick<Finding, 'source' | 'service'>): Finding {
  return {
    id: 'f', rank: 1, score: 70, severity: 'high',
    destination: { domain: null, ips: [], ports: [443], url_patterns: [] },
    first_seen: new Date(D0).toISOString(), last_seen: new Date(D0 + 3 * DAY).toISOString(),
    events: 12, bytes_out: null, bytes_in: null, periodicity: null, signals: [], attack: ['T1102'], summary: '',
    ...overrides,
  };
}

const sysmon = (at: number, host: string, ip: string, extra: Partial<WorldEvent>): WorldEvent => ({
  at, kind: 'flow', source_format: 'sysmon-winlogbeat-ndjson', src_host: host, src_ip: ip, dst_port: 443, ...extra,
});

let engine: NativeEngine;
beforeAll(async () => {
  engine = await openWorld();
  const events: WorldEvent[] = [
    sysmon(D0 + 8 * HOUR, 'fin-srv2', '10.2.0.21', {
      kind: 'process', process: 'C:\\Users\\Public\\upd.exe', parent_process: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
      command_line: 'upd.exe -k', src_user: 'CORP\\bob',
    }),
    { at: D0 + 10 * HOUR, kind: 'alert', source_format: 'suricata-eve-json', src_ip: '10.2.0.21', alert: 'ET POLICY Dropbox API upload' },
    sysmon(D0 + 8 * HOUR, 'ws11', '10.1.0.11', { kind: 'process', process: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', parent_process: 'C:\\Windows\\explorer.exe', src_user: 'CORP\\carol' }),
    sysmon(D0 + 7 * HOUR, 'fin-srv1', '10.2.0.20', { kind: 'process', process: 'C:\\Program Files\\Deploy\\agent.exe', parent_process: 'C:\\Windows\\System32\\services.exe', src_user: 'NT AUTHORITY\\SYSTEM' }),
  ];
  for (let hour = 9; hour < 15; hour++) {
    events.push(sysmon(D0 + hour * HOUR, 'fin-srv2', '10.2.0.21', { process: 'C:\\Users\\Public\\upd.exe', src_user: 'CORP\\bob', dst_host: 'dropbox.com' }));
    events.push(sysmon(D0 + hour * HOUR, 'ws11', '10.1.0.11', { process: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', src_user: 'CORP\\carol', dst_host: 'slack.com' }));
    events.push(sysmon(D0 + hour * HOUR, 'fin-srv1', '10.2.0.20', { process: 'C:\\Program Files\\Deploy\\agent.exe', src_user: 'NT AUTHORITY\\SYSTEM', dst_host: 'api.github.com' }));
  }
  await appendWorldEvents(engine, events);
  await applyWorldContext(engine);
  await keepAnalysisTables(engine);
});
afterAll(() => engine.close());

describe('playbook library', () => {
  const playbooks = shippedPlaybooks();

  it('ships one valid playbook per kind of finding, using only known evidence', () => {
    expect(playbooks.map((p) => p.id)).toEqual(['dead-drop-resolver', 'upload-exfiltration', 'tunnel', 'api-c2', 'beacon', 'server-to-consumer', 'generic']);
    for (const p of playbooks) for (const s of p.steps) expect(EVIDENCE_IDS).toContain(s.evidence);
  });

  it('picks by fired signal first, then by service category, else the generic one', () => {
    const pick = (signals: string[], category: string | null) =>
      selectPlaybook(playbooks, { signals: signals.map((id) => signal(id)), service: category ? { id: 'x', name: 'X', category } : null })?.id;
    expect(pick(['periodic-beacon', 'ddr-sequence'], 'paste')).toBe('dead-drop-resolver');
    expect(pick(['periodic-beacon'], 'storage')).toBe('beacon');
    expect(pick(['rare-service-for-peer-group'], 'dev-tunnel')).toBe('tunnel');
    expect(pick(['off-hours'], null)).toBe('generic');
  });

  it('round-trips through export and import, and rejects malformed or hostile input', () => {
    const again = importPlaybooks(exportPlaybooks(playbooks));
    expect(again.issues).toEqual([]);
    expect(again.playbooks).toEqual(playbooks);

    const hostile = JSON.parse(exportPlaybooks(playbooks.slice(-1)).replace('"priority"', '"__proto__": {"polluted": true}, "priority"'));
    const parsed = parsePlaybook(hostile.playbooks[0]);
    expect(Array.isArray(parsed)).toBe(false);
    expect(Object.keys(parsed)).not.toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const broken = structuredClone(playbooks[0]) as unknown as Record<string, unknown>;
    (broken.steps as Record<string, unknown>[])[0].evidence = 'crystal-ball';
    delete (broken.hypotheses as Record<string, unknown>)['user-driven'];
    const result = importPlaybooks(JSON.stringify(broken));
    expect(result.playbooks).toEqual([]);
    expect(result.issues).toEqual([
      "playbook 'dead-drop-resolver' step 1: evidence must be one of " + EVIDENCE_IDS.join(', '),
      "playbook 'dead-drop-resolver': hypothesis user-driven missing",
      "playbook 'dead-drop-resolver' user-driven.confirm: needs a list of at most 50 texts",
      "playbook 'dead-drop-resolver' user-driven.refute: needs a list of at most 50 texts",
    ]);
    expect(importPlaybooks('{nope').issues[0]).toMatch(/^not JSON/);
  });
});

describe('playbook evaluation', () => {
  const playbooks = shippedPlaybooks();

  it("states first use as the finding's first-seen signal does, never against the data's start", async () => {
    const firstUse = 'fin-srv2 first used dropbox on 2024-05-07 08:44 UTC, 0.9 days after the baseline ended; 552 events since';
    const f = finding({
      source: { ip: '10.2.0.21', hostname: 'fin-srv2', user: null, process: null, role: 'server', role_origin: 'inventory' },
      service: { id: 'dropbox', name: 'Dropbox', category: 'storage' },
      signals: [{ ...signal('first-seen-after-baseline', firstUse), evidence: { new: 'service', days_after_baseline: 0.93 } }],
    });
    const result = await evaluatePlaybook(engine, f, selectPlaybook(playbooks, f)!);
    const first = result.steps.find((s) => s.evidence.id === 'first-seen')?.evidence ?? (await evaluatePlaybook(engine, f, playbooks.find((p) => p.steps.some((s) => s.evidence === 'first-seen'))!)).steps.find((s) => s.evidence.id === 'first-seen')!.evidence;
    expect(first.summary).toBe(`${firstUse}. Something changed then.`);
    expect(first.facts).toMatchObject({ days_after_baseline: 0.9 });
    expect(first.leans).toEqual({ 'possibly-compromised': 1 });
  });

  it('proposes a possibly compromised host for an odd process uploading to unapproved storage', async () => {
    const f = finding({
      source: { ip: '10.2.0.21', hostname: 'fin-srv2', user: null, process: null, role: 'server', role_origin: 'inventory' },
      service: { id: 'dropbox', name: 'Dropbox', category: 'storage' },
      destination: { domain: 'dropbox.com', ips: [], ports: [443], url_patterns: ['/2/files/upload'] },
      bytes_out: 5_000_000, bytes_in: 10_000,
      periodicity: { period_s: 3600, jitter: 0.05, p_value: 0.001, other_periods_s: [] },
      signals: [signal('periodic-beacon'), signal('upload-volume', 'More than 1 MB left within 5 minutes.')],
    });
    const playbook = selectPlaybook(playbooks, f)!;
    expect(playbook.id).toBe('upload-exfiltration');
    const result = await evaluatePlaybook(engine, f, playbook);
    const evidence = Object.fromEntries(result.steps.map((s) => [s.evidence.id, s.evidence]));
    expect(evidence.initiator.facts).toMatchObject({ users: 'CORP\\bob', processes: 'upd.exe', interactive_users: 1 });
    expect(evidence['process-tree'].facts).toMatchObject({ process: 'C:\\Users\\Public\\upd.exe', starts: 1, command_line: 'upd.exe -k' });
    expect(evidence['process-tree'].summary).toBe('C:\\Users\\Public\\upd.exe was started by WINWORD.EXE 1 time from a user-writable folder.');
    expect(evidence.approval.summary).toBe('Dropbox is approved only for process dropbox.exe, not for this source (role server, business unit Finance).');
    // fin-srv3 sent nothing, so only fin-srv1 (seen by IP and by name, counted once) is a peer.
    expect(evidence.peers.facts).toMatchObject({ peers: 1, peers_using: 0 });
    expect(evidence.volume.summary).toBe('4.8 MiB out, 9.8 KiB in: uploads dominate. More than 1 MB left within 5 minutes.');
    expect(evidence.corroboration.facts).toMatchObject({ alerts: 'ET POLICY Dropbox API upload' });
    expect(evidence.corroboration.summary).toContain('2 kinds of telemetry agree (proxy: w3c-elff; endpoint: sysmon-winlogbeat-ndjson)');

    // A second copy of the proxy log in another format is the same telemetry: still two kinds agree, not three.
    await engine.exec(`INSERT INTO events SELECT * REPLACE ('squid-native' AS source_format, 'copy/access.log' AS source_file)
                       FROM events WHERE source_format = 'w3c-elff'`);
    // What an analysis does when the data changed: the rows a finding kept are read again.
    await dropFindingRows(engine);
    try {
      const copied = await evaluatePlaybook(engine, f, playbook);
      const summary = copied.steps.find((s) => s.evidence.id === 'corroboration')!.evidence.summary;
      expect(summary).toContain('2 kinds of telemetry agree (proxy: squid-native, w3c-elff; endpoint: sysmon-winlogbeat-ndjson)');
    } finally {
      await engine.exec(`DELETE FROM events WHERE source_file = 'copy/access.log'`);
      await dropFindingRows(engine);
    }
    expect(result.proposal.hypothesis).toBe('possibly-compromised');
    // No first-seen or established signal: the playbook does not guess when the use began.
    expect(evidence['first-seen'].leans).toEqual({});
    expect(result.proposal.scores).toEqual({ 'user-driven': 0, 'application-driven': 1, 'possibly-compromised': 8 });
    expect(result.proposal.reasons[0]).toBe(evidence['process-tree'].summary);
    expect(result.proposal.confirm).toContain('Archives (zip, rar, 7z) were created shortly before the upload');
  });

  it('proposes user-driven for a person in a browser using an approved service', async () => {
    const f = finding({
      source: { ip: '10.1.0.11', hostname: 'ws11', user: null, process: null, role: 'workstation', role_origin: 'inventory' },
      service: { id: 'slack', name: 'Slack', category: 'messaging' },
      destination: { domain: 'slack.com', ips: [], ports: [443], url_patterns: ['/'] },
      bytes_out: 9600, bytes_in: 360_000, signals: [signal('rare-ja3-or-ua')],
    });
    const result = await evaluatePlaybook(engine, f, selectPlaybook(playbooks, f)!);
    expect(result.playbook.id).toBe('api-c2');
    const initiator = result.steps.find((s) => s.evidence.id === 'initiator')!.evidence;
    expect(initiator.summary).toBe('Started by interactive user CORP\\carol via chrome.exe: looks like a person browsing.');
    expect(result.proposal.hypothesis).toBe('user-driven');
    expect(result.proposal.reasons).toContain('Slack is approved for business unit Sales (sales chat), which covers this source.');
  });

  it('proposes application-driven for a service account polling from a service', async () => {
    const f = finding({
      source: { ip: '10.2.0.20', hostname: 'fin-srv1', user: null, process: 'agent.exe', role: 'server', role_origin: 'inventory' },
      service: { id: 'github', name: 'GitHub', category: 'code-hosting' },
      destination: { domain: 'api.github.com', ips: [], ports: [443], url_patterns: [] },
      periodicity: { period_s: 3600, jitter: 0.02, p_value: 0.0001, other_periods_s: [] },
      signals: [signal('periodic-beacon')],
    });
    const result = await evaluatePlaybook(engine, f, selectPlaybook(playbooks, f)!);
    expect(result.playbook.id).toBe('beacon');
    const tree = result.steps.find((s) => s.evidence.id === 'process-tree')!.evidence;
    expect(tree.facts).toMatchObject({ parent: 'C:\\Windows\\System32\\services.exe', user: 'NT AUTHORITY\\SYSTEM' });
    expect(result.proposal.hypothesis).toBe('application-driven');
    expect(result.proposal.scores['application-driven']).toBeGreaterThan(result.proposal.scores['possibly-compromised']);
  });
});
