import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { dropFindingRows, findingEventFilter, findingRows, findingSourceFilter, findingSourceRows } from './finding-events.ts';
import { runQuery } from '../engine/sql-engine.ts';
import { hourOfWeekQuery, pairSpanQuery, relatedCountQuery } from './finding-charts.ts';
import { BEACONS, loadFixture, telegramFinding } from './finding-charts.fixture.ts';
import type { Finding } from '../detection/detect.ts';

let engine: NativeEngine;
async function countOf(where: string, params: unknown[]): Promise<number> {
  const [row] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM events WHERE ${where}`, params as never[]);
  return row.n;
}

beforeAll(async () => {
  engine = await NativeEngine.open();
  await loadFixture(engine);
});
afterAll(() => engine.close());

describe('findingEventFilter', () => {
  it('matches the source by its key (short host name, or the host its IP maps to) and the service by its catalogued hosts or IPs', async () => {
    const { where, params } = findingEventFilter(telegramFinding());
    // 72 proxy lines, 72 flows known only by IP, two Sysmon rows known only by host name.
    expect(await countOf(where, params)).toBe(2 * BEACONS + 2);
  });

  it('keeps only the finding\'s process on endpoint rows, at a path boundary', async () => {
    const evil = findingEventFilter(telegramFinding({ process: 'EVIL.exe' }));
    expect(await countOf(evil.where, evil.params)).toBe(2 * BEACONS + 1);
    const partial = findingEventFilter(telegramFinding({ process: 'il.exe' }));
    expect(await countOf(partial.where, partial.params)).toBe(2 * BEACONS);
  });

  it('falls back to the domain for uncatalogued destinations and ignores other sources', async () => {
    const finding: Finding = {
      ...telegramFinding(),
      service: null,
      destination: { domain: 'WWW.example.com', ips: [], ports: [], url_patterns: [] },
    };
    const f = findingEventFilter(finding);
    expect(await countOf(f.where, f.params)).toBe(2);
    const peer = findingEventFilter({ ...finding, source: { ...finding.source, ip: '10.0.1.2', hostname: null } });
    expect(await countOf(peer.where, peer.params)).toBe(10);
  });

  it('binds every value as a parameter, so quotes in log-derived fields stay data', async () => {
    const hostile = telegramFinding({ ip: "x' OR 1=1 --", hostname: "'; DROP TABLE events; --" });
    const f = findingEventFilter(hostile);
    expect(f.where).not.toContain('DROP');
    expect(await countOf(f.where, f.params)).toBe(0);
    expect(await countOf('true', [])).toBeGreaterThan(0);
  });

  it("leaves out rows another host logged from the source's address, and keeps connections the source opened into us, as detection's facts do", async () => {
    const { where, params } = findingEventFilter(telegramFinding());
    const at = Date.UTC(2024, 4, 1, 12);
    await engine.exec(`INSERT INTO events (ts, kind, src_ip, src_host, dst_host, source_file) VALUES
      (make_timestamp(${at * 1000}), 'flow', '10.0.1.1', 'ws09', 'api.telegram.org', 'reused-address'),
      (make_timestamp(${at * 1000}), 'flow', '10.0.1.1', NULL, 'api.telegram.org', 'inbound')`);
    await engine.exec(`UPDATE events SET extra = '{"local_orig":"F","local_resp":"T"}' WHERE source_file = 'inbound'`);
    try {
      // An outside address's check-ins with our server are its finding's rows (rw_events_both_ways()).
      expect(await countOf(where, params)).toBe(2 * BEACONS + 3);
      expect(await countOf(`${where} OR source_file = 'reused-address'`, params)).toBe(2 * BEACONS + 4);
    } finally {
      await engine.exec(`DELETE FROM events WHERE source_file IN ('reused-address', 'inbound')`);
    }
  });

  it('matches nothing when the finding names no source', () => {
    expect(findingSourceFilter({ source: { ...telegramFinding().source, ip: null, hostname: null } }).where).toBe('false');
  });
});

describe('findingRows', () => {
  const kept = async () =>
    (await engine.all<{ name: string }>("SELECT table_name AS name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, 'rw_') AND table_name LIKE '%_rows_%'")).map((t) => t.name);

  it('keeps the finding\'s rows once for all its queries, one table per finding, until dropped', async () => {
    const telegram = telegramFinding();
    const evil = telegramFinding({ process: 'EVIL.exe' });
    const [span] = await runQuery<{ n: number }>(engine, pairSpanQuery(telegram));
    expect(span.n).toBe(2 * BEACONS + 2);
    const hours = await runQuery<{ n: number }>(engine, hourOfWeekQuery(telegram));
    expect(hours.reduce((n, h) => n + h.n, 0)).toBe(2 * BEACONS + 2);
    const [own] = await runQuery<{ n: number }>(engine, pairSpanQuery(evil));
    expect(own.n).toBe(2 * BEACONS + 1);
    expect((await kept()).sort()).toEqual([findingRows(telegram).table, findingRows(evil).table].sort());

    await dropFindingRows(engine, evil);
    expect(await kept()).toEqual([findingRows(telegram).table]);
    await dropFindingRows(engine);
    expect(await kept()).toEqual([]);

    // Related events read the source's rows, kept the same way and dropped with the finding.
    const [related] = await runQuery<{ n: number }>(engine, relatedCountQuery(telegram));
    expect(related.n).toBeGreaterThan(0);
    expect(await kept()).toEqual([findingSourceRows(telegram).table]);
    await dropFindingRows(engine, telegram);
    expect(await kept()).toEqual([]);
  });
});
