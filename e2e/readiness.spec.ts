import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { test, expect, WorkbenchPage } from './fixtures.ts';

// Needs the lead's wiring in App.svelte: nav entries "Readiness" (CoverageView), "Summary" (ExecutiveSummary), "Egress" (EgressView).
const nav = (page: Page, label: string) => page.getByRole('navigation', { name: 'Views' }).getByText(label, { exact: true });
const data = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url));

async function readyHosts(page: Page, analytic: string): Promise<number> {
  const cells = page.locator(`[data-testid="matrix-cell"][data-analytic="${analytic}"]`);
  const values = await cells.evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-ready'))));
  return values.reduce((a, b) => a + b, 0);
}

test('coverage and readiness change when a missing proxy log is loaded', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([data('conn.log')]);
  await nav(page, 'Readiness').click();
  await expect(page.getByTestId('coverage-view')).toBeVisible();
  await expect(page.locator('[data-testid="coverage-class"][data-telemetry="nsm"]')).not.toHaveAttribute('data-hosts', '0');
  await expect(page.locator('[data-testid="coverage-class"][data-telemetry="proxy"]')).toHaveAttribute('data-hosts', '0');
  expect(await readyHosts(page, 'scripted-user-agent')).toBe(0);

  await nav(page, 'Data').click();
  await app.loadFiles([data('zscaler-web.csv')]);
  await nav(page, 'Readiness').click();
  await expect(page.locator('[data-testid="coverage-class"][data-telemetry="proxy"]')).not.toHaveAttribute('data-hosts', '0');
  await expect.poll(() => readyHosts(page, 'scripted-user-agent')).toBeGreaterThan(0);
  await expect(page.getByTestId('collect-next')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/readiness.png', fullPage: true });

  await nav(page, 'Summary').click();
  await expect(page.getByTestId('exec-headlines')).toContainText('finding');
  await page.screenshot({ path: 'test-results/screens/executive-summary.png', fullPage: true });

  await nav(page, 'Egress').click();
  await expect(page.getByTestId('egress-view')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/egress.png', fullPage: true });
});
