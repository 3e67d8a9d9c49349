/**
 * Scoring a set of findings against a generator answer key. Exercise mode scores the findings a trainee marked
 * malicious or suspicious; the scenario benchmark scores the top N findings and those of severity ≥ medium.
 * Both use `scoreSelection`, so a trainee and the detection pack are judged by the same rules.
 */
import type { Finding } from '../detection/detect.ts';
import type { InventoryEntry } from '../context/inventory.ts';
import type { AnswerKey, AnswerKeyIncident, HardNegative } from '../generator/index.ts';

/** The parts of a finding that scoring reads (hand-made findings in tests need no more). */
export type ScorableFinding = Pick<Finding, 'id' | 'rank' | 'score' | 'severity' | 'source' | 'service' | 'destination'> & {
  signals: readonly Pick<Finding['signals'][number], 'id'>[];
};

export type ScorableKey = Pick<AnswerKey, 'incidents' | 'hard_negatives'>;

/** Answer-key signal names (findings.schema.json vocabulary) → the analytics in the pack that report them. */
export const KEY_SIGNAL_ANALYTICS: Readonly<Record<string, readonly string[]>> = {
  periodic: ['periodic-beacon'],
  'first-seen': ['first-seen-after-baseline'],
  'rare-in-role': ['rare-service-for-peer-group'],
  'non-browser-process': ['non-browser-process'],
  'scripted-user-agent': ['scripted-user-agent', 'rare-ja3-or-ua'],
  'api-endpoint': ['api-endpoint'],
  'server-role': ['server-role-consumer-service'],
  'off-hours': ['off-hours'],
  'upload-volume': ['upload-volume'],
  'ddr-sequence': ['ddr-sequence'],
  tunnel: ['tunnel-long-lived'],
};

const SEVERITY_ORDER = ['info', 'low', 'medium', 'high', 'critical'] as const;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Host names compare by their short lower-case name (logs carry `ws01`, `WS01` and `ws01.corp.example`). */
export function shortHostName(name: string | null | undefined): string | null {
  if (!name) return null;
  const lower = name.trim().toLowerCase();
  if (IPV4.test(lower) || lower.includes(':')) return lower;
  return lower.split('.')[0] || null;
}

/** File name of a Windows or Unix process path, lower-cased. */
export function processName(path: string | null | undefined): string | null {
  if (!path) return null;
  return path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1).toLowerCase() || null;
}

/**
 * A finding points at an incident when its source is the incident's host (short host name or IP), its destination
 * is the incident's service (catalog id, one of its host names, or — for records without a host name — one of its
 * IPs), and, when the finding is pinned to a process, that process is one the incident ran.
 */
export function findingMatchesIncident(finding: ScorableFinding, incident: AnswerKeyIncident): boolean {
  const host = shortHostName(finding.source.hostname);
  const sameSource = (host !== null && host === shortHostName(incident.source.hostname)) || (finding.source.ip !== null && finding.source.ip === incident.source.ip);
  if (!sameSource) return false;
  const domain = finding.destination.domain?.toLowerCase() ?? null;
  const sameDestination =
    (finding.service !== null && finding.service.id === incident.service_id) ||
    (domain !== null && incident.destination_hosts.some((h) => h.toLowerCase() === domain)) ||
    (domain === null && finding.destination.ips.some((ip) => incident.destination_ips.includes(ip)));
  if (!sameDestination) return false;
  const process = processName(finding.source.process);
  return process === null || incident.processes.some((p) => processName(p) === process);
}

/** Short host name → its IP addresses, for findings whose logs name only an IP (Zeek, proxies, firewalls). */
export type HostAddresses = ReadonlyMap<string, readonly string[]>;

/** Host name → IPs from an asset inventory: entries read from the same CSV line belong to one asset. */
export function hostAddressesFromInventory(entries: readonly InventoryEntry[]): Map<string, string[]> {
  const byLine = new Map<string, InventoryEntry[]>();
  for (const e of entries) byLine.set(e.source, [...(byLine.get(e.source) ?? []), e]);
  const addresses = new Map<string, string[]>();
  for (const line of byLine.values()) {
    const ips = line.filter((e) => e.match_kind === 'ip').map((e) => e.match);
    for (const e of line) {
      const host = e.match_kind === 'host' ? shortHostName(e.match) : null;
      if (host && ips.length) addresses.set(host, [...(addresses.get(host) ?? []), ...ips]);
    }
  }
  return addresses;
}

/**
 * A finding points at a hard negative (benign look-alike) on one of its hosts — by short name, or by an IP the
 * inventory gives that host — and on its service and process.
 */
export function findingMatchesHardNegative(finding: ScorableFinding, negative: HardNegative, hostAddresses: HostAddresses = new Map()): boolean {
  const host = shortHostName(finding.source.hostname);
  const ip = finding.source.ip;
  const onHost = negative.hosts.some((h) => {
    const name = shortHostName(h);
    return (host !== null && name === host) || (ip !== null && name !== null && (hostAddresses.get(name)?.includes(ip) ?? false));
  });
  if (!onHost) return false;
  const target = negative.service.toLowerCase();
  if (finding.service?.id !== negative.service && finding.destination.domain?.toLowerCase() !== target) return false;
  const process = processName(finding.source.process);
  return process === null || process === processName(negative.process);
}

export interface SignalCheck {
  /** Signal name from the answer key. */
  signal: string;
  /** Analytic ids that report it. */
  analytics: readonly string[];
  /** Whether the finding compared carried one of them (false when there is no finding). */
  present: boolean;
}

export interface IncidentOutcome {
  incident: AnswerKeyIncident;
  /** False when the generator left no events for it in the logs: such incidents do not count for recall. */
  inLogs: boolean;
  found: boolean;
  /** Selected findings that point at it. */
  selected: { id: string; rank: number }[];
  /** Best rank of any finding pointing at it (selected or not); null when no finding did. */
  bestRank: number | null;
  /** The finding its signals are compared with: the best selected one, else the best-ranked one. */
  comparedFindingId: string | null;
  signalChecks: SignalCheck[];
  /** Signals the compared finding had that the key does not list for this incident. */
  extraSignals: string[];
}

export interface HardNegativeOutcome {
  negative: HardNegative;
  /** Selected findings that point at it and at no incident: the false alarms a good analyst avoids. */
  selected: { id: string; rank: number }[];
  bestRank: number | null;
}

export interface SelectionScore {
  selectedCount: number;
  truePositives: number;
  /** Selected findings that point at no incident. */
  falsePositives: { id: string; rank: number }[];
  /** true positives / findings selected; null when nothing was selected. */
  precision: number | null;
  incidentsFound: number;
  /** Incidents present in the logs (the recall denominator). */
  incidentsInLogs: number;
  /** incidents found / incidents in the logs; null when the key has none. */
  recall: number | null;
  incidents: IncidentOutcome[];
  hardNegatives: HardNegativeOutcome[];
  /** How many selected findings were hard negatives (each finding counted once). */
  hardNegativesMarked: number;
}

const byRank = (a: { rank: number }, b: { rank: number }) => a.rank - b.rank;

/** Scores the selected findings (by id) against the answer key; `hostAddresses` lets IP-only findings meet hard negatives. */
export function scoreSelection(
  key: ScorableKey,
  findings: readonly ScorableFinding[],
  selectedIds: ReadonlySet<string>,
  hostAddresses: HostAddresses = new Map(),
): SelectionScore {
  const ranked = [...findings].sort(byRank);
  const selected = ranked.filter((f) => selectedIds.has(f.id));
  const matchesAnyIncident = new Map(ranked.map((f) => [f.id, key.incidents.some((i) => findingMatchesIncident(f, i))]));

  const incidents = key.incidents.map((incident): IncidentOutcome => {
    const matching = ranked.filter((f) => findingMatchesIncident(f, incident));
    const selectedMatching = matching.filter((f) => selectedIds.has(f.id));
    const compared = selectedMatching[0] ?? matching[0] ?? null;
    const had = new Set(compared?.signals.map((s) => s.id) ?? []);
    const signalChecks = incident.signals.map((signal) => {
      const analytics = KEY_SIGNAL_ANALYTICS[signal] ?? [signal];
      return { signal, analytics, present: analytics.some((a) => had.has(a)) };
    });
    const expected = new Set(signalChecks.flatMap((c) => c.analytics));
    return {
      incident,
      inLogs: incident.events > 0,
      found: selectedMatching.length > 0,
      selected: selectedMatching.map((f) => ({ id: f.id, rank: f.rank })),
      bestRank: matching[0]?.rank ?? null,
      comparedFindingId: compared?.id ?? null,
      signalChecks,
      extraSignals: [...had].filter((s) => !expected.has(s)).sort(),
    };
  });

  const falseAlarms = ranked.filter((f) => !matchesAnyIncident.get(f.id));
  const hardNegatives = key.hard_negatives.map((negative): HardNegativeOutcome => {
    const matching = falseAlarms.filter((f) => findingMatchesHardNegative(f, negative, hostAddresses));
    return {
      negative,
      selected: matching.filter((f) => selectedIds.has(f.id)).map((f) => ({ id: f.id, rank: f.rank })),
      bestRank: matching[0]?.rank ?? null,
    };
  });
  const hardNegativeIds = new Set(hardNegatives.flatMap((h) => h.selected.map((s) => s.id)));

  const truePositives = selected.filter((f) => matchesAnyIncident.get(f.id)).length;
  const scorable = incidents.filter((o) => o.inLogs);
  const incidentsFound = scorable.filter((o) => o.found).length;
  return {
    selectedCount: selected.length,
    truePositives,
    falsePositives: selected.filter((f) => !matchesAnyIncident.get(f.id)).map((f) => ({ id: f.id, rank: f.rank })),
    precision: selected.length ? truePositives / selected.length : null,
    incidentsFound,
    incidentsInLogs: scorable.length,
    recall: scorable.length ? incidentsFound / scorable.length : null,
    incidents,
    hardNegatives,
    hardNegativesMarked: hardNegativeIds.size,
  };
}

/** Ids of the top `n` findings by rank. */
export function topN(findings: readonly ScorableFinding[], n: number): Set<string> {
  return new Set(findings.filter((f) => f.rank <= n).map((f) => f.id));
}

/** Ids of findings at or above a severity. */
export function atLeastSeverity(findings: readonly ScorableFinding[], minimum: Finding['severity']): Set<string> {
  const floor = SEVERITY_ORDER.indexOf(minimum);
  return new Set(findings.filter((f) => SEVERITY_ORDER.indexOf(f.severity) >= floor).map((f) => f.id));
}

export type TraineeVerdict = 'benign' | 'suspicious' | 'malicious';

export interface ExerciseScore extends SelectionScore {
  elapsedMs: number;
  /** Verdicts given, by kind, over the findings on screen. */
  verdicts: Record<TraineeVerdict, number>;
  findingsShown: number;
}

/**
 * Scores a trainee: findings marked malicious or suspicious are the selection; verdicts on findings that are not
 * in the current list (left over from another dataset) are ignored.
 */
export function scoreExercise(
  key: ScorableKey,
  findings: readonly ScorableFinding[],
  verdicts: ReadonlyMap<string, TraineeVerdict>,
  elapsedMs: number,
  hostAddresses: HostAddresses = new Map(),
): ExerciseScore {
  const counts: Record<TraineeVerdict, number> = { benign: 0, suspicious: 0, malicious: 0 };
  const marked = new Set<string>();
  for (const f of findings) {
    const verdict = verdicts.get(f.id);
    if (!verdict) continue;
    counts[verdict]++;
    if (verdict !== 'benign') marked.add(f.id);
  }
  return { ...scoreSelection(key, findings, marked, hostAddresses), elapsedMs, verdicts: counts, findingsShown: findings.length };
}

/** Parses an unsealed answer key, checking the parts scoring relies on. */
export function parseAnswerKey(text: string): AnswerKey {
  const value = JSON.parse(text) as Partial<AnswerKey> | null;
  if (value?.format !== 'relaywatch.answer-key' || value.version !== 1) throw new Error('Not a Relaywatch answer key (version 1)');
  if (!Array.isArray(value.incidents) || !Array.isArray(value.hard_negatives)) throw new Error('The answer key lacks incidents or hard negatives');
  return value as AnswerKey;
}
