/**
 * Beacon timing: the jitter models of the detection guide and a check-in schedule with missed check-ins
 * and optional active windows (office hours).
 */
import { SECOND_US } from './clock.ts';
import type { Rng } from './random.ts';

/**
 * - `uniform`: sleep T·(1 + U(−j, +j)) (Empire, PoshC2).
 * - `cobalt`: sleep T·(1 − U(0, j)), never longer than T (Cobalt Strike).
 * - `gaussian`: sleep T·(1 + N(0, j)), i.e. σ = j·T.
 */
export type JitterModel = 'uniform' | 'cobalt' | 'gaussian';
export const JITTER_MODELS: readonly JitterModel[] = ['uniform', 'cobalt', 'gaussian'];

export interface BeaconTiming {
  periodS: number;
  model: JitterModel;
  /** j for uniform/cobalt, σ/T for gaussian; 0..1 */
  jitter: number;
  /** Probability that a check-in is skipped (the implant still sleeps). */
  missingRate: number;
}

/** One sleep interval in microseconds under the model (never below 5 % of the period). */
export function sleepInterval(rng: Rng, periodUs: number, model: JitterModel, jitter: number): number {
  let factor: number;
  switch (model) {
    case 'uniform':
      factor = 1 + rng.uniform(-jitter, jitter);
      break;
    case 'cobalt':
      factor = 1 - rng.uniform(0, jitter);
      break;
    case 'gaussian':
      factor = 1 + jitter * rng.gaussian();
      break;
  }
  return Math.round(periodUs * Math.max(0.05, factor));
}

/**
 * Check-in instants in [start, end). `activeFrom(t)` returns t when the implant may run at t, else the
 * next instant it may (Infinity: never again); omit it for an always-on implant.
 */
export function beaconTimes(
  rng: Rng,
  timing: BeaconTiming,
  start: number,
  end: number,
  activeFrom: (t: number) => number = (t) => t,
): number[] {
  const periodUs = timing.periodS * SECOND_US;
  const times: number[] = [];
  let t = activeFrom(start);
  while (t < end) {
    if (!rng.chance(timing.missingRate)) times.push(t);
    const next = t + sleepInterval(rng, periodUs, timing.model, timing.jitter);
    const active = activeFrom(next);
    // Waking into a new active window: the first check-in lands a little after the machine comes up.
    t = active === next ? next : active + rng.uniform(0, periodUs);
  }
  return times;
}
