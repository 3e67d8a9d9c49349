/**
 * One number per fact: for every finding of the demo and of another generated organisation, the header (events, first
 * and last seen, bytes, period) agrees with what its log-record table and charts are queried from (src/queries), the
 * rarity signal's peer share with rw_peer_share() (what the playbook and Hosts view state), and every event count a
 * signal's evidence carries with the header's events (signalCountDisagreements), so an investigator can quote the
 * header without a signal or the table below contradicting it.
 */
import { describe, expect, it } from 'vitest';
import { bytesQuery, eventCountQuery, findingPeriodogram, pairSpanQuery } from '../queries/finding-charts.ts';
import { findingServiceKey, findingSourceKey } from '../queries/finding-events.ts';
import { runQuery } from '../engine/sql-engine.ts';
import { PRESETS } from '../generator/index.ts';
import { SMALL_ORGANISATION, analyse, generateOrganisation, loadLogs } from './fixtures/generated-org.ts';
import type { Finding } from './detect.ts';

/**
 * Evidence fields that count events of the finding's own source and service (all of them or a subset: those in the
 * baseline, after it, in quiet hours, of one user agent, failed, read or write calls, handshakes, dead-drop fetches).
 */
const EVENT_COUNT_FIELDS = [
  'events', 'baseline_events', 'process_baseline_events', 'post_baseline_events', 'quiet_events', 'reads', 'writes',
  'handshakes', 'mismatched_handshakes', 'sequences', 'failures', 'attempts', 'long_lived_connections',
] as const;

/** Signals whose `events` is every event of the pair (not a subset), so they state the header's number exactly. */
const wholePair = (s: Finding['signals'][number]) =>
  s.id === 'rare-service-for-peer-group' || (s.id === 'first-seen-after-baseline' && s.evidence.new === 'service');

/**
 * What we assert, counted as the header counts (rw_event_count): each event count in a signal's evidence is a whole
 * number at most the header's events (a subset of the pair's events, within the detection window, which here is all
 * the data); an API signal's reads plus writes are at most its calls; a signal about all of the pair's events states
 * exactly the header's number.
 */
function signalCountDisagreements(f: Finding): string[] {
  const found: string[] = [];
  for (const s of f.signals) {
    for (const field of EVENT_COUNT_FIELDS) {
      const n = s.evidence[field];
      if (n === undefined || n === null) continue;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > f.events) {
        found.push(`${f.id} ${f.source.hostname ?? f.source.ip} → ${f.service?.id ?? f.destination.domain}: header ${f.events} events, ${s.id} ${field} ${String(n)}`);
      }
    }
    if (s.id === 'api-endpoint' && Number(s.evidence.reads) + Number(s.evidence.writes) > Number(s.evidence.events)) {
      found.push(`${f.id}: api-endpoint ${String(s.evidence.reads)} reads + ${String(s.evidence.writes)} writes > ${String(s.evidence.events)} calls`);
    }
    if (wholePair(s) && s.evidence.events !== f.events) {
      found.push(`${f.id}: header ${f.events} events, ${s.id} states ${String(s.evidence.events)} for the whole pair`);
    }
  }
  return found;
}

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
      disagreements.push(...signalCountDisagreements(f));
      if (events !== header.events || !near(start_ms, header.first) || !near(end_ms, header.last) || n < events) {
        disagreements.push(`${f.id} ${f.source.hostname ?? f.source.ip} → ${f.service?.id ?? f.destination.domain} ${f.source.process ?? ''}: ` +
          `header ${header.events} events ${f.first_seen}..${f.last_seen}; records ${n} = ${events} events ${new Date(start_ms).toISOString()}..${new Date(end_ms).toISOString()}`);
      }
    }
    engine.close();
    expect(disagreements).toEqual([]);
    expect(result.findings.some((f) => f.source.process), 'no process-level finding was checked').toBe(true);
    expect(periodsChecked, 'no periodic finding was checked').toBeGreaterThan(0);
    const counted = result.findings.flatMap((f) => f.signals).filter((s) => EVENT_COUNT_FIELDS.some((k) => typeof s.evidence[k] === 'number'));
    expect(new Set(counted.map((s) => s.id)).size, 'too few kinds of signal carried an event count').toBeGreaterThan(5);
  }, 600_000);
});
