import Papa from 'papaparse';

/** Renders a value for a CSV cell: dates as ISO-8601, objects as JSON, null as empty. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * CSV with a header row, safe to open in a spreadsheet: cells starting with = + - @ TAB or CR are prefixed with '
 * (papaparse's escapeFormulae), so a log field such as =HYPERLINK(...) stays text.
 */
export function toSafeCsv(columns: readonly string[], rows: readonly Record<string, unknown>[], header = true): string {
  return Papa.unparse(
    { fields: [...columns], data: rows.map((r) => columns.map((c) => cellText(r[c]))) },
    { escapeFormulae: true, newline: '\r\n', header },
  );
}
