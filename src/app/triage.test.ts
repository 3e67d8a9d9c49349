import { describe, expect, it } from 'vitest';
import { shippedCatalog } from '../context/catalog.ts';
import type { PolicyRow } from '../context/policy.ts';
import type { Finding } from '../detection/detect.ts';
import { Triage, approvalRow, type PolicyTarget } from './triage.svelte.ts';
import { validEntry } from '../detection/triage-entry.ts';
import { memoryTriageStorage } from './triage-storage.ts';

const catalog = shippedCatalog();

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'rw-00000000000000a1', rank: 1, score: 91.2, severity: 'critical',
    source: { ip: '10.1.2.25', hostname: 'fin-ws-07', user: 'alice', process: 'C:\\Users\\alice\\AppData\\Local\\Temp\\Updater.EXE', role: 'workstation', role_origin: 'inventory' },
    service: { id: 'telegram', name: 'Telegram', category: 'messaging' },
    destination: { domain: 'api.telegram.org', ips: ['149.154.167.220'], ports: [443], url_patterns: [] },
    first_seen: '2024-05-02T00:00:00.000Z', last_seen: '2024-05-02T23:55:00.000Z', events: 288,
    bytes_out: 100_000, bytes_in: 20_000, periodicity: null, signals: [], attack: ['T1102.002'], summary: '',
    ...overrides,
  };
}

/** A stand-in for the workbench: records every policy it is given, as re-scoring would see it. */
class FakeWorkbench implements PolicyTarget {
  policy: PolicyRow[] = [];
  readonly applied: PolicyRow[][] = [];
  readonly catalog = catalog;
  async setPolicy(rows: PolicyRow[]) {
    this.policy = rows;
    this.applied.push(rows);
  }
}

let clock = Date.UTC(2024, 4, 3, 9, 0, 0);
const tick = () => new Date((clock += 60_000));

describe('approvalRow', () => {
  it('builds canonical policy rows for host, role and process', () => {
    expect(approvalRow(finding(), 'host', catalog)).toEqual({ service_id: 'telegram', scope_kind: 'host', scope_value: 'fin-ws-07', note: null });
    expect(approvalRow(finding(), 'role', catalog)).toMatchObject({ scope_kind: 'role', scope_value: 'workstation' });
    expect(approvalRow(finding(), 'process', catalog)).toMatchObject({ scope_kind: 'process', scope_value: 'updater.exe' });
    const ipOnly = finding({ source: { ...finding().source, hostname: null } });
    expect(approvalRow(ipOnly, 'host', catalog)).toMatchObject({ scope_kind: 'host', scope_value: '10.1.2.25' });
  });

  it('explains why no row can be made', () => {
    expect(approvalRow(finding({ service: null }), 'host', catalog)).toMatch(/not a catalogued service/);
    expect(approvalRow(finding({ source: { ...finding().source, role: null } }), 'role', catalog)).toMatch(/no role/);
    expect(approvalRow(finding({ source: { ...finding().source, process: null } }), 'process', catalog)).toMatch(/no process/);
  });
});

describe('Triage', () => {
  it('records verdicts, persists them and undoes them in order', async () => {
    const storage = memoryTriageStorage();
    const triage = new Triage(new FakeWorkbench(), storage, tick);
    await triage.setVerdict('rw-1', 'suspicious', '  beacon every 5 min ');
    await triage.setVerdict('rw-1', 'malicious', 'confirmed with EDR');
    await triage.setVerdict('rw-2', 'benign', '');
    expect(triage.get('rw-1')).toMatchObject({ verdict: 'malicious', note: 'confirmed with EDR' });
    expect(triage.entries().map((e) => [e.finding_id, e.verdict])).toEqual([['rw-1', 'malicious'], ['rw-2', 'benign']]);

    const reloaded = new Triage(new FakeWorkbench(), storage);
    await reloaded.load();
    expect(reloaded.get('rw-1')?.verdict).toBe('malicious');
    expect(reloaded.get('rw-2')?.verdict).toBe('benign');

    await triage.undo();
    expect(triage.get('rw-2')).toBeNull();
    await triage.undo();
    expect(triage.get('rw-1')).toMatchObject({ verdict: 'suspicious', note: 'beacon every 5 min' });
    await triage.undo();
    expect(triage.get('rw-1')).toBeNull();
    expect(triage.canUndo).toBe(false);
    expect(await storage.load()).toEqual([]);
  });

  it('approves into the policy, refuses duplicates, and undo removes only its own row', async () => {
    const workbench = new FakeWorkbench();
    const manual: PolicyRow = { service_id: 'slack', scope_kind: 'all', scope_value: null, note: 'org-wide' };
    workbench.policy = [manual];
    const triage = new Triage(workbench, memoryTriageStorage(), tick);

    expect(await triage.approve(finding(), 'role', 'finance uses the Telegram bot for alerts')).toBeNull();
    expect(workbench.applied).toHaveLength(1);
    expect(workbench.policy).toEqual([
      manual,
      { service_id: 'telegram', scope_kind: 'role', scope_value: 'workstation', note: 'finance uses the Telegram bot for alerts' },
    ]);
    expect(await triage.approve(finding(), 'role')).toMatch(/Already approved for role workstation/);
    expect(await triage.approve(finding({ service: null }), 'host')).toMatch(/Cannot approve/);
    expect(workbench.applied).toHaveLength(1);

    await triage.setVerdict(finding().id, 'benign', 'expected');
    // A policy edit made elsewhere after the approval must survive its undo.
    const later: PolicyRow = { service_id: 'dropbox', scope_kind: 'business_unit', scope_value: 'design', note: null };
    workbench.policy = [...workbench.policy, later];

    await triage.undo(); // the verdict
    expect(triage.get(finding().id)).toBeNull();
    expect(workbench.applied).toHaveLength(1);
    await triage.undo(); // the approval
    expect(workbench.policy).toEqual([manual, later]);
    expect(workbench.applied).toHaveLength(2);
  });

  it('keeps the undo entry and reports the error when re-scoring fails', async () => {
    const workbench = new FakeWorkbench();
    workbench.setPolicy = async () => {
      throw new Error('engine is gone');
    };
    const triage = new Triage(workbench, memoryTriageStorage(), tick);
    await triage.approve(finding(), 'host');
    expect(triage.error).toBe('engine is gone');
    expect(triage.history).toHaveLength(0);
  });

  it('ignores malformed stored entries', () => {
    expect(validEntry({ finding_id: 'rw-1', verdict: 'malicious', note: 'x', updated: '2024-05-01T00:00:00Z' })).toMatchObject({ verdict: 'malicious' });
    expect(validEntry({ finding_id: 'rw-1', verdict: 'evil' })).toBeNull();
    expect(validEntry(JSON.parse('{"__proto__": {"verdict": "benign"}, "finding_id": "rw-1"}'))).toBeNull();
    expect(validEntry(null)).toBeNull();
    expect(validEntry({ finding_id: 'rw-1', verdict: 'benign', note: 'n'.repeat(5000) })?.note).toHaveLength(2000);
  });
});
