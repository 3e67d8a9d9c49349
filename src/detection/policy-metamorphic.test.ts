/**
 * Metamorphic checks of the approved-service policy on a generated organisation: approving a service for one
 * host, role, business unit or process may lower the findings that approval covers and must change nothing else
 * (no finding added, none raised, none outside its scope lowered); re-scoring after the edit (rescoreForPolicy)
 * gives what a whole new analysis gives, and undoing it restores the first ranking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeEngine } from '../engine/native-engine.ts';
import { applyPolicy } from '../context/context.ts';
import type { PolicyRow, ScopeKind } from '../context/policy.ts';
import type { InventoryEntry } from '../context/inventory.ts';
import { rescoreForPolicy, type DetectionResult, type Finding } from './detect.ts';
import { analyse, generateOrganisation, loadLogs } from './fixtures/generated-org.ts';

let engine: NativeEngine;
let inventory: InventoryEntry[];
let base: DetectionResult;

beforeAll(async () => {
  const org = generateOrganisation();
  inventory = org.inventory;
  ({ engine } = await loadLogs(org.logs));
  base = await analyse(engine, inventory);
}, 120_000);
afterAll(() => engine.close());

const scores = (findings: readonly Finding[]) => new Map(findings.map((f) => [f.id, f.score]));
const businessUnitOf = (f: Finding) => inventory.find((e) => e.match === f.source.ip || e.match === f.source.hostname)?.business_unit ?? null;

/** Does the policy row cover this finding (the same test the approvals stage makes, from the finding's side)? */
function covers(row: PolicyRow, f: Finding): boolean {
  if (f.service?.id !== row.service_id) return false;
  switch (row.scope_kind) {
    case 'host': return f.source.hostname === row.scope_value || f.source.ip === row.scope_value;
    case 'role': return f.source.role === row.scope_value;
    case 'business_unit': return businessUnitOf(f) === row.scope_value;
    case 'process': return (f.source.process ?? '').toLowerCase().split(/[\\/]/).pop() === row.scope_value;
    default: return true;
  }
}

/** One approval per scope kind, for a service and source the findings really show. */
function approvals(): PolicyRow[] {
  const withService = base.findings.filter((f) => f.service && f.source.hostname && f.source.role);
  const target = withService[Math.floor(withService.length / 2)];
  const withProcess = base.findings.find((f) => f.service && f.source.process)!;
  const bu = base.findings.map((f) => [f, businessUnitOf(f)] as const).find(([f, unit]) => f.service && unit)!;
  const row = (f: Finding, scope_kind: ScopeKind, scope_value: string): PolicyRow => ({ service_id: f.service!.id, scope_kind, scope_value, note: null });
  return [
    row(target, 'host', target.source.hostname!),
    row(target, 'role', target.source.role!),
    row(bu[0], 'business_unit', bu[1]!),
    row(withProcess, 'process', withProcess.source.process!.split(/[\\/]/).pop()!.toLowerCase()),
  ];
}

describe('approving a service changes only the findings the approval covers', () => {
  it('the organisation has findings of every kind the approvals need', () => {
    expect(base.findings.length).toBeGreaterThan(20);
    expect(approvals()).toHaveLength(4);
  });

  it.each([0, 1, 2, 3])('approval %i: lowers covered findings, leaves the rest alone, re-scores like a new analysis', async (index) => {
    const row = approvals()[index];
    const after = await analyse(engine, inventory, [row]);
    const before = scores(base.findings);
    const lowered = [];
    for (const f of after.findings) {
      const was = before.get(f.id);
      expect(was, `${f.id} appeared after approving ${row.service_id} for ${row.scope_kind} ${row.scope_value}`).toBeDefined();
      if (covers(row, f)) expect(f.score).toBeLessThanOrEqual(was!);
      else expect(f.score, `${f.id} changed though the approval does not cover it`).toBe(was);
      if (f.score < was!) lowered.push(f.id);
    }
    expect(after.findings).toHaveLength(base.findings.length);
    expect(lowered.length, 'the approval lowered none of the findings it covers').toBeGreaterThan(0);

    // The quick path: only the approvals stage again, over the first run's finding keys.
    await analyse(engine, inventory, []);
    const inputs = base.scoringInputs!;
    await applyPolicy(engine, [row]);
    const rescored = await rescoreForPolicy(engine, inputs);
    expect(scores(rescored)).toEqual(scores(after.findings));
    expect(rescored.map((f) => f.id)).toEqual(after.findings.map((f) => f.id));
    await applyPolicy(engine, []);
    expect(scores(await rescoreForPolicy(engine, inputs))).toEqual(before);
  }, 120_000);
});
