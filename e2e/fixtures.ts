import { test as base, expect, type Page } from '@playwright/test';

/** Requests are local when they go to the preview server on loopback, or never leave the browser at all. */
export function isLocalUrl(url: string): boolean {
  if (/^(blob|data|about|chrome-extension|chrome):/.test(url)) return true;
  try {
    const { hostname, protocol } = new URL(url);
    return (protocol === 'http:' || protocol === 'https:') && (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]');
  } catch {
    return false;
  }
}

/**
 * Every test in the suite runs with this guard: any request from the page or its workers that would leave
 * the machine is blocked and recorded, and the test fails after it ends.
 */
export const test = base.extend<{ egressGuard: string[] }>({
  egressGuard: [
    async ({ context }, use) => {
      const leaked: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (isLocalUrl(url)) return route.continue();
        leaked.push(url);
        return route.abort('blockedbyclient');
      });
      context.on('request', (request) => {
        if (!isLocalUrl(request.url())) leaked.push(request.url());
      });
      await use(leaked);
      expect(leaked, 'requests that tried to leave localhost').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** Page object for the workbench, by test ids and accessible names. */
export class WorkbenchPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('./');
    await this.waitFor(['idle', 'ready']);
  }

  status() {
    return this.page.getByTestId('app-status');
  }

  async waitFor(states: string[], timeout = 60_000): Promise<void> {
    await expect
      .poll(async () => this.status().getAttribute('data-state'), { timeout })
      .toMatch(new RegExp(`^(${states.join('|')}|error)$`));
    const state = await this.status().getAttribute('data-state');
    if (!states.includes(state ?? '')) {
      const alert = await this.page.getByRole('alert').allTextContents();
      throw new Error(`The app reached "${state}" instead of ${states.join(' or ')}: ${alert.join(' | ')}`);
    }
  }

  async loadFiles(paths: string[]): Promise<void> {
    await this.page.getByTestId('file-input').setInputFiles(paths);
    await this.waitFor(['ready', 'idle']);
  }

  /**
   * Every view of a loaded investigation by name and URL hash, including the top finding's detail and the first host and
   * service that carry findings (so detail views are visited with real content).
   */
  async viewsWithDetails(): Promise<[name: string, hash: string][]> {
    const firstHref = async (hash: string, testId: string) => {
      await this.page.evaluate((h) => (location.hash = h), hash);
      const link = this.page.getByTestId(testId).filter({ has: this.page.locator('.badge') }).first();
      await expect(link).toBeAttached();
      return (await link.getAttribute('href')) ?? hash;
    };
    await this.page.evaluate(() => (location.hash = '#/findings'));
    const topFinding = this.page.getByTestId('finding-row').first();
    await expect(topFinding).toBeAttached();
    const topId = await topFinding.getAttribute('data-finding-id');
    const hostHash = await firstHref('#/host', 'host-link');
    const serviceHash = await firstHref('#/service', 'service-link');
    return [
      ['overview', '#/overview'], ['findings', '#/findings'], ['finding-detail', `#/findings/${topId}`],
      ['summary', '#/summary'], ['hosts', '#/host'], ['host-detail', hostHash], ['services', '#/service'],
      ['service-detail', serviceHash], ['readiness', '#/readiness'], ['data', '#/data'], ['assets', '#/assets'],
      ['policy', '#/policy'], ['egress', '#/egress'], ['catalog', '#/catalog'], ['console', '#/console'],
    ];
  }

  /** Opens a view from the navigation bar by its label. */
  async gotoView(label: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: label, exact: true }).click();
  }

  async query(sql: string): Promise<void> {
    await this.gotoView('SQL console');
    await this.page.getByTestId('sql-editor').fill(sql);
    await this.page.getByTestId('sql-run').click();
    await expect(this.page.getByTestId('sql-run')).toBeEnabled();
  }
}
