import { describe, expect, it } from 'vitest';
import {
  attackIds, combineSignals, findingId, groupFindings, noisyOr, severityFor, type AnalyticInfo, type SignalRow,
} from './scoring.ts';

const ANALYTICS = new Map<string, AnalyticInfo>([
  ['periodic-beacon', { title: 'P', family: 'timing', probability: 0.55, attack: ['T1102'] }],
  ['rare-service-for-peer-group', { title: 'R', family: 'context', probability: 0.3, attack: ['T1102'] }],
  ['first-seen-after-baseline', { title: 'F', family: 'context', probability: 0.25, attack: ['T1102'] }],
  ['scripted-user-agent', { title: 'S', family: 'client', probability: 0.4, attack: ['T1102'] }],
  ['ddr-sequence', { title: 'D', family: 'sequence', probability: 0.6, attack: ['T1102', 'T1102.001'] }],
  ['api-endpoint', { title: 'A', family: 'content', probability: 0.35, attack: ['T1102'] }],
  ['tunnel-long-lived', { title: 'T', family: 'content', probability: 0.4, attack: ['T1102', 'T1572'] }],
]);

function signal(id: string, extra: Partial<SignalRow> = {}): SignalRow {
  return {
    signal_id: id, src_key: 'ws01', src_ip: '10.0.0.1', src_host: 'ws01', src_user: null, process: null,
    service_id: 'telegram', dst_host: 'api.telegram.org', weight: 1, events: 3, first_seen: 0, last_seen: 1,
    explanation: id, evidence: {}, ...extra,
  };
}
const scored = (id: string, probability: number) => ({ signal: signal(id), probability });

describe('scoring', () => {
  it('combines by noisy-OR', () => {
    expect(noisyOr([0.5, 0.5])).toBeCloseTo(0.75, 10);
    expect(noisyOr([])).toBe(0);
  });

  it('counts one analytic once and rewards independent families (worked example)', () => {
    // timing 0.55; context noisy-OR(0.3, 0.25) = 0.475; P = 1 − 0.45·0.525 = 0.76375; two families → 1 − 0.23625·0.7
    const result = combineSignals(
      [scored('periodic-beacon', 0.55), scored('periodic-beacon', 0.2), scored('rare-service-for-peer-group', 0.3),
        scored('first-seen-after-baseline', 0.25)],
      ANALYTICS,
    );
    expect(result.corroboratingFamilies).toEqual(['context', 'timing']);
    expect(result.probability).toBeCloseTo(1 - 0.23625 * 0.7, 10);
  });

  it('gives no corroboration bonus to one family', () => {
    const result = combineSignals([scored('rare-service-for-peer-group', 0.3), scored('first-seen-after-baseline', 0.25)], ANALYTICS);
    expect(result.probability).toBeCloseTo(0.475, 10);
    expect(result.corroboratingFamilies).toEqual(['context']);
  });

  it('bands severities', () => {
    expect([95, 80, 79.9, 60, 45, 20, 19.9].map(severityFor)).toEqual(['critical', 'critical', 'high', 'high', 'medium', 'low', 'info']);
  });

  it('makes stable, key-sensitive finding ids', () => {
    expect(findingId('ws01', 'telegram', null)).toBe(findingId('ws01', 'telegram', null));
    expect(findingId('ws01', 'telegram', null)).toMatch(/^rw-[0-9a-f]{16}$/);
    expect(findingId('ws01', 'telegram', 'a.exe')).not.toBe(findingId('ws01', 'telegram', null));
    expect(findingId('ws0', '1telegram', null)).not.toBe(findingId('ws01', 'telegram', null));
  });

  it('derives sub-techniques from evidence', () => {
    const base = { analytics: ANALYTICS, bytesOut: null, bytesIn: null };
    expect(attackIds({ ...base, signals: [signal('periodic-beacon')] })).toEqual(['T1102']);
    expect(attackIds({ ...base, signals: [signal('ddr-sequence')] })).toEqual(['T1102', 'T1102.001']);
    const readWrite = signal('api-endpoint', { evidence: { reads: 4, writes: 2 } });
    expect(attackIds({ ...base, signals: [readWrite] })).toEqual(['T1102', 'T1102.002']);
    const readOnly = signal('api-endpoint', { evidence: { reads: 4, writes: 0 } });
    expect(attackIds({ ...base, signals: [readOnly] })).toEqual(['T1102', 'T1102.003']);
    expect(attackIds({ ...base, bytesOut: 2e6, bytesIn: 1e6, signals: [signal('tunnel-long-lived')] }))
      .toEqual(['T1102', 'T1102.002', 'T1572']);
  });

  it('attaches host-level signals to the only process seen for the pair, else keeps them host-level', () => {
    const host = signal('periodic-beacon');
    const proc = signal('scripted-user-agent', { process: 'C:\\x\\evil.exe' });
    const one = groupFindings([host, proc], new Map([['ws01\u0000telegram', ['C:\\x\\evil.exe']]]));
    expect(one).toHaveLength(1);
    expect(one[0].process).toBe('C:\\x\\evil.exe');
    expect(one[0].processAttributed).toBe(true);
    const two = groupFindings([host, proc], new Map([['ws01\u0000telegram', ['C:\\x\\evil.exe', 'chrome.exe']]]));
    expect(two.map((g) => [g.process, g.signals.length])).toEqual([[null, 1], ['C:\\x\\evil.exe', 1]]);
  });
});
