import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, WorkbenchPage } from './fixtures.ts';

/**
 * The findings queue and a finding's detail, driven like an investigator would: deep link, keyboard, filters,
 * charts (with brush-to-zoom) and paged events. The data is a proxy log written here: 12 finance workstations
 * browse for two days; on day two fin-ws-06 posts to a Discord webhook every five minutes (±10 %) from a
 * Python script and fin-ws-08 polls a Telegram bot every minute for three hours.
 */
const LOG = fileURLToPath(new URL('../test-results/e2e-data/findings-proxy.csv', import.meta.url));
const DAY0 = Date.UTC(2024, 4, 1);
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SITES = ['www.google.com', 'outlook.office365.com', 'intranet.example.org', 'www.bbc.co.uk', 'www.wikipedia.org'];
const PERIOD_S = 300;

function writeProxyLog(path: string): void {
  let seed = 11;
  const rng = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  const pad = (n: number) => String(n).padStart(2, '0');
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const time = (ms: number) => {
    const d = new Date(ms);
    return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
  };
  const rows: [number, string][] = [];
  const add = (ms: number, host: number, url: string, method: string, out: number, inn: number, ua: string) => {
    const name = `fin-ws-${pad(host)}`;
    rows.push([ms, [`"${time(ms)}"`, `${name}@example.org`, `10.1.2.${20 + host}`, name, `"https://${url}"`, method, 200, out, inn, `"${ua}"`, 'Allowed'].join(',')]);
  };
  for (let host = 1; host <= 12; host++) {
    for (let day = 0; day < 2; day++) {
      for (let i = 0; i < 40; i++) {
        const ms = DAY0 + day * 86_400_000 + (8 + rng() * 9) * 3_600_000;
        add(Math.round(ms), host, `${SITES[Math.floor(rng() * SITES.length)]}/page/${i}`, 'GET', 500, 30_000, CHROME);
      }
    }
  }
  for (let t = DAY0 + 86_400_000 + 60_000; t < DAY0 + 2 * 86_400_000; t += PERIOD_S * 1000 * (0.9 + 0.2 * rng())) {
    add(Math.round(t), 6, 'discord.com/api/webhooks/1187/Zx9?wait=true', 'POST', 4000 + Math.floor(rng() * 800), 120, 'python-requests/2.31.0');
  }
  for (let t = DAY0 + 86_400_000 + 2 * 3_600_000; t < DAY0 + 86_400_000 + 5 * 3_600_000; t += 60_000) {
    add(t, 8, 'api.telegram.org/bot6150:AAE/getUpdates?offset=1', 'GET', 300, 450, 'python-requests/2.31.0');
  }
  rows.sort((a, b) => a[0] - b[0]);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, ['time,login,cip,devicehostname,eurl,reqmethod,respcode,reqsize,respsize,ua,action', ...rows.map((r) => r[1])].join('\n') + '\n');
}

test.beforeAll(() => writeProxyLog(LOG));

test('the queue ranks findings, filters and searches them, and opens one with j/k and Enter', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([LOG]);
  await page.evaluate(() => (location.hash = '#/findings'));
  const rows = page.getByTestId('finding-row');
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThanOrEqual(2);
  const ranks = await rows.locator('[role="gridcell"]:first-child').allTextContents();
  expect(ranks.map(Number)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  await page.screenshot({ path: 'test-results/screens/findings-queue.png' });

  await page.getByRole('searchbox', { name: 'Search findings' }).fill('telegram');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('fin-ws-08');
  await expect(page.getByTestId('findings-count')).toHaveText(`1 of ${count} findings, ranked by score`);
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(rows).toHaveCount(count);

  await page.getByRole('columnheader', { name: /Events/ }).getByRole('button').click();
  const events = (await rows.locator('[role="gridcell"]:nth-child(9)').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
  expect(events).toEqual([...events].sort((a, b) => b - a));
  await page.getByRole('columnheader', { name: /#/ }).getByRole('button').click();

  const grid = page.getByRole('grid', { name: /Findings, ranked/ });
  await grid.focus();
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  const secondId = await rows.nth(1).getAttribute('data-finding-id');
  await expect(page.getByTestId('finding-detail')).toHaveAttribute('data-finding-id', secondId!);
  await expect(page).toHaveURL(new RegExp(`#/findings/${secondId}$`));
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('finding-detail')).toHaveCount(0);

  // After a mouse click the keys still work, and the list says which keys there are.
  await expect(page.getByTestId('queue-keys')).toContainText('Enter opens');
  await rows.first().click();
  await expect(page.getByTestId('finding-detail')).toHaveAttribute('data-finding-id', (await rows.first().getAttribute('data-finding-id'))!);
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('finding-detail')).toHaveAttribute('data-finding-id', secondId!);
  await page.keyboard.press('Escape');

  // A verdict shows in the list and can be filtered on.
  await rows.first().click();
  const firstId = (await rows.first().getAttribute('data-finding-id'))!;
  const panel = page.getByTestId('triage-panel');
  await panel.getByText('benign', { exact: true }).click();
  await panel.getByTestId('triage-save').click();
  await expect(rows.first().getByTestId('finding-verdict')).toHaveText('benign');
  await page.getByRole('button', { name: /Close finding/ }).click();
  await page.getByTestId('verdict-filter').selectOption('benign');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-finding-id', firstId);
  await page.getByTestId('verdict-filter').selectOption('none');
  await expect(rows).toHaveCount(count - 1);
  await page.screenshot({ path: 'test-results/screens/findings-verdicts.png' });
});

test('a finding\'s detail explains it and draws its charts from SQL, with zoom and paged events', async ({ page }) => {
  const app = new WorkbenchPage(page);
  await app.open();
  await app.loadFiles([LOG]);
  await page.evaluate(() => (location.hash = '#/findings'));
  const discordRow = page.getByTestId('finding-row').filter({ hasText: 'Discord' }).first();
  const id = await discordRow.getAttribute('data-finding-id');
  await page.evaluate((findingId) => (location.hash = `#/findings/${findingId}`), id);
  const detail = page.getByTestId('finding-detail');
  await expect(detail).toHaveAttribute('data-finding-id', id!);
  await expect(detail.getByTestId('finding-summary')).toContainText('fin-ws-06');
  await expect(detail.getByTestId('finding-signal').first()).toBeVisible();
  await expect(detail.getByText('T1102', { exact: true })).toBeVisible();

  for (const chart of ['chart-timeline', 'chart-intervals', 'chart-periodogram', 'chart-phase', 'chart-hour-of-week', 'chart-bytes']) {
    await expect(detail.getByTestId(chart), chart).toHaveAttribute('data-state', 'ready');
    await expect(detail.getByTestId(chart).locator('svg').first(), chart).toBeVisible();
  }
  const period = Number(await detail.getByTestId('chart-intervals').getAttribute('data-period'));
  expect(period).toBeGreaterThan(PERIOD_S * 0.9);
  expect(period).toBeLessThan(PERIOD_S * 1.1);
  await expect(detail.getByTestId('chart-phase')).toHaveAttribute('data-period', String(period));
  await expect(detail.getByTestId('chart-hour-of-week')).toHaveAttribute('data-peers', '11');
  // The periodogram marks the period the finding quotes, at its own peak, and the fold uses that number too.
  const periodogram = detail.getByTestId('chart-periodogram');
  const marked = Number(await periodogram.getAttribute('data-marked'));
  expect(Math.abs(marked - period) / period).toBeLessThan(0.05);
  expect(await periodogram.getAttribute('data-tallest')).toBe(await periodogram.getAttribute('data-marked'));
  await expect(periodogram.getByText(/^detected /)).toBeVisible();
  await periodogram.screenshot({ path: 'test-results/screens/finding-periodogram.png' });
  await detail.getByTestId('chart-phase').screenshot({ path: 'test-results/screens/finding-phase.png' });
  await page.screenshot({ path: 'test-results/screens/finding-detail.png', fullPage: true });
  // Time axes read 24-hour UTC (no AM/PM), and the period's label lies inside its chart.
  for (const chart of ['chart-timeline', 'chart-bytes']) {
    const texts = await detail.getByTestId(chart).locator('svg text').allTextContents();
    expect(texts.filter((t) => /^(\d\d-\d\d|\d\d:\d\d)$/.test(t)).length, chart).toBeGreaterThan(1);
    expect(texts.filter((t) => /\b(AM|PM)\b/i.test(t)), chart).toEqual([]);
  }
  const intervals = detail.getByTestId('chart-intervals').locator('svg').first();
  const frame = (await intervals.boundingBox())!;
  const label = (await intervals.getByText(/^period /).boundingBox())!;
  expect(label.x).toBeGreaterThanOrEqual(frame.x);
  expect(label.y).toBeGreaterThanOrEqual(frame.y);
  expect(label.x + label.width).toBeLessThanOrEqual(frame.x + frame.width);
  await detail.locator('.charts').screenshot({ path: 'test-results/screens/finding-charts.png' });

  const timeline = detail.getByTestId('chart-timeline');
  const before = Number(await timeline.getAttribute('data-bin-ms'));
  // The plot's own svg comes after its legend's swatches; the mouse works in viewport coordinates.
  await timeline.scrollIntoViewIfNeeded();
  const box = (await timeline.locator('svg').last().boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => Number(await timeline.getAttribute('data-bin-ms'))).toBeLessThan(before);
  await expect(timeline).toHaveAttribute('data-state', 'ready');
  await timeline.getByRole('button', { name: 'Reset zoom' }).click();
  await expect.poll(async () => Number(await timeline.getAttribute('data-bin-ms'))).toBe(before);

  const raw = detail.getByTestId('raw-events');
  await expect(raw.getByTestId('event-row')).toHaveCount(50);
  await expect(raw.getByTestId('page-info')).toContainText('1–50 of');
  await raw.getByRole('button', { name: 'Next' }).click();
  await expect(raw.getByTestId('page-info')).toContainText('51–100 of');
  await expect(raw.getByTestId('event-row').first()).toContainText('discord.com');
  await expect(detail.getByTestId('related-events')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/finding-events.png', fullPage: true });
});
