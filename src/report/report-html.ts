/**
 * The self-contained HTML report: one file, inline CSS only, no scripts at all (its CSP forbids them), readable
 * with JavaScript disabled and printable with a page per finding. Every log-derived string goes through
 * escapeHtml; charts arrive as SVG text already serialised by XMLSerializer (which escapes text nodes).
 */
import type { Finding, FindingSignal } from '../detection/detect.ts';
import { kindColor } from '../core/chart-style.ts';
import { formatBytes } from '../core/format-bytes.ts';
import { escapeHtml as esc } from './escape.ts';
import { accountsHtml, campaignsSection, provenance, readinessSection, replayBlock } from './report-evidence.ts';
import { detailed, type FindingChartData, type FindingTriage, type ReportData, type ReportSource } from './report-data.ts';

/** Static SVG of one finding's charts (browser only: Plot needs a DOM). */
export interface FindingChartSvgs {
  timeline: string;
  intervals: string;
}

export interface ReportOptions {
  /** Per finding id; when absent the report shows the chart data as small tables instead. */
  chartSvgs?: ReadonlyMap<string, FindingChartSvgs>;
  /** Findings listed in the executive summary. */
  topFindings?: number;
}

/** Content-Security-Policy of the report: nothing may load or run; inline styles and data: images only. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The notice src/context/data/CATALOG-SOURCES.md requires wherever ATT&CK content is reproduced. */
export const ATTACK_NOTICE =
  'MITRE ATT&CK® © The MITRE Corporation, reproduced and distributed with the permission of The MITRE Corporation. ' +
  'This catalog uses ATT&CK technique ids and facts from ATT&CK procedure examples under the ATT&CK Terms of Use.';

const TECHNIQUE_NAMES: Record<string, string> = {
  T1102: 'Web Service',
  'T1102.001': 'Web Service: Dead Drop Resolver',
  'T1102.002': 'Web Service: Bidirectional Communication',
  'T1102.003': 'Web Service: One-Way Communication',
  T1572: 'Protocol Tunneling',
};

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 32px 48px; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #1b1f24; }
h3 { font-size: 15px; margin: 0 0 6px; }
h4 { font-size: 13px; margin: 14px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }
p { margin: 4px 0 8px; }
.meta { color: #57606a; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px 3px 0; border-bottom: 1px solid #d8dee4; }
th { font-weight: 600; color: #57606a; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; padding-right: 12px; }
code, .mono { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
pre.replay { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.facts th { width: 150px; }
.finding { border-top: 1px solid #d8dee4; padding-top: 18px; margin-top: 22px; }
.sev { display: inline-block; min-width: 64px; padding: 1px 6px; border-radius: 3px; font-weight: 600; font-size: 11px; text-transform: uppercase; text-align: center; color: #fff; }
.sev-critical { background: #8b1a1a; } .sev-high { background: #c4421a; } .sev-medium { background: #a86b00; }
.sev-low { background: #2f6f9f; } .sev-info { background: #6e7781; }
.verdict { font-weight: 600; } .verdict-malicious { color: #8b1a1a; } .verdict-suspicious { color: #a86b00; } .verdict-benign { color: #1a7f37; }
.summary { font-size: 14px; margin: 6px 0 10px; }
.charts { display: grid; grid-template-columns: 3fr 2fr; gap: 16px; }
figure { margin: 0; }
.chart svg { max-width: 100%; height: auto; }
.legend span { display: inline-block; margin-right: 12px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
.note { color: #57606a; font-style: italic; }
.notice { margin-top: 28px; padding: 8px 10px; background: #f6f8fa; border: 1px solid #d8dee4; color: #57606a; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .finding { break-before: page; border-top: none; margin-top: 0; }
  h2 { break-after: avoid; } table, .chart { break-inside: avoid; }
}`;

/** Colours of event kinds in the timeline (also used by the chart renderer). */

const number = (n: number | null | undefined) => (n === null || n === undefined ? '' : n.toLocaleString('en-US'));

/** ISO-8601 → 'YYYY-MM-DD HH:MM:SS UTC' (the report states every time in UTC). */
function utc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : iso;
}

function seconds(s: number): string {
  if (s < 120) return `${s >= 10 ? s.toFixed(0) : s.toPrecision(2)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const techniqueLabel = (id: string) => (TECHNIQUE_NAMES[id] ? `${id} ${TECHNIQUE_NAMES[id]}` : id);
const sourceLabel = (f: Finding) => f.source.hostname ?? f.source.ip ?? f.source.user ?? 'unknown source';
const destinationLabel = (f: Finding) => f.service?.name ?? f.destination.domain ?? f.destination.ips[0] ?? 'unknown destination';
const severityChip = (severity: string) => `<span class="sev sev-${esc(severity)}">${esc(severity)}</span>`;
const anchor = (f: Finding) => `finding-${esc(f.id)}`;

function row(label: string, valueHtml: string): string {
  return `<tr><th scope="row">${esc(label)}</th><td>${valueHtml}</td></tr>`;
}

function header(data: ReportData): string {
  const w = data.window;
  return `<header>
<h1>Relaywatch report</h1>
<p class="meta">Generated ${esc(utc(data.generatedAt))} by Relaywatch ${esc(data.toolVersion)} (${esc(data.engine)}) ·
data ${esc(utc(w?.data_start))} – ${esc(utc(w?.data_end))} · ${number(data.findings.length)} findings</p>
</header>`;
}

function executiveSummary(data: ReportData, top: number): string {
  const bySeverity = new Map<string, number>();
  const byTechnique = new Map<string, number>();
  for (const f of data.findings) {
    bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
    for (const id of f.attack) byTechnique.set(id, (byTechnique.get(id) ?? 0) + 1);
  }
  const verdicts = new Map<string, number>();
  for (const f of data.findings) {
    const t = data.triage.get(f.id);
    if (t) verdicts.set(t.verdict, (verdicts.get(t.verdict) ?? 0) + 1);
  }
  const severityRows = SEVERITIES.map((s) => `<tr><td>${severityChip(s)}</td><td class="num">${number(bySeverity.get(s) ?? 0)}</td></tr>`).join('');
  const techniqueRows = [...byTechnique.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([id, n]) => `<tr><td>${esc(techniqueLabel(id))}</td><td class="num">${number(n)}</td></tr>`)
    .join('');
  const topRows = data.findings
    .slice(0, top)
    .map(
      (f) => `<tr><td class="num">${f.rank}</td><td>${severityChip(f.severity)}</td><td class="num">${f.score.toFixed(1)}</td>
<td><a href="#${anchor(f)}">${esc(sourceLabel(f))} → ${esc(destinationLabel(f))}</a></td><td>${esc(f.summary)}</td></tr>`,
    )
    .join('\n');
  const triaged = [...verdicts.entries()].map(([v, n]) => `${number(n)} ${esc(v)}`).join(', ');
  return `<section id="summary"><h2>Executive summary</h2>
<p>${number(data.findings.length)} suspicious relationships between sources and web services were found in
${number(data.sources.reduce((n, s) => n + s.rows_loaded, 0))} records from ${number(data.sources.length)} sources.
${triaged ? `Triaged so far: ${triaged}.` : 'No finding has been triaged yet.'}</p>
<div class="charts">
<table><caption class="meta">Findings by severity</caption><thead><tr><th>Severity</th><th class="num">Findings</th></tr></thead><tbody>${severityRows}</tbody></table>
<table><caption class="meta">Findings by ATT&amp;CK technique</caption><thead><tr><th>Technique</th><th class="num">Findings</th></tr></thead><tbody>${techniqueRows || '<tr><td colspan="2">none</td></tr>'}</tbody></table>
</div>
<h4>Top findings</h4>
<table><thead><tr><th class="num">#</th><th>Severity</th><th class="num">Score</th><th>Relationship</th><th>Summary</th></tr></thead>
<tbody>${topRows || '<tr><td colspan="5">No findings.</td></tr>'}</tbody></table>
</section>`;
}

function sourceRejections(s: ReportSource): string {
  if (s.rejections.length === 0) return '';
  const items = s.rejections
    .map((r) => `<tr><td class="num">${number(r.line)}</td><td>${esc(r.reason)}</td><td><code>${esc(r.sample ?? '')}</code></td></tr>`)
    .join('');
  return `<h4>Rejected records of ${esc(s.name)} (first ${s.rejections.length} of ${number(s.rows_rejected)})</h4>
<table><thead><tr><th class="num">Line</th><th>Reason</th><th>Record as read</th></tr></thead><tbody>${items}</tbody></table>`;
}

function scope(data: ReportData): string {
  const w = data.window;
  const rows = data.sources
    .map(
      (s) => `<tr><td class="mono">${esc(s.name)}</td><td>${esc(s.format)}</td><td class="num">${number(s.rows_read)}</td>
<td class="num">${number(s.rows_loaded)}</td><td class="num">${number(s.rows_rejected)}</td><td>${esc(s.message ?? '')}</td>
<td class="mono sha">${esc(s.sha256 ?? '—')}</td></tr>`,
    )
    .join('\n');
  const total = (key: 'rows_read' | 'rows_loaded' | 'rows_rejected') => number(data.sources.reduce((n, s) => n + s[key], 0));
  return `<section id="scope"><h2>Scope</h2>
<table class="facts"><tbody>
${row('Data window', `${esc(utc(w?.data_start))} – ${esc(utc(w?.data_end))}`)}
${row('Baseline window', `${esc(utc(w?.baseline_start))} – ${esc(utc(w?.baseline_end))}`)}
${row('Detection window', `${esc(utc(w?.detect_start))} – ${esc(utc(w?.detect_end))}`)}
${row('Records', `${total('rows_read')} read, ${total('rows_loaded')} loaded, ${total('rows_rejected')} rejected`)}
</tbody></table>
<table><thead><tr><th>Source</th><th>Format</th><th class="num">Read</th><th class="num">Loaded</th><th class="num">Rejected</th><th>Note</th><th>SHA-256</th></tr></thead>
<tbody>${rows || '<tr><td colspan="7">No sources.</td></tr>'}</tbody></table>
${data.sources.map(sourceRejections).join('\n')}
</section>`;
}

function evidenceText(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .filter(([, v]) => v !== null && v !== '' && typeof v !== 'object')
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : String(v)}`)
    .join(' · ');
}

function signalsTable(signals: readonly FindingSignal[]): string {
  const rows = signals
    .map(
      (s) => `<tr><td>${esc(s.title)}<br><code>${esc(s.id)}</code></td><td class="num">${s.weight.toFixed(2)}</td>
<td>${esc(s.explanation)}<br><code>${esc(evidenceText(s.evidence))}</code></td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>Signal</th><th class="num">Weight</th><th>Evidence</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function triageBlock(triage: FindingTriage | undefined): string {
  if (!triage) return '<p class="note">Not triaged.</p>';
  return `<p><span class="verdict verdict-${esc(triage.verdict)}">${esc(triage.verdict)}</span>
<span class="meta">· ${esc(utc(triage.at))}</span></p>${triage.note ? `<p>${esc(triage.note)}</p>` : ''}`;
}

function chartTables(data: FindingChartData | undefined, finding: Finding): string {
  if (!data) return '';
  const timeline = new Map<number, { end: number; n: number }>();
  for (const b of data.timeline) {
    const bin = timeline.get(b.start_ms) ?? { end: b.end_ms, n: 0 };
    bin.n += b.n;
    timeline.set(b.start_ms, bin);
  }
  const timelineRows = [...timeline.entries()]
    .map(([start, b]) => `<tr><td>${esc(utc(new Date(start).toISOString()))}</td><td class="num">${number(b.n)}</td></tr>`)
    .join('');
  const period = finding.periodicity?.period_s;
  const intervalRows = data.intervals
    .map((b) => {
      const marked = period !== undefined && period >= b.lo_s && period < b.hi_s ? ' ← period' : '';
      return `<tr><td>${esc(seconds(b.lo_s))} – ${esc(seconds(b.hi_s))}${marked}</td><td class="num">${number(b.n)}</td></tr>`;
    })
    .join('');
  return `<p class="note">Charts are drawn only in reports made in the browser; the numbers behind them follow.</p>
<div class="charts">
<table><caption class="meta">Events over time (UTC bins)</caption><thead><tr><th>Bin start</th><th class="num">Events</th></tr></thead><tbody>${timelineRows}</tbody></table>
<table><caption class="meta">Time between events</caption><thead><tr><th>Gap</th><th class="num">Count</th></tr></thead><tbody>${intervalRows}</tbody></table>
</div>`;
}

function chartFigures(svgs: FindingChartSvgs, data: FindingChartData | undefined): string {
  const kinds = [...new Set((data?.timeline ?? []).map((b) => b.kind))].sort();
  const legend = kinds.map((k) => `<span><i style="background:${kindColor(k)}"></i>${esc(k)}</span>`).join('');
  return `<div class="charts">
<figure class="chart"><figcaption class="meta">Events over time (UTC) <span class="legend">${legend}</span></figcaption>${svgs.timeline}</figure>
<figure class="chart"><figcaption class="meta">Time between events (log scale), period marked</figcaption>${svgs.intervals}</figure>
</div>`;
}

function findingSection(f: Finding, data: ReportData, options: ReportOptions): string {
  const s = f.source;
  const d = f.destination;
  const p = f.periodicity;
  const periodicity = p
    ? `every ${esc(seconds(p.period_s))}${p.jitter !== undefined ? ` ± ${Math.round(p.jitter * 100)} %` : ''}` +
      (p.p_value !== null ? `, p = ${esc(p.p_value.toExponential(2))}` : '') +
      (p.other_periods_s.length ? `; also ${p.other_periods_s.map((x) => esc(seconds(x))).join(', ')}` : '')
    : 'none found';
  const svgs = options.chartSvgs?.get(f.id);
  return `<section class="finding" id="${anchor(f)}" data-finding-id="${esc(f.id)}">
<h3>#${f.rank} ${severityChip(f.severity)} ${esc(sourceLabel(f))} → ${esc(destinationLabel(f))} <span class="meta">score ${f.score.toFixed(1)}</span></h3>
<p class="summary">${esc(f.summary)}</p>
<table class="facts"><tbody>
${row('Source', `IP <code>${esc(s.ip ?? '—')}</code> · host <code>${esc(s.hostname ?? '—')}</code> · user <code>${esc(s.user ?? '—')}</code>`)}
${row('Process', `<code>${esc(s.process ?? '—')}</code>`)}
${row('Role', `${esc(s.role ?? 'unknown')}${s.role_origin ? ` <span class="meta">(${esc(s.role_origin)})</span>` : ''}`)}
${row('Service', f.service ? `${esc(f.service.name)} <span class="meta">(${esc(f.service.id)}, ${esc(f.service.category)})</span>` : 'not catalogued')}
${row('Destination', `<code>${esc(d.domain ?? '—')}</code> · IPs <code>${esc(d.ips.join(', ') || '—')}</code> · ports ${esc(d.ports.join(', ') || '—')}`)}
${row('Accounts', accountsHtml(f))}
${row('URL patterns', d.url_patterns.length ? d.url_patterns.map((u) => `<code>${esc(u)}</code>`).join('<br>') : '—')}
${row('Seen', `${esc(utc(f.first_seen))} – ${esc(utc(f.last_seen))} · ${number(f.events)} events`)}
${row('Bytes', `out ${esc(formatBytes(f.bytes_out))} · in ${esc(formatBytes(f.bytes_in))}`)}
${row('Periodicity', periodicity)}
${row('ATT&CK', f.attack.map((id) => esc(techniqueLabel(id))).join('<br>'))}
${row('Finding id', `<code>${esc(f.id)}</code>`)}
</tbody></table>
<h4>Signals</h4>
${signalsTable(f.signals)}
<h4>Triage</h4>
${triageBlock(data.triage.get(f.id))}
<h4>Charts</h4>
${svgs ? chartFigures(svgs, data.charts.get(f.id)) : chartTables(data.charts.get(f.id), f)}
${replayBlock(f, data.runs)}
</section>`;
}

/**
 * Info findings in one table, a row each: they are kept and can be looked up by id, but drawing each in full made
 * reports of real captures megabytes long and slow to write.
 */
function infoTail(findings: readonly Finding[], data: ReportData): string {
  if (findings.length === 0) return '';
  const rows = findings
    .map(
      (f) => `<tr id="${anchor(f)}" data-finding-id="${esc(f.id)}"><td class="num">${f.rank}</td><td class="num">${f.score.toFixed(1)}</td>
<td>${esc(sourceLabel(f))} → ${esc(destinationLabel(f))}</td><td class="num">${number(f.events)}</td><td>${esc(utc(f.first_seen))} – ${esc(utc(f.last_seen))}</td>
<td>${esc([...new Set(f.signals.map((s) => s.id))].join(', '))}</td><td>${esc(data.triage.get(f.id)?.verdict ?? '')}</td><td><code>${esc(f.id)}</code></td></tr>`,
    )
    .join('\n');
  return `<section id="info-findings"><h3>${number(findings.length)} info findings, summarised</h3>
<p class="meta">Weak signals, each on its own not worth an investigator's time; open one in the app by its id for its evidence and charts.</p>
<table><thead><tr><th class="num">#</th><th class="num">Score</th><th>Relationship</th><th class="num">Events</th><th>Seen (UTC)</th><th>Signals</th><th>Verdict</th><th>Finding id</th></tr></thead>
<tbody>${rows}</tbody></table>
</section>`;
}

function method(data: ReportData): string {
  const fired = new Map<string, number>();
  for (const f of data.findings) for (const s of f.signals) fired.set(s.id, (fired.get(s.id) ?? 0) + 1);
  const rows = data.analytics
    .map(
      (a) => `<tr><td>${esc(a.title)}<br><code>${esc(a.id)}</code></td><td>${a.attack.map((id) => esc(id)).join(', ')}</td>
<td class="num">${number(fired.get(a.id) ?? 0)}</td><td>${esc(a.description)}${a.falsePositives.length ? `<br><span class="meta">False positives: ${esc(a.falsePositives.join(' '))}</span>` : ''}</td></tr>`,
    )
    .join('\n');
  const techniques = Object.entries(TECHNIQUE_NAMES)
    .map(([id, name]) => `<tr><td><code>${esc(id)}</code></td><td>${esc(name)}</td></tr>`)
    .join('');
  return `<section id="method"><h2>Method and ATT&amp;CK mapping</h2>
<p>Relaywatch normalises every log into one table of events, keys each relationship by source (IP or host, and process
where the logs carry it) and web service (from a catalogue of services abused for command and control), and runs a pack
of SQL analytics over it: timing (period and jitter with a p-value against a random stream of the same rate), context
(service unusual for the host's role or peer group, first seen after the baseline, non-browser process, scripted user
agent, server or appliance reaching a consumer service, off-hours use) and volume (upload-heavy bursts, API endpoints,
a dead-drop fetch followed by traffic to a new destination). A finding's score combines the independent signals; its
severity follows from the score. Every finding carries ATT&amp;CK T1102; the sub-technique follows from the direction of
data: a dead-drop sequence maps to .001, data both ways to .002, one way to .003.</p>
<table><thead><tr><th>Analytic</th><th>ATT&amp;CK</th><th class="num">Findings</th><th>What it finds</th></tr></thead><tbody>${rows}</tbody></table>
<table><thead><tr><th>Technique</th><th>Name</th></tr></thead><tbody>${techniques}</tbody></table>
<p class="notice">${esc(ATTACK_NOTICE)}</p>
</section>`;
}

/**
 * Builds the report document. Throws if a `<script` tag would reach the output, which escaping makes impossible
 * for log text; the check guards the chart SVG and future edits.
 */
export function buildReportHtml(data: ReportData, options: ReportOptions = {}): string {
  const parts = [
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_CSP)}">`,
    '<meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Relaywatch report · ${esc(utc(data.generatedAt))}</title><style>${STYLE}</style></head><body>`,
    header(data),
    executiveSummary(data, options.topFindings ?? 10),
    scope(data),
    readinessSection(data.readiness),
    campaignsSection(data.findings),
    `<section id="findings"><h2>Findings</h2>${data.findings.length ? '' : '<p>No findings.</p>'}</section>`,
    ...data.findings.filter(detailed).map((f) => findingSection(f, data, options)),
    infoTail(data.findings.filter((f) => !detailed(f)), data),
    method(data),
    provenance(data.toolVersion, data.catalogDigest, data.runs),
    '</body></html>\n',
  ];
  const html = parts.join('\n');
  if (/<script/i.test(html)) throw new Error('Refusing to write a report that contains a <script> tag');
  return html;
}
