/** When people work: per host and day, the local window in which its user is at the machine. */
import { HOUR_US, MINUTE_US, localParts } from './clock.ts';
import type { Host, Organisation } from './organisation.ts';
import { rngFor } from './random.ts';

export interface TimeWindow {
  start: number;
  end: number;
}

/**
 * The user's working window on each simulated day (null: weekend, holiday, absence, or no user).
 * Deterministic per (seed, host, day), so benign traffic and office-hours implants agree.
 */
export function workingWindows(seed: number, org: Organisation, host: Host): (TimeWindow | null)[] {
  return org.dayStarts.map((dayStart, d) => {
    if (!host.user || !org.workdays[d]) return null;
    const rng = rngFor(seed, 'presence', host.name, d);
    if (rng.chance(0.04)) return null;
    const arrival = host.arrivalHour + rng.uniform(-0.3, 0.3);
    const departure = host.departureHour + rng.uniform(-0.4, 0.4);
    return { start: Math.round(dayStart + arrival * HOUR_US), end: Math.round(dayStart + departure * HOUR_US) };
  });
}

/** `activeFrom` for beaconTimes: t itself inside a window, else the start of the next window, else Infinity. */
export function withinWindows(windows: readonly (TimeWindow | null)[]): (t: number) => number {
  const sorted = windows.filter((w): w is TimeWindow => w !== null);
  return (t) => {
    for (const w of sorted) {
      if (t < w.start) return w.start;
      if (t < w.end) return t;
    }
    return Infinity;
  };
}

/** Outside 07:00–19:00 local, or at a weekend or holiday. */
export function isOffHours(org: Organisation, t: number): boolean {
  const day = org.dayStarts.findIndex((start) => t >= start && t < start + 24 * HOUR_US);
  if (day >= 0 && !org.workdays[day]) return true;
  const p = localParts(t, org.utcOffsetMinutes);
  const minutes = p.hour * 60 + p.minute;
  return minutes < 7 * 60 || minutes >= 19 * 60;
}

/** When a workstation is powered: always for desktops left on, else around the user's working window. */
export function machineOnWindows(org: Organisation, host: Host, working: readonly (TimeWindow | null)[]): (TimeWindow | null)[] {
  if (host.alwaysOn) return org.dayStarts.map((start) => ({ start, end: start + 24 * HOUR_US }));
  return working.map((w) => (w ? { start: w.start - 10 * MINUTE_US, end: w.end + 10 * MINUTE_US } : null));
}
