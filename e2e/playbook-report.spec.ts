import { readFileSync } from 'node:fs';
import { test, expect, WorkbenchPage } from './fixtures.ts';
import { assertBuildIsCurrent } from './support/parity-data.ts';

/**
 * Issue 12, done when: the top finding of the built-in demo opens with its triage playbook pre-filled from the
 * data (who started the traffic, which process, its timing, a proposed reading), the analyst records a decision
 * with a note and a verdict, and the exported HTML report carries that verdict and note for the finding.
 */
test.beforeAll(assertBuildIsCurrent);

const NOTE = 'Checked with the build team: nobody scheduled this job; host isolated, ticket INC-4471';

test('the playbook is pre-filled from the demo data, and its recorded decision reaches the HTML report', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const app = new WorkbenchPage(page);
  await app.open();
  await page.getByTestId('load-demo').click();
  await app.waitFor(['ready'], 120_000);

  await page.evaluate(() => (location.hash = '#/findings'));
  // The highest-ranked finding with endpoint attribution and a schedule: a user, a process image and a period.
  const detail = page.getByTestId('finding-detail');
  const field = (label: string) => detail.locator('div').filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
  const ids = (await page.getByTestId('finding-row').evaluateAll((rows) => rows.slice(0, 15).map((r) => r.getAttribute('data-finding-id'))));
  let id = '';
  let user = '';
  let processImage = '';
  for (const candidate of ids) {
    expect(candidate).toMatch(/^rw-[0-9a-f]+$/);
    await page.evaluate((findingId) => (location.hash = `#/findings/${findingId}`), candidate);
    await expect(detail).toHaveAttribute('data-finding-id', candidate!);
    user = (await field('User').textContent())!.trim();
    processImage = (await field('Process').textContent())!.trim().split(/[\\/]/).pop()!;
    const period = (await field('Period').textContent())!.trim();
    if (user !== '—' && /\.exe$/i.test(processImage) && /^\d/.test(period)) {
      id = candidate!;
      break;
    }
  }
  expect(id, 'a top-15 finding attributed to a user and a process, with a period').not.toBe('');

  const panel = page.getByTestId('playbook-panel');
  const proposal = panel.getByTestId('playbook-proposal');
  await expect(proposal).toBeVisible();
  await expect(proposal).toHaveAttribute('data-hypothesis', /^(possibly-compromised|user-driven|application-driven)$/);
  await expect(proposal.locator('li').first()).not.toHaveText('No evidence leans any way.');

  // Evidence gathered from the loaded events, not placeholders: who started it, which process, when it talks.
  const step = (evidence: string) => panel.locator(`[data-testid="playbook-step"][data-evidence="${evidence}"]`);
  await expect(step('initiator').locator('.finding-text')).toContainText(`Started by interactive user ${user} via ${processImage}`);
  await expect(step('initiator').locator('dd').first()).not.toBeEmpty();
  await expect(step('process-tree').locator('.finding-text')).toContainText(processImage);
  await expect(step('timing').locator('.finding-text')).toHaveText(/^Checks in every \d+ s/);
  await page.screenshot({ path: 'test-results/screens/playbook-top-finding.png' });

  const decision = panel.locator('form.decide');
  await decision.getByRole('radio', { name: 'Possibly compromised' }).check();
  await decision.getByRole('combobox', { name: 'Verdict' }).selectOption('malicious');
  await decision.getByRole('textbox').fill(NOTE);
  await panel.getByTestId('playbook-save').click();
  await expect(panel.getByRole('status')).toHaveText('Saved as malicious.');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-report-html').click()]);
  const html = readFileSync((await download.path())!, 'utf8');

  // Read the report as a recipient would (scripts off) and look inside this finding's own section.
  const reader = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await reader.setContent(html);
  const section = reader.locator(`section.finding[data-finding-id="${id}"]`);
  await expect(section).toHaveCount(1);
  await expect(section.locator('.verdict')).toHaveText('malicious');
  await expect(section).toContainText(NOTE);
  await expect(section).toContainText('decision: Possibly compromised');
  // Only the triaged finding carries a verdict.
  await expect(reader.locator('section.finding .verdict')).toHaveCount(1);
  await reader.context().close();
});
