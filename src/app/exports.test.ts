import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../detection/detect.ts';
import type { FindingsExport } from '../detection/export.ts';
import { PAYLOADS } from '../report/fixtures/hostile-squid.ts';
import { exportFileName, FINDINGS_CSV_COLUMNS, findingsCsv, triageByFinding, withTriage } from './exports.ts';

function finding(id: string, rank: number, user: string): Finding {
  return {
    id, rank, score: 80 - rank, severity: 'high',
    source: { ip: '10.1.2.3', hostname: 'ws01', user, process: 'C:\\Users\\a\\evil.exe', role: 'workstation', role_origin: 'inventory' },
    service: { id: 'telegram', name: 'Telegram', category: 'messaging' },
    destination: { domain: 'api.telegram.org', ips: ['149.154.167.220'], ports: [443], url_patterns: ['/bot*/getUpdates'] },
    first_seen: '2024-05-01T01:00:00.000Z', last_seen: '2024-05-01T20:00:00.000Z', events: 240, bytes_out: 1000, bytes_in: null,
    periodicity: { period_s: 300, jitter: 0.1, p_value: 1e-9, other_periods_s: [] },
    signals: [{ id: 'periodic-beacon', title: 'Periodic', weight: 0.5, evidence: {}, explanation: 'every 300 s' }, { id: 'api-endpoint', title: 'API', weight: 0.3, evidence: {}, explanation: 'bot API' }],
    attack: ['T1102', 'T1102.002'],
    summary: `ws01 → Telegram ${PAYLOADS.script}`,
  };
}

const triage = triageByFinding([
  { finding_id: 'rw-a', verdict: 'malicious', note: '+cmd|calc', updated: '2024-05-02T10:00:00.000Z' },
]);

describe('findings CSV', () => {
  it('has one row per finding with the agreed columns, and neutralises formulas', () => {
    const csv = findingsCsv([finding('rw-a', 1, PAYLOADS.formula), finding('rw-b', 2, '@SUM(A1)')], triage);
    const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields).toEqual([...FINDINGS_CSV_COLUMNS]);
    expect(parsed.data).toHaveLength(2);
    const [a, b] = parsed.data;
    expect(a.source_user).toBe(`'${PAYLOADS.formula}`);
    expect(b.source_user).toBe("'@SUM(A1)");
    expect(a.triage_note).toBe("'+cmd|calc");
    expect([a.finding_id, b.finding_id]).toEqual(['rw-a', 'rw-b']);
    expect(a.triage_verdict).toBe('malicious');
    expect(b.triage_verdict).toBe('');
    expect(a.signals).toBe('periodic-beacon; api-endpoint');
    expect(a.attack).toBe('T1102; T1102.002');
    expect(a.period_s).toBe('300');
    expect(a.summary).toBe(`ws01 → Telegram ${PAYLOADS.script}`);
    expect(a.source_process).toBe('C:\\Users\\a\\evil.exe');
    expect(csv.split('\r\n').filter((l) => /(^|,)[=+@-]/.test(l))).toEqual([]);
  });
});

describe('findings JSON', () => {
  it('adds triage {verdict, note, at} to every finding and keeps everything else', () => {
    const exported = { format: 'relaywatch.findings', version: 1, findings: [finding('rw-a', 1, 'u'), finding('rw-b', 2, 'u')] } as unknown as FindingsExport;
    const out = withTriage(exported, triage);
    expect(out.format).toBe('relaywatch.findings');
    expect(out.findings[0].triage).toEqual({ verdict: 'malicious', note: '+cmd|calc', at: '2024-05-02T10:00:00.000Z' });
    expect(out.findings[1].triage).toBeNull();
    expect(out.findings[1].signals).toHaveLength(2);
  });

  it('names files by what they hold and when', () => {
    expect(exportFileName('report', 'html', new Date(2024, 4, 1, 13, 5, 1))).toBe('relaywatch-report-20240501-130501.html');
  });
});
