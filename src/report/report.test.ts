import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { loadNodeDetectionPack } from '../detection/manifest-node.ts';
import type { DetectionResult } from '../detection/detect.ts';
import { escapeHtml } from './escape.ts';
import { detect, ingestTexts } from './fixtures/analyze-native.ts';
import { hostileSquidLog, PAYLOADS } from './fixtures/hostile-squid.ts';
import { collectReportData, type ReportData } from './report-data.ts';
import { ATTACK_NOTICE, buildReportHtml, REPORT_CSP } from './report-html.ts';

describe('escapeHtml', () => {
  it('escapes every character that matters in text and quoted attributes, and strips nothing', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml(PAYLOADS.img)).toBe('&lt;img/src=x/onerror=alert(2)&gt;');
    expect(escapeHtml('plain text ü')).toBe('plain text ü');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('HTML report', () => {
  let engine: NativeEngine;
  let result: DetectionResult;
  let data: ReportData;
  let html: string;

  beforeAll(async () => {
    engine = await NativeEngine.open();
    await ingestTexts(engine, { 'proxy/access.log': hostileSquidLog() });
    result = await detect(engine);
    const first = result.findings[0];
    data = await collectReportData(engine, {
      findings: result.findings,
      window: result.window,
      triage: new Map([[first.id, { verdict: 'malicious', note: `seen in ${PAYLOADS.script} ${PAYLOADS.formula}`, at: '2024-05-02T10:00:00.000Z' }]]),
      toolVersion: '0.1.0',
      chartWidthPx: 96,
      analytics: loadNodeDetectionPack().analytics,
      generatedAt: new Date(Date.UTC(2024, 4, 3)),
    });
    html = buildReportHtml(data);
  }, 60_000);
  afterAll(() => engine.close());

  it('carries no script at all and a CSP that forbids scripts', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP.replaceAll("'", '&#39;')}">`);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  });

  it('lists every finding with its summary, signals, ATT&CK ids and triage', () => {
    expect(result.findings.length).toBe(2);
    expect(html.match(/<section class="finding"/g)).toHaveLength(result.findings.length);
    for (const f of result.findings) {
      expect(html).toContain(`data-finding-id="${f.id}"`);
      expect(html).toContain(escapeHtml(f.summary));
      for (const s of f.signals) expect(html).toContain(escapeHtml(s.explanation));
    }
    expect(html).toContain('T1102.003 Web Service: One-Way Communication');
    expect(html).toContain('<span class="verdict verdict-malicious">malicious</span>');
    expect(html).toContain('Triaged so far: 1 malicious.');
    expect(html).toContain('Not triaged.');
  });

  it('summarises info findings in one table, a row each, without their evidence or charts', async () => {
    const second = result.findings[1];
    const tail = [{ ...second, severity: 'info' as const }];
    const withTail = await collectReportData(engine, {
      findings: [result.findings[0], ...tail], window: result.window, triage: new Map(), toolVersion: '0.1.0',
      chartWidthPx: 96, analytics: [], generatedAt: new Date(Date.UTC(2024, 4, 3)),
    });
    expect(withTail.charts.has(second.id)).toBe(false);
    const out = buildReportHtml(withTail);
    expect(out.match(/<section class="finding"/g)).toHaveLength(1);
    expect(out).toContain('1 info findings, summarised');
    expect(out).toContain(`<tr id="finding-${second.id}" data-finding-id="${second.id}">`);
    expect(out).not.toContain(`<section class="finding" id="finding-${second.id}"`);
  });

  it('shows attacker payloads from the logs as escaped text', () => {
    expect(html).toContain('/bot*:AAE-x/getUpdates&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('/bot*:AAE-x/send&lt;img/src=x/onerror=alert(2)&gt;');
    expect(html).toContain(escapeHtml(PAYLOADS.formula));
    expect(html).toContain('seen in &lt;script&gt;alert(1)&lt;/script&gt;');
    // The unparseable line is shown in the scope section as it was read.
    expect(html).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img/src=x/onerror=alert(2)&gt; not a squid line</code>');
  });

  it('states the scope: sources with counts and the data window', () => {
    expect(html).toContain('<td class="mono">proxy/access.log</td><td>squid-native</td><td class="num">481</td>');
    expect(html).toMatch(/Data window<\/th><td>2024-05-01 00:\d\d:\d\d UTC – 2024-05-01 2\d:\d\d:\d\d UTC/);
  });

  it('without chart SVGs (the CLI) gives the binned numbers with the period marked', () => {
    const telegram = result.findings.find((f) => f.service?.id === 'telegram')!;
    const charts = data.charts.get(telegram.id)!;
    expect(charts.timeline.reduce((n, b) => n + b.n, 0)).toBe(telegram.events);
    expect(charts.intervals.reduce((n, b) => n + b.n, 0)).toBe(telegram.events - 1);
    expect(html).toContain('Charts are drawn only in reports made in the browser');
    expect(html.match(/← period/g)).toHaveLength(result.findings.length);
  });

  it('embeds chart SVG when given, and refuses output with a script tag', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>5 min</text></svg>';
    const chartSvgs = new Map(result.findings.map((f) => [f.id, { timeline: svg, intervals: svg }]));
    expect(buildReportHtml(data, { chartSvgs }).match(/<svg /g)).toHaveLength(2 * result.findings.length);
    const hostile = new Map(result.findings.map((f) => [f.id, { timeline: '<svg><script>x</script></svg>', intervals: svg }]));
    expect(() => buildReportHtml(data, { chartSvgs: hostile })).toThrow(/script/);
  });

  it('reproduces the ATT&CK notice of CATALOG-SOURCES.md word for word', () => {
    const md = readFileSync(fileURLToPath(new URL('../context/data/CATALOG-SOURCES.md', import.meta.url)), 'utf8');
    const notice = md.split('## ATT&CK notice')[1].trim().replace(/\s+/g, ' ');
    expect(ATTACK_NOTICE).toBe(notice);
    expect(html).toContain(escapeHtml(ATTACK_NOTICE));
  });
});
