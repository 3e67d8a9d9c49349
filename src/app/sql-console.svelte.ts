import { DataType, type Table } from 'apache-arrow';
import type { WasmEngine } from '../engine/wasm-engine.ts';
import { tableRows } from '../engine/arrow-values.ts';
import { toSafeCsv } from '../core/csv-safe.ts';
import { redactDeep } from '../accounts/redact.ts';
import { explainEngineError } from '../engine/errors.ts';
import { refusal } from './console-guard.ts';

export const PAGE_SIZE = 100;
/** Rows fetched per query while exporting a console result. */
const EXPORT_CHUNK = 10_000;
const VIEW = '__console_result';

/**
 * The SQL console: runs the analyst's query as a view and fetches one page at a time, so a result of millions of rows
 * never lands in the page. Each run gets a request id; a late answer to an older run is dropped.
 */
export class SqlConsole {
  sql = $state("SELECT kind, source_format, count(*) AS events\nFROM events\nGROUP BY ALL\nORDER BY events DESC");
  running = $state(false);
  error = $state<string | null>(null);
  columns = $state.raw<string[]>([]);
  /** Columns holding TIMESTAMP or DATE values (rows carry them as epoch milliseconds). */
  timeColumns = $state.raw<Readonly<Record<string, 'timestamp' | 'date'>>>({});
  rows = $state.raw<Record<string, unknown>[]>([]);
  totalRows = $state<number | null>(null);
  page = $state(0);
  elapsedMs = $state<number | null>(null);
  private requestId = 0;
  /** A statement that cannot be a view (PRAGMA, SET, several statements): its result, held whole. */
  private direct: Table | null = null;

  /** `protectedTables`: the tables the app depends on, readable here but never changed. */
  constructor(
    private readonly engine: () => WasmEngine | null,
    private readonly protectedTables: () => readonly string[],
  ) {}

  async run(): Promise<void> {
    const engine = this.engine();
    if (!engine) return;
    const id = ++this.requestId;
    const started = performance.now();
    this.running = true;
    this.error = null;
    try {
      const refused = refusal(this.sql, this.protectedTables());
      if (refused) throw new Error(refused);
      const text = this.sql.trim().replace(/;\s*$/, '');
      let total: number;
      try {
        await engine.exec(`CREATE OR REPLACE TEMP VIEW ${VIEW} AS ${text}`);
        this.direct = null;
        const [row] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM ${VIEW}`);
        total = row.n;
      } catch (viewError) {
        // Not a query (DDL, SET, PRAGMA, several statements): run it as it is and keep its (small) result.
        const result = await engine.cancellable(this.sql, 100_000);
        if (id !== this.requestId) return;
        this.direct = result.table;
        total = result.table?.numRows ?? 0;
        if (!result.table && !/^\s*(create|insert|update|delete|drop|alter|set|pragma|copy|attach|detach|use)/i.test(text)) {
          throw viewError;
        }
      }
      if (id !== this.requestId) return;
      this.totalRows = total;
      await this.showPage(0, id);
      this.elapsedMs = performance.now() - started;
    } catch (error) {
      if (id === this.requestId) {
        this.error = explainEngineError(error);
        this.rows = [];
        this.columns = [];
        this.totalRows = null;
      }
    } finally {
      if (id === this.requestId) this.running = false;
    }
  }

  async cancel(): Promise<void> {
    this.requestId++;
    this.running = false;
    await this.engine()?.cancel();
    this.error = 'The query was cancelled.';
  }

  async goTo(page: number): Promise<void> {
    await this.showPage(page, ++this.requestId);
  }

  get pageCount(): number {
    return this.totalRows ? Math.ceil(this.totalRows / PAGE_SIZE) : 0;
  }

  private async showPage(page: number, id: number): Promise<void> {
    const engine = this.engine();
    if (!engine) return;
    let table: Table | null;
    let offset = 0;
    if (this.direct) {
      table = this.direct;
      offset = page * PAGE_SIZE;
    } else {
      table = await engine.arrow(`SELECT * FROM ${VIEW} LIMIT ? OFFSET ?`, [PAGE_SIZE, page * PAGE_SIZE]);
    }
    if (id !== this.requestId) return;
    this.page = page;
    this.columns = table ? table.schema.fields.map((f) => f.name) : [];
    this.timeColumns = Object.fromEntries(
      (table?.schema.fields ?? []).flatMap((f): [string, 'timestamp' | 'date'][] =>
        DataType.isTimestamp(f.type) ? [[f.name, 'timestamp']] : DataType.isDate(f.type) ? [[f.name, 'date']] : [],
      ),
    );
    this.rows = table ? tableRows(table, offset, PAGE_SIZE) : [];
  }

  /** The whole result as CSV (fetched in chunks), with spreadsheet formulas neutralised and secrets redacted. */
  async exportCsv(): Promise<Blob> {
    const engine = this.engine();
    if (!engine) throw new Error('The engine is not running.');
    const parts: string[] = [];
    if (this.direct) {
      parts.push(toSafeCsv(this.columns, redactDeep(tableRows(this.direct))));
    } else {
      const total = this.totalRows ?? 0;
      for (let offset = 0; offset < Math.max(total, 1); offset += EXPORT_CHUNK) {
        const table = await engine.arrow(`SELECT * FROM ${VIEW} LIMIT ? OFFSET ?`, [EXPORT_CHUNK, offset]);
        const rows = redactDeep(tableRows(table));
        if (offset > 0) parts.push('\r\n');
        parts.push(toSafeCsv(this.columns, rows, offset === 0));
      }
    }
    return new Blob(parts, { type: 'text/csv;charset=utf-8' });
  }
}
