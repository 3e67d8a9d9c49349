import { fileURLToPath } from 'node:url';
import { test, expect, WorkbenchPage } from './fixtures.ts';
import { writeProxyLog } from './views-data.ts';

const LOG = fileURLToPath(new URL('../test-results/e2e-data/views-proxy.csv', import.meta.url));
let records = 0;
test.beforeAll(() => {
  records = writeProxyLog(LOG);
});

async function loaded(page: import('@playwright/test').Page): Promise<WorkbenchPage> {
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([LOG]);
  await app.waitFor(['ready']);
  return app;
}

test('overview, host and service views drill down through deep links, and back/forward retrace them', async ({ page }) => {
  await loaded(page);
  await page.evaluate(() => (location.hash = '#/overview'));
  const overview = page.getByTestId('overview-view');
  await expect(overview.getByTestId('overview-finding-count')).toHaveText('2 findings');
  await expect(overview.getByTestId('overview-sources').locator('tbody tr')).toHaveCount(1);
  await expect(overview.getByTestId('overview-sources').locator('tbody tr td').nth(3)).toHaveText(records.toLocaleString('en-US'));
  await expect(overview.getByTestId('overview-severity').locator('svg rect')).toHaveCount(5);
  await expect(overview.getByTestId('overview-timeline').locator('svg line, svg path').first()).toBeAttached();
  await expect(overview.getByTestId('overview-top-hosts').locator('tbody tr')).toHaveCount(2);
  await expect(overview.getByTestId('overview-top-services').locator('tbody tr').first()).toContainText('Discord');
  await page.screenshot({ path: 'test-results/screens/overview.png' });

  await overview.getByTestId('overview-top-hosts').getByRole('link', { name: 'fin-ws-06' }).click();
  await expect(page).toHaveURL(/#\/host\/fin-ws-06$/);
  const host = page.getByTestId('host-view');
  await expect(host.getByRole('heading', { name: 'fin-ws-06' })).toBeVisible();
  await expect(host.getByTestId('host-finding')).toHaveCount(1);
  const discord = host.getByTestId('host-services').locator('tbody tr', { hasText: 'Discord' });
  await expect(discord).toContainText('0 of 11 (0%)');
  await expect(host.getByTestId('host-services').locator('tbody tr', { hasText: 'Dropbox' })).toContainText('of 11');
  await expect(host.getByTestId('host-hours').locator('svg rect').first()).toBeAttached();
  await page.screenshot({ path: 'test-results/screens/host.png' });

  await discord.getByRole('link', { name: 'Discord' }).click();
  await expect(page).toHaveURL(/#\/service\/discord$/);
  const service = page.getByTestId('service-view');
  await expect(service.getByRole('heading', { name: /Discord/ })).toBeVisible();
  await expect(service.getByTestId('service-hosts').locator('tbody tr')).toHaveCount(1);
  await expect(service.getByTestId('service-groups').locator('tbody tr').first()).toContainText('1 of 12');
  await expect(service.getByTestId('service-timeline').locator('svg rect').first()).toBeAttached();
  await page.screenshot({ path: 'test-results/screens/service.png' });

  await page.goBack();
  await expect(page).toHaveURL(/#\/host\/fin-ws-06$/);
  await expect(page.getByTestId('host-view').getByRole('heading', { name: 'fin-ws-06' })).toBeVisible();
  await page.goBack();
  await expect(page.getByTestId('overview-view')).toBeVisible();
  await page.goForward();
  await expect(page.getByTestId('host-view')).toBeVisible();

  // The Hosts view and the finding count the pair's bytes the same way (the data is one detection window).
  const [bytesOut, bytesIn] = await Promise.all([3, 4].map((i) => discord.locator('td').nth(i).textContent()));
  await host.getByTestId('host-finding').getByRole('link').click();
  const detail = page.getByTestId('finding-detail');
  await expect(detail.locator('dt', { hasText: 'Bytes out / in' }).locator('xpath=following-sibling::dd')).toHaveText(`${bytesOut} / ${bytesIn}`);
  await detail.screenshot({ path: 'test-results/screens/finding-bytes-as-host-view.png' });
});

test('hostile or unknown hashes fall back to a normal view', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  for (const hash of ['#/host/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', '#/__proto__/x', '#/service/..%2F..', '#/findings/%E0%A4%A']) {
    await page.evaluate((h) => (location.hash = h), hash);
    await expect(page.getByTestId('file-input')).toBeAttached();
    await expect(page.locator('img')).toHaveCount(0);
  }
});

test('the theme follows the system, toggles, and is remembered across reloads', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const app = new WorkbenchPage(page);
  await app.open();
  const root = page.locator('html');
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('theme-toggle').click();
  await expect(root).toHaveAttribute('data-theme', 'light');
  await page.reload();
  await app.waitFor(['idle']);
  await expect(root).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-toggle').click();
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await app.loadFiles([LOG]);
  await app.waitFor(['ready']);
  await page.evaluate(() => (location.hash = '#/host/fin-ws-08'));
  await expect(page.getByTestId('host-hours').locator('svg')).toBeAttached();
  await page.screenshot({ path: 'test-results/screens/host-dark.png' });
});

test('triage marks a finding, approves its service for the host (re-scoring at once), undoes, and persists', async ({ page }) => {
  await loaded(page);
  await page.evaluate(() => (location.hash = '#/host/fin-ws-06'));
  const hostFinding = page.getByTestId('host-finding');
  await expect(hostFinding).toHaveCount(1);
  const findingId = (await hostFinding.getAttribute('data-finding-id'))!;
  const before = Number(await hostFinding.getAttribute('data-score'));
  expect(before).toBeGreaterThan(50);

  await page.evaluate((id) => (location.hash = `#/findings/${id}`), findingId);
  const panel = page.getByTestId('triage-panel');
  await expect(panel.getByTestId('triage-status')).toHaveText('Not triaged yet');
  await panel.getByText('malicious', { exact: true }).click();
  await panel.getByTestId('triage-note').fill('Webhook beacon from a Python script; host isolated');
  await panel.getByTestId('triage-save').click();
  await expect(panel.getByTestId('triage-status')).toContainText('Marked malicious');

  await panel.getByTestId('approve-host').click();
  await expect(panel.getByTestId('triage-message')).toContainText('Approved');
  await page.screenshot({ path: 'test-results/screens/triage.png' });
  await page.evaluate(() => (location.hash = '#/host/fin-ws-06'));
  await expect.poll(async () => Number(await page.getByTestId('host-finding').getAttribute('data-score'))).toBeLessThan(before);

  await page.goBack();
  await page.getByTestId('triage-undo').click(); // the approval
  await expect(page.getByTestId('triage-message')).toContainText('Undid approving Discord for host fin-ws-06');
  await page.evaluate(() => (location.hash = '#/host/fin-ws-06'));
  await expect.poll(async () => Number(await page.getByTestId('host-finding').getAttribute('data-score'))).toBe(before);

  await page.reload();
  const app = new WorkbenchPage(page);
  await app.waitFor(['idle', 'ready']);
  await page.evaluate(() => (location.hash = '#/data'));
  await app.loadFiles([LOG]);
  await app.waitFor(['ready']);
  await page.evaluate((id) => (location.hash = `#/findings/${id}`), findingId);
  await expect(page.getByTestId('triage-panel').getByTestId('triage-status')).toContainText('Marked malicious');
  await expect(page.getByTestId('triage-note')).toHaveValue('Webhook beacon from a Python script; host isolated');
});

test('before any data the Hosts and Services views say what to do, not what the engine failed at', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await expect(page.getByTestId('first-visit')).toContainText('Review findings');
  await page.screenshot({ path: 'test-results/screens/first-visit.png' });
  await page.evaluate(() => (location.hash = '#/host/app01'));
  await expect(page.getByTestId('host-view-empty')).toContainText('Load logs');
  await page.evaluate(() => (location.hash = '#/service'));
  await expect(page.getByTestId('service-view-empty')).toContainText('Load logs');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByText(/Catalog Error|does not exist/)).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/hosts-empty.png' });
});

test('the SQL console reads the app\'s tables with ISO UTC times, explains its errors, and keeps the app\'s tables intact', async ({ page }) => {
  const app = await loaded(page);
  // After a load the Data view leads on to the findings.
  await app.gotoView('Data');
  await expect(page.getByTestId('load-next')).toContainText('2 findings ready.');
  await page.getByTestId('load-next').getByRole('link', { name: /Open Findings/ }).click();
  await expect(page).toHaveURL(/#\/findings$/);

  await app.query('SELECT ts FROM events ORDER BY ts LIMIT 1');
  await expect(page.getByTestId('result-grid').locator('tbody td').first()).toHaveText(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  await app.query('SELEC 1');
  await expect(page.getByTestId('sql-error')).toHaveText(/^The SQL could not be read: /);
  await expect(page.getByTestId('sql-error')).not.toContainText('{');

  await app.query('DROP TABLE events');
  await expect(page.getByTestId('sql-error')).toContainText('belongs to the app and is read-only');
  await page.screenshot({ path: 'test-results/screens/console-refused.png' });
  await app.query('CREATE TABLE my_copy AS SELECT * FROM events; SELECT count(*) AS n FROM my_copy');
  await expect(page.getByTestId('sql-error')).toHaveCount(0);
  await app.query('SELECT count(*) AS n FROM events');
  await expect(page.getByTestId('result-grid').locator('tbody td').first()).toHaveText(/^[1-9]\d*$/);
  await page.evaluate(() => (location.hash = '#/overview'));
  await expect(page.getByTestId('overview-finding-count')).toHaveText('2 findings');
});

test('loading the demo says it moved the zone of zone-less logs, and the previous zone can be had back', async ({ page }) => {
  test.setTimeout(240_000);
  const app = new WorkbenchPage(page);
  await app.open();
  await page.getByTestId('load-demo').click();
  await app.waitFor(['ready'], 200_000);
  await app.gotoView('Data');
  const notice = page.getByTestId('offset-notice');
  await expect(notice).toContainText('read at UTC+02:00');
  await page.screenshot({ path: 'test-results/screens/demo-offset.png' });
  await notice.getByRole('button', { name: 'Use UTC+00:00 again' }).click();
  await expect(notice).toHaveCount(0);
  await expect(page.getByLabel('UTC offset for logs without a time zone')).toHaveValue('0');

  // The demo's queue: process names shown whole, each signal once per row, and the count spaced.
  await page.getByTestId('load-next').getByRole('link', { name: /Open Findings/ }).click();
  const rows = page.getByTestId('finding-row');
  await expect(rows.first()).toBeVisible();
  const shown = await rows.evaluateAll((els) =>
    els.slice(0, 40).map((row) => ({
      chips: [...row.querySelectorAll('.chip')].map((c) => c.textContent),
      // A process name is whole when its text ends inside the clipped line that holds it.
      process: [...row.querySelectorAll('.process')].map((p) => p.getBoundingClientRect().right <= p.parentElement!.getBoundingClientRect().right + 1),
    })),
  );
  expect(shown.filter((r) => new Set(r.chips).size !== r.chips.length)).toEqual([]);
  expect(shown.flatMap((r) => r.process).length).toBeGreaterThan(0);
  expect(shown.flatMap((r) => r.process).every(Boolean)).toBe(true);
  await page.getByRole('button', { name: /^critical/i }).click();
  await expect(page.getByTestId('findings-count')).toHaveText(/^\d+ of [\d,]+ findings, ranked by score$/);
  await page.screenshot({ path: 'test-results/screens/demo-findings.png' });
});
