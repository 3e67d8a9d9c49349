/**
 * The readiness export of src/contracts/readiness.schema.json: per host, events per telemetry class, the analytics
 * its data lets run and those it blocks (with the missing capabilities and what would supply them), and a ranked
 * collect-next list per telemetry class. What the data could not have shown, stated next to what it shows.
 */
import type { CoverageReport } from './coverage.ts';
import { collectNext, hostCapabilities, type ReadinessSpec } from './readiness.ts';

export interface ReadinessExport {
  format: 'relaywatch.readiness';
  version: 1;
  generated_at: string;
  tool?: { name: 'relaywatch'; version: string };
  telemetry_classes: { id: string; label: string }[];
  hosts: {
    key: string;
    ip: string | null;
    role: string | null;
    in_inventory: boolean;
    telemetry: Record<string, number>;
    analytics_ready: string[];
    analytics_blocked: { id: string; missing: string[]; collect: string[] }[];
  }[];
  collect_next: { telemetry: string; label: string; hosts: number; analytics: string[]; text: string[] }[];
}

export function buildReadinessExport(
  coverage: CoverageReport,
  spec: ReadinessSpec,
  options: { toolVersion?: string; generatedAt?: Date } = {},
): ReadinessExport {
  const providers = new Map(spec.capabilities.map((c) => [c.id, c.providers]));
  const hosts = coverage.hosts.map((host) => {
    const held = hostCapabilities(host, spec);
    const blocked = spec.analytics
      .map((a) => ({ id: a.id, missing: a.requires.filter((r) => !held.has(r)) }))
      .filter((a) => a.missing.length > 0)
      .map((a) => ({ ...a, collect: [...new Set(a.missing.flatMap((m) => providers.get(m) ?? []))] }));
    return {
      key: host.key,
      ip: host.ip,
      role: host.role,
      in_inventory: host.in_inventory,
      telemetry: Object.fromEntries(coverage.classes.map((c) => [c.id, host.telemetry[c.id]?.events ?? 0])),
      analytics_ready: spec.analytics.filter((a) => a.requires.every((r) => held.has(r))).map((a) => a.id),
      analytics_blocked: blocked,
    };
  });
  // collectNext() ranks (class, role, business unit) groups greedily; the contract ranks classes: keep each class
  // where it first ranks, and add up the hosts and analytics of its groups.
  const byClass = new Map<string, ReadinessExport['collect_next'][number]>();
  const hostsByClass = new Map<string, Set<string>>();
  for (const pick of collectNext(coverage, spec, Number.MAX_SAFE_INTEGER)) {
    const entry = byClass.get(pick.telemetry) ?? { telemetry: pick.telemetry, label: pick.label, hosts: 0, analytics: [], text: [] };
    byClass.set(pick.telemetry, entry);
    const seen = hostsByClass.get(pick.telemetry) ?? new Set<string>();
    hostsByClass.set(pick.telemetry, seen);
    for (const h of pick.hosts) seen.add(h);
    entry.hosts = seen.size;
    for (const e of pick.enables) if (!entry.analytics.includes(e.id)) entry.analytics.push(e.id);
    entry.text.push(pick.text);
  }
  return {
    format: 'relaywatch.readiness',
    version: 1,
    generated_at: (options.generatedAt ?? new Date()).toISOString(),
    ...(options.toolVersion ? { tool: { name: 'relaywatch' as const, version: options.toolVersion } } : {}),
    telemetry_classes: coverage.classes.map((c) => ({ id: c.id, label: c.label })),
    hosts,
    collect_next: [...byClass.values()],
  };
}
