/**
 * The interval-comb test: are the gaps between check-ins piled up on a period T (and on 2T, 3T… when
 * check-ins go missing) more than any random stream could pile them?
 *
 * Gaps are taken between consecutive events. A comb shape, in units of T, has teeth k·T ± h_k·T and a
 * region [lower·T, upper·T] around them; the gaps between the teeth are the side bands. For a Poisson
 * stream of ANY rate λ the gaps are i.i.d. exponential, so, given how many gaps fall in the region, the
 * number on the teeth is Binomial(region count, q(λ)). We take the least favourable rate,
 * q* = max over λ of q(λ), which makes the test free of the rate: it needs no rate estimate, so night
 * gaps, weekends and bursty sessions (burstier than Poisson, hence flatter locally) cannot fake it.
 */
import { logBinomialUpperTail } from './binomial.ts';

/** A comb in units of the period: teeth k ± toothHalfWidths[k-1], counted inside [lower, upper]. */
export interface CombShape {
  /** Relative half-width of the first tooth: the jitter this shape tolerates. */
  readonly tolerance: number;
  readonly toothHalfWidths: readonly number[];
  readonly lower: number;
  readonly upper: number;
  /** Largest chance, over all Poisson rates, that a gap inside the region lands on a tooth. */
  readonly nullRatio: number;
}

/** Teeth widen like √k because k missed sleeps add k independent jitters; wider teeth stop paying off. */
const MAX_COMB_HALF_WIDTH = 0.3;
const MAX_TEETH = 10;
/** The band below the first tooth reaches down to (1 − h)/LOWER_BAND_RATIO; above a single tooth, up to (1 + h)·2. */
const LOWER_BAND_RATIO = 2;
const UPPER_BAND_RATIO = 2;

function buildShape(tolerance: number): CombShape {
  const widths: number[] = [tolerance];
  for (let k = 2; k <= MAX_TEETH && tolerance * Math.sqrt(k) <= MAX_COMB_HALF_WIDTH; k++) {
    widths.push(tolerance * Math.sqrt(k));
  }
  const lower = (1 - tolerance) / LOWER_BAND_RATIO;
  const upper = widths.length === 1 ? (1 + tolerance) * UPPER_BAND_RATIO : widths.length + 0.5;
  return { tolerance, toothHalfWidths: widths, lower, upper, nullRatio: worstCaseRatio(widths, lower, upper) };
}

/**
 * max over x = λT of P(gap on a tooth | gap in region) for exponential gaps, including the uniform limit x → 0.
 * `blur` (in units of T) is how far a gap read off a coarse clock can be from the true one: a tooth then catches
 * true gaps up to `blur` beyond it on each side, and the region holds for sure only those `blur` inside it, so the
 * ratio is bounded from above (1 when the blur swallows the region).
 */
function worstCaseRatio(widths: readonly number[], lower: number, upper: number, blur = 0): number {
  const teeth = widths.map((h, index) => [Math.max(0, index + 1 - h - blur), index + 1 + h + blur] as const);
  const [from, to] = [lower + blur, upper - blur];
  if (to <= from) return 1;
  let best = teeth.reduce((sum, [a, b]) => sum + b - a, 0) / (to - from);
  for (let i = 0; i <= 400 && best < 1; i++) {
    const x = 1e-3 * Math.pow(10, i / 80); // 0.001 … 100
    let onTeeth = 0;
    for (const [a, b] of teeth) onTeeth += Math.exp(-x * a) - Math.exp(-x * b);
    const inRegion = Math.exp(-x * from) - Math.exp(-x * to);
    if (inRegion > 1e-300) best = Math.max(best, onTeeth / inRegion);
  }
  return Math.min(1, best);
}

/** Jitter tolerances tried, from clock-precise schedulers to Empire/PoshC2 sleeps at ±50 %. */
export const COMB_SHAPES: readonly CombShape[] = [0.04, 0.1, 0.2, 0.35, 0.5].map(buildShape);

/** Candidate periods are spaced by half a tooth, so a true period is always within a quarter tooth of one. */
export function gridRatio(shape: CombShape): number {
  return 1 + shape.tolerance / 2;
}

/** How many (shape, period) hypotheses a search over [minPeriod, maxPeriod] tests: the Bonferroni factor. */
export function hypothesisCount(minPeriod: number, maxPeriod: number): number {
  if (!(maxPeriod >= minPeriod)) return 0;
  let count = 0;
  for (const shape of COMB_SHAPES) {
    count += Math.floor(Math.log(maxPeriod / minPeriod) / Math.log(gridRatio(shape))) + 1;
  }
  return count;
}

/** Number of sorted values in [low, high]. */
function countBetween(sorted: Float64Array, low: number, high: number): number {
  return lowerBound(sorted, high, true) - lowerBound(sorted, low, false);
}

/** First index whose value is ≥ x (or > x when `strict`). */
export function lowerBound(sorted: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x || (strict && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Blurs are rounded up to steps of 2^(1/16) (4.4 %), so the ratios of a few dozen steps are computed once. */
const BLUR_STEPS_PER_DOUBLING = 16;
const blurredRatios = new Map<string, number>();

/**
 * The null ratio of `shape` at `period` for gaps between times read off a clock that ticks every `resolution`
 * seconds: a gap so read is within one tick of the true gap, so the comb cannot claim more precision than that.
 */
export function nullRatioAt(shape: CombShape, period: number, resolution: number): number {
  if (!(resolution > 0)) return shape.nullRatio;
  const step = Math.ceil(Math.log2(resolution / period) * BLUR_STEPS_PER_DOUBLING);
  const key = `${shape.tolerance} ${step}`;
  let ratio = blurredRatios.get(key);
  if (ratio === undefined) {
    ratio = worstCaseRatio(shape.toothHalfWidths, shape.lower, shape.upper, 2 ** (step / BLUR_STEPS_PER_DOUBLING));
    blurredRatios.set(key, ratio);
  }
  return ratio;
}

/** The outcome of one comb at one period. */
export interface CombFit {
  readonly shape: CombShape;
  readonly period: number;
  /** Gaps on a tooth. */
  readonly hits: number;
  /** Gaps inside the comb's region (teeth plus side bands). */
  readonly inRegion: number;
  /** Largest chance that a random stream's gap in the region lands on a tooth (the clock's resolution included). */
  readonly nullRatio: number;
  /** Natural log of the single-hypothesis p-value. */
  readonly logP: number;
}

/** Scores one comb at one period against the sorted gaps, read off a clock of `resolution` seconds (0: exact). */
export function fitComb(sortedGaps: Float64Array, shape: CombShape, period: number, resolution = 0): CombFit {
  const inRegion = countBetween(sortedGaps, shape.lower * period, shape.upper * period);
  let hits = 0;
  shape.toothHalfWidths.forEach((h, index) => {
    const k = index + 1;
    hits += countBetween(sortedGaps, (k - h) * period, (k + h) * period);
  });
  const nullRatio = nullRatioAt(shape, period, resolution);
  return { shape, period, hits, inRegion, nullRatio, logP: logBinomialUpperTail(hits, inRegion, nullRatio) };
}

/**
 * Re-centres the comb on the gaps it caught: period = Σ gap / Σ k over gaps on a tooth, which uses the
 * 2T, 3T… gaps left by missed check-ins too. Stops when the estimate settles.
 */
export function refinePeriod(sortedGaps: Float64Array, shape: CombShape, period: number): number {
  let current = period;
  for (let round = 0; round < 30; round++) {
    let gapSum = 0;
    let cycleSum = 0;
    shape.toothHalfWidths.forEach((h, index) => {
      const k = index + 1;
      const from = lowerBound(sortedGaps, (k - h) * current, false);
      const to = lowerBound(sortedGaps, (k + h) * current, true);
      for (let i = from; i < to; i++) gapSum += sortedGaps[i];
      cycleSum += k * (to - from);
    });
    if (cycleSum === 0) return current;
    const next = gapSum / cycleSum;
    if (Math.abs(next - current) <= 1e-6 * current) return next;
    current = next;
  }
  return current;
}
