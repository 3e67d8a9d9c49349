import { describe, expect, it } from 'vitest';
import { analyzePeriodicity } from './index.ts';
import { logBinomialUpperTail } from './binomial.ts';
import { COMB_SHAPES, nullRatioAt } from './comb.ts';

/** Tiny seeded generator local to the tests (Park–Miller), so fixtures do not depend on the bench code. */
function lcg(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

const START = 1_704_067_200;

/** A beacon sleeping period·factor() after each check-in for `span` seconds; `keep` drops check-ins. */
function beacon(period: number, span: number, factor: () => number, keep: () => boolean = () => true): number[] {
  const times: number[] = [];
  for (let t = START; t < START + span; t += period * factor()) if (keep()) times.push(t);
  return times;
}

function poisson(meanGap: number, span: number, next: () => number): number[] {
  const times: number[] = [];
  for (let t = START - meanGap * Math.log(1 - next()); t < START + span; t -= meanGap * Math.log(1 - next())) times.push(t);
  return times;
}

const within = (actual: number | null, expected: number) => Math.abs((actual ?? NaN) / expected - 1) <= 0.05;

describe('analyzePeriodicity: clear positives per axis', () => {
  it('finds a jitter-free 5-minute beacon with an overwhelming p-value', () => {
    const r = analyzePeriodicity(beacon(300, 86_400, () => 1));
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 300)).toBe(true);
    expect(r.jitter).toBeLessThan(0.01);
    expect(r.p_value).toBeLessThan(1e-50);
    expect(r.score).toBe(1);
    expect(r.explanation).toMatch(/^Periodic every 5\.00 min/);
  });

  it('holds up under uniform ±50 % jitter (Empire/PoshC2) and reports the jitter', () => {
    const next = lcg(11);
    const r = analyzePeriodicity(beacon(300, 86_400, () => 0.5 + next()));
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 300)).toBe(true);
    expect(r.jitter).toBeGreaterThan(0.3);
    expect(r.jitter).toBeLessThanOrEqual(0.6);
    expect(r.p_value).toBeLessThan(1e-10);
  });

  it('reports the mean sleep of Cobalt-Strike-style jitter T·[1 − j, 1]', () => {
    const next = lcg(12);
    const r = analyzePeriodicity(beacon(600, 2 * 86_400, () => 1 - 0.5 * next()));
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 450)).toBe(true);
  });

  it('holds up under Gaussian jitter σ = 10 %', () => {
    const next = lcg(13);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const r = analyzePeriodicity(beacon(120, 86_400, () => Math.max(0.05, 1 + 0.1 * gaussian())));
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 120)).toBe(true);
  });

  it('recovers the fundamental when 80 % of check-ins are missing', () => {
    const next = lcg(14);
    const r = analyzePeriodicity(beacon(300, 86_400, () => 0.9 + 0.2 * next(), () => next() >= 0.8));
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 300)).toBe(true);
    expect(r.p_value).toBeLessThan(1e-3);
  });

  it('ignores 20 % extra benign requests on the same pair', () => {
    const next = lcg(15);
    const times = beacon(300, 86_400, () => 0.75 + 0.5 * next());
    const extra = Array.from({ length: Math.round(times.length * 0.2) }, () => START + next() * 86_400);
    const r = analyzePeriodicity([...times, ...extra]);
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 300)).toBe(true);
  });

  it('handles office-hours-only beacons with night and weekend gaps, sub-second times and duplicates', () => {
    const next = lcg(16);
    const times: number[] = [];
    for (let day = 0; day < 5; day++) {
      const open = START + day * 86_400 + 8 * 3600;
      for (let t = open + next() * 60; t < open + 10 * 3600; t += 60 * (0.8 + 0.4 * next())) {
        times.push(t, t + 0.2 * next()); // the same connection logged twice within a second
      }
    }
    const r = analyzePeriodicity(times.reverse());
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 60)).toBe(true);
  });

  it('covers periods from 10 s to 4 h', () => {
    const next = lcg(17);
    const fast = analyzePeriodicity(beacon(10, 2 * 3600, () => 0.8 + 0.4 * next()));
    const slow = analyzePeriodicity(beacon(4 * 3600, 14 * 86_400, () => 0.8 + 0.4 * next()));
    expect(within(fast.period_s, 10)).toBe(true);
    expect(within(slow.period_s, 4 * 3600)).toBe(true);
    expect(fast.periodic && slow.periodic).toBe(true);
  });

  it('reports two implants on one pair as two periods', () => {
    const next = lcg(18);
    const times = [...beacon(60, 86_400, () => 0.8 + 0.4 * next()), ...beacon(900, 86_400, () => 0.9 + 0.2 * next())];
    const r = analyzePeriodicity(times);
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 60)).toBe(true);
    expect(r.other_periods_s.some((p) => within(p, 900))).toBe(true);
  });
});

describe('analyzePeriodicity: clear negatives', () => {
  it('does not flag Poisson streams at several rates', () => {
    const next = lcg(21);
    for (const meanGap of [10, 60, 300, 3600]) {
      const r = analyzePeriodicity(poisson(meanGap, Math.max(86_400, meanGap * 300), next));
      expect(r.periodic).toBe(false);
      expect(r.p_value).toBeGreaterThan(0.01);
      expect(r.other_periods_s).toEqual([]);
    }
  });

  it('does not flag bursty office-hours browsing', () => {
    const next = lcg(22);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const times: number[] = [];
    for (let day = 0; day < 5; day++) {
      let t = START + day * 86_400 + 8 * 3600;
      while (t < START + day * 86_400 + 18 * 3600) {
        const burst = 1 + Math.floor(next() * 8);
        for (let i = 0; i < burst; i++) times.push(t + i * 0.3 * next());
        t += 30 * Math.exp(1.3 * gaussian()) + (next() < 0.05 ? 2400 * next() : 0);
      }
    }
    const r = analyzePeriodicity(times);
    expect(r.periodic).toBe(false);
    expect(r.p_value).toBeGreaterThan(0.01);
  });

  it('answers too-small inputs without a p-value', () => {
    const r = analyzePeriodicity([START, START + 60, START + 120, Number.NaN]);
    expect(r).toMatchObject({ periodic: false, period_s: null, p_value: null, score: 0 });
    expect(r.explanation).toContain('Too few distinct events (3)');
  });
});

describe('determinism and statistics', () => {
  it('gives identical results for the same input in any order', () => {
    const next = lcg(31);
    const times = beacon(300, 86_400, () => 0.6 + 0.8 * next());
    const shuffled = [...times].sort(() => 0).reverse();
    expect(analyzePeriodicity(shuffled)).toEqual(analyzePeriodicity(times));
  });

  it('computes exact binomial tails', () => {
    // P(X ≥ 9) for Binomial(10, 0.5) = 11 / 1024.
    expect(Math.exp(logBinomialUpperTail(9, 10, 0.5))).toBeCloseTo(11 / 1024, 12);
    expect(logBinomialUpperTail(3, 10, 0.5)).toBe(0);
    expect(logBinomialUpperTail(1000, 1000, 0.5)).toBeCloseTo(1000 * Math.log(0.5), 6);
  });

  it('bounds every comb null ratio by a probability above the tooth share of a uniform stream', () => {
    for (const shape of COMB_SHAPES) {
      const teeth = shape.toothHalfWidths.reduce((sum, h) => sum + 2 * h, 0);
      expect(shape.nullRatio).toBeGreaterThanOrEqual(teeth / (shape.upper - shape.lower) - 1e-12);
      expect(shape.nullRatio).toBeLessThan(0.6);
    }
  });
});

describe('times kept in whole seconds (VPC Flow Logs, firewall syslog, most CSV exports)', () => {
  it('never reads times cut to whole seconds as more regular than the exact times', () => {
    // Transfers one after another (gaps of 2–6 s, as an upload tool's chunks) and random streams: cut to the second,
    // their gaps fall on a lattice whose points sit inside or outside a comb's teeth by chance, which could raise the
    // evidence above what the exact times show (a VPC export of Zeek's upload burst read as a 3.7 s beacon).
    const streams: number[][] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const next = lcg(seed);
      const times: number[] = [];
      for (let t = START + next(); times.length < 44; t += 2 + 4 * next()) times.push(t);
      streams.push(times);
    }
    for (const [seed, meanGap] of [[41, 3], [42, 4], [43, 6], [44, 8]]) streams.push(poisson(meanGap, 400 * meanGap, lcg(seed)));
    streams.forEach((times, i) => {
      const exact = analyzePeriodicity(times);
      const cut = analyzePeriodicity(times.map(Math.floor));
      expect(cut.score, `stream ${i}: ${cut.explanation}`).toBeLessThanOrEqual(exact.score);
    });
  });

  it('still finds a beacon in whole-second times, and says it allowed for them', () => {
    const next = lcg(45);
    const times = beacon(30, 6 * 3600, () => 0.9 + 0.2 * next()).map(Math.floor);
    const r = analyzePeriodicity(times);
    expect(r.periodic).toBe(true);
    expect(within(r.period_s, 30)).toBe(true);
    expect(r.p_value).toBeLessThan(1e-12);
    expect(r.explanation).toMatch(/allowing for times kept in whole seconds/);
    expect(analyzePeriodicity(times.map((t) => t + 0.25)).explanation).not.toMatch(/whole seconds/);
  });

  it('still finds a scheduler that fires on the minute: whole minutes are not taken for a minute clock', () => {
    const r = analyzePeriodicity(beacon(300, 86_400, () => 1));
    expect(r.periodic).toBe(true);
    expect(r.p_value).toBeLessThan(1e-50);
    expect(r.score).toBe(1);
  });

  it('bounds the null ratio higher the coarser the clock is against the period, up to 1', () => {
    for (const shape of COMB_SHAPES) {
      expect(nullRatioAt(shape, 300, 0)).toBe(shape.nullRatio);
      const ratios = [0.001, 0.01, 0.05, 0.2, 1].map((tick) => nullRatioAt(shape, 1, tick));
      expect(ratios[0]).toBeGreaterThanOrEqual(shape.nullRatio);
      for (let i = 1; i < ratios.length; i++) expect(ratios[i]).toBeGreaterThanOrEqual(ratios[i - 1]);
      expect(ratios[ratios.length - 1]).toBe(1);
    }
  });
});
