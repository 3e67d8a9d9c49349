import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, WorkbenchPage } from './fixtures.ts';

/**
 * Context views end to end: a web-gateway export in a layout no adapter knows is mapped by hand and loads;
 * an inventory imported through the contract's `inventory-input` hook sets roles (role_origin inventory) and
 * re-scores the findings; a policy row approves the beacon's service for its host and the finding is down-weighted.
 */
const BEACON_IP = '10.20.0.15';
const dir = fileURLToPath(new URL('../test-results/context-data/', import.meta.url));

/** Two days of a made-up gateway export: browsing by five hosts, and a curl beacon to Telegram on day two. */
function gatewayExport(): string {
  const lines = ['When;Client;Server Name;Request Path;Agent;Sent;Received'];
  // Quoted: the user agent holds the delimiter.
  const browser = '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"';
  const sites = ['www.example.org', 'news.example.com', 'intranet.example.net', 'docs.example.io', 'shop.example.co'];
  const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const start = Date.UTC(2024, 4, 6, 0, 0, 0);
  const rows: [number, string][] = [];
  for (let day = 0; day < 2; day++)
    for (let host = 1; host <= 5; host++)
      for (let i = 0; i < 60; i++) {
        const t = start + day * 86_400_000 + 7 * 3_600_000 + i * 9 * 60_000 + host * 37_000;
        rows.push([t, `${stamp(t)};10.20.0.${100 + host};${sites[(i + host) % 5]};/page/${i};${browser};${400 + i};${9000 + 13 * i}`]);
      }
  // Deterministic jitter of up to ±20 s around a 5-minute period.
  for (let i = 0; i < 240; i++) {
    const t = start + 86_400_000 + 2 * 3_600_000 + i * 300_000 + ((i * 7919) % 41 - 20) * 1000;
    rows.push([t, `${stamp(t)};${BEACON_IP};api.telegram.org;/bot6123456789:AAF-example/getUpdates?offset=${i};curl/8.4.0;${310 + (i % 5)};${220 + (i % 3)}`]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  return [...lines, ...rows.map((r) => r[1])].join('\n') + '\n';
}

test.beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'gateway-export.txt'), gatewayExport());
  writeFileSync(join(dir, 'assets.csv'), `IP Address,Hostname,Asset Role,Department,Owner\n${BEACON_IP},fin-db-01,Database,Finance,dba-team\n10.20.0.101,fin-ws-01,Workstation,Finance,alice\n`);
});

test('map an unknown CSV, import an inventory, approve a service: each re-scores the findings', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();

  // 1. The export is not recognised; its columns are mapped by hand and it loads.
  await page.getByTestId('file-input').setInputFiles(join(dir, 'gateway-export.txt'));
  await app.waitFor(['idle', 'ready']);
  const row = page.locator('[data-source="gateway-export.txt"]');
  await expect(row).toHaveClass(/unrecognised/);
  await row.getByTestId('map-columns').click();
  const dialog = page.getByTestId('column-mapping-dialog');
  await expect(dialog).toBeVisible();
  const targets = dialog.getByTestId('mapping-target');
  await expect(targets).toHaveCount(7);
  await expect(targets.nth(1)).toHaveValue('src_ip');
  await expect(dialog.getByTestId('mapping-problems')).toContainText('Map a time column');
  for (const [i, target] of [[0, 'ts'], [2, 'dst_host'], [3, 'url_path'], [4, 'user_agent'], [5, 'bytes_out'], [6, 'bytes_in']] as const)
    await targets.nth(i).selectOption(target);
  await expect(dialog.getByTestId('mapping-kind')).toHaveValue('proxy');
  await dialog.getByTestId('mapping-name').fill('Acme gateway');
  await dialog.getByTestId('mapping-save-preset').click();
  await expect(dialog.locator('.preview tbody tr').first()).toContainText('2024-05-06 07:00:37');
  await page.screenshot({ path: 'test-results/screens/context-mapping-dialog.png' });
  await dialog.getByTestId('mapping-load').click();
  await expect(dialog).toBeHidden();
  await app.waitFor(['ready']);
  await expect(page.locator('[data-source="gateway-export.txt"] [data-testid="rows-loaded"]')).toHaveText('840');
  await expect(page.locator('[data-source="gateway-export.txt"]')).toContainText('csv-mapped-acme-gateway');

  // 2. The beacon host has findings; an inventory says it is a Finance database server.
  await app.gotoView('Assets');
  const beaconRow = page.locator(`[data-testid="host-row"][data-ip="${BEACON_IP}"]`);
  await expect(beaconRow.getByTestId('host-top-score')).toBeVisible();
  const scoreBefore = Number(await beaconRow.getByTestId('host-top-score').textContent());
  await expect(beaconRow).not.toHaveAttribute('data-role-origin', 'inventory');
  await page.screenshot({ path: 'test-results/screens/context-assets-before.png' });

  await page.getByTestId('inventory-input').setInputFiles(join(dir, 'assets.csv'));
  await expect(page.getByTestId('inventory-message')).toContainText('assets.csv: 4 entries applied');
  await app.waitFor(['ready']);
  await expect(beaconRow).toHaveAttribute('data-role-origin', 'inventory');
  await expect(beaconRow.getByTestId('host-role')).toContainText('database');
  await expect.poll(async () => Number(await beaconRow.getByTestId('host-top-score').textContent())).toBeGreaterThan(scoreBefore);
  const scoreWithInventory = Number(await beaconRow.getByTestId('host-top-score').textContent());
  await expect(page.getByTestId('peer-groups')).toContainText('Finance');
  await page.screenshot({ path: 'test-results/screens/context-assets.png' });

  // 3. Telegram approved for that host: the finding stays but is down-weighted and counted against the row.
  await app.gotoView('Policy');
  await page.getByTestId('policy-service').selectOption('telegram');
  await page.getByTestId('policy-scope-kind').selectOption('host');
  await page.getByTestId('policy-scope-value').fill(BEACON_IP);
  await page.getByTestId('policy-note').fill('bot used by the DBA team');
  await page.getByTestId('policy-save').click();
  await app.waitFor(['ready']);
  await expect(page.getByTestId('policy-row')).toHaveCount(1);
  await expect(page.getByTestId('policy-coverage')).toHaveText('1');
  await page.screenshot({ path: 'test-results/screens/context-policy.png' });
  await app.gotoView('Assets');
  await expect.poll(async () => Number(await beaconRow.getByTestId('host-top-score').textContent())).toBeLessThan(scoreWithInventory);

  // 4. The catalog view searches the shipped services and refuses an invalid edit.
  await app.gotoView('Catalog');
  await page.getByTestId('catalog-search').fill('api.telegram.org');
  await expect(page.locator('[data-testid="catalog-service"][data-service-id="telegram"]')).toBeVisible();
  await page.getByTestId('catalog-add').click();
  const editor = page.getByTestId('service-editor');
  await editor.getByTestId('service-id').fill('acme-drop');
  await editor.getByTestId('service-name').fill('Acme Drop');
  await editor.getByTestId('service-category').selectOption({ index: 1 });
  await editor.getByTestId('host-pattern').fill('api.telegram.org');
  await editor.getByTestId('service-save').click();
  await expect(editor.getByTestId('catalog-issues')).toContainText("host 'api.telegram.org' appears in");
  await editor.getByTestId('host-pattern').fill('drop.acme.example');
  await editor.getByTestId('service-save').click();
  await expect(editor).toBeHidden();
  await page.getByTestId('catalog-search').fill('acme');
  await expect(page.locator('[data-testid="catalog-service"][data-service-id="acme-drop"]')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/context-catalog.png' });
});
