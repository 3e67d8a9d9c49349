import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, WorkbenchPage } from './fixtures.ts';
import { writeProxyLog } from './views-data.ts';

const LOG = fileURLToPath(new URL('../test-results/e2e-data/accessibility-proxy.csv', import.meta.url));
test.beforeAll(() => {
  writeProxyLog(LOG);
});

/** Serious and critical WCAG 2.1 A/AA violations on the page as it is now, as readable lines. */
async function seriousViolations(page: import('@playwright/test').Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('every view has no serious or critical accessibility violations, in both themes', async ({ page }) => {
  test.setTimeout(180_000);
  const app = new WorkbenchPage(page);
  await app.open();
  expect(await seriousViolations(page), 'empty data view').toEqual([]);
  await app.loadFiles([LOG]);
  await app.waitFor(['ready']);
  await page.evaluate(() => (location.hash = '#/host/fin-ws-06'));
  const firstFinding = page.getByTestId('host-finding').first();
  await expect(firstFinding).toBeAttached();
  const id = await firstFinding.getAttribute('data-finding-id');

  const views = ['#/data', '#/overview', '#/findings', `#/findings/${id}`, '#/host', '#/host/fin-ws-06', '#/service', '#/service/discord', '#/console'];
  for (const theme of ['light', 'dark'] as const) {
    if ((await page.locator('html').getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    for (const hash of views) {
      await page.evaluate((h) => (location.hash = h), hash);
      await expect(page.locator('main')).not.toBeEmpty();
      // Let view queries and charts settle before auditing.
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      expect.soft(await seriousViolations(page), `${hash} (${theme})`).toEqual([]);
    }
  }
});
