/**
 * Detection readiness: which analytics can run for which hosts given their coverage, as a matrix over roles,
 * business units or hosts, and a ranked "what to collect next" list. Requirements are data
 * (src/readiness/data/readiness.json); this module only evaluates them.
 */
import shipped from './data/readiness.json';
import { CAPABILITY_COLUMNS, type CapabilityColumn, type CoverageReport, type HostCoverage } from './coverage.ts';

export interface Capability {
  id: string;
  label: string;
  /** Holds when the host's events carry any of these (sum of counts > 0). */
  columns?: CapabilityColumn[];
  /** Holds when the host has data on at least this many days. */
  min_days?: number;
  /** Telemetry classes that usually supply it (what to collect to gain it). */
  providers: string[];
}

export interface AnalyticRequirement {
  id: string;
  title: string;
  requires: string[];
}

export interface ReadinessSpec {
  capabilities: Capability[];
  analytics: AnalyticRequirement[];
}

export type GroupBy = 'role' | 'business_unit' | 'host';

export interface MatrixCell {
  ready: number;
  total: number;
}

export interface ReadinessMatrix {
  groupBy: GroupBy;
  groups: { key: string; hosts: number }[];
  analytics: { id: string; title: string; ready: number; total: number; blockers: string[] }[];
  /** analytic id → group key → cell. */
  cells: Record<string, Record<string, MatrixCell>>;
}

export interface Recommendation {
  telemetry: string;
  label: string;
  role: string | null;
  business_unit: string | null;
  hosts: string[];
  /** Analytics that would become ready, with how many hosts each would gain. */
  enables: { id: string; title: string; hosts: number }[];
  /** (host, analytic) pairs that would become ready. */
  unlocked: number;
  text: string;
}

export const NO_ROLE = '(no role)';
export const NO_BUSINESS_UNIT = '(no business unit)';
const KNOWN_COLUMNS: readonly string[] = CAPABILITY_COLUMNS;
const isPlaceholder = (key: string) => key === NO_ROLE || key === NO_BUSINESS_UNIT;

/** Checks a readiness spec; one message per problem (empty when usable). */
export function validateReadinessSpec(value: unknown): string[] {
  const spec = value as Partial<ReadinessSpec> | null;
  if (!spec || !Array.isArray(spec.capabilities) || !Array.isArray(spec.analytics)) return ['readiness spec: needs capabilities and analytics lists'];
  const issues: string[] = [];
  const ids = new Set<string>();
  for (const c of spec.capabilities) {
    if (!c || typeof c.id !== 'string' || ids.has(c.id)) issues.push(`capability ${JSON.stringify(c?.id)}: missing or duplicate id`);
    ids.add(c.id);
    const rules = [c.columns !== undefined, c.min_days !== undefined, c.id === 'role'].filter(Boolean).length;
    if (rules !== 1) issues.push(`capability ${c.id}: needs exactly one of columns, min_days (or be 'role')`);
    for (const column of c.columns ?? []) if (!KNOWN_COLUMNS.includes(column)) issues.push(`capability ${c.id}: unknown column ${column}`);
  }
  const analyticIds = new Set<string>();
  for (const a of spec.analytics) {
    if (!a || typeof a.id !== 'string' || analyticIds.has(a.id)) issues.push(`analytic ${JSON.stringify(a?.id)}: missing or duplicate id`);
    analyticIds.add(a.id);
    for (const r of a.requires ?? []) if (!ids.has(r)) issues.push(`analytic ${a.id}: unknown capability ${r}`);
  }
  return issues;
}

/** The readiness requirements shipped with Relaywatch. */
export function shippedReadinessSpec(): ReadinessSpec {
  const spec = structuredClone(shipped) as ReadinessSpec;
  const issues = validateReadinessSpec(spec);
  if (issues.length) throw new Error(issues.join('\n'));
  return spec;
}

/**
 * Capabilities a host has. `addedClass` simulates collecting one more telemetry class over the whole data
 * span (`spanDays` days): its providers' capabilities hold and the host's days become at least the span.
 */
export function hostCapabilities(host: HostCoverage, spec: ReadinessSpec, addedClass?: string, spanDays = 0): Set<string> {
  const held = new Set<string>();
  const days = addedClass ? Math.max(host.days, spanDays) : host.days;
  for (const c of spec.capabilities) {
    const supplied = addedClass !== undefined && c.providers.includes(addedClass);
    if (c.columns) {
      if (supplied || c.columns.some((column) => host.capabilities[column] > 0)) held.add(c.id);
    } else if (c.min_days !== undefined) {
      if (days >= c.min_days) held.add(c.id);
    } else if (host.role) held.add(c.id);
  }
  return held;
}

/** Ids of the analytics whose every requirement holds. */
export function readyAnalytics(spec: ReadinessSpec, held: ReadonlySet<string>): Set<string> {
  return new Set(spec.analytics.filter((a) => a.requires.every((r) => held.has(r))).map((a) => a.id));
}

export function groupKey(host: HostCoverage, groupBy: GroupBy): string {
  if (groupBy === 'host') return host.key;
  if (groupBy === 'role') return host.role ?? NO_ROLE;
  return host.business_unit ?? NO_BUSINESS_UNIT;
}

/** Analytics × groups: how many of each group's hosts each analytic can cover, and what blocks it most. */
export function readinessMatrix(coverage: CoverageReport, spec: ReadinessSpec, groupBy: GroupBy): ReadinessMatrix {
  const groups = new Map<string, number>();
  const cells: ReadinessMatrix['cells'] = Object.fromEntries(spec.analytics.map((a) => [a.id, {}]));
  const missingCounts = new Map<string, Map<string, number>>(spec.analytics.map((a) => [a.id, new Map()]));
  for (const host of coverage.hosts) {
    const key = groupKey(host, groupBy);
    groups.set(key, (groups.get(key) ?? 0) + 1);
    const held = hostCapabilities(host, spec);
    for (const a of spec.analytics) {
      const cell = (cells[a.id][key] ??= { ready: 0, total: 0 });
      cell.total++;
      const missing = a.requires.filter((r) => !held.has(r));
      if (missing.length === 0) cell.ready++;
      for (const m of missing) missingCounts.get(a.id)!.set(m, (missingCounts.get(a.id)!.get(m) ?? 0) + 1);
    }
  }
  const labels = new Map(spec.capabilities.map((c) => [c.id, c.label]));
  return {
    groupBy,
    groups: [...groups]
      .map(([key, hosts]) => ({ key, hosts }))
      .sort((a, b) => Number(isPlaceholder(a.key)) - Number(isPlaceholder(b.key)) || b.hosts - a.hosts || a.key.localeCompare(b.key)),
    analytics: spec.analytics.map((a) => {
      const row = Object.values(cells[a.id]);
      return {
        id: a.id,
        title: a.title,
        ready: row.reduce((n, c) => n + c.ready, 0),
        total: row.reduce((n, c) => n + c.total, 0),
        blockers: [...missingCounts.get(a.id)!].sort((x, y) => y[1] - x[1]).map(([id, n]) => `${labels.get(id) ?? id} (${n})`),
      };
    }),
    cells,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What to collect next: for each telemetry class and (role, business unit) group of hosts that lack it, the
 * analytics that collecting it would make ready. Picked greedily: each pick is the one that makes the most
 * (host, analytic) pairs ready that earlier picks did not already, so the list does not repeat one blind spot
 * through several alternative sources.
 */
export function collectNext(coverage: CoverageReport, spec: ReadinessSpec, limit = 5): Recommendation[] {
  const total = coverage.hosts.length;
  const spanDays = coverage.data_days.length;
  const titles = new Map(spec.analytics.map((a) => [a.id, a.title]));
  type Candidate = Omit<Recommendation, 'enables' | 'unlocked' | 'text'> & { pairs: [string, string][] };
  const candidates = new Map<string, Candidate>();
  for (const host of coverage.hosts) {
    const now = readyAnalytics(spec, hostCapabilities(host, spec));
    for (const c of coverage.classes) {
      if (host.telemetry[c.id]) continue;
      const gained = [...readyAnalytics(spec, hostCapabilities(host, spec, c.id, spanDays))].filter((id) => !now.has(id));
      if (!gained.length) continue;
      const key = JSON.stringify([c.id, host.role, host.business_unit]);
      const candidate = candidates.get(key) ?? { telemetry: c.id, label: c.label, role: host.role, business_unit: host.business_unit, hosts: [], pairs: [] };
      candidates.set(key, candidate);
      candidate.hosts.push(host.key);
      for (const id of gained) candidate.pairs.push([host.key, id]);
    }
  }
  const covered = new Set<string>();
  const fresh = (c: Candidate) => c.pairs.filter(([host, id]) => !covered.has(`${host}\u0000${id}`));
  const picks: Recommendation[] = [];
  const pool = [...candidates.values()];
  while (picks.length < limit) {
    const scored = pool.map((c) => ({ c, pairs: fresh(c) })).filter((x) => x.pairs.length > 0);
    if (!scored.length) break;
    scored.sort((a, b) => b.pairs.length - a.pairs.length || b.c.hosts.length - a.c.hosts.length || a.c.label.localeCompare(b.c.label));
    const { c, pairs } = scored[0];
    pool.splice(pool.indexOf(c), 1);
    for (const [host, id] of pairs) covered.add(`${host}\u0000${id}`);
    const enables = new Map<string, number>();
    for (const [, id] of pairs) enables.set(id, (enables.get(id) ?? 0) + 1);
    const ranked = [...enables]
      .map(([id, hosts]) => ({ id, title: titles.get(id) ?? id, hosts }))
      .sort((a, b) => b.hosts - a.hosts || a.title.localeCompare(b.title));
    const hosts = [...new Set(pairs.map(([host]) => host))];
    const who = c.role ? plural(hosts.length, c.role) : `${plural(hosts.length, 'host')} with no known role`;
    const where = c.business_unit ? ` in ${c.business_unit}` : '';
    const [top, ...others] = ranked;
    const share = Math.round((100 * top.hosts) / Math.max(total, 1));
    const more = others.length ? ` and ${plural(others.length, 'more analytic')}` : '';
    picks.push({
      telemetry: c.telemetry, label: c.label, role: c.role, business_unit: c.business_unit, hosts, enables: ranked,
      unlocked: pairs.length,
      text: `${c.label} for ${who}${where}: enables ${top.title} on ${plural(top.hosts, 'more host')} (${share}% of all ${total})${more}.`,
    });
  }
  return picks;
}
