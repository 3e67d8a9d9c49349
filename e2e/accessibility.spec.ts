import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, WorkbenchPage } from './fixtures.ts';

/** Serious and critical WCAG 2.1 A/AA violations on the page as it is now, as readable lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Lets view queries and charts settle before auditing: no busy region and no pending request. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await page.waitForTimeout(300);
}

test('every view, with the demo loaded and a finding open, has no serious or critical violations in either theme', async ({ page }) => {
  test.setTimeout(300_000);
  const app = new WorkbenchPage(page);
  await app.open();
  expect(await seriousViolations(page), 'empty data view').toEqual([]);

  await page.getByTestId('load-demo').click();
  await app.waitFor(['ready'], 120_000);
  const views = (await app.viewsWithDetails()).map(([, hash]) => hash);

  // Audit everything first, then assert once, so one run lists every view's problems.
  const problems: Record<string, string[]> = {};
  for (const theme of ['light', 'dark'] as const) {
    if ((await page.locator('html').getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    for (const hash of views) {
      await page.evaluate((h) => (location.hash = h), hash);
      await expect(page.locator('main')).not.toBeEmpty();
      await settle(page);
      const found = await seriousViolations(page);
      if (found.length) problems[`${hash} (${theme})`] = found;
    }
  }
  expect(problems, 'serious or critical axe violations by view').toEqual({});
});
