import { describe, expect, it } from 'vitest';
import { NativeEngine } from './native-engine.ts';
import { canonicalDdl } from '../core/canonical.ts';
import { setVariables } from '../core/sql-engine.ts';

describe('NativeEngine', () => {
  it('appends columnar rows with timestamps in microseconds and reads them back as plain JS', async () => {
    const engine = await NativeEngine.open();
    await engine.exec(canonicalDdl());
    const n = 5000;
    await engine.append(
      'events',
      {
        ts: Array.from({ length: n }, (_, i) => 1_714_564_800_000_000 + i * 1_000_001),
        kind: Array.from({ length: n }, () => 'flow'),
        bytes_out: Array.from({ length: n }, (_, i) => (i % 2 ? null : i)),
      },
      { ts: 'TIMESTAMP', kind: 'VARCHAR', bytes_out: 'BIGINT' },
    );
    const [row] = await engine.all<{ c: number; first_ts: number; us: number; b: number }>(
      "SELECT count(*) c, min(ts) first_ts, max(epoch_us(ts)) us, sum(bytes_out) b FROM events WHERE kind = ?",
      ['flow'],
    );
    expect(row.c).toBe(n);
    expect(row.first_ts).toBe(1_714_564_800_000);
    expect(row.us).toBe(1_714_564_800_000_000 + (n - 1) * 1_000_001);
    expect(row.b).toBe(2499 * 2500);
    engine.close();
  });

  it('binds variables instead of splicing them', async () => {
    const engine = await NativeEngine.open();
    await setVariables(engine, { needle: "x'); DROP TABLE t; --" });
    const [row] = await engine.all<{ v: string }>("SELECT getvariable('needle') v");
    expect(row.v).toBe("x'); DROP TABLE t; --");
    engine.close();
  });
});
