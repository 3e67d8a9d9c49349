/** Display formatting shared by the overview, host and service views (UTC, as the data is). */

const fmtInt = new Intl.NumberFormat('en-US');

export const count = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : fmtInt.format(n));

/** 'YYYY-MM-DD HH:MM' in UTC from epoch ms or an ISO string. */
export function utc(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : '—';
}

/** A duration in the largest sensible unit ('3 d 4 h', '17 min'). */
export function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export const percent = (part: number, whole: number): string => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '—');
