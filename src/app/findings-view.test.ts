import { describe, expect, it } from 'vitest';
import type { Finding, FindingSignal } from '../detection/detect.ts';
import {
  FindingsQueueState,
  NO_FILTERS,
  businessUnitsOf,
  facetsOf,
  filterFindings,
  matchesSearch,
  sortFindings,
  type FindingFilters,
} from './findings-view.svelte.ts';

const signal = (id: string, title: string): FindingSignal => ({ id, title, weight: 0.5, evidence: {}, explanation: title });

function finding(rank: number, overrides: Omit<Partial<Finding>, 'source'> & { source?: Partial<Finding['source']> } = {}): Finding {
  const { source, ...rest } = overrides;
  return {
    id: `rw-${rank}`, rank, score: 100 - rank * 10, severity: 'medium',
    source: { ip: `10.0.0.${rank}`, hostname: `ws${rank}`, user: null, process: null, role: 'workstation', role_origin: 'inventory', ...source },
    service: { id: 'telegram', name: 'Telegram', category: 'messaging' },
    destination: { domain: 'api.telegram.org', ips: [], ports: [443], url_patterns: [] },
    first_seen: '2024-05-01T08:00:00.000Z', last_seen: '2024-05-01T12:00:00.000Z',
    events: 10 * rank, bytes_out: null, bytes_in: null, periodicity: null,
    signals: [signal('periodic-beacon', 'Periodic beacon')], attack: ['T1102.002'], summary: `finding ${rank}`,
    ...rest,
  };
}

const findings: Finding[] = [
  finding(1, { severity: 'critical', source: { process: 'C:\\Temp\\Updater.exe' }, signals: [signal('periodic-beacon', 'Periodic beacon'), signal('non-browser-process', 'Non-browser process')] }),
  finding(2, { severity: 'high', service: { id: 'dropbox', name: 'Dropbox', category: 'storage' }, destination: { domain: 'content.dropboxapi.com', ips: [], ports: [], url_patterns: ['/2/files/upload'] }, first_seen: '2024-05-03T00:00:00.000Z', last_seen: '2024-05-03T06:00:00.000Z' }),
  finding(3, { severity: 'high', source: { hostname: 'srv01', role: 'server' }, service: null, destination: { domain: 'evil.example', ips: ['203.0.113.9'], ports: [], url_patterns: [] } }),
  finding(4, { severity: 'low', source: { hostname: null, ip: '10.9.9.9', role: null } }),
];
const filters = (f: Partial<FindingFilters>): FindingFilters => ({ ...NO_FILTERS, ...f });
const ids = (list: Finding[]) => list.map((f) => f.rank);

describe('filterFindings', () => {
  it('filters by severity, service, category, role, signal', () => {
    expect(ids(filterFindings(findings, filters({ severities: ['high', 'low'] }), ''))).toEqual([2, 3, 4]);
    expect(ids(filterFindings(findings, filters({ serviceId: 'telegram' }), ''))).toEqual([1, 4]);
    expect(ids(filterFindings(findings, filters({ category: 'storage' }), ''))).toEqual([2]);
    expect(ids(filterFindings(findings, filters({ role: 'server' }), ''))).toEqual([3]);
    expect(ids(filterFindings(findings, filters({ signalId: 'non-browser-process' }), ''))).toEqual([1]);
  });

  it('filters by business unit through the host_roles lookup', () => {
    const units = businessUnitsOf(findings, [
      { src_ip: '10.0.0.1', host: null, business_unit: 'finance' },
      { src_ip: null, host: 'srv01', business_unit: 'it' },
    ]);
    expect([...units]).toEqual([['rw-1', 'finance'], ['rw-3', 'it']]);
    expect(ids(filterFindings(findings, filters({ businessUnit: 'it' }), '', units))).toEqual([3]);
    expect(facetsOf(findings, units).businessUnits).toEqual(['finance', 'it']);
  });

  it('filters by triage verdict, "none" meaning not judged yet', () => {
    const verdicts = new Map([[findings[0].id, 'benign' as const], [findings[2].id, 'malicious' as const]]);
    expect(ids(filterFindings(findings, filters({ verdict: 'malicious' }), '', new Map(), verdicts))).toEqual([3]);
    expect(ids(filterFindings(findings, filters({ verdict: 'none' }), '', new Map(), verdicts))).toEqual([2, 4]);
  });

  it('keeps findings whose span overlaps the time range', () => {
    const day3 = Date.parse('2024-05-03T00:00:00Z');
    expect(ids(filterFindings(findings, filters({ from: day3 }), ''))).toEqual([2]);
    expect(ids(filterFindings(findings, filters({ to: day3 - 1 }), ''))).toEqual([1, 3, 4]);
  });

  it('searches every word across source, service, destination and signals, ignoring case', () => {
    expect(ids(filterFindings(findings, NO_FILTERS, 'UPDATER'))).toEqual([1]);
    expect(ids(filterFindings(findings, NO_FILTERS, 'files/upload'))).toEqual([2]);
    expect(ids(filterFindings(findings, NO_FILTERS, '203.0.113.9 srv01'))).toEqual([3]);
    expect(ids(filterFindings(findings, NO_FILTERS, 'srv01 dropbox'))).toEqual([]);
    expect(matchesSearch(findings[0], '   ')).toBe(true);
  });
});

describe('sortFindings', () => {
  it('sorts by any column in both directions, ties in rank order', () => {
    expect(ids(sortFindings(findings, 'events', 'desc'))).toEqual([4, 3, 2, 1]);
    expect(ids(sortFindings(findings, 'severity', 'desc'))).toEqual([1, 2, 3, 4]);
    expect(ids(sortFindings(findings, 'severity', 'asc'))).toEqual([4, 2, 3, 1]);
    expect(ids(sortFindings(findings, 'service', 'asc'))).toEqual([2, 3, 1, 4]);
    expect(ids(sortFindings(findings, 'source', 'asc'))).toEqual([4, 3, 1, 2]);
    expect(ids(sortFindings(findings, 'first_seen', 'desc'))).toEqual([2, 1, 3, 4]);
    expect(ids(sortFindings(findings, 'signals', 'desc'))).toEqual([1, 2, 3, 4]);
  });
});

describe('FindingsQueueState', () => {
  it('derives the visible list and moves the keyboard cursor within it', () => {
    const state = new FindingsQueueState(() => findings);
    expect(ids(state.visible)).toEqual([1, 2, 3, 4]);
    state.sortBy('events');
    expect(state.sortDirection).toBe('desc');
    state.sortBy('events');
    expect(ids(state.visible)).toEqual([1, 2, 3, 4]);
    state.toggleSeverity('high');
    expect(ids(state.visible)).toEqual([2, 3]);
    expect(state.filtered).toBe(true);
    state.move(5);
    expect(state.cursor).toBe(1);
    state.openCursor();
    expect(state.openId).toBe('rw-3');
    state.move(-9);
    expect(state.cursor).toBe(0);
    state.clearFilters();
    state.open('rw-4');
    expect(state.cursor).toBe(3);
    expect(state.filtered).toBe(false);
  });
});
