/**
 * Synthetic event streams for the timing benchmark: jittered beacons (renewal processes, the way implants
 * sleep), random Poisson streams and human-like browsing, each with per-event byte counts.
 */
import type { Random } from './prng.ts';

/** How an implant randomises its sleep of nominal length T. */
export type JitterKind = 'none' | 'uniform' | 'cobalt' | 'gaussian';

/** One connection or request: time (epoch seconds) and bytes each way. */
export interface StreamEvent {
  time: number;
  sentBytes: number;
  receivedBytes: number;
}

/** When a host is on the network: around the clock, or 08:00–18:00 UTC on weekdays. */
export type Schedule = 'always' | 'office-hours';

export interface BeaconSpec {
  periodS: number;
  jitter: JitterKind;
  /** Uniform/Cobalt: the fraction j; Gaussian: σ relative to T. */
  jitterLevel: number;
  /** Fraction of check-ins that never reach the log. */
  missing: number;
  schedule: Schedule;
}

/** Bytes model: every stream, beacon or not, draws sizes the same way unless `constantSizes`. */
export interface SizeModel {
  constantSizes: boolean;
}

const DAY = 86_400;
const OFFICE_START = 8 * 3600;
const OFFICE_END = 18 * 3600;
/** 2024-01-01T00:00:00Z, a Monday. */
export const SUITE_EPOCH = 1_704_067_200;

/** Is the host on the network at time t? */
export function isActive(t: number, schedule: Schedule): boolean {
  if (schedule === 'always') return true;
  const day = Math.floor((t - SUITE_EPOCH) / DAY);
  const weekday = ((day % 7) + 7) % 7; // 0 = Monday
  const secondOfDay = t - SUITE_EPOCH - day * DAY;
  return weekday < 5 && secondOfDay >= OFFICE_START && secondOfDay < OFFICE_END;
}

/** Next time ≥ t at which the host is active (t itself when already active). */
export function nextActive(t: number, schedule: Schedule): number {
  if (isActive(t, schedule)) return t;
  let day = Math.floor((t - SUITE_EPOCH) / DAY);
  if (t - SUITE_EPOCH - day * DAY >= OFFICE_START) day += 1;
  for (;;) {
    const candidate = SUITE_EPOCH + day * DAY + OFFICE_START;
    if (isActive(candidate, schedule)) return candidate;
    day += 1;
  }
}

function sleepFactor(kind: JitterKind, level: number, random: Random): number {
  switch (kind) {
    case 'none':
      return 1;
    case 'uniform':
      return 1 + level * (2 * random.next() - 1);
    case 'cobalt':
      return 1 - level * random.next();
    case 'gaussian':
      return Math.max(0.05, 1 + level * random.normal());
  }
}

function sized(time: number, sizes: SizeModel, random: Random): StreamEvent {
  if (sizes.constantSizes) return { time, sentBytes: 420, receivedBytes: 1380 };
  return {
    time,
    sentBytes: Math.round(420 * (0.7 + 0.6 * random.next())),
    receivedBytes: Math.round(1380 * (0.7 + 0.6 * random.next())),
  };
}

/** A beacon that sleeps T·factor after each check-in, pausing (and restarting) while the host is off. */
export function beaconStream(spec: BeaconSpec, start: number, end: number, sizes: SizeModel, random: Random): StreamEvent[] {
  const events: StreamEvent[] = [];
  let t = nextActive(start, spec.schedule) + random.next() * spec.periodS;
  while (t < end) {
    if (!isActive(t, spec.schedule)) {
      t = nextActive(t, spec.schedule) + random.next() * spec.periodS;
      continue;
    }
    if (random.next() >= spec.missing) events.push(sized(t, sizes, random));
    t += spec.periodS * sleepFactor(spec.jitter, spec.jitterLevel, random);
  }
  return events;
}

/** Homogeneous Poisson events at `rate` per second of active time. */
export function poissonStream(rate: number, start: number, end: number, schedule: Schedule, sizes: SizeModel, random: Random): StreamEvent[] {
  const events: StreamEvent[] = [];
  let t = nextActive(start, schedule);
  for (;;) {
    t += random.exponential(1 / rate);
    if (!isActive(t, schedule)) t = nextActive(t, schedule) + random.exponential(1 / rate);
    if (t >= end) break;
    events.push(sized(t, sizes, random));
  }
  return events;
}

/** Adds `count` uniformly placed benign requests during active time. */
export function withExtraRequests(events: StreamEvent[], count: number, start: number, end: number, schedule: Schedule, sizes: SizeModel, random: Random): StreamEvent[] {
  const extra: StreamEvent[] = [];
  while (extra.length < count) {
    const t = start + random.next() * (end - start);
    if (isActive(t, schedule)) extra.push(sized(t, sizes, random));
  }
  return [...events, ...extra].sort((a, b) => a.time - b.time);
}

/**
 * Office-hours browsing: sessions (log-normal length, median 15 min) separated by breaks (mean 40 min);
 * inside a session, page views separated by heavy-tailed think times (log-normal, median 10–60 s, σ 1–1.5),
 * each page view a burst of 1–10 requests within a few seconds.
 */
export function humanStream(start: number, end: number, sizes: SizeModel, random: Random): StreamEvent[] {
  const thinkMedian = 10 + 50 * random.next();
  const thinkSigma = 1 + 0.5 * random.next();
  const events: StreamEvent[] = [];
  let t = nextActive(start, 'office-hours') + random.exponential(2400);
  while (t < end) {
    if (!isActive(t, 'office-hours')) {
      t = nextActive(t, 'office-hours') + random.exponential(2400);
      continue;
    }
    const sessionEnd = t + 900 * Math.exp(0.8 * random.normal());
    while (t < sessionEnd && t < end) {
      const requests = 1 + random.int(10);
      let burst = t;
      for (let r = 0; r < requests; r++) {
        events.push(sized(burst, sizes, random));
        burst += random.exponential(0.4);
      }
      t += thinkMedian * Math.exp(thinkSigma * random.normal());
    }
    t += random.exponential(2400);
  }
  return events.filter((e) => e.time < end);
}
