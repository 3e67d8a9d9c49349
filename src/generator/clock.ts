/**
 * Time arithmetic and the explicit, locale-free time formats the writers need. All instants are UTC epoch
 * microseconds (integers); "local" means the organisation's fixed offset from UTC.
 */

export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
export const HOUR_US = 60 * MINUTE_US;
export const DAY_US = 24 * HOUR_US;

export interface LocalParts {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** microseconds within the second */
  micros: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/** Zero-padded decimal of a non-negative integer. */
export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Calendar parts of an instant at `offsetMinutes` from UTC. */
export function localParts(us: number, offsetMinutes = 0): LocalParts {
  const shifted = us + offsetMinutes * MINUTE_US;
  const ms = Math.floor(shifted / 1000);
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    micros: shifted - Math.floor(shifted / SECOND_US) * SECOND_US,
    weekday: d.getUTCDay(),
  };
}

/** "YYYY-MM-DD" of the local calendar day containing `us`. */
export function localDateKey(us: number, offsetMinutes: number): string {
  const p = localParts(us, offsetMinutes);
  return `${p.year}-${pad(p.month, 2)}-${pad(p.day, 2)}`;
}

/** UTC instant of local midnight starting the ISO date `date` ("2024-05-06"). */
export function localMidnight(date: string, offsetMinutes: number): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`start date must be YYYY-MM-DD, got "${date}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) * 1000 - offsetMinutes * MINUTE_US;
}

/** Zeek `ts`: epoch seconds with six decimals ("1714568401.123456"). */
export function zeekTime(us: number): string {
  return `${Math.floor(us / SECOND_US)}.${pad(us % SECOND_US, 6)}`;
}

/** Squid `time`: epoch seconds with three decimals. */
export function squidTime(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${Math.floor(ms / 1000)}.${pad(ms % 1000, 3)}`;
}

/** ISO-8601 UTC with milliseconds ("2024-05-01T12:00:00.123Z"). */
export function isoMillis(us: number): string {
  const p = localParts(us, 0);
  return `${p.year}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}.${pad(Math.floor(p.micros / 1000), 3)}Z`;
}

/** ISO-8601 UTC with microseconds ("2024-05-01T12:00:00.123456Z"), as Elasticsearch keeps Zeek times. */
export function isoMicros(us: number): string {
  return `${isoSeconds(us).slice(0, 19)}.${pad(us % SECOND_US, 6)}Z`;
}

/** ISO-8601 UTC to the second ("2024-05-01T12:00:00Z"), for the answer key. */
export function isoSeconds(us: number): string {
  const p = localParts(us, 0);
  return `${p.year}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}Z`;
}

/** Sysmon `UtcTime`: "2024-05-01 12:00:00.123". */
export function sysmonUtcTime(us: number): string {
  return isoMillis(us).slice(0, 23).replace('T', ' ');
}

/** Zeek `#open`/`#close` stamp in UTC: "2024-05-01-12-00-00". */
export function zeekStamp(us: number): string {
  const p = localParts(us, 0);
  return `${p.year}-${pad(p.month, 2)}-${pad(p.day, 2)}-${pad(p.hour, 2)}-${pad(p.minute, 2)}-${pad(p.second, 2)}`;
}

/** W3C extended log date and time fields (UTC): ["2024-05-01", "12:00:01"]. */
export function w3cDateTime(us: number): [string, string] {
  const p = localParts(us, 0);
  return [`${p.year}-${pad(p.month, 2)}-${pad(p.day, 2)}`, `${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}`];
}

/** Windows DNS debug log local time, US style, 12-hour: "5/1/2024 1:00:01 PM". */
export function windowsDnsTime(us: number, offsetMinutes: number): string {
  const p = localParts(us, offsetMinutes);
  const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  const meridiem = p.hour < 12 ? 'AM' : 'PM';
  return `${p.month}/${p.day}/${p.year} ${hour12}:${pad(p.minute, 2)}:${pad(p.second, 2)} ${meridiem}`;
}

/** PAN-OS local time: "2024/05/01 13:00:01". */
export function panTime(us: number, offsetMinutes: number): string {
  const p = localParts(us, offsetMinutes);
  return `${p.year}/${pad(p.month, 2)}/${pad(p.day, 2)} ${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}`;
}

/** Fixed-point decimal without locale ("0.250000"); negative zero prints as zero. */
export function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}
