/**
 * What the app's charts and the HTML report's charts share, so one finding looks the same in both: colours of
 * event kinds and of the interval histogram, and UTC time ticks in 24-hour time (investigators work in UTC).
 */

/** Fill of each event kind in timelines. */
export const KIND_COLORS: Readonly<Record<string, string>> = {
  proxy: '#2f6f9f', http: '#5a9bd4', tls: '#7a4fb5', flow: '#6e7781', dns: '#1a7f37',
  firewall: '#a86b00', alert: '#c4421a', process: '#8b1a1a', saas: '#b5488a',
};
export const OTHER_KIND_COLOR = '#6e7781';
export const kindColor = (kind: string): string => KIND_COLORS[kind] ?? OTHER_KIND_COLOR;

/** Interval histogram bars and the detected period's marker. */
export const INTERVALS_COLOR = '#2f6f9f';
export const PERIOD_COLOR = '#c4421a';

/** A UTC time-axis tick: the date at midnight, else 24-hour HH:MM (with seconds when the tick has them). */
export function utcTick(date: Date): string {
  const iso = date.toISOString();
  if (iso.slice(11, 23) === '00:00:00.000') return iso.slice(5, 10);
  return iso.slice(17, 23) === '00.000' ? iso.slice(11, 16) : iso.slice(11, 19);
}
