/**
 * Turns signal rows into scored findings.
 *
 * METHOD (documented so a score can be recomputed by hand):
 * 1. Each signal row has a strength w in [0, 1] (its `weight` column). Its probability is p = P_a × w, where P_a is
 *    the analytic's base probability from its SQL header (`probability:`), overridable per call (`weights`).
 *    Several rows of one analytic for a finding count once, with their largest p.
 * 2. Analytics belong to families (timing, context, client, content, sequence). Within a family and across families
 *    probabilities combine by noisy-OR, P = 1 − Π(1 − p): each piece of evidence can only raise the score and none
 *    can push it past 1.
 * 3. Corroboration: independent families agreeing is stronger evidence than noisy-OR assumes for one family, so
 *    with k families each at p ≥ `corroborationMin`, the remaining doubt (1 − P) is multiplied by
 *    `corroborationFactor`^(k − 1).
 * 4. Policy: a finding covered by approved_services is kept, its P multiplied by `approvedFactor`, and an
 *    'approved-service' signal says so. Likewise a finding whose behaviour was already there in the baseline (same
 *    source, service and clients; stages/finding-baseline.sql) has its P multiplied by `establishedFactor`, and an
 *    'established-in-baseline' signal says so: installed software, not something that arrived since.
 * 5. Score = 100 × P, rounded to 0.1; severity bands: ≥ 80 critical, ≥ 60 high, ≥ 40 medium, ≥ 20 low, else info.
 * Calibration: base probabilities are set so that one strong signal alone lands in low/medium (periodic alone ≈ 50),
 * two families agreeing reach high, and three reach critical; see scoring.test.ts for the worked cases.
 */

export interface SignalRow {
  signal_id: string;
  src_key: string;
  src_ip: string | null;
  src_host: string | null;
  src_user: string | null;
  process: string | null;
  service_id: string | null;
  dst_host: string | null;
  weight: number;
  events: number;
  /** Epoch milliseconds. */
  first_seen: number | null;
  last_seen: number | null;
  explanation: string;
  /** evidence_* columns without the prefix. */
  evidence: Record<string, unknown>;
}

export interface AnalyticInfo {
  title: string;
  family: string;
  probability: number;
  attack: string[];
}

export interface ScoringOptions {
  corroborationMin: number;
  corroborationFactor: number;
  approvedFactor: number;
  /** Multiplier for findings whose source, service and clients were already active in the baseline. */
  establishedFactor: number;
  /** Bytes in one direction above which that direction "carries data" for the T1102.002/.003 decision. */
  dataBytesMin: number;
}

export const DEFAULT_SCORING: ScoringOptions = {
  corroborationMin: 0.15,
  corroborationFactor: 0.7,
  approvedFactor: 0.5,
  establishedFactor: 0.5,
  dataBytesMin: 65536,
};

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface ScoredSignal {
  signal: SignalRow;
  probability: number;
}

export interface Combination {
  probability: number;
  /** Families whose combined probability reached corroborationMin. */
  corroboratingFamilies: string[];
}

/** Noisy-OR of probabilities. */
export function noisyOr(probabilities: readonly number[]): number {
  return 1 - probabilities.reduce((doubt, p) => doubt * (1 - Math.min(Math.max(p, 0), 1)), 1);
}

/** Combines scored signals per the method above (steps 1–3). */
export function combineSignals(
  scored: readonly ScoredSignal[],
  analytics: ReadonlyMap<string, AnalyticInfo>,
  options: ScoringOptions = DEFAULT_SCORING,
): Combination {
  const bestPerAnalytic = new Map<string, number>();
  for (const { signal, probability } of scored) {
    bestPerAnalytic.set(signal.signal_id, Math.max(bestPerAnalytic.get(signal.signal_id) ?? 0, probability));
  }
  const perFamily = new Map<string, number[]>();
  for (const [id, p] of bestPerAnalytic) {
    const family = analytics.get(id)?.family ?? id;
    perFamily.set(family, [...(perFamily.get(family) ?? []), p]);
  }
  const familyProbabilities = [...perFamily].map(([family, ps]) => ({ family, p: noisyOr(ps) }));
  const corroboratingFamilies = familyProbabilities
    .filter((f) => f.p >= options.corroborationMin)
    .map((f) => f.family)
    .sort();
  let probability = noisyOr(familyProbabilities.map((f) => f.p));
  if (corroboratingFamilies.length > 1) {
    probability = 1 - (1 - probability) * options.corroborationFactor ** (corroboratingFamilies.length - 1);
  }
  return { probability, corroboratingFamilies };
}

/** Severity band of a 0–100 score. */
export function severityFor(score: number): Severity {
  if (score >= 80) return 'critical';
  if (score >= 60) return 'high';
  if (score >= 40) return 'medium';
  if (score >= 20) return 'low';
  return 'info';
}

/** 32-bit FNV-1a over UTF-16 code units, with a seed so two passes give 64 bits. */
function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** 64 bits of FNV-1a (two seeded passes) as 16 hex digits: the same text always gives the same digest. */
export function stableDigest(text: string): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return `${hex(fnv1a(text, 0x811c9dc5))}${hex(fnv1a(text, 0x050c5d1f))}`;
}

/** Stable finding id: the same source, service and process always give the same id. */
export function findingId(srcKey: string, serviceKey: string, process: string | null): string {
  return `rw-${stableDigest(`${srcKey}\u0000${serviceKey}\u0000${process ?? ''}`)}`;
}

export interface AttackEvidence {
  signals: readonly SignalRow[];
  analytics: ReadonlyMap<string, AnalyticInfo>;
  bytesOut: number | null;
  bytesIn: number | null;
}

/**
 * ATT&CK ids the evidence supports: T1102 always; .001 when a dead-drop sequence fired; .002 when both directions
 * carry data (API reads and writes, or bytes both ways above dataBytesMin); .003 when only one does; plus any other
 * technique a fired analytic declares (e.g. T1572 for tunnels).
 */
export function attackIds(evidence: AttackEvidence, options: ScoringOptions = DEFAULT_SCORING): string[] {
  const ids = new Set<string>(['T1102']);
  for (const s of evidence.signals) {
    for (const id of evidence.analytics.get(s.signal_id)?.attack ?? []) if (!id.startsWith('T1102')) ids.add(id);
  }
  if (evidence.signals.some((s) => s.signal_id === 'ddr-sequence')) ids.add('T1102.001');
  const api = evidence.signals.filter((s) => s.signal_id === 'api-endpoint');
  const apiReads = api.reduce((n, s) => n + Number(s.evidence.reads ?? 0), 0);
  const apiWrites = api.reduce((n, s) => n + Number(s.evidence.writes ?? 0), 0);
  const dataOut = apiWrites > 0 || (evidence.bytesOut ?? 0) >= options.dataBytesMin;
  const dataIn = apiReads > 0 || (evidence.bytesIn ?? 0) >= options.dataBytesMin;
  if (dataOut && dataIn) ids.add('T1102.002');
  else if (dataOut || dataIn) ids.add('T1102.003');
  return [...ids].sort();
}

export interface PairKey {
  src_key: string;
  service_key: string;
}

export interface FindingGroup extends PairKey {
  process: string | null;
  signals: SignalRow[];
  /** Set when host-level signals were attached to the only process the logs show for the pair. */
  processAttributed: boolean;
}

/** The key a signal belongs to: catalogued service, else the destination name. */
export function serviceKeyOf(signal: Pick<SignalRow, 'service_id' | 'dst_host'>): string {
  return signal.service_id ?? signal.dst_host ?? '';
}

/**
 * Groups signals into findings keyed by (source, service, process). Signals without a process belong to the
 * host-level finding, except when the endpoint logs show exactly one process for the pair: then that process is
 * the only candidate and host-level signals join its finding.
 */
export function groupFindings(
  signals: readonly SignalRow[],
  processesByPair: ReadonlyMap<string, readonly string[]>,
): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  const pairId = (s: PairKey) => `${s.src_key}\u0000${s.service_key}`;
  for (const signal of signals) {
    const pair = { src_key: signal.src_key, service_key: serviceKeyOf(signal) };
    const seen = processesByPair.get(pairId(pair)) ?? [];
    const onlyProcess = seen.length === 1 ? seen[0] : null;
    const process = signal.process ?? onlyProcess;
    const key = `${pairId(pair)}\u0000${process ?? ''}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ...pair, process, signals: [], processAttributed: false }));
    if (signal.process === null && process !== null) group.processAttributed = true;
    group.signals.push(signal);
  }
  return [...groups.values()];
}
