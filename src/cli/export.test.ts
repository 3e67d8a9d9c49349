import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { exportCommand } from './export.ts';

const scratch = mkdtempSync(join(tmpdir(), 'export-parquet-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CONN = [
  '#separator \\x09',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring',
  '1714564800.000000\tC1\t10.0.0.5\t50000\t149.154.167.220\t443\ttcp\tssl\t1.5\t500\t900\tSF',
  '1714568400.000000\tC2\t10.0.0.5\t50001\t149.154.167.220\t443\ttcp\tssl\t1.5\t500\t900\tSF',
  '1714651200.000000\tC3\t10.0.0.6\t50002\t140.82.112.3\t443\ttcp\tssl\t2.0\t700\t1200\tSF',
].join('\n') + '\n';
const SQUID = '1714651300.123    120 10.0.0.7 TCP_TUNNEL/200 5120 CONNECT api.telegram.org:443 - HIER_DIRECT/149.154.167.220 -\n';

describe('relaywatch export --parquet', () => {
  it('writes the canonical events hive-partitioned by day, and the sources, readable by DuckDB as they are', async () => {
    writeFileSync(join(scratch, 'conn.log'), CONN);
    writeFileSync(join(scratch, 'access.log'), SQUID);
    const out = join(scratch, "out 'quoted'");
    expect(await exportCommand(['--parquet', out, join(scratch, 'conn.log'), join(scratch, 'access.log')])).toBe(0);

    const engine = await NativeEngine.open();
    try {
      const days = await engine.all<{ day: string; n: number; kinds: string }>(
        `SELECT CAST(day AS VARCHAR) AS day, count(*) AS n, string_agg(DISTINCT kind, ',' ORDER BY kind) AS kinds
         FROM read_parquet(?, hive_partitioning = true) GROUP BY day ORDER BY day`,
        [join(out, 'events', '*', '*.parquet')],
      );
      expect(days).toEqual([
        { day: '2024-05-01', n: 2, kinds: 'flow' },
        { day: '2024-05-02', n: 2, kinds: 'flow,proxy' },
      ]);
      const sources = await engine.all<{ format: string; rows_loaded: number }>(
        'SELECT format, rows_loaded FROM read_parquet(?) ORDER BY format', [join(out, 'sources.parquet')],
      );
      expect(sources).toEqual([{ format: 'squid-native', rows_loaded: 1 }, { format: 'zeek-tsv', rows_loaded: 3 }]);
    } finally {
      engine.close();
    }
  });

  it('refuses a call without --parquet or inputs', async () => {
    expect(await exportCommand([join(scratch, 'conn.log')])).toBe(2);
    expect(await exportCommand(['--parquet', join(scratch, 'x')])).toBe(2);
  });
});
