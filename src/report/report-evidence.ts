/**
 * The evidence-grade parts of the report: what produced it (tool version, catalog digest, each analytic's id,
 * version and parameters), a replay block per finding, the accounts and campaigns, and the scope of the data —
 * what it could not have shown, per host. All text is escaped; all of it was redacted before it got here.
 */
import type { Finding } from '../detection/detect.ts';
import type { ParamValue } from '../detection/manifest.ts';
import type { ReadinessExport } from '../readiness/readiness-export.ts';
import { campaignsOf } from '../accounts/campaigns.ts';
import { escapeHtml as esc } from './escape.ts';

/** An analytic as it ran: its id, a version (SHA-256 of its SQL, first 12 hex digits) and its effective parameters. */
export interface AnalyticRun {
  id: string;
  version: string;
  params: Record<string, ParamValue>;
}

const paramText = (params: Record<string, ParamValue>) =>
  Object.entries(params).map(([k, v]) => `${k}=${v === null ? 'null (from the data)' : String(v)}`).join(', ') || 'none';

const sqlLiteral = (v: ParamValue) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v));

export function provenance(toolVersion: string, catalogDigest: string | undefined, runs: readonly AnalyticRun[]): string {
  const rows = runs
    .map((r) => `<tr><td><code>${esc(r.id)}</code></td><td><code>${esc(r.version)}</code></td><td class="mono">${esc(paramText(r.params))}</td></tr>`)
    .join('\n');
  return `<section id="provenance"><h2>How this report was made</h2>
<table class="facts"><tbody>
<tr><th scope="row">Tool</th><td>Relaywatch ${esc(toolVersion)}</td></tr>
<tr><th scope="row">Catalog SHA-256</th><td><code>${esc(catalogDigest ?? 'not recorded')}</code></td></tr>
</tbody></table>
<table><thead><tr><th>Analytic</th><th>Version (SQL SHA-256)</th><th>Parameters</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

/** SQL that reproduces a finding's signals in the SQL console, after the baselines ran with the same parameters. */
export function replaySql(finding: Finding, runs: readonly AnalyticRun[]): string {
  const ids = [...new Set(finding.signals.map((s) => s.id))].filter((id) => runs.some((r) => r.id === id));
  const params = new Map<string, ParamValue>();
  for (const r of runs) if (ids.includes(r.id)) for (const [k, v] of Object.entries(r.params)) params.set(k, v);
  const key = finding.source.hostname ?? finding.source.ip ?? '';
  const service = finding.service?.id ?? finding.destination.domain ?? '';
  return [
    `-- Finding ${finding.id}: run the baselines, then each analytic below, with these parameters.`,
    ...[...params].map(([k, v]) => `SET VARIABLE ${k} = ${sqlLiteral(v)};`),
    ...ids.map((id) => {
      const version = runs.find((r) => r.id === id)?.version;
      return `-- analytics/${id}.sql (version ${version}), keeping the rows of this finding:\n-- SELECT * FROM (<${id}.sql>) WHERE src_key = ${sqlLiteral(key.split('.')[0].toLowerCase())} AND coalesce(service_id, dst_host) = ${sqlLiteral(service)};`;
    }),
  ].join('\n');
}

export function replayBlock(finding: Finding, runs: readonly AnalyticRun[]): string {
  return runs.length ? `<h4>Replay</h4><pre class="replay">${esc(replaySql(finding, runs))}</pre>` : '';
}

/** The accounts a finding addresses, with the evidence each was read from. */
export function accountsHtml(finding: Finding): string {
  const accounts = finding.destination.accounts ?? [];
  return accounts.length
    ? accounts.map((a) => `<code>${esc(a.kind)}</code> <code>${esc(a.id)}</code> <span class="meta">${esc(a.evidence)}</span>`).join('<br>')
    : '—';
}

export function campaignsSection(findings: readonly Finding[]): string {
  const campaigns = campaignsOf(findings);
  if (!campaigns.length) return '';
  const rows = campaigns
    .map((c) => `<tr><td><code>${esc(c.account.kind)}</code> <code>${esc(c.account.id)}</code></td><td>${esc(c.service ?? '—')}</td>
<td>${esc(c.sources.join(', '))}</td><td>${esc(c.first_seen)} – ${esc(c.last_seen)}</td><td class="mono">${esc(c.finding_ids.join(', '))}</td></tr>`)
    .join('\n');
  return `<section id="campaigns"><h2>Campaigns: one account, several sources</h2>
<table><thead><tr><th>Account</th><th>Service</th><th>Sources (first reached first)</th><th>Seen</th><th>Findings</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

/** What the data could and could not show, per host: telemetry, analytics blocked, and what to collect next. */
export function readinessSection(readiness: ReadinessExport | undefined): string {
  if (!readiness) return '';
  const classes = readiness.telemetry_classes;
  const hosts = readiness.hosts
    .map((h) => `<tr><td class="mono">${esc(h.key)}</td><td>${esc(h.role ?? '—')}</td>${classes.map((c) => `<td class="num">${h.telemetry[c.id] ?? 0}</td>`).join('')}
<td class="num">${h.analytics_ready.length}</td><td>${esc(h.analytics_blocked.map((b) => `${b.id} (needs ${b.missing.join(', ')})`).join('; ') || '—')}</td></tr>`)
    .join('\n');
  const next = readiness.collect_next
    .map((n) => `<li><strong>${esc(n.label)}</strong> on ${n.hosts} hosts: enables ${esc(n.analytics.join(', '))}</li>`)
    .join('');
  return `<section id="readiness"><h2>What the data could not show</h2>
<table><thead><tr><th>Host</th><th>Role</th>${classes.map((c) => `<th class="num">${esc(c.label)}</th>`).join('')}<th class="num">Analytics ready</th><th>Blocked, and why</th></tr></thead>
<tbody>${hosts || `<tr><td colspan="${classes.length + 4}">No hosts.</td></tr>`}</tbody></table>
<h3>Collect next</h3><ol>${next || '<li>Nothing: every analytic can run on every host.</li>'}</ol>
</section>`;
}
