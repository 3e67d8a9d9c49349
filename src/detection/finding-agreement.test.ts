/**
 * One number per fact: for every finding of the demo and of another generated organisation, the header (events, first
 * and last seen, bytes, period) agrees with what its log-record table and charts are queried from (src/queries), and the
 * rarity signal's peer share with rw_peer_share() (what the playbook and Hosts view state), so an investigator can
 * quote the header without the table below contradicting it.
 */
import { describe, expect, it } from 'vitest';
import { bytesQuery, eventCountQuery, findingPeriodogram, pairSpanQuery } from '../queries/finding-charts.ts';
import { findingServiceKey, findingSourceKey } from '../queries/finding-events.ts';
import { runQuery } from '../engine/sql-engine.ts';
import { PRESETS } from '../generator/index.ts';
import { SMALL_ORGANISATION, analyse, generateOrganisation, loadLogs } from './fixtures/generated-org.ts';

describe('a finding agrees with its own log records', () => {
  it.each([
    ['the demo', { ...PRESETS.demo, utcOffsetMinutes: 0 }],
    ['a small organisation', SMALL_ORGANISATION],
  ])('%s: every header states as many events as its log records are, counted the same way, over the same span', async (_, options) => {
    const org = generateOrganisation(options);
    const { engine } = await loadLogs(org.logs);
    const result = await analyse(engine, org.inventory);
    expect(result.findings.length).toBeGreaterThan(20);
    const disagreements: string[] = [];
    let periodsChecked = 0;
    await engine.exec('CREATE TEMP TABLE peer_shares AS SELECT * FROM rw_peer_share()');
    for (const f of result.findings) {
      const count = eventCountQuery(f);
      const [{ n, events }] = await runQuery<{ n: number; events: number }>(engine, count);
      const span = pairSpanQuery(f);
      const [{ start_ms, end_ms }] = await runQuery<{ start_ms: number; end_ms: number }>(engine, span);
      const header = { events: f.events, first: Date.parse(f.first_seen), last: Date.parse(f.last_seen) };
      // A kept copy may carry a time up to a second from the other copies' (ProxySG logs whole seconds).
      const near = (a: number, b: number) => Math.abs(a - b) < 1000;
      // Bytes: the bytes chart over the whole data adds up to the header's totals (the default window is all data).
      const bytes = bytesQuery(f, { startMs: 0, endMs: Date.parse(f.last_seen) + 1000 }, 200);
      const bins = await runQuery<{ bytes_out: number | null; bytes_in: number | null }>(engine, bytes);
      const total = (key: 'bytes_out' | 'bytes_in') => (bins.some((b) => b[key] !== null) ? bins.reduce((sum, b) => sum + (b[key] ?? 0), 0) : null);
      if (total('bytes_out') !== f.bytes_out || total('bytes_in') !== f.bytes_in) {
        disagreements.push(`${f.id}: header bytes ${f.bytes_out}/${f.bytes_in}, chart ${total('bytes_out')}/${total('bytes_in')}`);
      }
      // Peer share: the rarity signal states what rw_peer_share() (the playbook's and Hosts view's source) says.
      const rare = f.signals.find((s) => s.id === 'rare-service-for-peer-group');
      if (rare) {
        const [share] = await engine.all<{ peers: number; peers_using: number }>(
          'SELECT peers, peers_using FROM peer_shares WHERE src_key = ? AND service_key = ?', [findingSourceKey(f), findingServiceKey(f)]);
        if (share?.peers !== rare.evidence.peers || share?.peers_using !== rare.evidence.peers_using) {
          disagreements.push(`${f.id}: signal ${rare.evidence.peers_using} of ${rare.evidence.peers} peers, rw_peer_share ${share?.peers_using} of ${share?.peers}`);
        }
      }
      // Period: the header's period is the one the timing signal quotes, and the periodogram marks it (the tallest
      // point within 3 % of it, labelled with the quoted number).
      if (f.periodicity) {
        const beacon = f.signals.find((s) => s.id === 'periodic-beacon');
        const quoted = beacon ? beacon.evidence.period_s : f.periodicity.period_s;
        const marked = (await findingPeriodogram(engine, f)).marked;
        if (quoted !== f.periodicity.period_s || !marked || Math.abs(marked.period_s - f.periodicity.period_s) > 0.03 * f.periodicity.period_s) {
          disagreements.push(`${f.id}: header period ${f.periodicity.period_s} s, signal ${String(quoted)} s, periodogram marks ${marked?.period_s ?? 'nothing'}`);
        }
        periodsChecked++;
      }
      if (events !== header.events || !near(start_ms, header.first) || !near(end_ms, header.last) || n < events) {
        disagreements.push(`${f.id} ${f.source.hostname ?? f.source.ip} → ${f.service?.id ?? f.destination.domain} ${f.source.process ?? ''}: ` +
          `header ${header.events} events ${f.first_seen}..${f.last_seen}; records ${n} = ${events} events ${new Date(start_ms).toISOString()}..${new Date(end_ms).toISOString()}`);
      }
    }
    engine.close();
    expect(disagreements).toEqual([]);
    expect(result.findings.some((f) => f.source.process), 'no process-level finding was checked').toBe(true);
    expect(periodsChecked, 'no periodic finding was checked').toBeGreaterThan(0);
  }, 600_000);
});
