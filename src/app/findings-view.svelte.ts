/* eslint-disable svelte/prefer-svelte-reactivity -- the helpers build plain maps and sets, and the class replaces its `$state.raw` map whole */
/**
 * State of the findings queue: sort, filters, free-text search, the keyboard cursor and the open finding.
 * The filtering and sorting are plain functions (tested on their own); the class wires them to runes.
 */
import type { Finding } from '../detection/detect.ts';
import type { Severity } from '../detection/scoring.ts';
import type { Verdict } from '../detection/triage-entry.ts';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export type SortKey = 'rank' | 'score' | 'severity' | 'source' | 'service' | 'signals' | 'first_seen' | 'last_seen' | 'events';
export type SortDirection = 'asc' | 'desc';

export interface FindingFilters {
  /** Empty: every severity. */
  severities: Severity[];
  serviceId: string | null;
  category: string | null;
  role: string | null;
  businessUnit: string | null;
  signalId: string | null;
  /** A triage verdict, or 'none' for findings nobody has judged yet. */
  verdict: Verdict | 'none' | null;
  /** Epoch ms; a finding passes when its first–last seen span overlaps [from, to]. */
  from: number | null;
  to: number | null;
}

export const NO_FILTERS: Readonly<FindingFilters> = {
  severities: [], serviceId: null, category: null, role: null, businessUnit: null, signalId: null, verdict: null, from: null, to: null,
};

/** Finding id → business unit of its source (the finding itself carries only the role). */
export type BusinessUnits = ReadonlyMap<string, string>;
/** Finding id → the investigator's verdict. */
export type Verdicts = ReadonlyMap<string, Verdict>;

/** Source → business unit rows from host_roles; join them to findings with businessUnitsOf(). */
export const BUSINESS_UNIT_SQL = `SELECT DISTINCT src_ip, rw_short_host(src_host) AS host, business_unit
FROM host_roles WHERE business_unit IS NOT NULL`;

/** Business unit per finding: by the source's IP, else its short host name. */
export function businessUnitsOf(
  findings: readonly Finding[],
  rows: readonly { src_ip: string | null; host: string | null; business_unit: string }[],
): Map<string, string> {
  const byIp = new Map<string, string>();
  const byHost = new Map<string, string>();
  for (const r of rows) {
    if (r.src_ip) byIp.set(r.src_ip, r.business_unit);
    if (r.host) byHost.set(r.host, r.business_unit);
  }
  const units = new Map<string, string>();
  for (const f of findings) {
    const unit = (f.source.ip && byIp.get(f.source.ip)) || (f.source.hostname && byHost.get(f.source.hostname.toLowerCase()));
    if (unit) units.set(f.id, unit);
  }
  return units;
}

const MAX_SEARCH_LENGTH = 200;

/** Everything the free-text search looks at, lower-cased. */
function searchText(f: Finding): string {
  const s = f.source;
  return [
    f.id, s.ip, s.hostname, s.user, s.process, s.role, f.service?.id, f.service?.name, f.service?.category,
    f.destination.domain, ...f.destination.ips, ...f.destination.url_patterns, ...f.attack, f.summary,
    ...f.signals.flatMap((sig) => [sig.id, sig.title]),
  ]
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .join('\n')
    .toLowerCase();
}

/** Every whitespace-separated word of `query` occurs somewhere in the finding (case-insensitive). */
export function matchesSearch(f: Finding, query: string): boolean {
  const words = query.slice(0, MAX_SEARCH_LENGTH).toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = searchText(f);
  return words.every((w) => text.includes(w));
}

/** Findings that pass every filter and the search. */
export function filterFindings(
  findings: readonly Finding[],
  filters: FindingFilters,
  query: string,
  businessUnits: BusinessUnits = new Map(),
  verdicts: Verdicts = new Map(),
): Finding[] {
  return findings.filter((f) => {
    if (filters.severities.length && !filters.severities.includes(f.severity)) return false;
    if (filters.serviceId !== null && (f.service?.id ?? '') !== filters.serviceId) return false;
    if (filters.category !== null && (f.service?.category ?? '') !== filters.category) return false;
    if (filters.role !== null && (f.source.role ?? '') !== filters.role) return false;
    if (filters.businessUnit !== null && (businessUnits.get(f.id) ?? '') !== filters.businessUnit) return false;
    if (filters.signalId !== null && !f.signals.some((s) => s.id === filters.signalId)) return false;
    if (filters.verdict !== null && (verdicts.get(f.id) ?? 'none') !== filters.verdict) return false;
    if (filters.from !== null && Date.parse(f.last_seen) < filters.from) return false;
    if (filters.to !== null && Date.parse(f.first_seen) > filters.to) return false;
    return matchesSearch(f, query);
  });
}

/** Display label of a finding's source, used for sorting and in the queue. */
export const sourceLabel = (f: Finding) => f.source.hostname ?? f.source.ip ?? '';
/** Display label of a finding's service (the domain when uncatalogued). */
export const serviceLabel = (f: Finding) => f.service?.name ?? f.destination.domain ?? '';

const SORT_VALUES: Record<SortKey, (f: Finding) => number | string> = {
  rank: (f) => f.rank,
  score: (f) => f.score,
  severity: (f) => SEVERITIES.length - SEVERITIES.indexOf(f.severity),
  source: (f) => sourceLabel(f).toLowerCase(),
  service: (f) => serviceLabel(f).toLowerCase(),
  signals: (f) => f.signals.length,
  first_seen: (f) => Date.parse(f.first_seen),
  last_seen: (f) => Date.parse(f.last_seen),
  events: (f) => f.events,
};

/** The direction a column sorts in when first clicked: numbers and severity highest first, text A→Z. */
export function defaultDirection(key: SortKey): SortDirection {
  return key === 'rank' || key === 'source' || key === 'service' ? 'asc' : 'desc';
}

/** A sorted copy; ties keep rank order so the list never jumps around. */
export function sortFindings(findings: readonly Finding[], key: SortKey, direction: SortDirection): Finding[] {
  const value = SORT_VALUES[key];
  const sign = direction === 'asc' ? 1 : -1;
  return [...findings].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return sign * order || a.rank - b.rank;
  });
}

export interface Facets {
  services: { id: string; name: string }[];
  categories: string[];
  roles: string[];
  businessUnits: string[];
  signals: { id: string; title: string }[];
}

/** The values each filter can take, from the findings at hand. */
export function facetsOf(findings: readonly Finding[], businessUnits: BusinessUnits = new Map()): Facets {
  const services = new Map<string, string>();
  const signals = new Map<string, string>();
  const categories = new Set<string>();
  const roles = new Set<string>();
  for (const f of findings) {
    if (f.service) {
      services.set(f.service.id, f.service.name);
      categories.add(f.service.category);
    }
    if (f.source.role) roles.add(f.source.role);
    for (const s of f.signals) signals.set(s.id, s.title);
  }
  const byName = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return {
    services: [...services].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
    categories: [...categories].sort(),
    roles: [...roles].sort(),
    businessUnits: [...new Set(businessUnits.values())].sort(),
    signals: [...signals].map(([id, title]) => ({ id, title })).sort(byName),
  };
}

/** Queue state for one findings list; `source` returns the current ranked findings. */
export class FindingsQueueState {
  sortKey = $state<SortKey>('rank');
  sortDirection = $state<SortDirection>('asc');
  filters = $state<FindingFilters>({ ...NO_FILTERS, severities: [] });
  search = $state('');
  businessUnits = $state.raw<BusinessUnits>(new Map());
  verdicts = $state.raw<Verdicts>(new Map());
  /** Index of the keyboard cursor within `visible`. */
  cursor = $state(0);
  /** The finding whose detail is open. */
  openId = $state<string | null>(null);

  readonly visible: Finding[];
  readonly facets: Facets;
  readonly filtered: boolean;

  constructor(source: () => readonly Finding[]) {
    this.visible = $derived(
      sortFindings(filterFindings(source(), this.filters, this.search, this.businessUnits, this.verdicts), this.sortKey, this.sortDirection),
    );
    this.facets = $derived(facetsOf(source(), this.businessUnits));
    this.filtered = $derived(
      this.search.trim() !== '' ||
        Object.entries(this.filters).some(([k, v]) => (k === 'severities' ? (v as Severity[]).length > 0 : v !== null)),
    );
  }

  /** Sorts by `key`; the same key again flips the direction. */
  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDirection = this.sortDirection === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      this.sortDirection = defaultDirection(key);
    }
  }

  toggleSeverity(severity: Severity): void {
    const current = this.filters.severities;
    this.filters.severities = current.includes(severity) ? current.filter((s) => s !== severity) : [...current, severity];
  }

  clearFilters(): void {
    this.filters = { ...NO_FILTERS, severities: [] };
    this.search = '';
  }

  /** Moves the keyboard cursor by `delta` rows, staying inside the list. */
  move(delta: number): void {
    const last = this.visible.length - 1;
    this.cursor = Math.min(Math.max(this.cursor + delta, 0), Math.max(last, 0));
  }

  /** Opens the finding under the cursor. */
  openCursor(): void {
    const f = this.visible[this.cursor];
    if (f) this.openId = f.id;
  }

  /** Opens a finding by id and puts the cursor on it when it is in the list. */
  open(id: string | null): void {
    this.openId = id;
    const index = id === null ? -1 : this.visible.findIndex((f) => f.id === id);
    if (index >= 0) this.cursor = index;
  }
}
