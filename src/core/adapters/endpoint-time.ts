/** Date-time shapes that Windows and SaaS exports write besides ISO-8601; results are UTC epoch microseconds. */
import { epochMillisToMicros, isoToMicros, monthNumber, partsToMicros } from '../ingest/time.ts';

const DOTNET_DATE = /^\/Date\((-?\d{1,15})(?:[+-]\d{4})?\)\/$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*([AP]M)?$/i;
const MONTH_NAME_DATE =
  /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?\s*(?:(?:GMT|UTC)([+-]\d{1,2})(?::?(\d{2}))?|(UTC|GMT|Z))?$/i;

/** PowerShell 5.1 JSON dates: "/Date(1714564801123)/" (the milliseconds are UTC whatever the suffix). */
export function dotNetDateToMicros(text: string): number | null {
  const m = DOTNET_DATE.exec(text.trim());
  return m ? epochMillisToMicros(m[1]) : null;
}

function hour24(hour: number, meridiem: string | undefined): number {
  if (!meridiem) return hour;
  const pm = meridiem.toUpperCase() === 'PM';
  return (hour % 12) + (pm ? 12 : 0);
}

/**
 * Any date-time the endpoint and SaaS exports write: ISO-8601, .NET "/Date(ms)/", US "5/1/2024 2:00:01 PM",
 * or "May 1, 2024, 12:00:01 PM GMT+2". Values without a zone are local time at `utcOffsetMinutes`.
 */
export function flexibleTimeToMicros(text: string | null, utcOffsetMinutes: number): number | null {
  if (!text) return null;
  const t = text.trim();
  const iso = isoToMicros(t, utcOffsetMinutes) ?? dotNetDateToMicros(t);
  if (iso !== null) return iso;
  const us = US_DATE.exec(t);
  if (us) {
    const [, mo, d, y, h, mi, s = '0', frac = '', meridiem] = us;
    const micros = Number((frac + '000000').slice(0, 6));
    return partsToMicros(+y, +mo, +d, hour24(+h, meridiem), +mi, +s, micros, utcOffsetMinutes);
  }
  const named = MONTH_NAME_DATE.exec(t);
  if (named) {
    const [, monthName, d, y, h, mi, s = '0', meridiem, zoneHours, zoneMinutes = '0', utcWord] = named;
    const month = monthNumber(monthName);
    if (month === null) return null;
    let offset = utcOffsetMinutes;
    if (utcWord) offset = 0;
    if (zoneHours) offset = (zoneHours.startsWith('-') ? -1 : 1) * (Math.abs(Number(zoneHours)) * 60 + Number(zoneMinutes));
    return partsToMicros(+y, month, +d, hour24(+h, meridiem), +mi, +s, 0, offset);
  }
  return null;
}
