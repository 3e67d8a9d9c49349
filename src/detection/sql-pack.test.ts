import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { setVariables } from '../engine/sql-engine.ts';
import { createSchema } from './fixtures/world.ts';
import { createRunnerTables, resolveParams } from './detect.ts';
import { SIGNAL_COLUMNS } from './manifest.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';

const EXPECTED_TYPES: Record<string, string> = {
  weight: 'DOUBLE', events: 'BIGINT', first_seen: 'TIMESTAMP', last_seen: 'TIMESTAMP', explanation: 'VARCHAR',
};

describe('SQL pack against the canonical and context schema', async () => {
  const pack = loadNodeDetectionPack();
  const engine = await NativeEngine.open();
  await createSchema(engine);
  await setVariables(engine, resolveParams(pack));
  await createRunnerTables(engine);

  it('runs every baseline file on empty tables', async () => {
    for (const baseline of pack.baselines) await engine.exec(baseline.sql);
    const [row] = await engine.all<{ n: number }>('SELECT count(*) AS n FROM rw_events');
    expect(row.n).toBe(0);
  });

  it.each([...pack.stages.values()].map((s) => [s.path, s.sql]))('EXPLAINs %s', async (_, sql) => {
    const plan = await engine.all(`EXPLAIN ${sql}`);
    expect(plan.length).toBeGreaterThan(0);
  });

  it.each(pack.analytics.map((a) => [a.path, a.sql]))('%s EXPLAINs and returns the signal row shape', async (_, sql) => {
    expect((await engine.all(`EXPLAIN ${sql}`)).length).toBeGreaterThan(0);
    const columns = await engine.all<{ column_name: string; column_type: string }>(`DESCRIBE ${sql}`);
    const names = columns.map((c) => c.column_name);
    expect(names.slice(0, SIGNAL_COLUMNS.length)).toEqual([...SIGNAL_COLUMNS]);
    for (const extra of names.slice(SIGNAL_COLUMNS.length)) expect(extra).toMatch(/^evidence_[a-z0-9_]+$/);
    for (const c of columns) {
      if (EXPECTED_TYPES[c.column_name]) expect(`${c.column_name} ${c.column_type}`).toBe(`${c.column_name} ${EXPECTED_TYPES[c.column_name]}`);
      else if (!c.column_name.startsWith('evidence_')) expect(`${c.column_name} ${c.column_type}`).toBe(`${c.column_name} VARCHAR`);
    }
  });
});
