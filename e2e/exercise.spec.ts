import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { test, expect, WorkbenchPage } from './fixtures.ts';
import { openPack } from '../src/exercise/pack.ts';
import { unseal } from '../src/exercise/seal.ts';
import { generateFiles, type AnswerKey } from '../src/generator/index.ts';

/**
 * Exercise mode end to end: a trainer generates a small pack (8 hosts, 1 day, 2 incidents, Zeek TSV and Squid
 * logs) and downloads it; a trainee loads it on a fresh page, marks the top finding malicious, tries a wrong
 * passphrase, then submits with the right one and sees the score and the reveal.
 */
const PACK = fileURLToPath(new URL('../test-results/e2e-data/exercise-pack.zip', import.meta.url));
const PASSPHRASE = 'correct horse battery';
const KEPT_FORMATS = new Set(['zeek-tsv', 'squid']);

async function openExercise(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByText('Exercise', { exact: true }).click();
  await expect(page.getByTestId('exercise-view')).toBeVisible();
}

test('trainer creates a pack; trainee loads it, triages, submits and sees the score and the reveal', async ({ page }) => {
  test.setTimeout(180_000);
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  const app = new WorkbenchPage(page);
  await app.open();
  await openExercise(page);

  const trainer = page.getByTestId('exercise-trainer');
  await trainer.getByRole('button', { name: 'easy' }).click();
  await trainer.getByTestId('exercise-seed').fill('4242');
  await trainer.getByTestId('exercise-hosts').fill('8');
  await trainer.getByTestId('exercise-days').fill('1');
  await trainer.getByTestId('exercise-incidents').fill('2');
  await trainer.locator('details summary').click();
  for (const box of await trainer.locator('fieldset').first().getByRole('checkbox').all()) {
    const label = (await box.locator('xpath=..').textContent())?.trim() ?? '';
    await box.setChecked(KEPT_FORMATS.has(label));
  }
  await trainer.getByTestId('exercise-passphrase').fill(PASSPHRASE);
  await expect(trainer.getByTestId('exercise-create')).toBeDisabled();
  await trainer.getByTestId('exercise-passphrase-confirm').fill(PASSPHRASE);
  await page.screenshot({ path: 'test-results/screens/exercise-trainer.png' });
  const downloading = page.waitForEvent('download');
  await trainer.getByTestId('exercise-create').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^relaywatch-exercise-easy-\d{4}-\d{2}-\d{2}-4242\.zip$/);
  mkdirSync(fileURLToPath(new URL('../test-results/e2e-data/', import.meta.url)), { recursive: true });
  await download.saveAs(PACK);
  await expect(trainer.getByTestId('exercise-pack-ready')).toContainText('2 incidents sealed');

  // The browser's generator (in a worker) wrote exactly the bytes Node's writes for the same options.
  const pack = openPack(new Uint8Array(readFileSync(PACK)));
  const key = JSON.parse(await unseal(pack.sealedKey, PASSPHRASE)) as AnswerKey;
  const fromNode = new Map<string, string>();
  for (const chunk of generateFiles(key.options)) fromNode.set(chunk.name, (fromNode.get(chunk.name) ?? '') + chunk.text);
  expect(pack.logs.length).toBeGreaterThan(0);
  for (const log of pack.logs) {
    expect(new TextDecoder().decode(log.bytes), `logs/${log.name}`).toBe(fromNode.get(log.name));
  }

  // Creating the pack reported progress without errors (a progress callback once returned a state proxy Comlink could not send).
  expect(consoleErrors.filter((e) => /Unserializable/.test(e))).toEqual([]);

  // The trainee starts on a fresh page, so only the pack is loaded.
  await page.reload();
  await app.waitFor(['idle']);
  await openExercise(page);
  await page.getByRole('tab', { name: 'Trainee: take' }).click();
  const trainee = page.getByTestId('exercise-trainee');
  // Every state and text the status bar shows while the pack loads.
  await page.evaluate(() => {
    const status = document.querySelector('[data-testid="app-status"]')!;
    const seen: string[] = ((window as unknown as { statusSeen: string[] }).statusSeen = []);
    new MutationObserver(() => seen.push(`${status.getAttribute('data-state')}: ${status.textContent}`)).observe(status, { attributes: true, childList: true, subtree: true, characterData: true });
  });
  await trainee.getByTestId('exercise-pack-input').setInputFiles(PACK);
  await expect(trainee.getByTestId('exercise-timer')).toBeVisible({ timeout: 90_000 });
  await app.waitFor(['ready']);
  const seen = await page.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen);
  expect(seen.some((s) => s.startsWith('ingesting') && s.includes('Opening the exercise pack'))).toBe(true);
  expect(seen.filter((s) => s.startsWith('idle'))).toEqual([]);
  await expect(trainee.getByRole('heading', { level: 2 })).toHaveText(/^[A-Z][\w ]+ — easy exercise$/);
  await expect(trainee).toContainText('8 hosts · 1 day');
  await expect(trainee).toContainText('5 log files');

  const rows = trainee.getByTestId('exercise-finding');
  expect(await rows.count()).toBeGreaterThan(5);
  const top = rows.first();
  await expect(top.locator('td').first()).toHaveText('1');
  await top.getByRole('button', { name: 'malicious' }).click();
  await expect(top).toHaveAttribute('data-verdict', 'malicious');
  await expect(top.getByRole('button', { name: 'malicious' })).toHaveAttribute('aria-pressed', 'true');
  // The verdict buttons are not cut off by the table's scroll box.
  const box = (await trainee.locator('.scroll').boundingBox())!;
  const malicious = (await top.getByRole('button', { name: 'malicious' }).boundingBox())!;
  expect(malicious.x + malicious.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
  await page.screenshot({ path: 'test-results/screens/exercise-trainee.png' });

  await trainee.getByTestId('exercise-submit-passphrase').fill('not the passphrase');
  await trainee.getByTestId('exercise-submit').click();
  await expect(trainee.getByTestId('exercise-error')).toContainText('Wrong passphrase');
  await expect(trainee.getByTestId('exercise-score')).toHaveCount(0);

  await trainee.getByTestId('exercise-submit-passphrase').fill(PASSPHRASE);
  await trainee.getByTestId('exercise-submit').click();
  const score = trainee.getByTestId('exercise-score');
  await expect(score).toBeVisible({ timeout: 30_000 });
  await expect(score.getByTestId('exercise-precision')).toContainText(/(0|1) of 1 marked findings were incidents/);
  await expect(score.getByTestId('exercise-recall')).toContainText(/of 2 incidents found/);
  await expect(score.getByTestId('exercise-time')).toContainText(/\d+:\d\d/);
  await expect(score.getByTestId('exercise-time')).toContainText('1 of');
  const incidents = score.getByTestId('exercise-incident');
  await expect(incidents).toHaveCount(2);
  await expect(incidents.first()).toContainText('Signals to cite');
  // Marks say whether the detection raised a signal, so none reads as the trainee's mistake.
  await expect(score).not.toContainText('✗');
  await expect(score.getByTestId('signal-check').first()).toHaveText(/^[●○] /);
  await expect(incidents.first()).toContainText(/Best finding was #\d+|No finding pointed/);
  const precision = (await score.getByTestId('exercise-precision').textContent()) ?? '';
  const found = await score.locator('[data-testid="exercise-incident"][data-found="true"]').count();
  // One finding marked: it is a true positive exactly when it found an incident.
  expect(precision.includes('1 of 1')).toBe(found === 1);
  await score.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/exercise-score.png', fullPage: true });
});
