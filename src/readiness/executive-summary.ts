/**
 * The numbers of the executive summary — coverage, readiness, approved vs unapproved web-service use by
 * business unit, findings by severity and technique — and a few headline sentences. Reusable by the report.
 */
import type { SqlEngine } from '../engine/sql-engine.ts';
import type { Finding } from '../detection/detect.ts';
import { serviceUse, type ServiceUse } from '../egress/service-use.ts';
import { computeCoverage, type CoverageOptions, type CoverageReport } from './coverage.ts';
import { collectNext, readinessMatrix, shippedReadinessSpec, type ReadinessSpec } from './readiness.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export interface ExecutiveSummary {
  hosts: number;
  /** Inventory assets with no telemetry at all. */
  silent_hosts: number;
  coverage: { telemetry: string; label: string; hosts: number; share: number }[];
  readiness: { id: string; title: string; ready: number; total: number; share: number }[];
  /** Mean share of hosts each analytic can cover. */
  overall_readiness: number;
  service_use: {
    business_unit: string;
    approved_services: number;
    unapproved_services: number;
    approved_events: number;
    unapproved_events: number;
    top_unapproved: string[];
  }[];
  findings: { total: number; by_severity: Record<(typeof SEVERITIES)[number], number>; by_technique: { technique: string; findings: number }[] };
  collect_next: string[];
  headlines: string[];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Builds the summary from already computed parts (no database access). */
export function summarize(coverage: CoverageReport, spec: ReadinessSpec, use: readonly ServiceUse[], findings: readonly Finding[]): ExecutiveSummary {
  const hosts = coverage.hosts.length;
  const silent = coverage.hosts.filter((h) => Object.keys(h.telemetry).length === 0).length;
  const share = (n: number) => (hosts ? n / hosts : 0);
  const matrix = readinessMatrix(coverage, spec, 'role');
  const readiness = matrix.analytics.map((a) => ({ id: a.id, title: a.title, ready: a.ready, total: a.total, share: a.total ? a.ready / a.total : 0 }));
  const overall = readiness.length ? readiness.reduce((n, r) => n + r.share, 0) / readiness.length : 0;

  const units = new Map<string, ExecutiveSummary['service_use'][number] & { approvedIds: Set<string>; unapproved: Map<string, number> }>();
  for (const row of use) {
    const unit = units.get(row.business_unit) ?? {
      business_unit: row.business_unit, approved_services: 0, unapproved_services: 0, approved_events: 0, unapproved_events: 0, top_unapproved: [],
      approvedIds: new Set<string>(), unapproved: new Map<string, number>(),
    };
    units.set(row.business_unit, unit);
    if (row.approved) {
      unit.approvedIds.add(row.service_id);
      unit.approved_events += row.events;
    } else {
      unit.unapproved.set(row.service_name, (unit.unapproved.get(row.service_name) ?? 0) + row.events);
      unit.unapproved_events += row.events;
    }
  }
  const serviceUseRows = [...units.values()].map(({ approvedIds, unapproved, ...unit }) => ({
    ...unit,
    approved_services: approvedIds.size,
    unapproved_services: unapproved.size,
    top_unapproved: [...unapproved].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name]) => name),
  }));
  serviceUseRows.sort((a, b) => b.unapproved_services - a.unapproved_services || a.business_unit.localeCompare(b.business_unit));

  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as ExecutiveSummary['findings']['by_severity'];
  const techniques = new Map<string, number>();
  for (const f of findings) {
    bySeverity[f.severity]++;
    for (const t of new Set(f.attack)) techniques.set(t, (techniques.get(t) ?? 0) + 1);
  }
  const next = collectNext(coverage, spec, 3).map((r) => r.text);
  const coverageRows = coverage.spans.map((s) => ({ telemetry: s.telemetry, label: s.label, hosts: s.hosts, share: share(s.hosts) }));
  const best = [...coverageRows].sort((a, b) => b.share - a.share)[0];
  const urgent = bySeverity.critical + bySeverity.high;
  const unapprovedUnits = serviceUseRows.filter((u) => u.unapproved_services > 0);
  const headlines = [
    `${findings.length} finding${findings.length === 1 ? '' : 's'}, ${urgent} critical or high.`,
    hosts ? `${hosts} hosts; the best-covered telemetry (${best.label}) sees ${pct(best.share)} of them${silent ? `, and ${silent} inventory asset${silent === 1 ? ' sends' : 's send'} no telemetry at all` : ''}.` : 'No hosts are known yet.',
    `On average each analytic can run for ${pct(overall)} of hosts.`,
    unapprovedUnits.length
      ? `${unapprovedUnits.length} business unit${unapprovedUnits.length === 1 ? ' uses' : 's use'} web services the policy does not approve (most: ${unapprovedUnits[0].business_unit}, ${unapprovedUnits[0].unapproved_services}).`
      : 'Every catalogued web service in use is approved for its users.',
    ...(next.length ? [`Collect next: ${next[0]}`] : []),
  ];
  return {
    hosts, silent_hosts: silent, coverage: coverageRows, readiness, overall_readiness: overall, service_use: serviceUseRows,
    findings: { total: findings.length, by_severity: bySeverity, by_technique: [...techniques].map(([technique, n]) => ({ technique, findings: n })).sort((a, b) => b.findings - a.findings || a.technique.localeCompare(b.technique)) },
    collect_next: next,
    headlines,
  };
}

/** Computes coverage and service use from the loaded data and summarises them with the findings. */
export async function computeExecutiveSummary(
  engine: SqlEngine,
  findings: readonly Finding[],
  options: CoverageOptions & { spec?: ReadinessSpec } = {},
): Promise<ExecutiveSummary> {
  const coverage = await computeCoverage(engine, options);
  return summarize(coverage, options.spec ?? shippedReadinessSpec(), await serviceUse(engine), findings);
}
