import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, WorkbenchPage } from './fixtures.ts';
import { findingsDifferences, type ExportedFindings } from './support/findings-diff.ts';
import { assertBuildIsCurrent, PARITY_DIR, prepareCaptureScenario, runCli, type CaptureScenario } from './support/parity-data.ts';

/**
 * A packet capture dropped in the tab and the same file given to `relaywatch analyze` are read by the same
 * pcap reader and give the same per-source counts and the same findings.
 */
const CLI_FINDINGS = join(PARITY_DIR, 'capture-cli-findings.json');

let scenario: CaptureScenario;
let cli: ExportedFindings;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  assertBuildIsCurrent();
  scenario = prepareCaptureScenario();
  const run = runCli([
    'analyze',
    '--utc-offset',
    String(scenario.utcOffsetMinutes),
    '--inventory',
    scenario.inventory,
    '--out',
    CLI_FINDINGS,
    scenario.capture,
  ]);
  expect(run.code, run.stderr).toBe(0);
  cli = JSON.parse(readFileSync(CLI_FINDINGS, 'utf8')) as ExportedFindings;
});

test('a pcap gives the same packet counts and findings in the browser as in the CLI', async ({ page }) => {
  test.setTimeout(180_000);
  const app = new WorkbenchPage(page);
  await app.open();
  await page.getByRole('combobox', { name: 'UTC offset for logs without a time zone' }).selectOption(String(scenario.utcOffsetMinutes));
  await app.loadFiles([scenario.capture]);
  await expect(app.status()).toHaveAttribute('data-state', 'ready');
  const row = page.getByTestId('source-row');
  await expect(row).toHaveCount(1);
  await expect(row.locator(':scope > td').nth(1)).toHaveText('pcap');
  const loaded = Number(((await row.getByTestId('rows-loaded').textContent()) ?? '').replace(/[^\d]/g, ''));
  expect(loaded).toBe(cli.sources[0].rows_loaded);
  expect(loaded).toBeGreaterThan(1000);

  await app.gotoView('Assets');
  await page.getByTestId('inventory-input').setInputFiles(scenario.inventory);
  await expect(page.getByTestId('inventory-message')).toContainText('entries applied');
  await app.waitFor(['ready']);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-findings-json').click()]);
  const browser = JSON.parse(readFileSync((await file.path())!, 'utf8')) as ExportedFindings;
  expect(cli.findings.length).toBeGreaterThan(0);
  expect(findingsDifferences(browser.findings, cli.findings)).toEqual([]);
});
