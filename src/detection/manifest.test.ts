import { describe, expect, it } from 'vitest';
import { loadDetectionPack, parseSqlUnit, type AnalyticSpec } from './manifest.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';

const HEADER = [
  '-- id: sample-rule',
  '-- title: Sample',
  '-- attack: T1102, T1102.002',
  '-- family: timing',
  '-- probability: 0.4',
  '-- description: A sample analytic.',
  '-- false_positive: None.',
  '-- tables: rw_events',
  '-- param: pattern_x | varchar | a|b | a regex default keeps its bare bar',
  '-- param: limit_n | integer | 5 | a number',
  'SELECT 1',
].join('\n');

describe('manifest loader', () => {
  it('parses every header key and typed parameter defaults', () => {
    const unit = parseSqlUnit('analytics/sample-rule.sql', HEADER) as AnalyticSpec;
    expect(unit.id).toBe('sample-rule');
    expect(unit.attack).toEqual(['T1102', 'T1102.002']);
    expect(unit.probability).toBe(0.4);
    expect(unit.tables).toEqual(['rw_events']);
    expect(unit.params).toEqual([
      { name: 'pattern_x', type: 'varchar', default: 'a|b', description: 'a regex default keeps its bare bar' },
      { name: 'limit_n', type: 'integer', default: 5, description: 'a number' },
    ]);
  });

  it.each([
    ['an id that differs from the file name', HEADER.replace('id: sample-rule', 'id: other'), /does not match/],
    ['an unknown key', HEADER.replace('-- title:', '-- titel:'), /unknown header key/],
    ['a bad ATT&CK id', HEADER.replace('T1102.002', 'T11O2'), /bad ATT&CK id/],
    ['a non-integer integer default', HEADER.replace('| 5 |', '| 5.5 |'), /not a valid integer/],
    ['a missing false positive', HEADER.replace('-- false_positive: None.\n', ''), /false_positive/],
    ['a probability of 1', HEADER.replace('probability: 0.4', 'probability: 1'), /probability/],
  ])('rejects %s', (_, text, error) => {
    expect(() => parseSqlUnit('analytics/sample-rule.sql', text)).toThrow(error);
  });

  it('rejects one parameter declared with two defaults', () => {
    const other = HEADER.replace('sample-rule', 'other-rule').replace('| 5 |', '| 6 |');
    expect(() =>
      loadDetectionPack([
        { path: 'analytics/sample-rule.sql', text: HEADER },
        { path: 'analytics/other-rule.sql', text: other },
      ]),
    ).toThrow(/limit_n redeclared/);
  });

  it('loads the shipped pack: ordered baselines, the runner stages and at least 13 analytics', () => {
    const pack = loadNodeDetectionPack();
    expect(pack.baselines.map((b) => b.id)).toEqual(['scoped-events', 'usage-baselines', 'accounts']);
    expect([...pack.stages.keys()].sort()).toEqual(['finding-accounts', 'finding-approvals', 'finding-baseline', 'finding-facts', 'finding-key-facts', 'periodicity-candidates']);
    const ids = pack.analytics.map((a) => a.id);
    expect(ids.length).toBeGreaterThanOrEqual(13);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['periodic-beacon', 'rare-service-for-peer-group', 'first-seen-after-baseline',
      'non-browser-process', 'scripted-user-agent', 'server-role-consumer-service', 'off-hours', 'upload-volume',
      'api-endpoint', 'ddr-sequence', 'tunnel-long-lived', 'rare-ja3-or-ua', 'failed-connection-retries', 'account-rarity']) {
      expect(ids).toContain(id);
    }
    // A policy row may only lower what it covers, so no analytic reads the policy to raise anything.
    expect(ids).not.toContain('approved-not-for-role');
    expect(pack.params.get('burst_bytes')?.default).toBe(1048576);
    expect(pack.params.get('baseline_start')?.default).toBeNull();
  });
});
