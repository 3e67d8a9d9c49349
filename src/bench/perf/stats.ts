/** Small helpers for the benchmark's summary: medians that ignore missing values, rates, ratios, and a text table. */

/** Median of the finite values, or null when there are none. */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const sorted = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Records per second, or null when either side is missing or the time is zero. */
export function rate(records: number | null, ms: number | null): number | null {
  return records !== null && ms !== null && ms > 0 ? (records * 1000) / ms : null;
}

/** a / b, or null when either is missing or b is zero. */
export function ratio(a: number | null, b: number | null): number | null {
  return a !== null && b !== null && b !== 0 ? a / b : null;
}

/** A right-aligned text table; null cells print as '–'. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell ?? '–'));
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: readonly string[]) => row.map((cell, c) => cell.padStart(widths[c])).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Fixed-point text for a nullable number. */
export function fixed(value: number | null, digits = 0): string | null {
  return value === null ? null : value.toFixed(digits);
}

/** Thousands of records per second, e.g. '612k'. */
export function kRate(value: number | null): string | null {
  return value === null ? null : `${Math.round(value / 1000)}k`;
}

/** Bytes as MiB. */
export function mib(bytes: number | null): string | null {
  return bytes === null ? null : `${Math.round(bytes / 1048576)}`;
}
