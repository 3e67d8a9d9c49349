import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Download, Page } from '@playwright/test';
import { test, expect, WorkbenchPage } from './fixtures.ts';
import { hostileSquidLog, PAYLOADS } from '../src/report/fixtures/hostile-squid.ts';

/**
 * Exports, report and workspaces, end to end: a proxy log with two planted beacons and attacker payloads
 * (<script>, <img onerror>, =HYPERLINK) in its fields goes in; the findings JSON, the CSV, the HTML report
 * (opened with JavaScript disabled) and a saved workspace come out, and the workspace (also one made by the
 * CLI) restores the same findings in a fresh page.
 */
const repo = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const LOG = repo('test-results/e2e-data/hostile-access.log');
const CLI_WORKSPACE = repo('test-results/e2e-data/cli-case.rwz');

interface ExportedFindings {
  format: string;
  version: number;
  sources: { name: string; rows_loaded: number; rows_rejected: number }[];
  findings: { id: string; rank: number; severity: string; signals: unknown[]; attack: string[]; triage: unknown }[];
}

test.beforeAll(() => {
  mkdirSync(dirname(LOG), { recursive: true });
  writeFileSync(LOG, hostileSquidLog());
});

async function download(page: Page, testId: string): Promise<Download> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return file;
}

async function downloadText(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const file = await download(page, testId);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, 'utf8') };
}

async function exportedFindings(page: Page): Promise<ExportedFindings> {
  return JSON.parse((await downloadText(page, 'export-findings-json')).text) as ExportedFindings;
}

test('findings JSON and CSV, and a report that shows every finding with JavaScript disabled and runs nothing', async ({ page, browser }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([LOG]);
  await expect(app.status()).toHaveAttribute('data-state', 'ready');
  await page.screenshot({ path: 'test-results/screens/exports-header.png' });

  const json = await exportedFindings(page);
  for (const key of ['format', 'version', 'generated_at', 'tool', 'sources', 'findings']) expect(json).toHaveProperty(key);
  expect(json.format).toBe('relaywatch.findings');
  expect(json.sources).toEqual([expect.objectContaining({ name: 'hostile-access.log', rows_loaded: 480, rows_rejected: 1 })]);
  expect(json.findings.length).toBe(2);
  for (const f of json.findings) {
    for (const key of ['id', 'rank', 'score', 'severity', 'source', 'destination', 'first_seen', 'last_seen', 'events', 'signals', 'attack']) {
      expect(f).toHaveProperty(key);
    }
    expect(f.triage).toBeNull();
  }

  const csv = await downloadText(page, 'export-findings-csv');
  expect(csv.name).toMatch(/^relaywatch-findings-\d{8}-\d{6}\.csv$/);
  expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example/x"",""open"")"`);
  expect(csv.text.split('\r\n').some((line) => /(^|,)"?=/.test(line))).toBe(false);

  const report = await downloadText(page, 'export-report-html');
  expect(report.name).toMatch(/^relaywatch-report-\d{8}-\d{6}\.html$/);
  expect(report.text).not.toMatch(/<script/i);
  expect(report.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(report.text.match(/<svg[\s>]/g)?.length).toBe(2 * json.findings.length);

  // Read with scripts off, as the report promises.
  const noScript = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1440, height: 900 } });
  const reader = await noScript.newPage();
  await reader.setContent(report.text);
  await expect(reader.locator('section.finding')).toHaveCount(json.findings.length);
  for (const f of json.findings) await expect(reader.locator(`[data-finding-id="${f.id}"]`)).toBeVisible();
  await expect(reader.locator('#summary')).toContainText('2 suspicious relationships');
  await expect(reader.locator('body')).toContainText(PAYLOADS.script);
  await expect(reader.locator('body')).toContainText(PAYLOADS.formula);
  await expect(reader.locator('img')).toHaveCount(0);
  await reader.screenshot({ path: 'test-results/screens/report-top.png' });
  await reader.locator('section.finding').first().scrollIntoViewIfNeeded();
  await reader.screenshot({ path: 'test-results/screens/report-finding.png' });
  await noScript.close();

  // With scripts on, the payloads still do nothing: no dialog opens, no element from a log appears.
  const scripted = await browser.newContext();
  const scriptedPage = await scripted.newPage();
  const dialogs: string[] = [];
  scriptedPage.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await scriptedPage.setContent(report.text);
  await scriptedPage.waitForTimeout(300);
  expect(dialogs).toEqual([]);
  expect(await scriptedPage.locator('script, img, iframe, object').count()).toBe(0);
  await scripted.close();
});

test('a saved workspace, and one made by the CLI, restore the same findings in a fresh page; a bad file is refused', async ({ page, browser }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([LOG]);
  const before = await exportedFindings(page);
  const saved = await download(page, 'save-workspace');
  expect(saved.suggestedFilename()).toMatch(/\.rwz$/);
  const workspacePath = (await saved.path())!;

  const fresh = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const freshPage = await fresh.newPage();
  const freshApp = new WorkbenchPage(freshPage);
  await freshApp.open();
  await freshPage.getByTestId('workspace-input').setInputFiles({ name: 'bad.rwz', mimeType: 'application/zip', buffer: Buffer.from('not a zip at all') });
  await expect(freshPage.getByTestId('export-error')).toContainText('not a readable zip archive');
  // The message sits in the header, above the tabs, not over them.
  const toast = (await freshPage.getByTestId('export-error').boundingBox())!;
  const tabs = (await freshPage.getByRole('navigation', { name: 'Views' }).boundingBox())!;
  expect(toast.y + toast.height).toBeLessThanOrEqual(tabs.y + 0.5);
  await expect(freshApp.status()).toHaveAttribute('data-state', 'idle');
  await freshPage.screenshot({ path: 'test-results/screens/workspace-refused.png' });

  await freshPage.getByTestId('workspace-input').setInputFiles(workspacePath);
  await freshApp.waitFor(['ready']);
  const after = await exportedFindings(freshPage);
  expect(after.findings.map((f) => [f.id, f.rank, f.severity])).toEqual(before.findings.map((f) => [f.id, f.rank, f.severity]));
  expect(after.sources).toEqual(before.sources);
  await fresh.close();

  execFileSync('node', [repo('src/cli/relaywatch.mjs'), 'analyze', '--out', repo('test-results/e2e-data/cli-findings.json'), '--workspace-out', CLI_WORKSPACE, LOG], {
    stdio: 'ignore',
  });
  const cliFindings = JSON.parse(readFileSync(repo('test-results/e2e-data/cli-findings.json'), 'utf8')) as ExportedFindings;
  const fromCli = await browser.newContext();
  const cliPage = await fromCli.newPage();
  const cliApp = new WorkbenchPage(cliPage);
  await cliApp.open();
  await cliPage.getByTestId('workspace-input').setInputFiles(CLI_WORKSPACE);
  await cliApp.waitFor(['ready']);
  const inBrowser = await exportedFindings(cliPage);
  expect(inBrowser.findings.map((f) => f.id)).toEqual(cliFindings.findings.map((f) => f.id));
  expect(inBrowser.findings.map((f) => f.id)).toEqual(before.findings.map((f) => f.id));
  await fromCli.close();
});

/** The saved session's files in the origin-private file system: size and time of the workspace, the state document's text. */
async function savedSessionFiles(page: Page): Promise<{ workspace: [number, number] | null; state: string | null }> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const file = async (name: string) => (await root.getFileHandle(name).catch(() => null))?.getFile() ?? null;
    const [workspace, state] = [await file('last-session.rwz'), await file('last-session.state.json')];
    return { workspace: workspace ? [workspace.size, workspace.lastModified] : null, state: state ? await state.text() : null };
  });
}

test('after a reload the last session is offered, and resuming restores its findings and later verdicts', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([LOG]);
  const before = await exportedFindings(page);
  // The session is kept a few seconds after the last change.
  await page.waitForTimeout(6000);
  const afterLoad = await savedSessionFiles(page);
  expect(afterLoad.workspace).not.toBeNull();
  expect(afterLoad.state).toBeNull();

  // A verdict changes the state, not the data: only the small state document is written.
  await page.evaluate(() => (location.hash = '#/findings'));
  const top = page.getByTestId('finding-row').first();
  const topId = (await top.getAttribute('data-finding-id'))!;
  await top.click();
  await page.getByTestId('triage-panel').getByText('benign', { exact: true }).click();
  await page.getByTestId('triage-panel').getByTestId('triage-save').click();
  await page.waitForTimeout(6000);
  const afterVerdict = await savedSessionFiles(page);
  expect(afterVerdict.workspace).toEqual(afterLoad.workspace);
  expect(afterVerdict.state).toContain(topId);
  // Settings, context (the catalog mostly) and verdicts: a fixed size, however big the loaded data.
  expect(afterVerdict.state!.length).toBeLessThan(1024 * 1024);

  await page.reload();
  await app.waitFor(['idle']);
  await expect(page.getByTestId('resume-offer')).toBeVisible();
  // The offer takes a row of its own under the header's buttons instead of squeezing them.
  const offer = (await page.getByTestId('resume-offer').boundingBox())!;
  const json = (await page.getByTestId('export-findings-json').boundingBox())!;
  expect(offer.y).toBeGreaterThanOrEqual(json.y + json.height - 0.5);
  await expect(page.getByRole('heading', { name: 'Relaywatch' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/resume-offer.png' });
  await page.getByTestId('resume-session').click();
  await app.waitFor(['ready']);
  await expect(page.getByTestId('resume-offer')).toHaveCount(0);
  const after = await exportedFindings(page);
  expect(after.findings.map((f) => f.id)).toEqual(before.findings.map((f) => f.id));
  await page.evaluate(() => (location.hash = '#/findings'));
  await expect(page.locator(`[data-testid="finding-row"][data-finding-id="${topId}"]`).getByTestId('finding-verdict')).toHaveText('benign');

  await page.reload();
  await app.waitFor(['idle']);
  await page.getByTestId('discard-session').click();
  await expect(page.getByTestId('resume-offer')).toHaveCount(0);
  await page.reload();
  await app.waitFor(['idle']);
  await page.waitForTimeout(500);
  await expect(page.getByTestId('resume-offer')).toHaveCount(0);
});

test('the demo campaign: accounts on findings, one campaign view, and shared indicators, timeline and scope', async ({ page }) => {
  test.setTimeout(300_000);
  const app = new WorkbenchPage(page);
  await app.open();
  await page.getByTestId('load-demo').click();
  await app.waitFor(['ready'], 180_000);

  // The campaign view lists the demo's multi-host campaign; a member links to its finding, which names the account.
  await app.gotoView('Campaigns');
  const campaign = page.getByTestId('campaign').first();
  await expect(campaign).toBeVisible();
  expect(await campaign.getByTestId('campaign-member').count()).toBeGreaterThanOrEqual(2);
  await campaign.getByTestId('campaign-member').first().getByRole('link', { name: /^#\d+$/ }).click();
  await expect(page.getByTestId('finding-accounts')).toBeVisible();
  await page.getByTestId('finding-campaign-link').first().click();
  await expect(page.getByTestId('campaign')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/screens/campaign.png' });

  // Triage the whole campaign at once.
  await page.getByTestId('campaign-suspicious').click();
  await expect(page.getByTestId('campaign-triage-status')).toContainText(/Marked \d+ findings suspicious/);

  const stix = JSON.parse((await downloadText(page, 'export-stix')).text) as { type: string; objects: { type: string; name?: string; pattern?: string }[] };
  expect(stix.type).toBe('bundle');
  expect(stix.objects.find((o) => o.type === 'marking-definition')?.name).toBe('TLP:AMBER');
  expect(stix.objects.filter((o) => o.type === 'indicator').length).toBeGreaterThan(0);
  await page.getByTestId('export-tlp').selectOption('green');
  const green = JSON.parse((await downloadText(page, 'export-stix')).text) as typeof stix;
  expect(green.objects.find((o) => o.type === 'marking-definition')?.name).toBe('TLP:GREEN');

  const iocs = await downloadText(page, 'export-iocs-csv');
  expect(iocs.text.split('\r\n')[0]).toBe('type,value,account_kind,account_id,service,sources,first_seen,last_seen,score,finding_ids');
  const timeline = (await downloadText(page, 'campaign-timeline')).text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(timeline.length).toBeGreaterThan(0);
  for (const key of ['message', 'datetime', 'timestamp_desc', 'finding_id', 'campaign_id']) expect(timeline[0]).toHaveProperty(key);
  const scope = JSON.parse((await downloadText(page, 'export-readiness')).text) as { format: string; hosts: unknown[] };
  expect(scope.format).toBe('relaywatch.readiness');
  expect(scope.hosts.length).toBeGreaterThan(0);
  // No bot or webhook token of the demo's implants leaves in any of them.
  for (const text of [JSON.stringify(stix), iocs.text, JSON.stringify(timeline)]) expect(text).not.toMatch(/bot\d+:AA[A-Za-z0-9_-]{20}|webhooks\/\d+\/[A-Za-z0-9_-]{20}/);
});
