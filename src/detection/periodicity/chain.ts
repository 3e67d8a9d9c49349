/**
 * Follows one beacon through a stream. A chain starts at the earliest unclaimed event and hops to the
 * first unclaimed event inside tooth k, t + k·T ± h_k·T, trying k = 1, 2… so missed check-ins are stepped
 * over and extra requests before the tooth are skipped. (The first event, not the one closest to k·T: with
 * ±50 % jitter the closest one is often the check-in after next.) Chains of fewer than MIN_CHAIN events are
 * given back: a lone hop is as likely to be chance as a check-in.
 *
 * The hops give the period and jitter free of the extra requests that split gaps; the events no chain
 * claimed are what is left to test for a second period.
 */
import { lowerBound, type CombShape } from './comb.ts';

const MIN_CHAIN = 3;
const CLAIMED = 1;
/** Tried as a chain start and given back; other chains may still claim it. */
const VISITED = 2;

/** One step of a chain: its length in seconds and how many sleeps it spans (k). */
export interface ChainHop {
  readonly length: number;
  readonly cycles: number;
}

/** The chains' hops, and the events (sorted) that no chain claimed. */
export interface ChainTrace {
  readonly hops: ChainHop[];
  readonly unclaimed: Float64Array;
}

/**
 * Traces every chain at `period` through the sorted events. `lateSlack` stretches the late side of each
 * tooth (1 = the comb's own teeth): when the period is still an estimate, long sleeps are not cut off.
 */
export function traceChains(events: Float64Array, period: number, shape: CombShape, lateSlack = 1): ChainTrace {
  const claimed = new Uint8Array(events.length);
  const hops: ChainHop[] = [];
  for (let start = 0; start < events.length; start++) {
    if (claimed[start]) continue;
    const chain = [start];
    const chainHops: ChainHop[] = [];
    claimed[start] = CLAIMED;
    for (let step = nextCheckIn(events, claimed, start, period, shape, lateSlack); step; ) {
      const from = chain[chain.length - 1];
      chain.push(step.index);
      chainHops.push({ length: events[step.index] - events[from], cycles: step.cycles });
      claimed[step.index] = CLAIMED;
      step = nextCheckIn(events, claimed, step.index, period, shape, lateSlack);
    }
    if (chain.length < MIN_CHAIN) {
      for (const index of chain) claimed[index] = 0;
      claimed[start] = VISITED;
    } else {
      hops.push(...chainHops);
    }
  }
  const unclaimed: number[] = [];
  events.forEach((t, i) => {
    if (claimed[i] !== CLAIMED) unclaimed.push(t);
  });
  return { hops, unclaimed: Float64Array.from(unclaimed) };
}

/** The first unclaimed event in the nearest non-empty tooth, or null when every tooth is empty. */
function nextCheckIn(
  events: Float64Array,
  claimed: Uint8Array,
  at: number,
  period: number,
  shape: CombShape,
  lateSlack: number,
): { index: number; cycles: number } | null {
  const t = events[at];
  for (let k = 1; k <= shape.toothHalfWidths.length; k++) {
    const h = shape.toothHalfWidths[k - 1];
    const expected = t + k * period;
    const from = Math.max(at + 1, lowerBound(events, expected - h * period, false));
    const to = lowerBound(events, expected + h * lateSlack * period, true);
    for (let i = from; i < to; i++) {
      if (claimed[i] !== CLAIMED) return { index: i, cycles: k };
    }
  }
  return null;
}
