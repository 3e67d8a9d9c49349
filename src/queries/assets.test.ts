import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { runQuery, type Query } from '../engine/sql-engine.ts';
import { EVENT_COLUMNS, type EventRecord } from '../core/canonical.ts';
import { shippedCatalog } from '../context/catalog.ts';
import { applyContext } from '../context/context.ts';
import { parseInventoryCsv } from '../context/inventory.ts';
import { readContextSql } from '../context/sql-files-node.ts';
import type { Finding } from '../detection/detect.ts';
import {
  ORIGIN_COUNTS,
  PEER_GROUPS,
  findingsForHost,
  hostCountQuery,
  hostsQuery,
  type HostFilter,
  type HostRoleRow,
  type PeerGroupRow,
} from './assets.ts';

const T0 = 1_714_564_800_000_000;
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

async function addEvents(engine: NativeEngine, rows: Partial<EventRecord>[]): Promise<void> {
  const columns: Record<string, unknown[]> = {};
  const types: Record<string, string> = {};
  for (const { name, type } of EVENT_COLUMNS) {
    const values = rows.map((r, i) => (name === 'ts' ? T0 + i * 1_000_000 : name === 'kind' ? (r.kind ?? 'proxy') : (r as Record<string, unknown>)[name]));
    if (values.some((v) => v !== undefined)) {
      columns[name] = values;
      types[name] = type;
    }
  }
  await engine.append('events', columns, types);
}

let engine: NativeEngine;
const all = <T>(q: Query) => runQuery<T>(engine, q);
const noFilter: HostFilter = { text: '', origin: '', group: null };

beforeAll(async () => {
  engine = await NativeEngine.open();
  const inventory = parseInventoryCsv('ip,hostname,role,business unit,owner\n10.0.0.5,ws05,workstation,Finance,alice\n10.0.0.6,,server,IT,\n10.0.0.7,,,Finance,\n', { source: 'assets.csv' });
  expect(inventory.issues).toEqual([]);
  // Applied once before any event so the tables exist, then again once events are in.
  const data = { catalog: shippedCatalog(), inventories: [inventory.entries], policy: [] };
  await applyContext(engine, data, readContextSql());
  const browsing = Array.from({ length: 6 }, () => ({ src_ip: '10.0.0.8', dst_host: 'www.example.org', user_agent: BROWSER }));
  await addEvents(engine, [
    { src_ip: '10.0.0.5', dst_host: 'api.telegram.org' },
    { src_ip: '10.0.0.6', dst_host: 'api.telegram.org' },
    { src_ip: '10.0.0.7', dst_host: 'api.telegram.org' },
    { src_ip: '10.0.0.9', dst_host: 'api.telegram.org' },
    ...browsing,
  ]);
  await applyContext(engine, data, readContextSql());
});

afterAll(() => engine?.close());

describe('assets view queries', () => {
  it('counts hosts per role origin and lists them in name order', async () => {
    const counts = Object.fromEntries((await all<{ role_origin: string; n: number }>(ORIGIN_COUNTS)).map((r) => [r.role_origin, r.n]));
    expect(counts).toEqual({ inventory: 2, inferred: 1, unknown: 2 });
    const rows = await all<HostRoleRow>(hostsQuery(noFilter, 0));
    expect(rows.map((r) => [r.src_ip, r.role, r.role_origin])).toEqual([
      ['10.0.0.5', 'workstation', 'inventory'],
      ['10.0.0.6', 'server', 'inventory'],
      ['10.0.0.7', null, 'unknown'],
      ['10.0.0.8', 'workstation', 'inferred'],
      ['10.0.0.9', null, 'unknown'],
    ]);
    expect(rows.find((r) => r.src_ip === '10.0.0.7')!.business_unit).toBe('Finance');
  });

  it('filters by origin, by text and by peer group, with NULL roles as a group of their own', async () => {
    const unknown = await all<HostRoleRow>(hostsQuery({ ...noFilter, origin: 'unknown' }, 0));
    expect(unknown.map((r) => r.src_ip)).toEqual(['10.0.0.7', '10.0.0.9']);
    const [{ n }] = await all<{ n: number }>(hostCountQuery({ ...noFilter, text: 'ALICE' }));
    expect(n).toBe(1);
    const noRoleFinance = await all<HostRoleRow>(hostsQuery({ ...noFilter, group: { role: null, business_unit: 'Finance' } }, 0));
    expect(noRoleFinance.map((r) => r.src_ip)).toEqual(['10.0.0.7']);
    expect(await all<HostRoleRow>(hostsQuery({ ...noFilter, text: "x' OR 1=1 --" }, 0))).toEqual([]);
  });

  it('groups peers by role and business unit, roleless groups last', async () => {
    const groups = await all<PeerGroupRow>(PEER_GROUPS);
    expect(groups.map((g) => [g.role, g.business_unit, g.hosts, g.from_inventory, g.inferred])).toEqual([
      ['server', 'IT', 1, 1, 0],
      ['workstation', 'Finance', 1, 1, 0],
      ['workstation', null, 1, 0, 1],
      [null, 'Finance', 1, 0, 0],
      [null, null, 1, 0, 0],
    ]);
  });

  it('matches findings to a host by IP or short host name', () => {
    const finding = (id: string, ip: string | null, hostname: string | null) => ({ id, source: { ip, hostname } }) as unknown as Finding;
    const findings = [finding('a', '10.0.0.5', null), finding('b', null, 'ws05'), finding('c', '10.0.0.50', 'ws050')];
    expect(findingsForHost({ src_ip: '10.0.0.5', src_host: 'WS05.corp.local' }, findings).map((f) => f.id)).toEqual(['a', 'b']);
    expect(findingsForHost({ src_ip: null, src_host: null }, findings)).toEqual([]);
  });
});
