/** Summaries of the ranked findings for the overview: by severity, by technique, top services and top hosts. */
import type { Finding } from '../../detection/detect.ts';
import type { Severity } from '../../detection/scoring.ts';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** The key the host view opens for a finding's source: its short host name, else its IP. */
export function hostKeyOf(finding: Finding): string | null {
  return (finding.source.hostname ?? finding.source.ip)?.toLowerCase() ?? null;
}

/** Findings per severity, every severity present (zeros included) in severity order. */
export function severityCounts(findings: readonly Finding[]): { severity: Severity; count: number }[] {
  return SEVERITIES.map((severity) => ({ severity, count: findings.filter((f) => f.severity === severity).length }));
}

/** Findings per ATT&CK technique id, most first. */
export function techniqueCounts(findings: readonly Finding[]): { technique: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const f of findings) for (const t of new Set(f.attack)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([technique, count]) => ({ technique, count })).sort((a, b) => b.count - a.count || a.technique.localeCompare(b.technique));
}

export interface EntityScore {
  key: string;
  label: string;
  detail: string | null;
  /** Catalogued service id (service rows) — null for an uncatalogued destination. */
  serviceId: string | null;
  findings: number;
  maxScore: number;
  topSeverity: Severity;
}

function rankEntities(findings: readonly Finding[], keyOf: (f: Finding) => Omit<EntityScore, 'findings' | 'maxScore' | 'topSeverity'> | null, limit: number): EntityScore[] {
  const byKey = new Map<string, EntityScore>();
  for (const f of findings) {
    const entity = keyOf(f);
    if (!entity) continue;
    const current = byKey.get(entity.key);
    if (!current) byKey.set(entity.key, { ...entity, findings: 1, maxScore: f.score, topSeverity: f.severity });
    else {
      current.findings++;
      if (f.score > current.maxScore) Object.assign(current, { maxScore: f.score, topSeverity: f.severity });
    }
  }
  return [...byKey.values()].sort((a, b) => b.maxScore - a.maxScore || b.findings - a.findings || a.key.localeCompare(b.key)).slice(0, limit);
}

/** Services (or uncatalogued destinations) by their highest finding score, then number of findings. */
export function topServices(findings: readonly Finding[], limit: number): EntityScore[] {
  return rankEntities(
    findings,
    (f) =>
      f.service
        ? { key: `service:${f.service.id}`, label: f.service.name, detail: f.service.category, serviceId: f.service.id }
        : f.destination.domain || f.destination.ips[0]
          ? { key: `destination:${f.destination.domain ?? f.destination.ips[0]}`, label: f.destination.domain ?? f.destination.ips[0], detail: 'uncatalogued', serviceId: null }
          : null,
    limit,
  );
}

/** Source hosts by their highest finding score, then number of findings. */
export function topHosts(findings: readonly Finding[], limit: number): EntityScore[] {
  return rankEntities(
    findings,
    (f) => {
      const key = hostKeyOf(f);
      return key ? { key, label: key, detail: f.source.role, serviceId: null } : null;
    },
    limit,
  );
}
