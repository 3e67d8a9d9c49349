import { test, expect, WorkbenchPage } from './fixtures.ts';
import type { Page } from '@playwright/test';

/**
 * Screenshots of every view with the built-in demo loaded, in both themes, at the 1440×900 viewport (not full
 * page: what an investigator sees first). They are for people to look at in review; the assertions only check
 * that each view rendered content rather than an error. SCREENS_BELOW_FOLD=1 also writes `<view>-<theme>-<n>.png`,
 * one viewport-sized slice per further screen of the scrolled page (up to 6), for reviewing what lies below the fold.
 */
const BELOW_FOLD = process.env.SCREENS_BELOW_FOLD === '1';
const VIEWPORT = { width: 1440, height: 900 };
/** Another folder can be chosen with SCREENS_DIR (other suites clear test-results when they start). */
const DIR = process.env.SCREENS_DIR ?? 'test-results/screens';

/** Waits until view queries and charts have settled: no busy region and no pending network request. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await page.waitForTimeout(400);
}

async function useTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  if ((await page.locator('html').getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

test('screenshots of every view with the demo loaded, light and dark', async ({ page }) => {
  test.setTimeout(300_000);
  const app = new WorkbenchPage(page);
  await app.open();
  await page.getByTestId('load-demo').click();
  await app.waitFor(['ready'], 120_000);

  const views = await app.viewsWithDetails();

  for (const theme of ['light', 'dark'] as const) {
    await useTheme(page, theme);
    for (const [name, hash] of views) {
      await page.evaluate((h) => (location.hash = h), hash);
      await expect(page.locator('main')).not.toBeEmpty();
      await settle(page);
      await expect(page.getByRole('alert'), `${name} (${theme}) shows no error`).toHaveCount(0);
      await page.screenshot({ path: `${DIR}/${name}-${theme}.png` });
      if (!BELOW_FOLD) continue;
      const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
      for (let n = 1; n <= 6 && n * VIEWPORT.height < pageHeight; n++) {
        const clip = { x: 0, y: n * VIEWPORT.height, width: VIEWPORT.width, height: Math.min(VIEWPORT.height, pageHeight - n * VIEWPORT.height) };
        await page.screenshot({ path: `${DIR}/${name}-${theme}-${n}.png`, fullPage: true, clip });
      }
    }
  }
});
