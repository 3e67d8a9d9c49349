/**
 * The data behind a finding's charts. Every query aggregates in SQL at the resolution the chart draws
 * (bins sized to its pixel width), so the browser never receives raw rows for a chart; raw and related
 * events come a page at a time. Spectral maths runs here on the few thousand bin counts SQL returns.
 */
import { EVENT_COLUMNS } from '../core/canonical.ts';
import { runQuery, type Query, type SqlEngine, type SqlParam } from '../engine/sql-engine.ts';
import type { Finding } from '../detection/detect.ts';
import { findingEventFilter, findingRows, findingSourceFilter, findingSourceRows, type FindingKey } from './finding-events.ts';
import { mulberry32 } from '../core/prng.ts';
import { TIME_BIN_LADDER_MS, binsForWidth, niceBinMs } from '../core/vocabulary.ts';

/** Epoch milliseconds; `endMs` is exclusive. */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** A time-binned query: bin `b` covers [startMs + b·binMs, startMs + (b+1)·binMs). */
export interface BinnedQuery extends Query {
  startMs: number;
  binMs: number;
}

/** A TIMESTAMP from epoch milliseconds bound as a parameter (DuckDB has no time zone involved here). */
const TS_PARAM = 'make_timestamp(CAST(? AS BIGINT))';
const toMicros = (ms: number) => Math.round(ms * 1000);

/** First and last event time over everything loaded (epoch ms; null when nothing is loaded). */
export function dataWindowQuery(): Query {
  return { sql: 'SELECT epoch_ms(min(ts)) AS start_ms, epoch_ms(max(ts)) AS end_ms FROM events', params: [] };
}

function binned(finding: FindingKey, range: TimeRange, widthPx: number, pxPerBin: number) {
  const binMs = niceBinMs(range.endMs - range.startMs, binsForWidth(widthPx, pxPerBin));
  const startMs = Math.floor(range.startMs / binMs) * binMs;
  return { binMs, startMs, rows: findingRows(finding), params: [toMicros(range.startMs), toMicros(range.endMs)] };
}

/** Event counts of the finding per time bin and event kind (rows: bin, kind, n). */
export function timelineQuery(finding: FindingKey, range: TimeRange, widthPx: number): BinnedQuery {
  const b = binned(finding, range, widthPx, 4);
  return {
    sql: `SELECT CAST(floor((epoch_ms(ts) - ?) / ?) AS BIGINT) AS bin, kind, count(*) AS n
FROM ${b.rows.table} WHERE ts >= ${TS_PARAM} AND ts < ${TS_PARAM}
GROUP BY ALL ORDER BY bin, kind`,
    params: [b.startMs, b.binMs, ...b.params],
    setup: b.rows.setup,
    startMs: b.startMs,
    binMs: b.binMs,
  };
}

/**
 * `own` (the finding's log records) and `once` (its events, one row each: ts, kind, bytes_out, bytes_in), as CTEs:
 * records deduplicated as rw_source_events() deduplicates them (the n-th record of a copy key, rw_copy_key, in one
 * file is the n-th in another, and the richest, rw_record_richness, speaks). Only the finding's rows are sorted.
 */
function findingEventsOnce(finding: FindingKey): Query {
  const rows = findingRows(finding);
  return {
    sql: `own AS (
  SELECT ts, kind, bytes_out, bytes_in, source_file, source_line,
    rw_record_richness(url_path, method, user_agent, bytes_out, bytes_in) AS richness,
    rw_copy_key(kind, '', coalesce(rw_dst_name(dst_host), dst_ip), process, ts) AS copy_key
  FROM ${rows.table}
), once AS (
  SELECT ts, kind, bytes_out, bytes_in FROM (
    SELECT *, row_number() OVER (PARTITION BY copy_key, source_file ORDER BY ts, source_line) AS nth FROM own)
  QUALIFY row_number() OVER (PARTITION BY copy_key, nth ORDER BY richness DESC, source_file, source_line) = 1
)`,
    params: [],
    setup: rows.setup,
  };
}

/**
 * Bytes out and in per time bin (rows: bin, bytes_out, bytes_in), counted as the finding's header counts them:
 * its events once however many copies of a log saw them, and where several log types saw the traffic, the type with
 * the most bytes over the whole finding speaks for every bin, so the bins add up to the header's total.
 */
export function bytesQuery(finding: FindingKey, range: TimeRange, widthPx: number): BinnedQuery {
  const binMs = niceBinMs(range.endMs - range.startMs, binsForWidth(widthPx, 4));
  const startMs = Math.floor(range.startMs / binMs) * binMs;
  const own = findingEventsOnce(finding);
  return {
    sql: `WITH ${own.sql}, speakers AS (
  SELECT arg_max(kind, (out, kind)) AS out_kind, arg_max(kind, (back, kind)) AS in_kind
  FROM (SELECT kind, coalesce(sum(bytes_out), -1) AS out, coalesce(sum(bytes_in), -1) AS back FROM once GROUP BY kind)
)
SELECT CAST(floor((epoch_ms(ts) - ?) / ?) AS BIGINT) AS bin,
  sum(bytes_out) FILTER (WHERE kind = out_kind) AS bytes_out, sum(bytes_in) FILTER (WHERE kind = in_kind) AS bytes_in
FROM once, speakers WHERE ts >= ${TS_PARAM} AND ts < ${TS_PARAM} AND (bytes_out IS NOT NULL OR bytes_in IS NOT NULL)
GROUP BY bin ORDER BY bin`,
    params: [startMs, binMs, toMicros(range.startMs), toMicros(range.endMs)],
    setup: own.setup,
    startMs,
    binMs,
  };
}

/** Gaps shorter than this are one burst (one request seen by several logs), not an interval. */
export const MIN_GAP_S = 1;

/**
 * Histogram of the time between consecutive events on a log scale (rows: bin, lo_s, hi_s, n). Bins are
 * equal in log10, aligned to decades, with more bins per decade on wider charts.
 */
export function intervalsQuery(finding: FindingKey, widthPx: number): Query & { binsPerDecade: number } {
  const rows = findingRows(finding);
  const binsPerDecade = Math.min(60, Math.max(12, Math.floor(widthPx / 12)));
  return {
    sql: `WITH times AS (
  SELECT DISTINCT epoch_ms(ts) / 1000.0 AS t FROM ${rows.table}
), gaps AS (
  SELECT t - lag(t) OVER (ORDER BY t) AS gap FROM times
), kept AS (
  SELECT gap FROM gaps WHERE gap >= ?
), bounds AS (
  SELECT floor(log10(min(gap))) AS lo FROM kept
), binned AS (
  SELECT CAST(floor((log10(gap) - lo) * ?) AS BIGINT) AS bin, lo FROM kept, bounds
)
SELECT bin, pow(10, lo + bin / ?) AS lo_s, pow(10, lo + (bin + 1) / ?) AS hi_s, count(*) AS n
FROM binned GROUP BY bin, lo ORDER BY bin`,
    params: [MIN_GAP_S, binsPerDecade, binsPerDecade, binsPerDecade],
    setup: rows.setup,
    binsPerDecade,
  };
}

/** At most this many bins go into the periodogram when no period is known (the FFT pads to the next power of two). */
export const MAX_SPECTRUM_BINS = 4096;
/** Bins per detected period: fine enough that the period's pulse and its first harmonics are resolved. */
export const BINS_PER_PERIOD = 8;
/** At most this many bins to resolve a detected period over a long span (an FFT of 2^16 points takes milliseconds). */
export const MAX_PERIOD_BINS = 65_536;

/**
 * Bin width (seconds) for the periodogram: as fine as MAX_SPECTRUM_BINS allows over the pair's span, and finer when
 * the detected period needs it (BINS_PER_PERIOD bins a cycle, within MAX_PERIOD_BINS), so its peak can be drawn.
 */
export function spectrumBinSeconds(spanS: number, periodS: number | null = null): number {
  const overSpan = Math.max(1, niceBinMs(Math.max(spanS, 1) * 1000, MAX_SPECTRUM_BINS) / 1000);
  if (periodS === null || periodS <= 0) return overSpan;
  // Whole seconds at least: the counts are active seconds.
  const forPeriod = Math.max(1000, TIME_BIN_LADDER_MS.filter((b) => b <= (periodS * 1000) / BINS_PER_PERIOD).pop() ?? 1000) / 1000;
  return forPeriod < overSpan && spanS / forPeriod <= MAX_PERIOD_BINS ? forPeriod : overSpan;
}

/** First and last event of the finding (row: start_ms, end_ms, n). */
export function pairSpanQuery(finding: FindingKey): Query {
  const rows = findingRows(finding);
  return { sql: `SELECT epoch_ms(min(ts)) AS start_ms, epoch_ms(max(ts)) AS end_ms, count(*) AS n FROM ${rows.table}`, params: [], setup: rows.setup };
}

/**
 * Active seconds per bin from the pair's first event (rows: bin, n): seconds, not events, so one request
 * logged by three sources counts once.
 */
export function spectrumCountsQuery(finding: FindingKey, binS: number): Query {
  const rows = findingRows(finding);
  return {
    sql: `WITH times AS (
  SELECT DISTINCT floor(epoch_ms(ts) / 1000) AS s FROM ${rows.table}
), origin AS (SELECT min(s) AS s0 FROM times)
SELECT CAST(floor((s - s0) / ?) AS BIGINT) AS bin, count(*) AS n FROM times, origin GROUP BY bin ORDER BY bin`,
    params: [binS],
    setup: rows.setup,
  };
}

/**
 * Events folded on the period (rows: tbin, pbin, n, t0_ms, span_ms): time since the pair's first event in
 * `timeBins` columns against the offset within the cycle in `phaseBins` rows. The cycle starts half a period before
 * the first event, so a steady beacon's band runs through the middle rather than splitting at the top and bottom.
 */
export function phaseQuery(finding: FindingKey, periodS: number, timeBins: number, phaseBins: number): Query {
  const rows = findingRows(finding);
  return {
    sql: `WITH times AS (
  SELECT epoch_ms(ts) AS ms FROM ${rows.table}
), bounds AS (
  SELECT min(ms) AS t0_ms, greatest(max(ms) - min(ms), 1) AS span_ms FROM times
)
SELECT least(CAST(floor((ms - t0_ms) / span_ms * ?) AS BIGINT), ? - 1) AS tbin,
  least(CAST(floor(fmod((ms - t0_ms) / 1000.0 + ? / 2, ?) / ? * ?) AS BIGINT), ? - 1) AS pbin,
  count(*) AS n, any_value(t0_ms) AS t0_ms, any_value(span_ms) AS span_ms
FROM times, bounds GROUP BY tbin, pbin ORDER BY tbin, pbin`,
    params: [timeBins, timeBins, periodS, periodS, periodS, phaseBins, phaseBins],
    setup: rows.setup,
  };
}

/** The finding's events per UTC day of week (1 = Monday) and hour (rows: dow, hour, n). */
export function hourOfWeekQuery(finding: FindingKey): Query {
  const rows = findingRows(finding);
  return {
    sql: `SELECT isodow(ts) AS dow, hour(ts) AS hour, count(*) AS n FROM ${rows.table} GROUP BY ALL ORDER BY dow, hour`,
    params: [],
    setup: rows.setup,
  };
}

/**
 * The peer group's activity per UTC day of week and hour (rows: dow, hour, n, peers): every network event
 * of the other sources that host_roles gives the finding's role. Null when the role is unknown.
 */
export function peerHourOfWeekQuery(finding: Pick<Finding, 'source'>): Query | null {
  if (!finding.source.role) return null;
  const self = findingSourceFilter(finding);
  return {
    sql: `WITH peers AS (
  SELECT DISTINCT src_ip AS peer_ip, src_host AS peer_host FROM host_roles WHERE lower(role) = lower(?)
), ip_hosts AS (
  SELECT src_ip AS mapped_ip, host AS mapped_host FROM rw_ip_hosts
), peer_events AS (
  SELECT e.ts, rw_source_key(e.src_host, ih.mapped_host, e.src_ip) AS peer
  FROM events e JOIN peers p ON p.peer_ip IS NOT DISTINCT FROM e.src_ip AND p.peer_host IS NOT DISTINCT FROM e.src_host
  LEFT JOIN ip_hosts ih ON ih.mapped_ip = e.src_ip
  WHERE rw_network_kind(e.kind) AND NOT coalesce(${self.where}, false)
)
SELECT isodow(ts) AS dow, hour(ts) AS hour, count(*) AS n, (SELECT count(DISTINCT peer) FROM peer_events) AS peers
FROM peer_events GROUP BY ALL ORDER BY dow, hour`,
    params: [finding.source.role, ...self.params],
  };
}

/** Every canonical column, in table order, for raw-row pages. */
export const RAW_COLUMNS: readonly string[] = EVENT_COLUMNS.map((c) => c.name);
export const PAGE_SIZE = 50;

/** One page of the finding's events, oldest first. */
export function rawEventsQuery(finding: FindingKey, offset: number, limit = PAGE_SIZE): Query {
  const rows = findingRows(finding);
  const columns = RAW_COLUMNS.map((c) => `"${c}"`).join(', ');
  return {
    sql: `SELECT ${columns} FROM ${rows.table} ORDER BY ts, source_file, source_line LIMIT ? OFFSET ?`,
    params: [limit, Math.max(0, Math.floor(offset))],
    setup: rows.setup,
  };
}

/**
 * How many log records the finding has (row: n), from how many source files (sources), and how many events they
 * are (events), counted as detection counts them: copies of one observation in other files once (rw_copy_key), and
 * where several log types saw the traffic, the type that saw most.
 */
export function eventCountQuery(finding: FindingKey): Query {
  const once = findingEventsOnce(finding);
  return {
    sql: `WITH ${once.sql}
SELECT (SELECT count(*) FROM own) AS n, (SELECT count(DISTINCT source_file) FROM own) AS sources,
  (SELECT rw_event_count(kind) FROM once) AS events`,
    params: [],
    setup: once.setup,
  };
}

/** Seconds either side of one of the finding's events within which the host's other events are related. */
export const RELATED_WINDOW_S = 120;

/** Columns shown for related events (the ones that tie another log to the finding). */
export const RELATED_COLUMNS = [
  'ts', 'delta_s', 'kind', 'source_format', 'src_ip', 'src_host', 'src_user', 'process', 'parent_process', 'command_line',
  'dst_host', 'dst_ip', 'dst_port', 'url_path', 'dns_query', 'dns_answers', 'user_agent', 'bytes_out', 'bytes_in',
] as const;

/**
 * Events of the same source host that are not the finding's own but explain it: anything within
 * `windowS` of one of its events (delta_s: seconds after (+) or before (−) the nearest one), DNS lookups of
 * the destination, and process rows of the finding's process (with parent and command line) at any time.
 */
function relatedBase(finding: FindingKey, windowS: number): Query {
  const own = findingEventFilter(finding);
  const source = findingSourceRows(finding);
  const lookups: string[] = [];
  const lookupParams: SqlParam[] = [];
  if (finding.service) {
    lookups.push(`rw_dst_name(dns_query) IN (SELECT rw_dst_name(dst_host) FROM dst_services WHERE service_id = ?)`);
    lookupParams.push(finding.service.id);
  }
  if (finding.destination.domain) {
    lookups.push('rw_dst_name(dns_query) = ?');
    lookupParams.push(finding.destination.domain.toLowerCase());
  }
  const dnsLookup = lookups.length ? `(kind = 'dns' AND (${lookups.join(' OR ')}))` : 'false';
  const process = finding.source.process?.toLowerCase();
  const processRow = process
    ? `(kind = 'process' AND (lower(process) = ? OR ends_with(lower(replace(process, '\\', '/')), '/' || ?)))`
    : 'false';
  const processParams = process ? [process, process.replaceAll('\\', '/')] : [];
  return {
    sql: `WITH host_events AS (
  SELECT *, coalesce(${own.where}, false) AS is_own FROM ${source.table}
), own_times AS (
  SELECT DISTINCT ts AS own_ts FROM host_events WHERE is_own
), others AS (
  SELECT h.* EXCLUDE (is_own), epoch_ms(h.ts) - epoch_ms(prev_own.own_ts) AS after_ms
  FROM host_events h ASOF LEFT JOIN own_times prev_own ON h.ts >= prev_own.own_ts
  WHERE NOT h.is_own
), nearest AS (
  SELECT o.*, epoch_ms(next_own.own_ts) - epoch_ms(o.ts) AS before_ms
  FROM others o ASOF LEFT JOIN own_times next_own ON o.ts <= next_own.own_ts
), related AS (
  SELECT *, CASE WHEN before_ms IS NULL OR after_ms <= before_ms THEN after_ms / 1000.0 ELSE -before_ms / 1000.0 END AS delta_s
  FROM nearest
  WHERE least(coalesce(after_ms, before_ms), coalesce(before_ms, after_ms)) <= ? OR ${dnsLookup} OR ${processRow}
)`,
    params: [...own.params, windowS * 1000, ...lookupParams, ...processParams],
    setup: source.setup,
  };
}

/** One page of related events, oldest first. */
export function relatedEventsQuery(finding: FindingKey, offset: number, limit = PAGE_SIZE, windowS = RELATED_WINDOW_S): Query {
  const base = relatedBase(finding, windowS);
  return {
    sql: `${base.sql}
SELECT ${RELATED_COLUMNS.map((c) => `"${c}"`).join(', ')} FROM related ORDER BY ts, source_file, source_line LIMIT ? OFFSET ?`,
    params: [...base.params, limit, Math.max(0, Math.floor(offset))],
    setup: base.setup,
  };
}

/** How many related events there are (row: n). */
export function relatedCountQuery(finding: FindingKey, windowS = RELATED_WINDOW_S): Query {
  const base = relatedBase(finding, windowS);
  return { sql: `${base.sql}\nSELECT count(*) AS n FROM related`, params: base.params, setup: base.setup };
}

export interface SpectrumPoint {
  period_s: number;
  power: number;
}

export interface Spectrum {
  /** Harmonic-summed power by period (see periodogram()). */
  points: SpectrumPoint[];
  /** Power that no shuffled copy of the counts exceeded (permutation threshold, p ≈ 1/(permutations+1)). */
  threshold: number;
  /** Local maxima above the threshold that are not harmonics of a longer one, strongest first. */
  peaks: SpectrumPoint[];
  /** The spectrum's tallest point within 3 % of the detected period, null when none was given. */
  marked: SpectrumPoint | null;
  binS: number;
}

/**
 * The finding's periodogram as its chart draws it: the pair's span decides the bin width (fine enough for the
 * detected period), the counts come binned from SQL, and the detected period is marked.
 */
export async function findingPeriodogram(engine: Pick<SqlEngine, 'all'>, finding: FindingKey & Pick<Finding, 'periodicity'>): Promise<Spectrum> {
  const period = finding.periodicity?.period_s ?? null;
  const span = pairSpanQuery(finding);
  const [row] = await runQuery<{ start_ms: number | null; end_ms: number | null }>(engine, span);
  const binS = spectrumBinSeconds(((row?.end_ms ?? 0) - (row?.start_ms ?? 0)) / 1000, period);
  const counts = spectrumCountsQuery(finding, binS);
  return periodogram(denseCounts(await runQuery<{ bin: number; n: number }>(engine, counts)), binS, undefined, undefined, period);
}

/** In-place iterative radix-2 FFT; `re` and `im` have the same power-of-two length. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < len / 2; k++) {
        const aRe = re[i + k + len / 2] * curRe - im[i + k + len / 2] * curIm;
        const aIm = re[i + k + len / 2] * curIm + im[i + k + len / 2] * curRe;
        re[i + k + len / 2] = re[i + k] - aRe;
        im[i + k + len / 2] = im[i + k] - aIm;
        re[i + k] += aRe;
        im[i + k] += aIm;
        [curRe, curIm] = [curRe * wRe - curIm * wIm, curRe * wIm + curIm * wRe];
      }
    }
  }
}

/** Power per frequency index 1..n/2 of the mean-removed, zero-padded counts. */
function powerSpectrum(counts: ArrayLike<number>, size: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < counts.length; i++) mean += counts[i];
  mean /= counts.length;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < counts.length; i++) re[i] = counts[i] - mean;
  fft(re, im);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 1; k <= size / 2; k++) power[k] = (re[k] * re[k] + im[k] * im[k]) / counts.length;
  return power;
}


/** Harmonics summed into each frequency's power. */
export const HARMONICS = 4;

/**
 * Where the power at frequency k clears `gate`, adds its harmonics 2k … HARMONICS·k (the largest within ±h/2 bins
 * of h·k, as a period that does not divide the padded span puts its n-th harmonic between bins). A beacon's narrow
 * pulses put power at P, P/2, P/3…; summed at P, the period itself stands tallest. A multiple of P (2P) has no
 * power of its own, so it gathers nothing and cannot outgrow P as jitter thins P's higher harmonics.
 */
function harmonicSum(power: Float64Array, gate: number): Float64Array {
  const summed = Float64Array.from(power);
  for (let k = 1; k < power.length; k++) {
    if (power[k] <= gate) continue;
    for (let h = 2; h <= HARMONICS && h * k < power.length; h++) {
      let best = 0;
      for (let j = h * k - (h >> 1); j <= h * k + (h >> 1) && j < power.length; j++) best = Math.max(best, power[j]);
      summed[k] += best;
    }
  }
  return summed;
}

/**
 * Periodogram of dense bin counts with a permutation threshold (BAYWATCH-style): the counts are shuffled
 * `permutations` times and the largest power any shuffle reaches is the bar a real period must clear. Given the
 * detected period, power that clears the bar is harmonic-summed (harmonicSum). Periods shorter than two bins or longer than
 * half the span are left out. `periodS`, the period detection found, is marked at the spectrum's local maximum within
 * one frequency bin of it.
 */
export function periodogram(counts: readonly number[], binS: number, permutations = 19, seed = 7, periodS: number | null = null): Spectrum {
  const n = counts.length;
  if (n < 8) return { points: [], threshold: 0, peaks: [], marked: null, binS };
  const size = 2 ** Math.ceil(Math.log2(n));
  const usable = (k: number) => {
    const period = (size * binS) / k;
    return period >= 2 * binS && period <= (n * binS) / 2;
  };
  const random = mulberry32(seed);
  const shuffled = Float64Array.from(counts);
  let threshold = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const shuffledPower = powerSpectrum(shuffled, size);
    for (let k = 1; k <= size / 2; k++) if (usable(k)) threshold = Math.max(threshold, shuffledPower[k]);
  }
  // Harmonics are summed only with a detected period: its bins (spectrumBinSeconds) put harmonics past the fourth
  // beyond the Nyquist limit, so the sum favours the period; over span-sized bins every harmonic would tie. Only
  // frequencies above the threshold gather, so no shuffle would (the threshold stays the shuffles' plain maximum).
  const summed = periodS !== null && periodS > 0;
  const plain = powerSpectrum(counts, size);
  const power = summed ? harmonicSum(plain, threshold) : plain;
  const points: SpectrumPoint[] = [];
  const peaks: SpectrumPoint[] = [];
  for (let k = 1; k <= size / 2; k++) {
    if (!usable(k)) continue;
    const point = { period_s: (size * binS) / k, power: power[k] };
    points.push(point);
    const isLocalMax = power[k] >= (power[k - 1] ?? 0) && power[k] >= (power[k + 1] ?? 0);
    if (isLocalMax && power[k] > threshold) peaks.push(point);
  }
  let marked: SpectrumPoint | null = null;
  if (periodS !== null && periodS > 0) {
    // The tallest point within the tolerance of the detected period: a jittered beacon's peak can sit a few bins off.
    for (const point of points) {
      if (Math.abs(point.period_s - periodS) / periodS < HARMONIC_TOLERANCE && (!marked || point.power > marked.power)) marked = point;
    }
  }
  return { points, threshold, peaks: fundamentals(peaks, summed).slice(0, 5), marked, binS };
}

/** Relative tolerance within which a peak counts as the same period, or as a harmonic (P/2, P/3, …) of a longer one. */
const HARMONIC_TOLERANCE = 0.03;
/** Harmonic orders judged over period-sized bins: beyond it the tolerance (growing with the order) would call any period a harmonic. */
const MAX_HARMONIC_ORDER = 8;

/** Is `short` the n-th harmonic (long / n, 2 ≤ n ≤ maxOrder) of `long`? */
function isHarmonic(long: number, short: number, maxOrder: number): boolean {
  const order = Math.round(long / short);
  // Jitter smears the n-th harmonic n times wider, so the tolerance grows with the order.
  return order >= 2 && order <= maxOrder && Math.abs(long / order - short) / short < HARMONIC_TOLERANCE * order;
}

/**
 * Drops side lobes and peaks that are harmonics of a longer significant period (a pulse train puts equal power
 * at P, P/2, P/3, …; only P is the beacon's period). When harmonics were summed, a multiple of a stronger peak
 * (2P gathers half of P's harmonics) is dropped first. Strongest first.
 */
function fundamentals(peaks: readonly SpectrumPoint[], summed: boolean): SpectrumPoint[] {
  // Side lobes of one jittered peak: keep the strongest of peaks within the tolerance of each other.
  const distinct: SpectrumPoint[] = [];
  for (const peak of [...peaks].sort((a, b) => b.power - a.power)) {
    if (!distinct.some((d) => Math.abs(d.period_s - peak.period_s) / d.period_s < HARMONIC_TOLERANCE)) distinct.push(peak);
  }
  // Over period-sized bins only low orders exist; the cap keeps a slow rhythm (a working day) from claiming the
  // beacon's period as its 400th harmonic.
  const maxOrder = summed ? MAX_HARMONIC_ORDER : Infinity;
  const candidates = summed
    ? distinct.filter((p) => !distinct.some((q) => q.power > p.power && isHarmonic(p.period_s, q.period_s, maxOrder)))
    : distinct;
  const kept: SpectrumPoint[] = [];
  for (const peak of candidates.sort((a, b) => b.period_s - a.period_s)) {
    if (!kept.some((k) => isHarmonic(k.period_s, peak.period_s, maxOrder))) kept.push(peak);
  }
  return kept.sort((a, b) => b.power - a.power);
}

/** Dense counts (zeros where SQL returned no row) from sparse (bin, n) rows. */
export function denseCounts(rows: readonly { bin: number; n: number }[]): number[] {
  const length = rows.reduce((max, r) => Math.max(max, r.bin + 1), 0);
  const counts = new Array<number>(length).fill(0);
  for (const r of rows) counts[r.bin] = r.n;
  return counts;
}

/** Keeps the strongest point per pixel column of a log-x chart `widthPx` wide (the spectrum can be thousands of points). */
export function downsampleLogX(points: readonly SpectrumPoint[], widthPx: number): SpectrumPoint[] {
  if (points.length <= widthPx) return [...points];
  const logs = points.map((p) => Math.log10(p.period_s));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const columns = new Map<number, SpectrumPoint>();
  points.forEach((p, i) => {
    const column = Math.floor(((logs[i] - lo) / (hi - lo || 1)) * (widthPx - 1));
    const kept = columns.get(column);
    if (!kept || p.power > kept.power) columns.set(column, p);
  });
  return [...columns.values()].sort((a, b) => a.period_s - b.period_s);
}
