/**
 * Elastic "Network Beaconing Identification" package, re-implemented for comparison only (from its
 * published transform description in its integration package). Per host × process, every hour,
 * over the previous 6 h in 60 s buckets (360): a pair is beaconing when ANY of
 * - per-bucket mean source bytes, or destination bytes, vary by ≤ 5 % (coefficient of variation, values
 *   between the 10th and 80th percentile of non-empty buckets);
 * - bucket counts vary by ≤ 10 % (relative standard deviation) when over half the buckets are non-empty;
 * - bucket counts autocorrelate ≥ 0.7 at some period of 2 … span/6 buckets, averaged over the period's
 *   multiples, with the default jitter allowance of 0.
 * It needs ≥ 12 buckets between first and last event and ≥ 7 non-empty buckets.
 */

/** One network event: time (epoch seconds) and bytes each way. */
export interface ElasticEvent {
  time: number;
  sourceBytes: number;
  destinationBytes: number;
}

/** Transform parameters as shipped. */
export const ELASTIC_DEFAULTS = {
  bucketSeconds: 60,
  buckets: 360,
  maxBytesCov: 0.05,
  maxCountRv: 0.1,
  minAutocovariance: 0.7,
  minNotEmpty: 0.5,
  minPeriods: 6,
  truncateAt: [0.1, 0.8] as const,
} as const;

export interface ElasticWindowResult {
  isBeaconing: boolean;
  lowSourceBytesVariation: boolean;
  lowDestinationBytesVariation: boolean;
  lowCountVariation: boolean;
  periodic: boolean;
  /** Best autocorrelation period, in buckets (minutes). */
  periodBuckets: number | null;
}

const NOT_BEACONING: ElasticWindowResult = {
  isBeaconing: false,
  lowSourceBytesVariation: false,
  lowDestinationBytesVariation: false,
  lowCountVariation: false,
  periodic: false,
  periodBuckets: null,
};

/** The `percents` percentiles of the values that `skip` does not drop, by the package's rounding rule. */
function percentiles(percents: readonly number[], values: Float64Array, skip: (i: number) => boolean): number[] {
  const kept: number[] = [];
  values.forEach((v, i) => {
    if (!skip(i)) kept.push(v);
  });
  kept.sort((a, b) => a - b);
  const n = kept.length;
  return percents.map((p) => kept[Math.min(Math.trunc(p * n + 0.5), n - 1)]);
}

function meanAndVariance(values: Float64Array, from: number, to: number, skip: (i: number) => boolean): [number, number] {
  let sum = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    if (!skip(i)) {
      sum += values[i];
      n++;
    }
  }
  const mean = n > 0 ? sum / n : 0;
  let squares = 0;
  for (let i = from; i < to; i++) if (!skip(i)) squares += (values[i] - mean) ** 2;
  return [mean, n > 0 ? squares / n : 0];
}

/** Truncated coefficient-of-variation test over the non-empty buckets in [from, to). */
function lowVariation(values: Float64Array, from: number, to: number, limit: number): boolean {
  const [low, high] = percentiles(ELASTIC_DEFAULTS.truncateAt, values, (i) => values[i] === 0);
  const [mean, variance] = meanAndVariance(values, from, to, (i) => values[i] < low || values[i] > high);
  return Math.sqrt(variance) <= limit * Math.abs(mean);
}

/** Highest autocorrelation of bucket counts over candidate periods (with jitter allowance 0), and its period. */
function bestAutocorrelation(counts: Float64Array, a: number, b: number): { value: number; period: number } {
  const maxPeriod = Math.trunc((b - a) / ELASTIC_DEFAULTS.minPeriods);
  const size = maxPeriod - 1;
  const samples = new Float64Array(size);
  const correlation = new Float64Array(size);
  const xVar = new Float64Array(size);
  const yVar = new Float64Array(size);
  const xyCov = new Float64Array(size);
  for (let period = 2; period <= maxPeriod; period++) {
    const last = b - 2 * period;
    const blocks = Math.trunc((last + 1 - a) / period);
    const [mean] = meanAndVariance(counts, a + period, a + period * blocks, () => false);
    for (let i = a; i <= last; i += period) {
      let x = 0;
      let y = 0;
      let xy = 0;
      for (let j = i + period; j < i + 2 * period; j++) {
        x += (counts[j] - mean) ** 2;
        y += (counts[j - period] - mean) ** 2;
        xy += (counts[j - period] - mean) * (counts[j] - mean);
      }
      xVar[period - 2] += x;
      yVar[period - 2] += y;
      xyCov[period - 2] += xy;
      // Divisors of the period see the same block again: the package credits them too.
      for (let divisor = 2; divisor < Math.trunc(period / 2); divisor++) {
        if (period % divisor === 0) {
          xVar[divisor - 2] += x;
          yVar[divisor - 2] += y;
          xyCov[divisor - 2] += xy;
        }
      }
    }
    const z = Math.sqrt(xVar[period - 2] * yVar[period - 2]);
    samples[period - 2] += 1;
    correlation[period - 2] = z === 0 ? 1 : xyCov[period - 2] / z;
    for (let divisor = 2; divisor < Math.trunc(period / 2); divisor++) {
      if (period % divisor === 0) {
        const n = samples[divisor - 2] + 1;
        const zDivisor = Math.sqrt(xVar[divisor - 2] * yVar[divisor - 2]);
        const value = zDivisor === 0 ? 1 : xyCov[divisor - 2] / zDivisor;
        samples[divisor - 2] += 1;
        correlation[divisor - 2] = ((n - 1) * correlation[divisor - 2] + value) / n;
      }
    }
  }
  let best = 0;
  for (let i = 1; i < size; i++) if (correlation[i] > correlation[best]) best = i;
  return { value: size > 0 ? correlation[best] : 0, period: best + 2 };
}

/** One transform run: the 6 h window ending at `windowEnd` (epoch seconds). */
export function elasticBeaconingWindow(events: readonly ElasticEvent[], windowEnd: number): ElasticWindowResult {
  const { buckets, bucketSeconds, minPeriods } = ELASTIC_DEFAULTS;
  const counts = new Float64Array(buckets);
  const sourceBytes = new Float64Array(buckets);
  const destinationBytes = new Float64Array(buckets);
  for (const e of events) {
    const bucket = Math.floor((windowEnd - e.time) / bucketSeconds);
    if (bucket >= 0 && bucket < buckets) {
      counts[bucket]++;
      sourceBytes[bucket] += e.sourceBytes;
      destinationBytes[bucket] += e.destinationBytes;
    }
  }
  for (let i = 0; i < buckets; i++) {
    if (counts[i] > 0) {
      sourceBytes[i] /= counts[i];
      destinationBytes[i] /= counts[i];
    }
  }
  let a = 0;
  while (a < buckets && counts[a] === 0) a++;
  let b = buckets;
  while (b > 0 && counts[b - 1] === 0) b--;
  const nonEmpty = (values: Float64Array) => {
    let n = 0;
    for (let i = a; i < b; i++) if (values[i] !== 0) n++;
    return n;
  };
  const notEmpty = nonEmpty(counts);
  if (b - a < 2 * minPeriods || notEmpty < minPeriods + 1) return NOT_BEACONING;

  const lowSourceBytesVariation = nonEmpty(sourceBytes) > minPeriods && lowVariation(sourceBytes, a, b, ELASTIC_DEFAULTS.maxBytesCov);
  const lowDestinationBytesVariation =
    nonEmpty(destinationBytes) > minPeriods && lowVariation(destinationBytes, a, b, ELASTIC_DEFAULTS.maxBytesCov);
  const lowCountVariation =
    notEmpty > Math.trunc(ELASTIC_DEFAULTS.minNotEmpty * (b - a)) && lowVariation(counts, a, b, ELASTIC_DEFAULTS.maxCountRv);
  const autocorrelation = bestAutocorrelation(counts, a, b);
  const periodic = autocorrelation.value >= ELASTIC_DEFAULTS.minAutocovariance;
  return {
    isBeaconing: lowSourceBytesVariation || lowDestinationBytesVariation || lowCountVariation || periodic,
    lowSourceBytesVariation,
    lowDestinationBytesVariation,
    lowCountVariation,
    periodic,
    periodBuckets: periodic ? autocorrelation.period : null,
  };
}

/**
 * The transform as deployed: it runs every hour over the previous 6 h. True when any run in
 * [start + 6 h, end] flags the events.
 */
export function elasticBeaconingHourly(events: readonly ElasticEvent[], start: number, end: number): boolean {
  const sorted = [...events].sort((x, y) => x.time - y.time);
  const span = ELASTIC_DEFAULTS.buckets * ELASTIC_DEFAULTS.bucketSeconds;
  // Always at least one run, even when the stream is shorter than a window.
  for (let windowEnd = end; ; windowEnd -= 3600) {
    const inWindow = sorted.filter((e) => e.time >= windowEnd - span && e.time < windowEnd);
    if (elasticBeaconingWindow(inWindow, windowEnd).isBeaconing) return true;
    if (windowEnd - 3600 < start + span) return false;
  }
}
