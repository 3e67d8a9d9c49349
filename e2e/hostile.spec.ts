/**
 * Hostile log content in the real app: script and markup payloads, javascript: URLs, invisible and bidi
 * characters, a 100 kB user agent and spreadsheet formulas must stay literal text everywhere they are shown
 * or exported; empty and binary files beside a good one must not stop the load.
 * Input files are generated into test-results/hostile/ when the suite starts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { test, expect, WorkbenchPage } from './fixtures.ts';

const DIR = fileURLToPath(new URL('../test-results/hostile/', import.meta.url));
const file = (name: string) => `${DIR}${name}`;

/** Payloads that would run script if any view rendered log text as HTML; each sets the trap or opens a dialog. */
const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<script>window.__pwned=1;alert(1)</script>';
const SVG = '<svg onload=alert(1)>';
const JS_URL = 'javascript:alert(1)';
const HYPERLINK = '=HYPERLINK("http://x","y")';
const DDE = "+cmd|' /C calc'!A0";
const RTL = 'invoice\u202Egpj.exe';
const ZERO_WIDTH = 'pay\u200Bpal.com';
const HUGE_UA = `Mozilla/5.0 ${'A'.repeat(100_000)}`;
/** A file whose very name is markup: it shows up in the load summary and in source_file. */
const HOSTILE_NAME = '<img src=x onerror=window.__pwned=1>.log';

const ZEEK_HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\thttp',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\treferrer\tuser_agent\trequest_body_len\tresponse_body_len\tstatus_code\tstatus_msg\tresp_mime_types',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\tcount\tcount\tcount\tstring\tvector[string]',
];
const zeekRow = (n: number, host: string, uri: string, referrer: string, ua: string) =>
  [`1714564900.${n}`, `CHostile${n}`, '10.1.2.3', '51010', '10.9.9.9', '80', '1', 'GET', host, uri, referrer, ua, '0', '10', '200', 'OK', 'text/html'].join('\t');

const ZEEK_HTTP = [
  ...ZEEK_HEADER,
  zeekRow(1, IMG, `/${SCRIPT}`, JS_URL, SVG),
  zeekRow(2, 'evil.example', JS_URL, 'javascript:window.__pwned=1', HUGE_UA),
  zeekRow(3, 'sheet.example', '/formula', DDE, HYPERLINK),
  zeekRow(4, ZERO_WIDTH, `/${RTL}`, '-', `-2+3+cmd|' /C calc'!A0`),
  `1714564900.5\tCShort\t${IMG}`,
  '',
].join('\n');

const SQUID = [
  `1714564801.000 10 10.0.0.5 TCP_MISS/200 512 GET http://evil.example/${SCRIPT.replace(/ /g, '%20')} - HIER_DIRECT/10.9.9.9 text/html`,
  `1714564802.000 10 10.0.0.5 TCP_MISS/200 512 GET ${JS_URL} - HIER_NONE/- -`,
  `1714564803.000 10 10.0.0.5 TCP_DENIED/403 512 GET http://<svg/onload=alert(1)>/ - HIER_NONE/- text/html`,
  '',
].join('\n');

const CONN = readFileSync(fileURLToPath(new URL('./data/conn.log', import.meta.url)));

test.beforeAll(() => {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(file('http.log'), ZEEK_HTTP);
  writeFileSync(file('access.log'), SQUID);
  writeFileSync(file(HOSTILE_NAME), SQUID);
  writeFileSync(file('empty.log'), '');
  writeFileSync(file('noise.bin'), Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  writeFileSync(file('conn.log'), CONN);
});

/** Fails the test if any dialog opens or any payload ran or became an element. */
async function expectNothingRan(page: import('@playwright/test').Page, dialogs: string[]) {
  expect(dialogs, 'dialogs opened by log content').toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  await expect(page.locator('img[src="x"], svg[onload], script:not([src]):not([type])')).toHaveCount(0);
}

test('script, markup and formula payloads in logs stay literal text in the summary, the console and the CSV export', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([file('http.log'), file('access.log'), file(HOSTILE_NAME)]);
  await expectNothingRan(page, dialogs);

  const summary = page.getByTestId('load-summary');
  await expect(summary.getByText(HOSTILE_NAME, { exact: true })).toBeVisible();
  const httpRow = page.locator('[data-testid="source-row"][data-source="http.log"]');
  await expect(httpRow.getByTestId('rows-loaded')).toHaveText('4');
  await httpRow.getByRole('button', { name: 'Show rejected lines' }).click();
  await expect(summary.locator('code.sample').filter({ hasText: IMG })).toHaveCount(1);
  await expect(page.locator('[data-source="access.log"] [data-testid="rows-loaded"]')).toHaveText('3');
  await expectNothingRan(page, dialogs);

  await app.query(
    `SELECT source_file, source_line, dst_host, url_path, referrer, user_agent FROM events
     WHERE source_file = 'http.log' ORDER BY source_line`,
  );
  const cells = page.getByTestId('result-grid').locator('tbody td');
  for (const literal of [IMG.toLowerCase(), `/${SCRIPT}`, SVG, JS_URL, HYPERLINK, DDE, `/${RTL}`, ZERO_WIDTH]) {
    await expect(cells.filter({ hasText: literal }).first(), literal).toBeVisible();
  }
  // The adapter bounds a field's length and the grid shows the start of it with the full length.
  const uaCell = cells.filter({ hasText: /^Mozilla\/5\.0 A+… \(\d+ chars\)$/ });
  await expect(uaCell).toHaveCount(1);
  const shownLength = Number(/\((\d+) chars\)/.exec((await uaCell.textContent())!)![1]);
  expect(shownLength).toBeGreaterThan(500);
  expect(shownLength).toBeLessThanOrEqual(HUGE_UA.length);
  await expectNothingRan(page, dialogs);

  await app.query(`SELECT DISTINCT source_file FROM events WHERE source_file LIKE '<img%'`);
  await expect(page.getByTestId('result-grid').locator('tbody td')).toHaveText([HOSTILE_NAME]);

  await app.query(`SELECT url_path, referrer, user_agent FROM events WHERE source_file = 'http.log' ORDER BY source_line`);
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('sql-export-csv').click();
  const csv = readFileSync(await (await downloadPromise).path(), 'utf8');
  const rows = Papa.parse<string[]>(csv.replace(/^\uFEFF/, ''), { skipEmptyLines: true }).data;
  expect(rows[0]).toEqual(['url_path', 'referrer', 'user_agent']);
  const cellsOut = rows.slice(1).flat();
  expect(cellsOut).toContain(`'${HYPERLINK}`);
  expect(cellsOut).toContain(`'${DDE}`);
  expect(cellsOut).toContain(`'-2+3+cmd|' /C calc'!A0`);
  expect(cellsOut.filter((cell) => /^Mozilla\/5\.0 A+$/.test(cell))).toHaveLength(1);
  for (const cell of cellsOut) expect(cell, 'no CSV cell may start a formula').not.toMatch(/^[=+\-@\t\r]/);
  await expectNothingRan(page, dialogs);
});

test('an empty file and a binary file dropped with a good log get clear messages; the good log still loads', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([file('empty.log'), file('noise.bin'), file('conn.log')]);
  await expect(app.status()).not.toHaveAttribute('data-state', 'error');
  await expect(page.locator('[data-source="empty.log"]')).toContainText('The file is empty (0 records).');
  await expect(page.locator('[data-source="noise.bin"]')).toContainText('This looks like a binary file, not a text log.');
  await expect(page.locator('[data-source="conn.log"] [data-testid="rows-loaded"]')).toHaveText('12');
  await app.query('SELECT count(*) AS n FROM events');
  await expect(page.getByTestId('result-grid').locator('tbody td')).toHaveText(['12']);
});
