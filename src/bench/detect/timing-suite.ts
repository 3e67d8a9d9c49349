/**
 * Synthetic timing benchmark: recall on jittered beacons and false-positive rate on random and human-like
 * streams, for Relaywatch's interval-comb test next to re-implementations of RITA v5 and Elastic's
 * beaconing package. Seeded; prints a table and writes bench-results/detect-timing.json.
 *
 *   npx tsx src/bench/detect/timing-suite.ts [--quick]
 *
 * Every stream, beacon or not, draws byte counts from the same model (sizes ±30 %), so the comparison is
 * about timing; one extra negative row gives random streams constant sizes to show the byte tests' effect.
 * Office-hours streams run Monday to Friday so the last day is a working day.
 * RITA scores the last 24 h of each stream (its beacon window); Elastic runs hourly over the previous 6 h
 * across the whole stream and counts as flagging when any run does, as its transform would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { analyzePeriodicity } from '../../detection/periodicity/index.ts';
import { elasticBeaconingHourly } from './elastic-beaconing.ts';
import { createRandom, seedFor, type Random } from './prng.ts';
import { RITA_FLAG_THRESHOLD, ritaBeaconScore } from './rita-v5.ts';
import {
  SUITE_EPOCH,
  beaconStream,
  humanStream,
  poissonStream,
  withExtraRequests,
  type BeaconSpec,
  type SizeModel,
  type StreamEvent,
} from './streams.ts';

const HOUR = 3600;
const DAY = 86_400;

/** A family of streams: how to draw one, and which periods (seconds) a correct answer reports. */
interface Condition {
  id: string;
  axis: string;
  kind: 'beacon' | 'random' | 'human';
  spanS: number;
  /** Periods that must all be reported within 5 % (beacons only). */
  expectedPeriods: number[];
  /** Recall target for beacons, or maximum flag rate for negatives; null for stress rows. */
  target: number | null;
  draw(random: Random): StreamEvent[];
}

const VARIED_SIZES: SizeModel = { constantSizes: false };
const CONSTANT_SIZES: SizeModel = { constantSizes: true };

function beacon(
  id: string,
  axis: string,
  overrides: Partial<BeaconSpec>,
  options: { spanS?: number; extra?: number; target?: number | null } = {},
): Condition {
  const spec: BeaconSpec = { periodS: 300, jitter: 'uniform', jitterLevel: 0.25, missing: 0, schedule: 'always', ...overrides };
  const spanS = options.spanS ?? DAY;
  // Cobalt Strike sleeps T·[1 − j, 1]: the check-ins come every T·(1 − j/2) on average.
  const meanSleep = spec.jitter === 'cobalt' ? spec.periodS * (1 - spec.jitterLevel / 2) : spec.periodS;
  return {
    id,
    axis,
    kind: 'beacon',
    spanS,
    expectedPeriods: [meanSleep],
    target: options.target === undefined ? 0.95 : options.target,
    draw(random) {
      const events = beaconStream(spec, SUITE_EPOCH, SUITE_EPOCH + spanS, VARIED_SIZES, random);
      if (!options.extra) return events;
      const extra = Math.round(options.extra * events.length);
      return withExtraRequests(events, extra, SUITE_EPOCH, SUITE_EPOCH + spanS, spec.schedule, VARIED_SIZES, random);
    },
  };
}

function random(id: string, periodS: number, spanS: number, schedule: 'always' | 'office-hours', sizes = VARIED_SIZES): Condition {
  return {
    id,
    axis: 'random (Poisson)',
    kind: 'random',
    spanS,
    expectedPeriods: [],
    target: 0.01,
    draw: (r) => poissonStream(1 / periodS, SUITE_EPOCH, SUITE_EPOCH + spanS, schedule, sizes, r),
  };
}

/** Every condition of the suite, in table order. */
export function timingConditions(): Condition[] {
  return [
    beacon('no jitter, 5 min', 'jitter', { jitter: 'none' }),
    beacon('uniform ±10 %', 'jitter', { jitterLevel: 0.1 }),
    beacon('uniform ±25 %', 'jitter', { jitterLevel: 0.25 }),
    beacon('uniform ±50 %', 'jitter', { jitterLevel: 0.5 }),
    beacon('Cobalt −10 %', 'jitter', { jitter: 'cobalt', jitterLevel: 0.1 }),
    beacon('Cobalt −25 %', 'jitter', { jitter: 'cobalt', jitterLevel: 0.25 }),
    beacon('Cobalt −50 %', 'jitter', { jitter: 'cobalt', jitterLevel: 0.5 }),
    beacon('Gaussian σ 5 %', 'jitter', { jitter: 'gaussian', jitterLevel: 0.05 }),
    beacon('Gaussian σ 10 %', 'jitter', { jitter: 'gaussian', jitterLevel: 0.1 }),
    beacon('Gaussian σ 25 %', 'jitter', { jitter: 'gaussian', jitterLevel: 0.25 }),
    beacon('50 % missing, ±10 %', 'missing', { jitterLevel: 0.1, missing: 0.5 }),
    beacon('80 % missing, ±10 %', 'missing', { jitterLevel: 0.1, missing: 0.8 }, { target: 0.9 }),
    beacon('80 % missing, ±25 % (stress)', 'missing', { jitterLevel: 0.25, missing: 0.8 }, { target: null }),
    beacon('+20 % extra, ±25 %', 'insertion', { jitterLevel: 0.25 }, { extra: 0.2 }),
    beacon('+20 % extra, ±50 %', 'insertion', { jitterLevel: 0.5 }, { extra: 0.2 }),
    beacon('10 s, ±25 %, 6 h', 'period', { periodS: 10 }, { spanS: 6 * HOUR }),
    beacon('1 min, ±25 %, 24 h', 'period', { periodS: 60 }),
    beacon('1 h, ±25 %, 7 d', 'period', { periodS: HOUR }, { spanS: 7 * DAY }),
    beacon('4 h, ±25 %, 14 d', 'period', { periodS: 4 * HOUR }, { spanS: 14 * DAY }),
    beacon('office hours Mon–Fri, ±25 %, 5 d', 'schedule', { schedule: 'office-hours' }, { spanS: 5 * DAY }),
    twoImplants(),
    random('Poisson, 1 per 10 s, 6 h', 10, 6 * HOUR, 'always'),
    random('Poisson, 1 per min, 24 h', 60, DAY, 'always'),
    random('Poisson, 1 per 5 min, 24 h', 300, DAY, 'always'),
    random('Poisson, 1 per h, 7 d', HOUR, 7 * DAY, 'always'),
    random('Poisson, 1 per 4 h, 14 d', 4 * HOUR, 14 * DAY, 'always'),
    random('Poisson office hours, 5 min, 5 d', 300, 5 * DAY, 'office-hours'),
    { ...random('Poisson 5 min, constant sizes', 300, DAY, 'always', CONSTANT_SIZES), target: null },
    {
      id: 'human browsing, office hours, 5 d',
      axis: 'human-like',
      kind: 'human',
      spanS: 5 * DAY,
      expectedPeriods: [],
      target: 0.01,
      draw: (r) => humanStream(SUITE_EPOCH, SUITE_EPOCH + 5 * DAY, VARIED_SIZES, r),
    },
  ];
}

function twoImplants(): Condition {
  const fast: BeaconSpec = { periodS: 60, jitter: 'uniform', jitterLevel: 0.25, missing: 0, schedule: 'always' };
  const slow: BeaconSpec = { periodS: 900, jitter: 'uniform', jitterLevel: 0.1, missing: 0, schedule: 'always' };
  return {
    id: 'two implants: 1 min ±25 % + 15 min ±10 %',
    axis: 'two implants',
    kind: 'beacon',
    spanS: DAY,
    expectedPeriods: [60, 900],
    target: 0.95,
    draw: (r) =>
      [
        ...beaconStream(fast, SUITE_EPOCH, SUITE_EPOCH + DAY, VARIED_SIZES, r),
        ...beaconStream(slow, SUITE_EPOCH, SUITE_EPOCH + DAY, VARIED_SIZES, r),
      ].sort((a, b) => a.time - b.time),
  };
}

/** Measured outcome of one condition. */
export interface ConditionResult {
  id: string;
  axis: string;
  kind: Condition['kind'];
  target: number | null;
  streams: number;
  meanEvents: number;
  relaywatch: { flagRate: number; periodsFoundRate: number | null; meanMs: number };
  rita: { flagRate: number; meanScore: number };
  elastic: { flagRate: number };
}

function periodsFound(expected: readonly number[], reported: readonly number[]): boolean {
  return expected.every((p) => reported.some((r) => Math.abs(r / p - 1) <= 0.05));
}

/** Runs `streams` seeded draws of one condition through all three detectors. */
export function runCondition(condition: Condition, streams: number): ConditionResult {
  let events = 0;
  let flagged = 0;
  let found = 0;
  let ms = 0;
  let ritaFlagged = 0;
  let ritaScores = 0;
  let elasticFlagged = 0;
  const end = SUITE_EPOCH + condition.spanS;
  for (let i = 0; i < streams; i++) {
    const stream = condition.draw(createRandom(seedFor(condition.id, i)));
    events += stream.length;
    const started = performance.now();
    const result = analyzePeriodicity(stream.map((e) => e.time));
    ms += performance.now() - started;
    if (result.periodic) {
      flagged++;
      if (periodsFound(condition.expectedPeriods, [result.period_s ?? NaN, ...result.other_periods_s])) found++;
    }
    const ritaStart = Math.max(SUITE_EPOCH, end - DAY);
    const ritaConnections = stream
      .filter((e) => e.time >= ritaStart)
      .map((e) => ({ time: e.time, bytes: e.sentBytes + e.receivedBytes }));
    const rita = ritaBeaconScore(ritaConnections, ritaStart, end);
    ritaScores += rita?.score ?? 0;
    if (rita && rita.score >= RITA_FLAG_THRESHOLD) ritaFlagged++;
    const elasticEvents = stream.map((e) => ({ time: e.time, sourceBytes: e.sentBytes, destinationBytes: e.receivedBytes }));
    if (elasticBeaconingHourly(elasticEvents, SUITE_EPOCH, end)) elasticFlagged++;
  }
  return {
    id: condition.id,
    axis: condition.axis,
    kind: condition.kind,
    target: condition.target,
    streams,
    meanEvents: events / streams,
    relaywatch: {
      flagRate: flagged / streams,
      periodsFoundRate: condition.kind === 'beacon' ? found / streams : null,
      meanMs: ms / streams,
    },
    rita: { flagRate: ritaFlagged / streams, meanScore: ritaScores / streams },
    elastic: { flagRate: elasticFlagged / streams },
  };
}

function meetsTarget(result: ConditionResult): boolean | null {
  if (result.target === null) return null;
  return result.kind === 'beacon' ? result.relaywatch.flagRate >= result.target : result.relaywatch.flagRate <= result.target;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`.padStart(7);
}

/** Formats results as a fixed-width table. */
export function formatTable(results: readonly ConditionResult[]): string {
  const header = `${'condition'.padEnd(44)} ${'n'.padStart(4)} ${'events'.padStart(7)} | ${'Relaywatch'.padStart(10)} ${'period ok'.padStart(9)} ${'ms'.padStart(5)} | ${'RITA≥0.7'.padStart(8)} ${'score'.padStart(5)} | ${'Elastic'.padStart(7)} | target`;
  const lines = [header, '-'.repeat(header.length)];
  let kind = '';
  for (const r of results) {
    if (r.kind !== kind && kind) lines.push('');
    kind = r.kind;
    const met = meetsTarget(r);
    const target = r.target === null ? 'stress' : `${r.kind === 'beacon' ? '≥' : '≤'}${Math.round(r.target * 100)}% ${met ? 'met' : 'MISSED'}`;
    lines.push(
      `${r.id.padEnd(44)} ${String(r.streams).padStart(4)} ${r.meanEvents.toFixed(0).padStart(7)} | ${pct(r.relaywatch.flagRate).padStart(10)} ${(r.relaywatch.periodsFoundRate === null ? '' : pct(r.relaywatch.periodsFoundRate)).padStart(9)} ${r.relaywatch.meanMs.toFixed(2).padStart(5)} | ${pct(r.rita.flagRate).padStart(8)} ${r.rita.meanScore.toFixed(2).padStart(5)} | ${pct(r.elastic.flagRate)} | ${target}`,
    );
  }
  return lines.join('\n');
}

/** Runs the suite: `positives` streams per beacon condition, `negatives` per random/human condition. */
export function runTimingSuite(positives: number, negatives: number): ConditionResult[] {
  return timingConditions().map((c) => runCondition(c, c.kind === 'beacon' ? positives : negatives));
}

function main(): void {
  const quick = process.argv.includes('--quick');
  const started = performance.now();
  const results = runTimingSuite(quick ? 20 : 100, quick ? 50 : 300);
  const seconds = (performance.now() - started) / 1000;
  console.log('Relaywatch = flagged periodic (p ≤ 0.01, corrected); period ok = every true period reported within 5 %.');
  console.log(`RITA v5 flagged at beacon score ≥ ${RITA_FLAG_THRESHOLD} over the last 24 h; Elastic = any hourly 6 h run says is_beaconing.\n`);
  console.log(formatTable(results));
  const negatives = results.filter((r) => r.kind !== 'beacon' && r.target !== null);
  const pooled = (pick: (r: ConditionResult) => number) =>
    negatives.reduce((sum, r) => sum + pick(r) * r.streams, 0) / negatives.reduce((sum, r) => sum + r.streams, 0);
  console.log(
    `\nPooled false-positive rate on ${negatives.reduce((s, r) => s + r.streams, 0)} random and human-like streams: ` +
      `Relaywatch ${pct(pooled((r) => r.relaywatch.flagRate)).trim()}, RITA ${pct(pooled((r) => r.rita.flagRate)).trim()}, Elastic ${pct(pooled((r) => r.elastic.flagRate)).trim()}.`,
  );
  console.log(`Finished in ${seconds.toFixed(1)} s.`);
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(
    'bench-results/detect-timing.json',
    JSON.stringify({ suite: 'detect-timing', version: 1, generated_at: new Date().toISOString(), quick, seconds, results }, null, 2),
  );
  console.log('Wrote bench-results/detect-timing.json');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
