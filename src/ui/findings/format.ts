/** Display formatting for the findings queue and detail (times in UTC, as the data is). */
import { redactSecrets } from '../../accounts/redact.ts';

const integer = new Intl.NumberFormat('en-US');

/** A count with thousands separators; '—' when unknown. */
export const formatCount = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : integer.format(n));

/** 'YYYY-MM-DD HH:MM:SS' in UTC from epoch ms or an ISO string. */
export function formatTime(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : '—';
}

/** A period or gap in the unit people think in ('45 s', '5 min', '1.5 h', '2 d'). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s === 0) return '0 s';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 90) return `${Number(s.toFixed(s < 10 ? 1 : 0))} s`;
  if (s < 5400) return `${Number((s / 60).toFixed(1))} min`;
  if (s < 172_800) return `${Number((s / 3600).toFixed(1))} h`;
  return `${Number((s / 86_400).toFixed(1))} d`;
}

const MAX_CELL_CHARS = 400;

/** Any cell value as bounded text (log fields can be huge); objects as JSON; secrets redacted. */
export function formatCell(value: unknown, column = ''): string {
  if (value === null || value === undefined) return '';
  if (column === 'ts' && typeof value === 'number') return formatTime(value).concat('.', String(Math.floor(value % 1000)).padStart(3, '0'));
  const text = redactSecrets(typeof value === 'object' ? JSON.stringify(value) : String(value));
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS)}… (${integer.format(text.length)} chars)` : text;
}

/** An evidence value for the signal list: numbers rounded, lists joined, long text cut. */
export function formatEvidence(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? integer.format(value) : String(Number(value.toPrecision(4)));
  if (Array.isArray(value)) return value.map((v) => formatEvidence(v)).join(', ');
  return formatCell(value);
}
