import { test, expect } from './fixtures.ts';

test('the engine contract that Vitest runs on native DuckDB holds on DuckDB-WASM in the browser', async ({ page }) => {
  await page.goto('./selftest.html');
  const status = page.getByTestId('selftest-status');
  await expect(status).not.toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  const failed = await page.locator('[data-testid="contract-case"][data-result="fail"]').allTextContents();
  expect(failed).toEqual([]);
  await expect(status).toHaveAttribute('data-state', 'passed');
  await expect(page.locator('[data-testid="contract-case"]')).not.toHaveCount(0);
});
