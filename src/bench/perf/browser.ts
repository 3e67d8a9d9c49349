/**
 * The in-tab side of the benchmark: headless Chromium (Debian's /usr/bin/chromium when present, the same flags as
 * the e2e suite) against a production build served on a free loopback port. Every request that would leave the
 * machine is blocked and reported. Timings come from the page itself: `performance.now()` when the app reaches
 * `idle` (engine start), and the times at which the `app-status` hook enters `ingesting`, `analyzing` and `ready`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from '@playwright/test';
import { isLocalUrl } from '../../../e2e/fixtures.ts';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const CHART_IDS = ['chart-timeline', 'chart-intervals', 'chart-periodogram', 'chart-phase', 'chart-hour-of-week', 'chart-bytes'];
const SETTLED_CHART_STATES = ['ready', 'empty', 'error'];

export interface TabRun {
  engineStartMs: number | null;
  ingestMs: number | null;
  packMs: number | null;
  /** Wall milliseconds per analysis step, as the load summary lists them. */
  packSteps: Record<string, number>;
  records: number | null;
  findings: number | null;
  /** Click on the top finding until all six charts have settled; null when there was no finding to open. */
  openFindingMs: number | null;
  peakRendererRssBytes: number | null;
  jsHeapBytes: number | null;
  /** DuckDB's own accounting inside the wasm heap after the run (duckdb_memory()). */
  duckdbMemoryBytes: number | null;
  /** Zeek TSV records and the pipeline's per-source milliseconds for them (from the `sources` table). */
  zeekRecords: number | null;
  zeekMs: number | null;
  /** The final state (`ready` when everything worked) and the error the page showed, if any. */
  state: string;
  error: string | null;
  blockedRequests: string[];
}

/** Resident memory of every renderer process under the browser whose command line carries `marker`. */
export function rendererRss(marker: string): number {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  const commandLines = new Map<string, string>();
  const parents = new Map<string, string>();
  for (const pid of pids) {
    try {
      commandLines.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      // The process ended while we looked.
    }
  }
  const browsers = new Set([...commandLines].filter(([, cmd]) => cmd.includes(marker) && !cmd.includes('--type=')).map(([pid]) => pid));
  const underBrowser = (pid: string): boolean => {
    for (let p = parents.get(pid), hops = 0; p && hops < 8; p = parents.get(p), hops++) if (browsers.has(p)) return true;
    return false;
  };
  let total = 0;
  for (const [pid, cmd] of commandLines) {
    if (!cmd.includes('--type=renderer') || !underBrowser(pid)) continue;
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // Gone.
    }
  }
  return total;
}

export class TabBench {
  private constructor(
    private readonly browser: Browser,
    private readonly marker: string,
    readonly version: string,
  ) {}

  static async launch(): Promise<TabBench> {
    // Chromium ignores switches it does not know; this one lets us find the browser's processes in /proc.
    const marker = `--relaywatch-bench=${process.pid}`;
    const browser = await chromium.launch({
      executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', marker,
      ],
    });
    return new TabBench(browser, marker, `Chromium ${browser.version()}`);
  }

  /** One cold run: open the app, load `files` through the `file-input` hook, wait for `ready`, open the top finding. */
  async run(url: string, files: string[], timeoutMs: number): Promise<TabRun> {
    const context = await this.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      if (isLocalUrl(route.request().url())) return route.continue();
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rendererRss(this.marker))), 250);
    let crashed = false;
    page.on('crash', () => (crashed = true));
    const result: TabRun = {
      engineStartMs: null, ingestMs: null, packMs: null, packSteps: {}, records: null, findings: null, openFindingMs: null,
      peakRendererRssBytes: null, jsHeapBytes: null, duckdbMemoryBytes: null, zeekRecords: null, zeekMs: null, state: 'not started', error: null,
      blockedRequests: blocked,
    };
    try {
      await page.addInitScript(() => {
        // Records when the app-status hook changes state, on the page's own clock.
        const marks: { state: string; at: number }[] = [];
        (window as unknown as { __rwStates: typeof marks }).__rwStates = marks;
        new MutationObserver(() => {
          const state = document.querySelector('[data-testid="app-status"]')?.getAttribute('data-state');
          if (state && marks.at(-1)?.state !== state) marks.push({ state, at: performance.now() });
        }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
      });
      await page.goto(url);
      await page.waitForFunction(() => document.querySelector('[data-testid="app-status"]')?.getAttribute('data-state') === 'idle', null, { timeout: 60_000 });
      result.engineStartMs = await page.evaluate(() => performance.now());

      await page.getByTestId('file-input').setInputFiles(files);
      await page.waitForFunction(
        () => ['ready', 'error'].includes(document.querySelector('[data-testid="app-status"]')?.getAttribute('data-state') ?? ''),
        null,
        { timeout: timeoutMs, polling: 500 },
      );
      const marks = await page.evaluate(() => (window as unknown as { __rwStates: { state: string; at: number }[] }).__rwStates);
      const at = (state: string) => marks.find((m) => m.state === state)?.at ?? null;
      const [ingesting, analyzing, ready] = [at('ingesting'), at('analyzing'), at('ready')];
      result.state = marks.at(-1)?.state ?? 'unknown';
      if (ingesting !== null && analyzing !== null) result.ingestMs = analyzing - ingesting;
      if (analyzing !== null && ready !== null) result.packMs = ready - analyzing;
      const statusText = (await page.getByTestId('app-status').textContent()) ?? '';
      const loaded = /Loaded ([\d,]+) records/.exec(statusText);
      result.records = loaded ? Number(loaded[1].replace(/,/g, '')) : null;
      const findings = /(\d+) findings?/.exec(statusText);
      result.findings = findings ? Number(findings[1]) : null;
      if (result.state === 'error') {
        result.error = (await page.getByRole('alert').allTextContents()).join(' | ') || statusText;
        return result;
      }
      result.packSteps = await page.locator('[data-testid="analysis-timings"] tr[data-step]').evaluateAll((rows) =>
        Object.fromEntries(rows.map((row) => [row.getAttribute('data-step') ?? '', Number(row.getAttribute('data-ms'))])));
      if (result.findings) result.openFindingMs = await openTopFinding(page);
      const facts = await consoleFacts(page);
      if (facts) [result.duckdbMemoryBytes, result.zeekRecords, result.zeekMs] = facts;
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const { metrics } = await cdp.send('Performance.getMetrics');
      result.jsHeapBytes = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null;
    } catch (error) {
      result.state = crashed ? 'crashed' : result.state === 'not started' ? 'failed' : result.state;
      result.error = crashed ? 'the tab crashed (out of memory)' : (error as Error).message.split('\n')[0];
    } finally {
      clearInterval(sampler);
      result.peakRendererRssBytes = Math.max(peak, crashed ? 0 : rendererRss(this.marker)) || null;
      await context.close().catch(() => undefined);
    }
    return result;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** Clicks the top-ranked finding and times it on the page's clock until every chart of its detail has settled. */
async function openTopFinding(page: Page): Promise<number | null> {
  await page.evaluate(() => (location.hash = '#/findings'));
  const top = page.getByTestId('finding-row').first();
  // Builds without the findings view have no rows to click: report that as "not measured".
  if (!(await top.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false))) return null;
  const id = await top.getAttribute('data-finding-id');
  await page.evaluate(() => {
    const w = window as unknown as { __rwClickAt?: number; __rwChartsAt?: number };
    delete w.__rwChartsAt;
    document.addEventListener('click', () => (w.__rwClickAt = performance.now()), { capture: true, once: true });
  });
  await top.click();
  await page.waitForFunction(
    ({ findingId, charts, settled }) => {
      const detail = document.querySelector(`[data-testid="finding-detail"][data-finding-id="${CSS.escape(findingId)}"]`);
      if (!detail) return false;
      const states = charts.map((c) => detail.querySelector(`[data-testid="${c}"]`)?.getAttribute('data-state') ?? '');
      if (!states.every((s) => settled.includes(s))) return false;
      const w = window as unknown as { __rwChartsAt?: number };
      w.__rwChartsAt ??= performance.now();
      return true;
    },
    { findingId: id ?? '', charts: CHART_IDS, settled: SETTLED_CHART_STATES },
    { timeout: 60_000, polling: 'raf' },
  );
  return page.evaluate(() => {
    const w = window as unknown as { __rwClickAt?: number; __rwChartsAt?: number };
    return w.__rwClickAt !== undefined && w.__rwChartsAt !== undefined ? w.__rwChartsAt - w.__rwClickAt : null;
  });
}

/** DuckDB's memory accounting and the Zeek sources' load time, read through the SQL console like an analyst would. */
async function consoleFacts(page: Page): Promise<number[] | null> {
  await page.evaluate(() => (location.hash = '#/console'));
  await page.getByTestId('sql-editor').fill(
    `SELECT (SELECT sum(memory_usage_bytes) FROM duckdb_memory())::BIGINT AS duckdb_bytes,
       (SELECT sum(rows_loaded) FROM sources WHERE format LIKE 'zeek-%')::BIGINT AS zeek_rows,
       (SELECT round(sum(millis)) FROM sources WHERE format LIKE 'zeek-%')::BIGINT AS zeek_ms`,
  );
  await page.getByTestId('sql-run').click();
  const cells = page.getByTestId('result-grid').locator('td');
  await cells.nth(2).waitFor({ timeout: 30_000 });
  return (await cells.allTextContents()).slice(0, 3).map((text) => Number(text.replace(/[^\d]/g, '')));
}
