import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { runQuery, type Query } from '../engine/sql-engine.ts';
import {
  bytesQuery,
  dataWindowQuery,
  denseCounts,
  downsampleLogX,
  eventCountQuery,
  hourOfWeekQuery,
  intervalsQuery,
  pairSpanQuery,
  peerHourOfWeekQuery,
  periodogram,
  phaseQuery,
  rawEventsQuery,
  relatedCountQuery,
  relatedEventsQuery,
  spectrumBinSeconds,
  spectrumCountsQuery,
  timelineQuery,
} from './finding-charts.ts';
import { BEACONS, BEACON_START, DAY0, EVIL, PERIOD_S, loadFixture, telegramFinding } from './finding-charts.fixture.ts';

let engine: NativeEngine;
const rows = <T = Record<string, number>>(q: Query) => runQuery<T>(engine, q);
const count = async (q: Query) => (await rows<{ n: number }>(q))[0].n;
const DAY_RANGE = { startMs: DAY0, endMs: DAY0 + 86_400_000 };

beforeAll(async () => {
  engine = await NativeEngine.open();
  await loadFixture(engine);
});
afterAll(() => engine.close());

describe('bin sizing', () => {
  it('sizes periodogram bins as fine as the spectrum budget allows', () => {
    expect(spectrumBinSeconds(21_300)).toBe(10);
    expect(spectrumBinSeconds(30)).toBe(1);
  });
});

describe('timeline and bytes', () => {
  it('counts the finding\'s events per bin and kind, sized to the width', async () => {
    const q = timelineQuery(telegramFinding(), DAY_RANGE, 720);
    expect(q.binMs).toBe(10 * 60_000);
    const bins = await rows<{ bin: number; kind: string; n: number }>(q);
    expect(bins.reduce((n, b) => n + b.n, 0)).toBe(2 * BEACONS + 2);
    const first = bins.filter((b) => b.bin === 48);
    expect(first).toEqual([{ bin: 48, kind: 'flow', n: 2 + 2 }, { bin: 48, kind: 'proxy', n: 2 }]);
    expect(Math.max(...bins.map((b) => b.bin))).toBe(48 + 35);
  });

  it('re-bins a brushed range finer and leaves out what lies outside it', async () => {
    const range = { startMs: BEACON_START, endMs: BEACON_START + 3_600_000 };
    const q = timelineQuery(telegramFinding(), range, 720);
    expect(q.binMs).toBe(30_000);
    const bins = await rows<{ bin: number; kind: string; n: number }>(q);
    expect(bins.filter((b) => b.kind === 'proxy').map((b) => b.bin)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
  });

  it('sums bytes per bin, the log type with most bytes speaking for the bin', async () => {
    const bins = await rows<{ bin: number; bytes_out: number; bytes_in: number }>(bytesQuery(telegramFinding(), DAY_RANGE, 720));
    expect(bins).toHaveLength(36);
    expect(bins[0]).toEqual({ bin: 48, bytes_out: 1200, bytes_in: 2000 });
  });

  it('reports the data window over everything loaded', async () => {
    const [w] = await rows<{ start_ms: number; end_ms: number }>(dataWindowQuery());
    expect(w.start_ms).toBe(DAY0 + 2 * 3_600_000);
    expect(w.end_ms).toBe(DAY0 + 20 * 3_600_000);
  });
});

describe('timing charts', () => {
  it('puts every gap of a 300 s beacon in the histogram bin that holds 300 s', async () => {
    const q = intervalsQuery(telegramFinding(), 600);
    expect(q.binsPerDecade).toBe(50);
    const bins = await rows<{ bin: number; lo_s: number; hi_s: number; n: number }>(q);
    expect(bins).toHaveLength(1);
    expect(bins[0].n).toBe(BEACONS - 1);
    expect(bins[0].lo_s).toBeLessThanOrEqual(PERIOD_S);
    expect(bins[0].hi_s).toBeGreaterThan(PERIOD_S);
  });

  it('finds the period in the periodogram of the binned counts, above the permutation threshold', async () => {
    const [span] = await rows<{ start_ms: number; end_ms: number; n: number }>(pairSpanQuery(telegramFinding()));
    expect(span).toEqual({ start_ms: BEACON_START, end_ms: BEACON_START + (BEACONS - 1) * PERIOD_S * 1000, n: 2 * BEACONS + 2 });
    const binS = spectrumBinSeconds((span.end_ms - span.start_ms) / 1000);
    const counts = denseCounts(await rows<{ bin: number; n: number }>(spectrumCountsQuery(telegramFinding(), binS)));
    expect(counts).toHaveLength(((BEACONS - 1) * PERIOD_S) / binS + 1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(BEACONS);
    const spectrum = periodogram(counts, binS);
    expect(spectrum.threshold).toBeGreaterThan(0);
    expect(spectrum.peaks.length).toBeGreaterThan(0);
    expect(spectrum.peaks).toHaveLength(1);
    expect(Math.abs(spectrum.peaks[0].period_s - PERIOD_S) / PERIOD_S).toBeLessThan(0.02);
    const thinned = downsampleLogX(spectrum.points, 100);
    expect(thinned.length).toBeLessThanOrEqual(100);
    expect(Math.max(...thinned.map((p) => p.power))).toBe(Math.max(...spectrum.points.map((p) => p.power)));
  });

  it('marks the detected period at the tallest peak of a clean beacon, within one frequency bin, over two days', () => {
    const periodS = 56.66;
    const spanS = 2 * 86_400;
    const binS = spectrumBinSeconds(spanS, periodS);
    expect(binS).toBeLessThanOrEqual(periodS / 8);
    const counts = new Array<number>(Math.floor(spanS / binS) + 1).fill(0);
    for (let t = 0; t < spanS; t += periodS) counts[Math.floor(t / binS)] += 1;
    const spectrum = periodogram(counts, binS, 19, 7, periodS);
    const size = 2 ** Math.ceil(Math.log2(counts.length));
    const frequencyBin = (p: number) => (size * binS) / p;
    const tallest = spectrum.points.reduce((a, b) => (b.power > a.power ? b : a));
    expect(Math.abs(frequencyBin(tallest.period_s) - frequencyBin(periodS))).toBeLessThanOrEqual(1);
    expect(Math.abs(frequencyBin(spectrum.marked!.period_s) - frequencyBin(periodS))).toBeLessThanOrEqual(1);
    expect(spectrum.marked).toEqual(tallest);
    expect(spectrum.peaks[0]).toEqual(tallest);
    // Without the detected period's bins, a two-day span is binned too coarsely to hold a 57 s period at all.
    expect(spectrumBinSeconds(spanS)).toBeGreaterThan(periodS / 2);
  });

  it('folds a clean beacon on its detected period into one narrow band, and a drifting period does not', () => {
    const periodS = 56.66;
    const times = Array.from({ length: 3000 }, (_, i) => i * periodS);
    const band = (foldOn: number) => {
      const phases = times.map((t) => (t - times[0] + foldOn / 2) % foldOn / foldOn);
      return Math.max(...phases) - Math.min(...phases);
    };
    expect(band(periodS)).toBeLessThan(0.02);
    expect(band(57)).toBeGreaterThan(0.5);
  });

  it('finds no significant period in a random stream', () => {
    let state = 1;
    const next = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    const counts = Array.from({ length: 2000 }, () => (next() < 0.05 ? 1 : 0));
    expect(periodogram(counts, 10).peaks).toEqual([]);
  });

  it('folds a jitter-free beacon into one phase row, in the middle of the cycle', async () => {
    const cells = await rows<{ tbin: number; pbin: number; n: number; t0_ms: number; span_ms: number }>(
      phaseQuery(telegramFinding(), PERIOD_S, 100, 50),
    );
    expect(new Set(cells.map((c) => c.pbin))).toEqual(new Set([25]));
    expect(cells.reduce((n, c) => n + c.n, 0)).toBe(2 * BEACONS + 2);
    expect(cells[0].t0_ms).toBe(BEACON_START);
    expect(Math.max(...cells.map((c) => c.tbin))).toBe(99);
  });

  it('folds on a wrong period into many phase rows', async () => {
    const cells = await rows<{ pbin: number }>(phaseQuery(telegramFinding(), 420, 100, 50));
    expect(new Set(cells.map((c) => c.pbin)).size).toBeGreaterThan(5);
  });
});

describe('hour of week', () => {
  it('counts the pair by UTC weekday and hour', async () => {
    const cells = await rows<{ dow: number; hour: number; n: number }>(hourOfWeekQuery(telegramFinding()));
    expect(cells.map((c) => [c.dow, c.hour])).toEqual([8, 9, 10, 11, 12, 13].map((h) => [3, h]));
    expect(cells[0].n).toBe(24 + 2);
  });

  it('compares with the other sources of the same role, never the finding\'s own host', async () => {
    const cells = await rows<{ dow: number; hour: number; n: number; peers: number }>(peerHourOfWeekQuery(telegramFinding())!);
    expect(cells).toEqual([{ dow: 3, hour: 13, n: 11, peers: 1 }]);
    expect(peerHourOfWeekQuery(telegramFinding({ role: null }))).toBeNull();
  });
});

describe('raw and related events', () => {
  it('pages the finding\'s events 50 at a time, oldest first, with every canonical column', async () => {
    const finding = telegramFinding();
    expect(await count(eventCountQuery(finding))).toBe(2 * BEACONS + 2);
    // The proxy saw every check-in, the flows too plus two Sysmon connections (an endpoint is another observer than
    // the network sensor, so those are not copies); the fixture's rows name no source file.
    expect((await rows(eventCountQuery(finding)))[0]).toMatchObject({ events: BEACONS + 2, sources: 0 });
    const first = await rows<Record<string, unknown>>(rawEventsQuery(finding, 0));
    expect(first).toHaveLength(50);
    expect(first[0].ts).toBe(BEACON_START);
    expect(Object.keys(first[0])).toContain('extra');
    const last = await rows(rawEventsQuery(finding, 140));
    expect(last).toHaveLength(2 * BEACONS + 2 - 140);
  });

  it('finds the DNS lookup and nearby browsing, with the time to the nearest finding event', async () => {
    const finding = telegramFinding();
    expect(await count(relatedCountQuery(finding))).toBe(2);
    const related = await rows<{ kind: string; delta_s: number; dns_query: string | null; dst_host: string | null }>(
      relatedEventsQuery(finding, 0),
    );
    expect(related.map((r) => [r.kind, r.delta_s])).toEqual([['dns', -10], ['proxy', 30]]);
  });

  it('for a process-level finding, adds the process creation row and the other process on the same pair', async () => {
    const finding = telegramFinding({ process: 'evil.exe' });
    expect(await count(eventCountQuery(finding))).toBe(2 * BEACONS + 1);
    const related = await rows<{ kind: string; process: string | null; parent_process: string | null; command_line: string | null }>(
      relatedEventsQuery(finding, 0),
    );
    expect(related.map((r) => r.kind)).toEqual(['process', 'dns', 'proxy', 'flow']);
    expect(related[0]).toMatchObject({ process: EVIL, parent_process: 'C:\\Windows\\explorer.exe', command_line: 'evil.exe --quiet' });
    expect(related[3].process).toBe('C:\\Tools\\notevil.exe');
  });
});
