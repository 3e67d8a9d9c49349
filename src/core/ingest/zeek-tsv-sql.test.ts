import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { NativeEngine } from '../../engine/native-engine.ts';
import { fileChunks } from '../../pipeline/node.ts';
import { canonicalDdl } from '../canonical.ts';
import { ALL_ADAPTERS } from '../adapters/index.ts';
import { ingestFile, type SourceSummary } from './pipeline.ts';
import { storeBatch } from './store.ts';
import { headText, isGzip, loadZeekTsv, planZeekTsv, zeekSourceName } from './zeek-tsv-sql.ts';
import { sampleDir } from '../../test-support/sample-data.ts';

const FIXTURES = new URL('../adapters/fixtures/zeek/', import.meta.url);
const REAL_TSV = sampleDir('real/zeek-wrccdc2018/zeek-tsv');

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'zeek-tsv-sql-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A file written for one test, with the name given (names are data: quotes and all). */
function scratchFile(name: string, content: string | Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

interface Loaded {
  summary: SourceSummary;
  tables: Map<string, Record<string, unknown>[]>;
}

/** Every table's rows (events ordered by line, raw tables by line), as plain JS. */
async function dumpTables(engine: NativeEngine): Promise<Map<string, Record<string, unknown>[]>> {
  const tables = await engine.all<{ name: string }>(
    `SELECT table_name AS name FROM duckdb_tables() WHERE table_name = 'events' OR table_name LIKE 'raw\\_%' ESCAPE '\\' ORDER BY 1`,
  );
  const out = new Map<string, Record<string, unknown>[]>();
  for (const { name } of tables) {
    const order = name === 'events' ? 'source_line, kind' : 'CAST(source_line AS BIGINT)';
    out.set(name, await engine.all(`SELECT * FROM "${name}" ORDER BY ${order}`));
  }
  return out;
}

/** The line parser's result for one file, on a fresh native engine. */
async function loadWithLineParser(path: string, name: string): Promise<Loaded> {
  const engine = await NativeEngine.open();
  try {
    await engine.exec(canonicalDdl());
    const [summary] = await ingestFile(name, fileChunks(path), { write: (batch) => storeBatch(engine, batch) }, {
      adapters: ALL_ADAPTERS,
      utcOffsetMinutes: 0,
    });
    return { summary, tables: await dumpTables(engine) };
  } finally {
    engine.close();
  }
}

/** The read_csv result for one file (null when planZeekTsv or loadZeekTsv leaves it to the line parser). */
async function loadWithSql(path: string, fileName: string): Promise<Loaded | null> {
  const prefix = readFileSync(path).subarray(0, 65536);
  const plan = planZeekTsv((await headText(prefix)) ?? '');
  const name = zeekSourceName(fileName, prefix);
  if (!plan) return null;
  const engine = await NativeEngine.open();
  try {
    await engine.exec(canonicalDdl());
    const summary = await loadZeekTsv(engine, plan, { fileRef: path, sourceName: name, bytes: readFileSync(path).length, gzip: isGzip(prefix) });
    if (!summary) return null;
    return { summary, tables: await dumpTables(engine) };
  } finally {
    engine.close();
  }
}

const counts = (s: SourceSummary) => ({
  name: s.name,
  format: s.format,
  status: s.status,
  rows_read: s.rows_read,
  rows_loaded: s.rows_loaded,
  rows_rejected: s.rows_rejected,
  rejections: s.rejections,
  bytes: s.bytes,
  message: s.message,
});

/** Loads `path` both ways and expects the same summary and the same rows; returns the SQL result. */
async function expectParity(path: string, name = path.split('/').pop()!): Promise<Loaded> {
  const sql = await loadWithSql(path, name);
  expect(sql, `${name} should take the read_csv path`).not.toBeNull();
  expect(sql!.summary.rejections.every((r) => Object.getPrototypeOf(r) === Object.prototype)).toBe(true);
  const js = await loadWithLineParser(path, name);
  expect(counts(sql!.summary)).toEqual(counts(js.summary));
  expect([...sql!.tables.keys()]).toEqual([...js.tables.keys()]);
  for (const [table, rows] of js.tables) {
    const sqlRows = sql!.tables.get(table)!;
    expect(sqlRows.length, `${name}: ${table} rows`).toBe(rows.length);
    for (let i = 0; i < rows.length; i++) expect(sqlRows[i], `${name}: ${table} row ${i}`).toEqual(rows[i]);
  }
  return sql!;
}

describe('planZeekTsv', () => {
  it('reads the header of a plain Zeek TSV log', () => {
    const plan = planZeekTsv(readFileSync(new URL('dns.log', FIXTURES), 'utf8'))!;
    expect(plan).toMatchObject({ format: 'zeek-dns-tsv', path: 'dns', headerLines: 8, emptyField: '(empty)', unsetField: '-', setSeparator: ',' });
    expect(plan.fields.slice(0, 3)).toEqual(['ts', 'uid', 'id.orig_h']);
    expect(plan.containers.filter(Boolean)).toHaveLength(2); // answers, TTLs
  });

  it('leaves odd files to the line parser', () => {
    const conn = readFileSync(new URL('conn.log', FIXTURES), 'utf8');
    expect(planZeekTsv(conn)).toBeNull(); // a second header block with other #fields
    expect(planZeekTsv(readFileSync(new URL('weird-pipe.log', FIXTURES), 'utf8'))).toBeNull(); // '|' separator
    const dns = readFileSync(new URL('dns.log', FIXTURES), 'utf8');
    expect(planZeekTsv(dns.replaceAll('\n', '\r\n'))).toBeNull();
    expect(planZeekTsv('{"ts":1}\n')).toBeNull();
    expect(planZeekTsv(dns.split('\n').slice(0, 5).join('\n') + '\n')).toBeNull(); // no #fields
  });

  it('accepts a repeated identical header block', () => {
    const dns = readFileSync(new URL('dns.log', FIXTURES), 'utf8');
    expect(planZeekTsv(dns + dns)).not.toBeNull();
  });
});

describe('headText', () => {
  it('inflates a gzip prefix and refuses UTF-16', async () => {
    const text = readFileSync(new URL('ssl.log', FIXTURES), 'utf8').repeat(200);
    const gz = gzipSync(text);
    expect(await headText(gz.subarray(0, 2000))).toBe(text.slice(0, (await headText(gz.subarray(0, 2000)))!.length));
    expect((await headText(gz.subarray(0, 2000)))!.startsWith('#separator \\x09\n')).toBe(true);
    const utf16 = new Uint8Array(Buffer.from('\ufeff' + text.slice(0, 500), 'utf16le'));
    expect(await headText(utf16)).toBeNull();
  });
});

describe('loadZeekTsv matches the line parser', () => {
  for (const name of ['dns.log', 'http.log', 'ssl.log', 'notice.log', 'loaded_scripts.log', 'open_conn.log']) {
    it(`fixture ${name}`, async () => {
      await expectParity(new URL(name, FIXTURES).pathname);
    });
  }

  it('a log that needs no time keeps a row whose ts is missing or unreadable, as written', async () => {
    const text = [
      '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tpacket_filter',
      '#fields\tts\tnode\tfilter', '#types\ttime\tstring\tstring',
      '1714564800.000000\tzeek\tip or not ip', '-\tzeek\tport 53', 'soon\tzeek\ttcp', '',
    ].join('\n');
    const { summary, tables } = await expectParity(scratchFile('packet_filter.log', text));
    expect(summary).toMatchObject({ rows_loaded: 3, rows_rejected: 0 });
    expect(tables.get('raw_zeek_packet_filter')!.map((r) => r.ts)).toEqual(['2024-05-01T12:00:00.000000Z', null, 'soon']);
  });

  it('fixture dns.log: counts, escapes, rejection and line numbers', async () => {
    const { summary, tables } = await expectParity(new URL('dns.log', FIXTURES).pathname);
    expect(summary).toMatchObject({ rows_read: 5, rows_loaded: 4, rows_rejected: 1 });
    expect(summary.rejections).toEqual([{ line: 13, reason: 'unreadable ts "yesterday"', sample: expect.stringMatching(/^yesterday\tCDnsBadTs1/) }]);
    const events = tables.get('events')!;
    expect(events.map((e) => e.source_line)).toEqual([9, 10, 11, 12]);
    expect(events[2]).toMatchObject({ dns_query: 'bücher.example', dst_host: 'bücher.example', dns_answers: 'v=spf1 a,b' });
    expect(events[0].ts).toBe(Date.parse('2024-05-01T12:00:00.500Z'));
  });

  it('a second header block with the same values, interior rejects, odd rows and ISO times', async () => {
    const http = readFileSync(new URL('http.log', FIXTURES), 'utf8');
    const lines = http.trimEnd().split('\n');
    const header = lines.filter((l) => l.startsWith('#') && !l.startsWith('#close'));
    const data = lines.filter((l) => !l.startsWith('#'));
    const odd = [
      data[0].replace('1714564900.250000', '2024-05-01T12:01:40.250001+02:00'),
      data[1].split('\t').slice(0, 5).join('\t'), // cut short
      data[1].replace('1714564901.000000', '-'), // no time
      '#1714564999.0\t' + data[2].split('\t').slice(1).join('\t'), // a data line starting with '#'
      '\t'.repeat(data[0].split('\t').length - 1), // only tabs: blank to the line parser
      data[2].replace('\tCONNECT\t', '\tconnect\t').replace('api.telegram.org:443', '[2001:db8::1]:8443'),
      data[3].replace('Example.COM', ' Host.Example.  ').replace('http://example.com/', '\\x22quoted\\x22 \\x01 \\xff'),
      data[0].replace('40960', '1e3').replace('\t512\t', '\t 0x10\t').replace('\t200\t', '\t200.5\t'),
      data[0].replace('40960', '0o17').replace('\t512\t', '\t0b101\t').replace('\t200\t', '\t+2e1\t'),
    ];
    const text = [...header, ...data, '#close\t2024-05-01-13-00-00', ...header, ...odd, '#close\t2024-05-01-14-00-00'].join('\n') + '\n';
    const { summary, tables } = await expectParity(scratchFile('concatenated-http.log', text));
    // Cut short, no time, and '#1714…' (data to the line parser, with an unreadable ts) are rejected.
    expect(summary).toMatchObject({ rows_loaded: 9, rows_rejected: 3 });
    expect(summary.rejections.map((r) => r.line)).toEqual([23, 24, 25]);
    expect(tables.get('events')!.map((e) => e.source_line)).toEqual([9, 10, 11, 12, 22, 27, 28, 29, 30]);
    expect(tables.get('events')![4].ts).toBeCloseTo(Date.parse('2024-05-01T10:01:40.250Z') + 0.001, 6); // the microsecond is kept
  });

  it('a hostile file name, a cut-off last line and a raw (non-canonical) path with odd field names', async () => {
    const fields = ['ts', 'host', 'Host', 'source_file', '1', '__proto__', 'tags'];
    const text = [
      '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tknown_things',
      `#fields\t${fields.join('\t')}`, '#types\ttime\tstring\tstring\tstring\tstring\tstring\tset[string]',
      '1714564800.000001\ta.example\tB.example\tspoofed\tone\tproto\tx,y\\x2cz',
      '1714564801.5\t-\t(empty)\t-\t-\t-\t(empty)',
      '1714564802\tc.example\tc\tx\ty',
    ].join('\n');
    const name = `it's "quoted"; DROP TABLE events; --.log`;
    const { summary, tables } = await expectParity(scratchFile(name, text), name);
    expect(summary).toMatchObject({ name, format: 'zeek-known_things-tsv', rows_loaded: 2, rows_rejected: 1 });
    expect(summary.rejections[0]).toMatchObject({ line: 10, reason: 'expected 7 fields, found 5 (truncated or malformed line)' });
    const rows = tables.get('raw_zeek_known_things')!;
    expect(rows[0]).toMatchObject({ ts: '2024-05-01T12:00:00.000001Z', source_file: 'spoofed', tags: 'x,y,z', f_1: 'one' });
  });

  it('a gzip file', async () => {
    const ssl = readFileSync(new URL('ssl.log', FIXTURES), 'utf8');
    const [head, close] = [ssl.slice(0, ssl.indexOf('#close')), ssl.slice(ssl.indexOf('#close'))];
    const body = head.split('\n').filter((l) => l && !l.startsWith('#'));
    const many = Array.from({ length: 3000 }, (_, i) => body[i % body.length].replace(/^\d+/, String(1714564800 + i)));
    const text = head.split('\n').filter((l) => l.startsWith('#')).join('\n') + '\n' + many.join('\n') + '\n' + close;
    const { summary } = await expectParity(scratchFile('ssl.log.gz', gzipSync(text)));
    await expectParity(scratchFile('ssl-no-extension', gzipSync(text)));
    expect(summary).toMatchObject({ name: 'ssl.log', format: 'zeek-ssl-tsv', rows_loaded: 3000, rows_rejected: 0 });
  });

  it('numbers the lines of a file read in parallel (several reader ranges), with a refused line in the middle', async () => {
    const conn = readFileSync(new URL('conn.log', FIXTURES), 'utf8');
    const allLines = conn.split('\n');
    const header = allLines.slice(0, allLines.findIndex((l) => !l.startsWith('#')));
    // Each row names its own line in its uid; long enough lines make the file span several of DuckDB's 8 MB ranges.
    const padding = 'x'.repeat(120);
    const row = (line: number) => `C${line}\t${1714564800 + line}.000001\t10.1.2.3\t51000\t149.154.167.220\t443\ttcp\tssl\t1.5\t10\t20\tSF\tSh${padding}\t(empty)`;
    const lines = [...header];
    for (let i = 0; i < 200_000; i++) {
      const line = lines.length + 1;
      lines.push(i === 100_000 ? `C${line}\t1714564800.0\t10.1.2.3` : row(line));
    }
    const path = scratchFile('big-conn.log', lines.join('\n') + '\n');
    const plan = planZeekTsv(lines.slice(0, 20).join('\n') + '\n')!;
    const engine = await NativeEngine.open();
    try {
      await engine.exec(canonicalDdl());
      const summary = await loadZeekTsv(engine, plan, { fileRef: path, sourceName: 'conn.log', bytes: 0, gzip: false });
      expect(summary).toMatchObject({ rows_loaded: 199_999, rows_rejected: 1 });
      const [check] = await engine.all<{ misnumbered: number; first: string }>(
        `SELECT count(*) FILTER (WHERE uid <> 'C' || source_line) AS misnumbered, min_by(uid, source_line) AS first FROM events`,
      );
      expect(check).toEqual({ misnumbered: 0, first: `C${header.length + 1}` });
    } finally {
      engine.close();
    }
  });

  it('leaves a file with invalid UTF-8 to the line parser', async () => {
    const dns = readFileSync(new URL('dns.log', FIXTURES));
    const broken = Buffer.concat([dns.subarray(0, dns.indexOf('API.Telegram')), Buffer.from([0xff, 0xfe]), dns.subarray(dns.indexOf('API.Telegram'))]);
    expect(await loadWithSql(scratchFile('broken.log', broken), 'broken.log')).toBeNull();
  });

  const real = REAL_TSV ? readdirSync(REAL_TSV).sort() : [];
  it.skipIf(real.length === 0)('real WRCCDC samples (RELAYWATCH_SAMPLES; skipped when absent)', async () => {
    const loaded: Record<string, number> = {};
    for (const name of real) loaded[name] = (await expectParity(join(REAL_TSV!, name), name)).summary.rows_loaded;
    expect(loaded).toMatchObject({ 'dns.log': 53_615, 'ssl.log': 49_474, 'x509.log': 348, 'notice.log': 207 });
  }, 600_000);
});
