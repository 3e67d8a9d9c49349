import { fileURLToPath } from 'node:url';
import { test, expect, WorkbenchPage } from './fixtures.ts';

const data = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url));

test('starts offline, loads a Zeek conn.log and a CSV together, and counts them in the SQL console', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await expect(app.status()).toHaveAttribute('data-state', 'idle');
  await page.screenshot({ path: 'test-results/screens/empty.png' });

  await app.loadFiles([data('conn.log'), data('zscaler-web.csv')]);
  await expect(app.status()).toHaveAttribute('data-state', 'ready');
  const rows = page.getByTestId('source-row');
  await expect(rows).toHaveCount(2);
  await expect(page.locator('[data-source="conn.log"] [data-testid="rows-loaded"]')).toHaveText('12');
  await expect(page.locator('[data-source="zscaler-web.csv"] [data-testid="rows-loaded"]')).toHaveText('8');
  // Where the analysis spent its time, step by step (enrichment, context, every SQL file of the pack, scoring).
  const timings = page.getByTestId('analysis-timings');
  await timings.locator('summary').click();
  for (const step of ['enrichment', 'context', 'scoped-events', 'periodicity-analysis', 'scoring']) {
    await expect(timings.locator(`tr[data-step="${step}"]`)).toHaveCount(1);
  }
  await page.screenshot({ path: 'test-results/screens/load-summary.png' });

  await app.query('SELECT source_file, count(*) AS n FROM events GROUP BY source_file ORDER BY source_file');
  const grid = page.getByTestId('result-grid');
  await expect(grid.locator('tbody tr')).toHaveCount(2);
  await expect(grid.locator('tbody tr').nth(0)).toContainText('conn.log');
  await expect(grid.locator('tbody tr').nth(0)).toContainText('12');
  await expect(grid.locator('tbody tr').nth(1)).toContainText('zscaler-web.csv');
  await expect(grid.locator('tbody tr').nth(1)).toContainText('8');
  await page.screenshot({ path: 'test-results/screens/console.png' });
});

test('the page carries a Content-Security-Policy that allows only its own origin', async ({ page }) => {
  const response = await page.goto('./');
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toContain("default-src 'self'");
  expect(meta).toContain("connect-src 'self'");
  expect(meta).not.toMatch(/https?:/);
  expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
});

test('the console pages a large result and reports SQL errors clearly', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await app.query('SELECT range AS i FROM range(250000)');
  await expect(page.getByTestId('sql-info')).toContainText('250,000 rows');
  await expect(page.getByTestId('result-grid').locator('tbody tr')).toHaveCount(100);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('result-grid').locator('tbody tr').first()).toContainText('100');
  await app.query('SELECT * FROM no_such_table');
  await expect(page.getByTestId('sql-error')).toContainText('no_such_table');
});

test('the built-in demo loads offline and produces ranked findings', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await page.getByTestId('load-demo').click();
  await app.waitFor(['ready'], 120_000);
  await expect(page.getByTestId('source-row')).toHaveCount(14);
  await expect(page.getByTestId('app-status')).toContainText(/\d+ findings/);
  await page.screenshot({ path: 'test-results/screens/demo-loaded.png' });
});
