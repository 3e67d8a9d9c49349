/**
 * Beacon timing analysis for one (source, destination) pair: is the stream of event times periodic, at
 * which period(s), with how much jitter, and how sure are we?
 *
 * Method ("interval comb", see comb.ts): after merging bursts, test the gaps between consecutive events
 * against a comb of teeth at T, 2T, 3T… for a grid of periods and five jitter tolerances (±4 % … ±50 %).
 * The null model is a Poisson stream at the least favourable rate, which gives an exact binomial p-value
 * per hypothesis; the reported p-value is Bonferroni-corrected over every hypothesis tried. The best comb
 * is re-centred on the gaps it caught; its check-ins are then peeled off (chain.ts) and the rest is
 * tested again, so a second implant on the same pair shows up as a second period.
 *
 * Why gaps and not a periodogram or phase test: implants sleep T·(1 ± j) after each check-in, a renewal
 * process whose phase drifts by ~j·√n after n sleeps, so spectral peaks and phase coherence melt away at
 * the ±25–50 % jitter real frameworks use, while the gap distribution stays as sharp as the jitter itself.
 * Gaps also shrug off night and weekend pauses (one long gap each) and missed check-ins (the 2T, 3T teeth).
 * The test is analytic, so no random permutations are needed and the result is a pure function of the input.
 */
import { COMB_SHAPES, fitComb, gridRatio, hypothesisCount, refinePeriod, type CombFit } from './comb.ts';
import { traceChains, type ChainHop } from './chain.ts';

/** Tunables; every field has a default. */
export interface PeriodicityOptions {
  /** Events closer than this (seconds) to the previous kept event are one burst, counted once. */
  burstWindowS: number;
  /** Shortest period searched (seconds). */
  minPeriodS: number;
  /** Longest period searched (seconds); also capped at span / minCycles. */
  maxPeriodS: number;
  /** A period needs at least this many gaps on its teeth. */
  minCycles: number;
  /** Family-wise significance level for calling a stream periodic. */
  alpha: number;
  /** At most this many periods are reported (the primary and the others). */
  maxPeriods: number;
  /** Only the latest this many events are analysed, to bound the work. */
  maxEvents: number;
}

/** What the analysis concluded, in the shape the findings export uses. */
export interface PeriodicityResult {
  periodic: boolean;
  /** Typical time between check-ins (seconds), null when nothing could be tested. */
  period_s: number | null;
  /** Half-width of the central 90 % of check-in sleeps, relative to the period (0..1). */
  jitter: number | null;
  /** Bonferroni-corrected p-value of the primary period against a random stream; null when untestable. */
  p_value: number | null;
  /** Further significant periods on the same pair (e.g. a second implant), in seconds. */
  other_periods_s: number[];
  /** 0..1, grows with the evidence (−log10 p-value, 1 at p ≤ 1e-12). */
  score: number;
  method: string;
  /** One sentence with the numbers. */
  explanation: string;
}

export const DEFAULT_PERIODICITY_OPTIONS: Readonly<PeriodicityOptions> = {
  burstWindowS: 1,
  minPeriodS: 5,
  maxPeriodS: 7 * 86_400,
  minCycles: 4,
  alpha: 0.01,
  maxPeriods: 3,
  maxEvents: 20_000,
};

export const PERIODICITY_METHOD = 'interval-comb/1';


/** The strongest period found in one stream, with its corrected p-value. */
interface PeriodFinding {
  readonly fit: CombFit;
  /** Mean sleep along the traced chains (falls back to the comb's centre). */
  readonly period: number;
  readonly jitter: number;
  readonly hypotheses: number;
  readonly logPAdjusted: number;
}

/**
 * A multiple of the best period replaces it when it still catches this share of the gaps and keeps at
 * least this share of the evidence (log p-value): then it is the fundamental.
 */
const HARMONIC_KEEP_SHARE = 0.9;
const HARMONIC_KEEP_EVIDENCE = 0.5;

/**
 * Tests event times (epoch seconds, any order, sub-second kept) for beacon-like periodicity against a
 * random stream of the same rate, reporting every significant period.
 */
export function analyzePeriodicity(times: readonly number[], options?: Partial<PeriodicityOptions>): PeriodicityResult {
  const opts = { ...DEFAULT_PERIODICITY_OPTIONS, ...options };
  const sorted = sortedFinite(times, opts.maxEvents);
  const resolution = clockResolution(sorted);
  const events = mergeBursts(sorted, opts.burstWindowS);
  const needed = opts.minCycles + 2;
  if (events.length < needed) {
    return {
      periodic: false,
      period_s: null,
      jitter: null,
      p_value: null,
      other_periods_s: [],
      score: 0,
      method: PERIODICITY_METHOD,
      explanation: `Too few distinct events (${events.length}) to test for periodicity; at least ${needed} are needed.`,
    };
  }

  const primary = strongestPeriod(events, resolution, opts);
  if (!primary) {
    return {
      periodic: false,
      period_s: null,
      jitter: null,
      p_value: null,
      other_periods_s: [],
      score: 0,
      method: PERIODICITY_METHOD,
      explanation: `The ${events.length} events span too little time to hold ${opts.minCycles} cycles of any period of ${opts.minPeriodS} s or more.`,
    };
  }
  const logAlpha = Math.log(opts.alpha);
  const periodic = primary.logPAdjusted <= logAlpha;
  const others: PeriodFinding[] = [];
  if (periodic) {
    let remaining = events;
    let current = primary;
    while (others.length + 1 < opts.maxPeriods) {
      remaining = traceChains(remaining, current.period, current.fit.shape).unclaimed;
      if (remaining.length < needed) break;
      const next = strongestPeriod(remaining, resolution, opts);
      if (!next || next.logPAdjusted > logAlpha) break;
      others.push(next);
      current = next;
    }
  }
  // Below ~1e-300 the exact value no longer matters; keep it positive so it reads as a p-value.
  const pValue = Math.max(Math.exp(primary.logPAdjusted), 1e-300);
  return {
    periodic,
    period_s: roundPeriod(primary.period),
    jitter: round(primary.jitter, 3),
    p_value: pValue,
    other_periods_s: others.map((o) => roundPeriod(o.period)),
    score: round(Math.min(1, Math.max(0, -primary.logPAdjusted / Math.LN10 / 12)), 3),
    method: PERIODICITY_METHOD,
    explanation: explain(primary, periodic, others, events.length, resolution),
  };
}

/** Sorted finite times, keeping the latest `maxEvents`. */
function sortedFinite(times: readonly number[], maxEvents: number): Float64Array {
  const finite = Float64Array.from(times.filter((t) => Number.isFinite(t))).sort();
  return finite.length > maxEvents ? finite.subarray(finite.length - maxEvents) : finite;
}

/**
 * The tick of the clock the times were read off: 1 s when every time is a whole second (VPC Flow Logs, firewall
 * syslog and most CSV exports keep whole seconds), else 0 (fine enough not to matter). Gaps between such times
 * are each up to a second off the truth, so the test allows for that (comb.ts, nullRatioAt). Whole minutes are not
 * taken for a coarser clock: a scheduler that fires on the minute, logged to the second, looks the same.
 */
function clockResolution(sorted: Float64Array): number {
  return sorted.length > 0 && sorted.every((t) => Number.isInteger(t)) ? 1 : 0;
}

/** Keeps an event only if it comes more than `window` seconds after the previous kept one. */
function mergeBursts(sorted: Float64Array, window: number): Float64Array {
  const kept: number[] = [];
  for (const t of sorted) {
    if (kept.length === 0 || t - kept[kept.length - 1] > window) kept.push(t);
  }
  return Float64Array.from(kept);
}

/** Searches every comb shape over the period grid; returns the best fit, refined, with its corrected p-value. */
function strongestPeriod(events: Float64Array, resolution: number, opts: PeriodicityOptions): PeriodFinding | null {
  const span = events[events.length - 1] - events[0];
  const minPeriod = opts.minPeriodS;
  const maxPeriod = Math.min(opts.maxPeriodS, span / opts.minCycles);
  const hypotheses = hypothesisCount(minPeriod, maxPeriod);
  if (hypotheses === 0) return null;
  const gaps = new Float64Array(events.length - 1);
  for (let i = 1; i < events.length; i++) gaps[i - 1] = events[i] - events[i - 1];
  gaps.sort();

  let best: CombFit | null = null;
  for (const shape of COMB_SHAPES) {
    const ratio = gridRatio(shape);
    for (let period = minPeriod; period <= maxPeriod * (1 + 1e-9); period *= ratio) {
      const fit = fitComb(gaps, shape, period, resolution);
      if (fit.hits >= opts.minCycles && isBetter(fit, best)) best = fit;
    }
  }
  if (!best) best = fitComb(gaps, COMB_SHAPES[0], minPeriod, resolution);
  const fit = fundamental(gaps, refined(gaps, best, resolution, opts.minCycles), resolution, opts.minCycles);
  const logPAdjusted = Math.min(0, fit.logP + Math.log(hypotheses));
  return { fit, hypotheses, logPAdjusted, ...chainEstimate(events, fit) };
}

/** The comb re-centred on the gaps it caught, unless that makes it worse. */
function refined(gaps: Float64Array, fit: CombFit, resolution: number, minCycles: number): CombFit {
  const candidate = fitComb(gaps, fit.shape, refinePeriod(gaps, fit.shape, fit.period), resolution);
  return candidate.hits >= minCycles && candidate.logP <= fit.logP ? candidate : fit;
}

/**
 * A comb at T/m also catches every gap of T (on its m-th tooth), so the search can land on a fraction of
 * the true period. Take the largest multiple that still catches nearly all the same gaps.
 */
function fundamental(gaps: Float64Array, fit: CombFit, resolution: number, minCycles: number): CombFit {
  for (let m = fit.shape.toothHalfWidths.length; m >= 2; m--) {
    const multiple = refined(gaps, fitComb(gaps, fit.shape, fit.period * m, resolution), resolution, minCycles);
    const keepsGaps = multiple.hits >= HARMONIC_KEEP_SHARE * fit.hits && multiple.hits >= minCycles;
    if (keepsGaps && multiple.logP <= HARMONIC_KEEP_EVIDENCE * fit.logP) return multiple;
  }
  return fit;
}

/** Lower p-value wins; on a tie the shorter period. */
function isBetter(candidate: CombFit, incumbent: CombFit | null): boolean {
  if (!incumbent) return true;
  if (candidate.logP !== incumbent.logP) return candidate.logP < incumbent.logP;
  return candidate.period < incumbent.period;
}

/** Late side of each tooth widened by a quarter while estimating, so a period still short of the truth settles upwards. */
const ESTIMATE_LATE_SLACK = 1.25;

/**
 * Period and jitter from the chains of check-ins rather than from raw gaps, which extra requests split:
 * period = Σ hop length / Σ sleeps per hop, re-traced at the corrected period;
 * jitter = half-width of the central 90 % of single-sleep lengths (k-sleep hops scaled back by √k).
 */
function chainEstimate(events: Float64Array, fit: CombFit): { period: number; jitter: number } {
  let period = fit.period;
  let hops: ChainHop[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const traced = traceChains(events, period, fit.shape, ESTIMATE_LATE_SLACK).hops;
    if (traced.length < 2) break;
    hops = traced;
    period = hops.reduce((sum, hop) => sum + hop.length, 0) / hops.reduce((sum, hop) => sum + hop.cycles, 0);
  }
  if (hops.length < 2) return { period, jitter: 0 };
  const sleeps = Float64Array.from(hops, (hop) => period + (hop.length - hop.cycles * period) / Math.sqrt(hop.cycles)).sort();
  const at = (q: number) => sleeps[Math.min(sleeps.length - 1, Math.floor(q * (sleeps.length - 1) + 0.5))];
  return { period, jitter: Math.min(1, Math.max(0, (at(0.95) - at(0.05)) / 2 / period)) };
}

function explain(primary: PeriodFinding, periodic: boolean, others: readonly PeriodFinding[], events: number, resolution: number): string {
  const { fit } = primary;
  const period = formatSeconds(primary.period);
  const share = `${fit.hits} of ${fit.inRegion} gaps near it (${percent(fit.hits / Math.max(1, fit.inRegion))})`;
  const clock = resolution > 0 ? ', allowing for times kept in whole seconds' : '';
  const expected = `${percent(fit.nullRatio)} expected from a random stream${clock}`;
  const p = `p ${formatLogP(primary.logPAdjusted)} over ${primary.hypotheses} candidate periods`;
  if (!periodic) {
    return `Not periodic: across ${events} events the best candidate, ${period}, holds ${share} against ${expected} (${p}).`;
  }
  const more =
    others.length > 0 ? `; also periodic at ${others.map((o) => formatSeconds(o.period)).join(', ')}` : '';
  return `Periodic every ${period} ± ${percent(primary.jitter)}: ${share} sit on multiples of the period against ${expected} (${p})${more}.`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds.toPrecision(3)} s`;
  if (seconds < 7200) return `${(seconds / 60).toPrecision(3)} min`;
  return `${(seconds / 3600).toPrecision(3)} h`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

/** "= 0.042", "= 3.1e-17", or "< 1e-300" — from the natural log, so tiny values do not print as 0. */
function formatLogP(logP: number): string {
  if (logP >= Math.log(0.001)) return `= ${Math.exp(logP).toPrecision(2)}`;
  const log10 = logP / Math.LN10;
  if (log10 < -300) return '< 1e-300';
  const exponent = Math.floor(log10);
  return `= ${(10 ** (log10 - exponent)).toFixed(1)}e${exponent}`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Periods keep four significant digits; sub-second periods stay sub-second. */
function roundPeriod(seconds: number): number {
  return Number(seconds.toPrecision(4));
}
