/**
 * RITA v5 beacon score, re-implemented for comparison only (from RITA v5's published scoring and documented
 * defaults). Per pair over the analysed day:
 * ¼ timestamp regularity + ¼ data-size regularity + ¼ hourly-histogram shape + ¼ duration.
 * - timestamps and data sizes: mean of (1 − |Bowley skew|) and (median − MAD) / median, on whole seconds;
 * - histogram: 24 equal bins over the dataset, max of (1 − coefficient of variation) and a bimodal fit;
 * - duration: once ≥ 6 bins are hit, max of time coverage and longest run of hit bins / 12.
 * Scores are rounded to 3 decimals, as RITA does. No p-value: RITA has none.
 */

/** One connection as RITA sees it: start time (epoch seconds) and total bytes both ways. */
export interface RitaConnection {
  time: number;
  bytes: number;
}

export interface RitaBeaconScore {
  score: number;
  timestampScore: number;
  dataSizeScore: number;
  histogramScore: number;
  durationScore: number;
}

/** RITA v5 defaults (`default_config.hjson`, scoring.beacon). */
export const RITA_DEFAULTS = {
  uniqueConnectionThreshold: 4,
  weights: { timestamp: 0.25, dataSize: 0.25, duration: 0.25, histogram: 0.25 },
  durationMinHoursSeen: 6,
  durationConsistencyIdealHoursSeen: 12,
  histogramModeSensitivity: 0.05,
  histogramBimodalOutlierRemoval: 1,
  histogramBimodalMinHoursSeen: 11,
  histogramBins: 24,
  /** score_thresholds base / low / medium / high, as fractions. */
  thresholds: { base: 0.5, low: 0.7, medium: 0.9, high: 1 },
} as const;

/** The score at which this benchmark counts RITA as flagging a beacon: its "low" threat threshold. */
export const RITA_FLAG_THRESHOLD = RITA_DEFAULTS.thresholds.low;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Quartiles the way RITA's statistics library takes them: medians of the lower and upper halves. */
function quartiles(sorted: readonly number[]): [number, number, number] {
  const n = sorted.length;
  const half = n >> 1;
  const upperStart = n % 2 ? half + 1 : half;
  return [median(sorted.slice(0, half)), median(sorted), median(sorted.slice(upperStart))];
}

/** 1 − |Bowley skew|; the skew counts only when Q3 − Q1 ≥ 10 and the median differs from both quartiles. */
function skewScore(sorted: readonly number[]): number {
  const [q1, q2, q3] = quartiles(sorted);
  const spread = q3 - q1;
  const skew = spread >= 10 && q2 !== q1 && q2 !== q3 ? (q1 + q3 - 2 * q2) / spread : 0;
  return 1 - Math.abs(skew);
}

/** (median − MAD) / median, or `fallback` when the median is below 1; never negative. */
function madScore(sorted: readonly number[], fallback: number): number {
  const mid = median(sorted);
  const deviations = sorted.map((x) => Math.abs(x - mid)).sort((a, b) => a - b);
  const mad = median(deviations);
  const score = mid >= 1 ? (mid - mad) / mid : fallback;
  return Number.isNaN(score) || score < 0 ? 0 : score;
}

function statisticalScore(sorted: readonly number[], madFallback: number): number {
  return round3((skewScore(sorted) + madScore(sorted, madFallback)) / 2);
}

/** Hourly (1/24 of the dataset) connection counts, their number of non-empty bins and longest cyclic run. */
function histogram(times: readonly number[], start: number, end: number, bins: number) {
  const counts = new Array<number>(bins).fill(0);
  const step = (end - start) / bins;
  for (const t of times) counts[Math.min(bins - 1, Math.max(0, Math.floor((t - start) / step)))]++;
  let totalBars = 0;
  let longestRun = 0;
  let run = 0;
  for (let i = 0; i < 2 * bins; i++) {
    if (counts[i % bins] > 0) {
      run++;
    } else {
      longestRun = Math.max(longestRun, run);
      run = 0;
    }
  }
  longestRun = Math.min(bins, Math.max(longestRun, run));
  for (const c of counts) if (c > 0) totalBars++;
  return { counts, totalBars, longestRun };
}

function coefficientOfVariationScore(counts: readonly number[]): number {
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const sd = Math.sqrt(counts.reduce((a, c) => a + (c - mean) ** 2, 0) / counts.length);
  const cv = sd / Math.abs(mean);
  return cv > 1 ? 0 : Math.min(1, round3(1 - cv));
}

/** Share of non-empty bins whose heights fall in the two most common height classes (5 % of the max wide). */
function bimodalFitScore(counts: readonly number[], totalBars: number): number {
  if (totalBars < RITA_DEFAULTS.histogramBimodalMinHoursSeen) return 0;
  const largest = Math.max(...counts);
  const classWidth = Math.ceil(largest * RITA_DEFAULTS.histogramModeSensitivity);
  const classes = new Map<number, number>();
  for (const c of counts) {
    if (c > 0) {
      const key = Math.floor(c / classWidth) * classWidth;
      classes.set(key, (classes.get(key) ?? 0) + 1);
    }
  }
  const sizes = [...classes.values()].sort((a, b) => b - a);
  const fit = ((sizes[0] ?? 0) + (sizes[1] ?? 0)) / Math.max(totalBars - RITA_DEFAULTS.histogramBimodalOutlierRemoval, 1);
  return Math.min(1, round3(fit));
}

/**
 * RITA v5 beacon score for one pair over the dataset [datasetStart, datasetEnd] (epoch seconds), or null
 * when RITA would not analyse it (fewer than 4 distinct seconds, or fewer than 3 non-zero gaps).
 */
export function ritaBeaconScore(connections: readonly RitaConnection[], datasetStart: number, datasetEnd: number): RitaBeaconScore | null {
  const seconds = connections.map((c) => Math.floor(c.time)).sort((a, b) => a - b);
  if (new Set(seconds).size < RITA_DEFAULTS.uniqueConnectionThreshold) return null;
  const gaps: number[] = [];
  for (let i = 1; i < seconds.length; i++) if (seconds[i] > seconds[i - 1]) gaps.push(seconds[i] - seconds[i - 1]);
  if (gaps.length < 3) return null;
  gaps.sort((a, b) => a - b);
  const sizes = connections.map((c) => c.bytes).sort((a, b) => a - b);

  const timestampScore = statisticalScore(gaps, 1);
  const dataSizeScore = statisticalScore(sizes, 0);
  const start = Math.floor(datasetStart);
  const end = Math.floor(datasetEnd);
  const hist = histogram(seconds, start, end, RITA_DEFAULTS.histogramBins);
  const histogramScore = Math.max(coefficientOfVariationScore(hist.counts), bimodalFitScore(hist.counts, hist.totalBars));
  let durationScore = 0;
  if (hist.totalBars >= RITA_DEFAULTS.durationMinHoursSeen) {
    const coverage = Math.min(1, Math.ceil(((seconds[seconds.length - 1] - seconds[0]) / (end - start)) * 1000) / 1000);
    const consistency = Math.min(1, Math.ceil((hist.longestRun / RITA_DEFAULTS.durationConsistencyIdealHoursSeen) * 1000) / 1000);
    durationScore = Math.max(coverage, consistency);
  }
  const w = RITA_DEFAULTS.weights;
  const score = round3(
    timestampScore * w.timestamp + dataSizeScore * w.dataSize + durationScore * w.duration + histogramScore * w.histogram,
  );
  return { score, timestampScore, dataSizeScore, histogramScore, durationScore };
}
