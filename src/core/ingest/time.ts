/** Time parsing shared by every adapter. All results are UTC epoch microseconds, or null when unreadable. */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$/;

/**
 * ISO-8601-like date-times: `2024-05-01T12:00:00.123456Z`, `2024-05-01 12:00:00+0200`, `...+02:00`.
 * A value without a zone is local time at `utcOffsetMinutes` from UTC (0 by default).
 */
export function isoToMicros(text: string, utcOffsetMinutes = 0): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  if (!Number.isFinite(ms)) return null;
  const micros = ms * 1000 + Number((frac + '000000').slice(0, 6));
  let offset = utcOffsetMinutes;
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  } else if (zone) {
    offset = 0;
  }
  return micros - offset * 60_000_000;
}

/**
 * Epoch seconds as text or number ("1521911721.411148"), keeping microseconds exactly. Up to 9 decimals are cut to
 * microseconds; a longer fraction is a float's shortest text ("81.35792000000001", JSON writers that went through a
 * double) and is rounded to the microsecond it stands for.
 */
export function epochSecondsToMicros(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1e6) : null;
  const t = value.trim();
  const m = /^(-?\d{1,12})(?:\.(\d{1,20}))?$/.exec(t);
  if (!m) return null;
  const whole = Number(m[1]);
  const digits = m[2] ?? '';
  const roundUp = digits.length > 9 && Number(digits[6]) >= 5 ? 1 : 0;
  const frac = Number((digits + '000000').slice(0, 6)) + roundUp;
  return whole * 1e6 + (t.startsWith('-') ? -frac : frac);
}

/** Epoch milliseconds (number or digits). */
export function epochMillisToMicros(value: string | number): number | null {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.round(n * 1000) : null;
}

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** Parts of a local date-time (month 1-12) to UTC micros, applying the offset of the log's zone. */
export function partsToMicros(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micros: number,
  utcOffsetMinutes: number,
): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (!Number.isFinite(ms)) return null;
  return ms * 1000 + micros - utcOffsetMinutes * 60_000_000;
}

/** Three-letter English month name to 1-12, or null. */
export function monthNumber(name: string): number | null {
  const m = MONTHS[name.slice(0, 3).toLowerCase()];
  return m === undefined ? null : m + 1;
}

/** Epoch micros to ISO-8601 UTC with microseconds trimmed to milliseconds ("2024-05-01T12:00:00.123Z"). */
export function microsToIso(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}
