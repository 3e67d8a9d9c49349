/**
 * Microsoft Sentinel / Log Analytics query exports: JSON (an array or NDJSON of rows, or the query API's
 * `{"tables":[{"columns":[…],"rows":[[…]]}]}` answer) and the portal's CSV (`TimeGenerated [UTC]` headers,
 * US-style times). Rows map through sentinel-map.ts by table. The format id names the table when a file holds
 * one (`sentinel-vmconnection-json`), so readiness can tell flow tables from DNS or endpoint ones.
 */
import { reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { csvHeader, eachCsvRecord } from './endpoint-csv.ts';
import { cleanDocument, isJsonObject, own, parseJson, scalarText, splitJsonObjects, type JsonObject } from './endpoint-json.ts';
import { FamilyFormat } from './family-format.ts';
import { emitSentinelRow, sentinelTable, type SentinelRow } from './sentinel-map.ts';
import { safeName } from './zeek-common.ts';

/** Columns that mark a Log Analytics row besides TimeGenerated. */
const MARKERS = ['Type', 'TenantId', 'EventSchema', '_ResourceId', 'SourceSystem', 'Computer'];

/** A JSON row as column → text: scalars as text, nested values (dynamic columns) as their JSON. */
function rowOf(object: JsonObject): SentinelRow {
  const row: SentinelRow = new Map();
  for (const key of Object.keys(object)) {
    const value = own(object, key);
    const text = value !== null && typeof value === 'object' ? JSON.stringify(value) : scalarText(value);
    if (text !== null) row.set(key, text);
  }
  return row;
}

/** The rows of the query API's answer: each table's `rows` zipped with its `columns` names. */
function apiRows(object: JsonObject): SentinelRow[] | string {
  const tables = own(object, 'tables');
  if (!Array.isArray(tables)) return 'not a Log Analytics row or query result';
  const rows: SentinelRow[] = [];
  for (const table of tables) {
    const columns = isJsonObject(table) ? own(table, 'columns') : undefined;
    const values = isJsonObject(table) ? own(table, 'rows') : undefined;
    if (!Array.isArray(columns) || !Array.isArray(values)) return 'query result table without columns and rows';
    const names = columns.map((c) => (isJsonObject(c) ? scalarText(own(c, 'name')) : null) ?? '');
    for (const cells of values) {
      if (!Array.isArray(cells)) continue;
      rows.push(rowOf(Object.fromEntries(names.map((name, i) => [name, cells[i]]).filter(([name]) => name !== ''))));
    }
  }
  return rows;
}

/** Log Analytics rows as JSON: an array, one object per line, or the query API's answer. */
export const sentinelJsonAdapter: Adapter = {
  id: 'sentinel-json',
  title: 'Microsoft Sentinel / Log Analytics query export (JSON)',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('[') && !start.startsWith('{')) return 0;
    if (/^\{\s*"tables"\s*:\s*\[/.test(start) && /"name"\s*:\s*"TimeGenerated"/.test(head)) return 0.9;
    if (!/"TimeGenerated"\s*:/.test(head)) return 0;
    // TenantId + Type is the Log Analytics envelope itself: surer than any shape of the payload (Sysmon, MDE).
    if (/"TenantId"\s*:/.test(head) && /"Type"\s*:/.test(head)) return 0.97;
    return MARKERS.filter((m) => head.includes(`"${m}"`)).length >= 2 ? 0.85 : 0;
  },
  open(options): RecordParser {
    const name = new FamilyFormat('sentinel', 'json');
    return {
      mode: 'document',
      get format() {
        return name.format;
      },
      document(text, sink: Sink, each) {
        let recordNo = 0;
        const emit = (row: SentinelRow, sample: string) => {
          name.note(safeName(sentinelTable(row)));
          each(emitSentinelRow(row, sink, options.utcOffsetMinutes), ++recordNo, sample);
        };
        for (const piece of splitJsonObjects(cleanDocument(text))) {
          const sample = piece.text.slice(0, 500);
          const parsed = piece.truncated ? undefined : parseJson(piece.text);
          let problem: string | null = piece.truncated ? 'truncated JSON record' : isJsonObject(parsed) ? null : 'not a JSON object';
          if (problem === null && own(parsed as JsonObject, 'tables') !== undefined) {
            const rows = apiRows(parsed as JsonObject);
            if (typeof rows !== 'string') {
              for (const row of rows) emit(row, JSON.stringify(Object.fromEntries(row)).slice(0, 500));
              continue;
            }
            problem = rows;
          }
          if (problem !== null) each(reject(problem), ++recordNo, sample);
          else emit(rowOf(parsed as JsonObject), sample);
        }
      },
    };
  },
};

/** " [UTC]" that the portal appends to time column names when it writes UTC. */
const UTC_SUFFIX = / \[UTC\]$/;

/** The portal's CSV export of a query result. */
export const sentinelCsvAdapter: Adapter = {
  id: 'sentinel-csv',
  title: 'Microsoft Sentinel / Log Analytics query export (CSV)',
  sniff(head) {
    const header = csvHeader(head)?.map((h) => h.replace(UTC_SUFFIX, '').replace(/ \[[^\]]*\]$/, ''));
    if (!header?.includes('TimeGenerated')) return 0;
    return MARKERS.some((m) => header.includes(m)) || header.some((h) => /^(?:Src|Dst)IpAddr$/.test(h)) ? 0.85 : 0;
  },
  open(options): RecordParser {
    const name = new FamilyFormat('sentinel', 'csv');
    return {
      mode: 'document',
      get format() {
        return name.format;
      },
      document(text, sink, each) {
        const header = csvHeader(text) ?? [];
        // Times are UTC when the columns say so; otherwise the portal wrote the browser's local time.
        const offset = header.some((h) => UTC_SUFFIX.test(h)) ? 0 : options.utcOffsetMinutes;
        eachCsvRecord(text, (record): void => {
          if (record.problem) return each(reject(record.problem), record.recordNo, record.sample);
          const row: SentinelRow = new Map();
          for (const [column, value] of record.values) if (value.trim() !== '') row.set(column.replace(/ \[[^\]]*\]$/, ''), value);
          name.note(safeName(sentinelTable(row)));
          const outcome: Outcome = emitSentinelRow(row, sink, offset);
          each(outcome, record.recordNo, record.sample);
        });
      },
    };
  },
};
