/** CSV documents for the endpoint and SaaS adapters, read with papaparse (quoted multi-line fields included). */
import Papa from 'papaparse';
import { cleanDocument } from './endpoint-json.ts';

/** One data row of a CSV document: its values by header name, or the problem that spoils it. */
export interface CsvRecord {
  /** 1-based data row number (header excluded). */
  recordNo: number;
  values: Map<string, string>;
  /** Why the row cannot be trusted (unterminated quote, wrong field count), else null. */
  problem: string | null;
  sample: string;
}

/** The header row of a CSV text (skipping a PowerShell `#TYPE` line), trimmed, or null. */
export function csvHeader(text: string): string[] | null {
  const lines = cleanDocument(text).split('\n');
  const first = lines.find((l) => l.trim() !== '' && !l.startsWith('#TYPE'));
  if (first === undefined) return null;
  const parsed = Papa.parse<string[]>(first, { header: false });
  const header = parsed.data[0];
  return header && header.length > 1 ? header.map((h) => h.trim()) : null;
}

/** True when every name is in the header (case-insensitive). */
export function hasColumns(header: readonly string[] | null, names: readonly string[]): boolean {
  if (!header) return false;
  const lower = new Set(header.map((h) => h.toLowerCase()));
  return names.every((n) => lower.has(n.toLowerCase()));
}

/**
 * Call `visit` for every data row of a CSV document (BOM, CRLF and a PowerShell `#TYPE` line handled).
 * Answers the header, or null for an empty document.
 */
export function eachCsvRecord(text: string, visit: (record: CsvRecord) => void): string[] | null {
  const body = cleanDocument(text).replace(/^#TYPE[^\n]*\n/, '');
  const parsed = Papa.parse<string[]>(body, { header: false, skipEmptyLines: true });
  const problems = new Map<number, string>();
  for (const error of parsed.errors) {
    if (error.row !== undefined && !problems.has(error.row)) problems.set(error.row, error.message);
  }
  const [headerRow, ...rows] = parsed.data;
  if (!headerRow) return null;
  const header = headerRow.map((h) => h.trim());
  rows.forEach((row, index) => {
    const values = new Map<string, string>();
    header.forEach((name, column) => {
      if (!values.has(name) && row[column] !== undefined) values.set(name, row[column]);
    });
    const parseProblem = problems.get(index + 1);
    const countProblem =
      row.length === header.length ? null : `row has ${row.length} fields, header has ${header.length}`;
    visit({
      recordNo: index + 1,
      values,
      problem: parseProblem ? `CSV: ${parseProblem}` : countProblem,
      sample: row.join(',').slice(0, 500),
    });
  });
  return header;
}
