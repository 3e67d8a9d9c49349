/**
 * The SqlEngine contract, as executable cases: what every engine (native DuckDB in the CLI, DuckDB-WASM in the tab)
 * must do identically for the shared code above it. Vitest runs the cases on the native engine
 * (contract.test.ts); the browser runs the very same cases on DuckDB-WASM in the engine self-test page
 * (selftest.html), which the end-to-end suite opens. No test framework here: a case throws when it fails.
 */
import { quoteIdent, setVariables, type SqlEngine } from './sql-engine.ts';

export interface ContractCase {
  name: string;
  run(engine: SqlEngine): Promise<void>;
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Each case uses its own table names, so the cases can share one engine in any order. */
export const ENGINE_CONTRACT: readonly ContractCase[] = [
  {
    name: 'appends columns (timestamps in microseconds) and reads aggregates back as plain numbers',
    async run(engine) {
      await engine.exec('CREATE OR REPLACE TABLE contract_append (ts TIMESTAMP, kind VARCHAR, bytes_out BIGINT)');
      const n = 5000;
      await engine.append(
        'contract_append',
        {
          ts: Array.from({ length: n }, (_, i) => 1_714_564_800_000_000 + i * 1_000_001),
          kind: Array.from({ length: n }, () => 'flow'),
          bytes_out: Array.from({ length: n }, (_, i) => (i % 2 ? null : i)),
        },
        { ts: 'TIMESTAMP', kind: 'VARCHAR', bytes_out: 'BIGINT' },
      );
      const [row] = await engine.all(
        'SELECT count(*) c, min(ts) first_ts, max(epoch_us(ts)) us, sum(bytes_out) b, count(bytes_out) nonnull FROM contract_append WHERE kind = ?',
        ['flow'],
      );
      expectEqual(row, { c: n, first_ts: 1_714_564_800_000, us: 1_714_564_800_000_000 + (n - 1) * 1_000_001, b: 2499 * 2500, nonnull: 2500 }, 'aggregates');
    },
  },
  {
    name: 'converts every value type the shared code reads in one documented way',
    async run(engine) {
      const [row] = await engine.all(`SELECT
          42::BIGINT AS big, 7::HUGEINT AS huge, 1.25::DECIMAL(9, 2) AS dec, 0.5::DOUBLE AS dbl, true AS flag,
          'Zoë "quoted" ''single''' AS text, NULL::VARCHAR AS nothing,
          TIMESTAMP '2024-05-01 12:00:00.000250' AS ts, DATE '2024-05-02' AS day,
          [1, 2, 3]::BIGINT[] AS list, {'a': 1::BIGINT, 'b': 'x'} AS struct, ['p', NULL] AS list_with_null`);
      expectEqual(
        row,
        {
          big: 42, huge: 7, dec: 1.25, dbl: 0.5, flag: true, text: `Zoë "quoted" 'single'`, nothing: null,
          ts: Date.UTC(2024, 4, 1, 12) + 0.25, day: Date.UTC(2024, 4, 2), list: [1, 2, 3], struct: { a: 1, b: 'x' }, list_with_null: ['p', null],
        },
        'converted row',
      );
    },
  },
  {
    name: 'binds positional parameters and variables instead of splicing them',
    async run(engine) {
      const hostile = "x'); DROP TABLE contract_guard; --";
      await engine.exec('CREATE OR REPLACE TABLE contract_guard (v VARCHAR)');
      const [param] = await engine.all('SELECT ? AS v, ? + 1 AS n, ? AS missing', [hostile, 41, null]);
      expectEqual(param, { v: hostile, n: 42, missing: null }, 'bound parameters');
      await setVariables(engine, { needle: hostile });
      const [variable] = await engine.all("SELECT getvariable('needle') AS v");
      expectEqual(variable, { v: hostile }, 'bound variable');
      const [guard] = await engine.all("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'contract_guard'");
      expectEqual(guard, { n: 1 }, 'table still there');
    },
  },
  {
    name: 'quotes identifiers that come from data',
    async run(engine) {
      const odd = 'raw "zeek" table; --';
      await engine.exec(`CREATE OR REPLACE TABLE ${quoteIdent(odd)} (${quoteIdent('id.orig_h')} VARCHAR)`);
      await engine.append(odd, { 'id.orig_h': ['10.0.0.1'] }, { 'id.orig_h': 'VARCHAR' });
      const rows = await engine.all(`SELECT ${quoteIdent('id.orig_h')} AS h FROM ${quoteIdent(odd)}`);
      expectEqual(rows, [{ h: '10.0.0.1' }], 'rows of the oddly named table');
    },
  },
  {
    name: 'rejects bad SQL with an error that names the problem',
    async run(engine) {
      let message = '';
      try {
        await engine.all('SELECT * FROM contract_no_such_table');
      } catch (error) {
        message = error instanceof Error ? error.message : String(error);
      }
      if (!/contract_no_such_table/.test(message)) throw new Error(`error should name the missing table, got: ${message || 'no error'}`);
    },
  },
];
