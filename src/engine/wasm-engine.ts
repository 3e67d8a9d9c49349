import * as duckdb from '@duckdb/duckdb-wasm';
import { Table, tableFromIPC } from 'apache-arrow';
import mvpWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import type { SqlEngine, SqlParam } from './sql-engine.ts';
import { quoteIdent } from './sql-engine.ts';
import { columnsToIpc } from './arrow-encode.ts';
import { tableRows } from './arrow-values.ts';
import { explainEngineError, webAssemblySupported } from './errors.ts';

export interface EngineProgress {
  bytesLoaded: number;
  bytesTotal: number;
}

/**
 * DuckDB's own budget inside the 4 GiB wasm heap. Past it DuckDB raises a clean "Out of Memory" error (there is no
 * temp directory to spill to in the tab) instead of growing the heap until the worker aborts; the rest of the heap is
 * left for allocations outside DuckDB's buffer manager (query-local strings, Arrow results, the wasm runtime).
 */
const WASM_MEMORY_LIMIT = '2560MB';

/** A wasm heap that could not grow surfaces as a runtime crash rather than DuckDB's own out-of-memory error. */
const WASM_HEAP_EXHAUSTED = /cannot enlarge memory|WebAssembly\.Memory|memory access out of bounds|Aborted\(/i;

/** Both bundles are served from our own build; nothing is fetched from elsewhere. */
const LOCAL_BUNDLES: duckdb.DuckDBBundles = {
  mvp: { mainModule: mvpWasmUrl, mainWorker: mvpWorkerUrl },
  eh: { mainModule: ehWasmUrl, mainWorker: ehWorkerUrl },
};

/**
 * The engine facade: the only module that talks to DuckDB-WASM. It owns start-up (with progress),
 * queries returning Arrow, paging, Arrow inserts and cancellation, and implements the shared SqlEngine.
 */
export class WasmEngine implements SqlEngine {
  private constructor(
    private readonly db: duckdb.AsyncDuckDB,
    private readonly conn: duckdb.AsyncDuckDBConnection,
    private readonly worker: Worker,
    readonly description: string,
  ) {}

  static async start(onProgress: (p: EngineProgress) => void = () => {}): Promise<WasmEngine> {
    if (!webAssemblySupported()) {
      throw new Error('This browser cannot run WebAssembly, which Relaywatch needs. Use a current Chromium, Firefox or Safari.');
    }
    const bundle = await duckdb.selectBundle(LOCAL_BUNDLES);
    // DuckDB's own worker is a classic script; it loads the wasm from our origin.
    const worker = new Worker(bundle.mainWorker!);
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await db.instantiate(bundle.mainModule, bundle.pthreadWorker, (p) =>
      onProgress({ bytesLoaded: p.bytesLoaded, bytesTotal: p.bytesTotal }),
    );
    await db.open({ query: { castBigIntToDouble: false } });
    const conn = await db.connect();
    // Only core functions are compiled in; anything else would be downloaded, so never autoload.
    await conn.query(`SET autoload_known_extensions = false; SET autoinstall_known_extensions = false;`);
    await conn.query(`SET memory_limit = '${WASM_MEMORY_LIMIT}'`);
    // Compressed in-memory storage: tables shrink several-fold, which decides whether 10 M events fit the wasm heap.
    await conn.query(`ATTACH ':memory:' AS relaywatch (COMPRESS); USE relaywatch;`);
    const version = await db.getVersion();
    return new WasmEngine(db, conn, worker, `duckdb-wasm ${duckdb.PACKAGE_VERSION} (DuckDB ${version})`);
  }

  async exec(sql: string): Promise<void> {
    await this.run(() => this.conn.query(sql));
  }

  /** Arrow result of one statement with `?` parameters bound. Keep results small; use `page` for large ones. */
  async arrow(sql: string, params: readonly SqlParam[] = []): Promise<Table> {
    return this.run(async () => {
      if (params.length === 0) return this.conn.query(sql);
      const stmt = await this.conn.prepare(sql);
      try {
        return await stmt.query(...params);
      } finally {
        await stmt.close();
      }
    });
  }

  async all<T = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return tableRows<T>(await this.arrow(sql, params));
  }

  /**
   * A query that can be cancelled with `cancel()`: streams record batches and stops after `maxRows`
   * so a huge result never lands in the page as a whole.
   */
  async cancellable(sql: string, maxRows: number): Promise<{ table: Table | null; truncated: boolean }> {
    return this.run(async () => {
      const reader = await this.conn.send(sql, true);
      const batches = [];
      let rows = 0;
      let truncated = false;
      for await (const batch of reader) {
        batches.push(batch);
        rows += batch.numRows;
        if (rows >= maxRows) {
          truncated = true;
          await this.conn.cancelSent().catch(() => false);
          break;
        }
      }
      if (batches.length === 0) return { table: null, truncated };
      return { table: new Table(batches), truncated };
    });
  }

  /** Cancel the query started with `cancellable()`. */
  async cancel(): Promise<boolean> {
    return this.conn.cancelSent();
  }

  /** Appends Arrow IPC bytes to `table` by column name (columns absent from the batch stay NULL). */
  async insertIpc(table: string, ipc: Uint8Array, selectList = '*'): Promise<void> {
    const staging = `__batch_${Math.random().toString(36).slice(2)}`;
    await this.run(async () => {
      await this.conn.insertArrowFromIPCStream(ipc, { name: staging, create: true });
      try {
        await this.conn.query(`INSERT INTO ${quoteIdent(table)} BY NAME SELECT ${selectList} FROM ${staging}`);
      } finally {
        await this.conn.query(`DROP TABLE IF EXISTS ${staging}`);
      }
    });
  }

  async append(table: string, columns: Record<string, readonly unknown[]>, types: Record<string, string>): Promise<void> {
    const { ipc, selectList } = columnsToIpc(columns, types);
    await this.insertIpc(table, ipc, selectList);
  }

  /** Lets DuckDB read a user's file lazily instead of copying it into the wasm heap. */
  async registerFile(name: string, file: File): Promise<void> {
    await this.db.registerFileHandle(name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
  }

  async dropFile(name: string): Promise<void> {
    await this.db.dropFile(name);
  }

  /** Decode an IPC result produced elsewhere (kept here so only this module knows Arrow's reader). */
  static fromIpc(bytes: Uint8Array): Table {
    return tableFromIPC(bytes);
  }

  async close(): Promise<void> {
    await this.conn.close();
    await this.db.terminate();
    this.worker.terminate();
  }

  private async run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(explainEngineError(WASM_HEAP_EXHAUSTED.test(message) ? `out of memory: ${message}` : error), { cause: error });
    }
  }
}
