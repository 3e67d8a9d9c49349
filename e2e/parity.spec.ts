import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, WorkbenchPage } from './fixtures.ts';
import { findingsDifferences, type ExportedFindings } from './support/findings-diff.ts';
import { assertBuildIsCurrent, PARITY_DIR, prepareMixedScenario, queryNumber, runCli, runVitestFile, type MixedScenario } from './support/parity-data.ts';
import { worldCaseFailures } from '../src/detection/fixtures/world-cases.ts';

/**
 * "Same SQL everywhere", end to end: the same files give the same per-source counts, the same ranked findings
 * and the same process attribution in the browser (DuckDB-WASM) as in `relaywatch analyze` (native DuckDB);
 * and the detection test world, saved as a workspace on native DuckDB, gives the same findings once the browser
 * opens it — with every analytic firing on its positive case and not on its negative one.
 */
const CLI_FINDINGS = join(PARITY_DIR, 'cli-findings.json');
const CLI_DB = join(PARITY_DIR, 'cli.duckdb');
const ATTRIBUTED_PROXY_SQL = "SELECT count(*) AS n FROM events WHERE kind = 'proxy' AND process_origin = 'endpoint-flow'";

let scenario: MixedScenario;
let cli: ExportedFindings;
let cliStderr: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  assertBuildIsCurrent();
  scenario = prepareMixedScenario();
  const run = runCli([
    'analyze', '--utc-offset', String(scenario.utcOffsetMinutes), '--inventory', scenario.inventory,
    '--db', CLI_DB, '--out', CLI_FINDINGS, scenario.logDir,
  ]);
  // Exit 2 because notes.txt is not a log; everything else must have been read.
  expect(run.code, run.stderr).toBe(2);
  cliStderr = run.stderr;
  cli = JSON.parse(readFileSync(CLI_FINDINGS, 'utf8')) as ExportedFindings;
});

interface SourceCounts {
  name: string;
  format: string;
  read: number;
  loaded: number;
  rejected: number;
}

const count = (text: string) => Number(text.replace(/[^\d]/g, ''));
const byName = (a: SourceCounts, b: SourceCounts) => a.name.localeCompare(b.name);

/** Every row of the Data view's load summary. */
async function loadSummary(page: Page): Promise<SourceCounts[]> {
  const rows = page.getByTestId('source-row');
  const summary: SourceCounts[] = [];
  for (const row of await rows.all()) {
    const cells = row.locator(':scope > td');
    summary.push({
      name: (await row.getAttribute('data-source')) ?? '',
      format: (await cells.nth(1).textContent())?.trim() ?? '',
      read: count((await cells.nth(2).textContent()) ?? ''),
      loaded: count((await row.getByTestId('rows-loaded').textContent()) ?? ''),
      rejected: count((await cells.nth(4).textContent()) ?? ''),
    });
  }
  return summary.sort(byName);
}

/** The CLI's sources under the names the browser gives picked files (the CLI prefixes the folder path). */
function cliSources(): SourceCounts[] {
  return cli.sources
    .map((s) => ({ name: basename(s.name), format: s.format, read: s.rows_read, loaded: s.rows_loaded, rejected: s.rows_rejected }))
    .sort(byName);
}

async function setUtcOffset(page: Page, minutes: number): Promise<void> {
  await page.getByRole('combobox', { name: 'UTC offset for logs without a time zone' }).selectOption(String(minutes));
}

async function exportedFindings(page: Page): Promise<ExportedFindings> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-findings-json').click()]);
  return JSON.parse(readFileSync((await file.path())!, 'utf8')) as ExportedFindings;
}

test('a mixed folder (one file gzipped, one not a log) gives the same per-source formats and counts as the CLI', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await setUtcOffset(page, scenario.utcOffsetMinutes);
  await app.loadFiles(scenario.files);
  await expect(app.status()).toHaveAttribute('data-state', 'ready');

  const browser = await loadSummary(page);
  expect(browser).toHaveLength(scenario.files.length);
  expect(browser).toEqual(cliSources());
  // The .gz member is one source with every line of the file it was made from.
  const squid = browser.filter((s) => s.name.startsWith(scenario.gzipped.name));
  expect(squid).toEqual([expect.objectContaining({ loaded: scenario.gzipped.lines, rejected: 0, format: 'squid-native' })]);
  expect(browser.find((s) => s.name === scenario.unrecognised)).toMatchObject({ loaded: 0, read: 0 });
  expect(cliStderr).toContain(`${scenario.unrecognised}: not read`);
  await page.screenshot({ path: 'test-results/screens/parity-load-summary.png' });
});

test('with the inventory and offset of the scenario, the browser exports the same findings and process attribution as the CLI', async ({ page }) => {
  test.setTimeout(120_000);
  const app = new WorkbenchPage(page);
  await app.open();
  await setUtcOffset(page, scenario.utcOffsetMinutes);
  await app.loadFiles(scenario.files);
  await app.gotoView('Assets');
  await page.getByTestId('inventory-input').setInputFiles(scenario.inventory);
  await expect(page.getByTestId('inventory-message')).toContainText('entries applied');
  await app.waitFor(['ready']);

  const browser = await exportedFindings(page);
  expect(cli.findings.length).toBeGreaterThan(0);
  expect(findingsDifferences(browser.findings, cli.findings)).toEqual([]);

  await app.query(ATTRIBUTED_PROXY_SQL);
  const attributedInBrowser = count((await page.getByTestId('result-grid').locator('tbody tr').first().locator('td').first().textContent()) ?? '');
  const attributedNative = await queryNumber(CLI_DB, ATTRIBUTED_PROXY_SQL);
  expect(attributedNative).toBeGreaterThan(0);
  expect(attributedInBrowser).toBe(attributedNative);
});

test('the detection world saved on native DuckDB opens in the browser with the same findings, every analytic positive and negative holding', async ({ page }) => {
  test.setTimeout(120_000);
  // Builds the world on native DuckDB, checks its cases there and writes world.rwz + world-findings.json.
  runVitestFile('src/workspace/world-workspace.test.ts');
  const native = JSON.parse(readFileSync(join(PARITY_DIR, 'world-findings.json'), 'utf8')) as ExportedFindings;

  const app = new WorkbenchPage(page);
  await app.open();
  await page.getByTestId('workspace-input').setInputFiles(join(PARITY_DIR, 'world.rwz'));
  await app.waitFor(['ready']);
  const browser = await exportedFindings(page);

  expect(worldCaseFailures(browser.findings)).toEqual([]);
  expect(findingsDifferences(browser.findings, native.findings)).toEqual([]);
  expect(browser.sources).toEqual(native.sources);
});
