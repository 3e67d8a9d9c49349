/**
 * Runs the detection pack: binds parameters, builds baselines once, analyses timing of candidate pairs,
 * runs every analytic, then scores findings. Same code in the browser (DuckDB-WASM) and the CLI (native DuckDB).
 */
import { setVariables, type SqlEngine, type SqlParam } from '../engine/sql-engine.ts';
import { redactSecrets } from '../accounts/redact.ts';
import { analyzePeriodicity, type PeriodicityOptions, type PeriodicityResult } from './periodicity/index.ts';
import type { PeriodicityAnalyzer } from './periodicity/pool.ts';
import { SIGNAL_COLUMNS, type DetectionPack, type ParamValue } from './manifest.ts';
import {
  DEFAULT_SCORING,
  attackIds,
  combineSignals,
  findingId,
  groupFindings,
  type FindingGroup,
  severityFor,
  type AnalyticInfo,
  type ScoredSignal,
  type ScoringOptions,
  type Severity,
  type SignalRow,
} from './scoring.ts';

/**
 * Timing analysis of many candidate series at once. The default runs ./periodicity in this thread; the browser passes
 * one that runs the same code in Comlink workers so the page stays responsive, the CLI one that adds worker threads.
 */
export type { PeriodicityAnalyzer };

/** Runs ./periodicity on every series in the calling thread. */
export const analyzeInThread: PeriodicityAnalyzer = async (series, options) =>
  series.map((times) => analyzePeriodicity(times, options));

/** Window bounds as ISO-8601 strings or epoch milliseconds; omitted bounds come from the data. */
export interface DetectionWindow {
  baselineStart?: string | number;
  baselineEnd?: string | number;
  detectStart?: string | number;
  detectEnd?: string | number;
}

export interface DetectionOptions {
  pack: DetectionPack;
  /** Overrides of SQL header parameters, by name. */
  params?: Record<string, ParamValue>;
  /** Overrides of analytic base probabilities, by analytic id. */
  weights?: Record<string, number>;
  window?: DetectionWindow;
  scoring?: Partial<ScoringOptions>;
  periodicity?: Partial<PeriodicityOptions>;
  /** Timing analysis of the candidates; defaults to ./periodicity in this thread. */
  analyzePeriodicity?: PeriodicityAnalyzer;
}

export interface FindingSignal {
  id: string;
  title: string;
  /** Probability this signal contributes (analytic base probability × strength). */
  weight: number;
  evidence: Record<string, unknown>;
  explanation: string;
}

/** The adversary's account inside the service that a finding's traffic addresses (findings.schema.json). */
export interface FindingAccount {
  kind: string;
  /** The non-secret identifier: a bot id, a webhook id, 'owner/repo'. */
  id: string;
  /** Where it was read and one request it was read from, secrets redacted. */
  evidence: string;
  /** That request (host + path and query), secrets redacted: what indicators of the account are cut from. */
  request: string;
}

/** Accounts listed per finding, most used first. */
const MAX_ACCOUNTS = 10;

/** One scored finding, already in the shape of findings.schema.json (plus `summary`). */
export interface Finding {
  id: string;
  rank: number;
  score: number;
  severity: Severity;
  source: {
    ip: string | null;
    hostname: string | null;
    user: string | null;
    process: string | null;
    role: string | null;
    role_origin: 'inventory' | 'inferred' | 'unknown' | null;
  };
  service: { id: string; name: string; category: string } | null;
  destination: { domain: string | null; ips: string[]; ports: number[]; url_patterns: string[]; accounts?: FindingAccount[] };
  first_seen: string;
  last_seen: string;
  events: number;
  bytes_out: number | null;
  bytes_in: number | null;
  periodicity: { period_s: number; jitter?: number; p_value: number | null; other_periods_s: number[] } | null;
  signals: FindingSignal[];
  attack: string[];
  summary: string;
}

export interface DetectionResult {
  window: {
    data_start: string | null;
    data_end: string | null;
    baseline_start: string | null;
    baseline_end: string | null;
    detect_start: string | null;
    detect_end: string | null;
  };
  findings: Finding[];
  signalCount: number;
  periodicity: { candidates: number; periodic: number };
  /** Wall milliseconds per step (SQL file id, `periodicity-analysis`, `scoring`), in run order, for profiling. */
  timings?: Record<string, number>;
  /** What scoring read besides the policy, so a policy edit re-scores with rescoreForPolicy() alone. */
  scoringInputs?: ScoringInputs;
}

/**
 * Everything a finding's score depends on except the approved-service policy: the signals grouped into findings,
 * each pair's facts, the baseline stage's answer and the analytics' probabilities. A policy row can only multiply
 * the scores of the findings it covers, so re-scoring after an edit needs these plus the approvals stage.
 */
export interface ScoringInputs {
  pack: DetectionPack;
  groups: FindingGroup[];
  facts: ReadonlyMap<string, PairFacts>;
  /** The adversary accounts each pair addresses (stages/finding-accounts.sql), by pair. */
  accounts: ReadonlyMap<string, FindingAccount[]>;
  established: ReadonlyMap<string, Established>;
  /** What each finding's header states (stages/finding-key-facts.sql), by finding key. */
  keyFacts: ReadonlyMap<string, KeyFacts>;
  analytics: ReadonlyMap<string, AnalyticInfo>;
  scoring: ScoringOptions;
  /** Said in every finding's summary when the data is too short for a baseline (1-scoped-events.sql), else null. */
  baselineNote: string | null;
}

const PERIODICITY_TABLE_DDL = `CREATE OR REPLACE TEMP TABLE periodicity_results (
  src_key VARCHAR, dst_name VARCHAR, service_id VARCHAR, service_key VARCHAR, events BIGINT,
  first_seen TIMESTAMP, last_seen TIMESTAMP, periodic BOOLEAN, period_s DOUBLE, jitter DOUBLE, p_value DOUBLE,
  other_periods_s VARCHAR, score DOUBLE, method VARCHAR, explanation VARCHAR
)`;

const FINDING_TABLES_DDL = `
CREATE OR REPLACE TEMP TABLE rw_finding_pairs (src_key VARCHAR, service_key VARCHAR);
CREATE OR REPLACE TEMP TABLE rw_finding_keys (src_key VARCHAR, service_key VARCHAR, process VARCHAR);`;

/**
 * The baselines' per-event copy of `events`, by far the largest table a run makes. Dropped after the run (the charts
 * and reports read `events`) and before the next, so a finished analysis does not keep it in the tab's memory and
 * CREATE OR REPLACE never holds an old and a new copy at once.
 */
const DROP_PER_EVENT_COPY = 'DROP VIEW IF EXISTS rw_events; DROP TABLE IF EXISTS rw_events_both_ways';

/** Creates the tables the runner fills itself, so every analytic can be planned (EXPLAIN) before a run. */
export async function createRunnerTables(engine: SqlEngine): Promise<void> {
  await engine.exec(PERIODICITY_TABLE_DDL);
  await engine.exec(FINDING_TABLES_DDL);
}

/** Adds the wall time of `run` under `step`. */
export async function timed<T>(timings: Record<string, number>, step: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    timings[step] = (timings[step] ?? 0) + Math.round(performance.now() - started);
  }
}

/** Names the SQL file in any error it raises. */
async function withPath<T>(path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function toSqlTimestamp(value: string | number | undefined): string | null {
  if (value === undefined) return null;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`Invalid window bound: ${String(value)}`);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function isoOrNull(ms: unknown): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** Parameter values for a run: header defaults, then caller overrides (unknown names and wrong types are errors). */
export function resolveParams(
  pack: DetectionPack,
  overrides: Record<string, ParamValue> = {},
  window: DetectionWindow = {},
): Record<string, SqlParam> {
  const values: Record<string, SqlParam> = Object.create(null);
  for (const [name, spec] of pack.params) values[name] = spec.default;
  for (const [name, value] of Object.entries(overrides)) {
    const spec = pack.params.get(name);
    if (!spec) throw new Error(`Unknown detection parameter: ${name}`);
    const expected = spec.type === 'integer' || spec.type === 'double' ? 'number' : spec.type === 'boolean' ? 'boolean' : 'string';
    if (value !== null && typeof value !== expected) throw new Error(`Parameter ${name} must be a ${spec.type}`);
    values[name] = spec.type === 'timestamp' && value !== null ? toSqlTimestamp(value as string) : value;
  }
  const bounds: [keyof DetectionWindow, string][] = [
    ['baselineStart', 'baseline_start'],
    ['baselineEnd', 'baseline_end'],
    ['detectStart', 'detect_start'],
    ['detectEnd', 'detect_end'],
  ];
  for (const [key, name] of bounds) if (window[key] !== undefined) values[name] = toSqlTimestamp(window[key]);
  return values;
}

/** Keeps one of several timestamps closer than `dedupeS` (one request seen by Zeek ssl, conn and the proxy). */
export function dedupeTimes(times: readonly number[], dedupeS: number): number[] {
  // The candidates stage hands over sorted lists; copying and sorting thousands of long lists again is wasted time.
  const inOrder = times.every((t, i) => i === 0 || times[i - 1] <= t);
  const sorted = inOrder ? times : [...times].sort((a, b) => a - b);
  const kept: number[] = [];
  for (const t of sorted) if (kept.length === 0 || t - kept[kept.length - 1] >= dedupeS) kept.push(t);
  return kept;
}

interface Candidate {
  src_key: string;
  dst_name: string;
  service_id: string | null;
  service_key: string;
  events: number;
  first_seen: number;
  last_seen: number;
  times_s: number[];
  /** Each process's own times when endpoint logs name several behind the pair, else null. */
  process_times_s: number[][] | null;
}

/** The stronger of two timing results: periodic first, then the smaller p-value. */
function strongerTiming(a: PeriodicityResult, b: PeriodicityResult): PeriodicityResult {
  if (a.periodic !== b.periodic) return a.periodic ? a : b;
  return (b.p_value ?? 1) < (a.p_value ?? 1) ? b : a;
}

async function runPeriodicity(
  engine: SqlEngine,
  pack: DetectionPack,
  params: Record<string, SqlParam>,
  options: DetectionOptions,
  timings: Record<string, number>,
): Promise<{ candidates: number; periodic: number }> {
  const stage = pack.stages.get('periodicity-candidates');
  if (!stage) throw new Error('detection pack lacks stages/periodicity-candidates.sql');
  const candidates = await timed(timings, stage.id, () => withPath(stage.path, () => engine.all<Candidate>(stage.sql)));
  const analyze = options.analyzePeriodicity ?? analyzeInThread;
  const dedupeS = Number(params.periodic_dedupe_s);
  const minEvents = Number(params.periodic_min_events);
  const rows: Record<string, unknown[]> = Object.fromEntries(
    ['src_key', 'dst_name', 'service_id', 'service_key', 'events', 'first_seen', 'last_seen', 'periodic', 'period_s',
      'jitter', 'p_value', 'other_periods_s', 'score', 'method', 'explanation'].map((c) => [c, []]),
  );
  let periodic = 0;
  const series = candidates.map((c) => dedupeTimes(c.times_s, dedupeS));
  const kept = candidates.map((_, i) => i).filter((i) => series[i].length >= minEvents);
  // Per candidate: the pair's series, then each process's own (analysed in the same batch, the strongest kept).
  const perProcess = kept.map((i) => (candidates[i].process_times_s ?? []).map((t) => dedupeTimes(t, dedupeS)).filter((t) => t.length >= minEvents));
  const batch = kept.flatMap((i, k) => [series[i], ...perProcess[k]]);
  const analysed = await timed(timings, 'periodicity-analysis', () => analyze(batch, options.periodicity));
  let next = 0;
  const results = kept.map((_, k) => {
    const own = analysed.slice(next, next + 1 + perProcess[k].length);
    next += own.length;
    const best = own.reduce(strongerTiming);
    return best === own[0] || !best.periodic ? own[0] : { ...best, explanation: `One process's own check-ins: ${best.explanation}` };
  });
  kept.forEach((candidateIndex, k) => {
    const c = candidates[candidateIndex];
    const times = series[candidateIndex];
    const result = results[k];
    if (result.periodic) periodic++;
    const row: Record<string, unknown> = {
      src_key: c.src_key, dst_name: c.dst_name, service_id: c.service_id, service_key: c.service_key,
      events: times.length, first_seen: c.first_seen * 1000, last_seen: c.last_seen * 1000,
      periodic: result.periodic, period_s: result.period_s, jitter: result.jitter, p_value: result.p_value,
      other_periods_s: result.other_periods_s.map((p) => p.toFixed(1)).join(','), score: result.score,
      method: result.method, explanation: result.explanation,
    };
    for (const [column, values] of Object.entries(rows)) values.push(row[column]);
  });
  await engine.exec(PERIODICITY_TABLE_DDL);
  await engine.append('periodicity_results', rows, {
    src_key: 'VARCHAR', dst_name: 'VARCHAR', service_id: 'VARCHAR', service_key: 'VARCHAR', events: 'BIGINT',
    first_seen: 'TIMESTAMP', last_seen: 'TIMESTAMP', periodic: 'BOOLEAN', period_s: 'DOUBLE', jitter: 'DOUBLE',
    p_value: 'DOUBLE', other_periods_s: 'VARCHAR', score: 'DOUBLE', method: 'VARCHAR', explanation: 'VARCHAR',
  });
  return { candidates: candidates.length, periodic };
}

/** Turns one analytic result row into a SignalRow, checking it has the common shape. */
export function toSignalRow(analyticId: string, row: Record<string, unknown>): SignalRow {
  const evidence: Record<string, unknown> = Object.create(null);
  for (const [column, value] of Object.entries(row)) {
    if (column.startsWith('evidence_')) evidence[column.slice('evidence_'.length)] = value;
    else if (!(SIGNAL_COLUMNS as readonly string[]).includes(column)) {
      throw new Error(`${analyticId}: unexpected column ${column}`);
    }
  }
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    signal_id: String(row.signal_id),
    src_key: String(row.src_key),
    src_ip: text(row.src_ip),
    src_host: text(row.src_host),
    src_user: text(row.src_user),
    process: text(row.process),
    service_id: text(row.service_id),
    dst_host: text(row.dst_host),
    weight: Math.min(Math.max(Number(row.weight) || 0, 0), 1),
    events: Number(row.events) || 0,
    first_seen: typeof row.first_seen === 'number' ? row.first_seen : null,
    last_seen: typeof row.last_seen === 'number' ? row.last_seen : null,
    explanation: String(row.explanation ?? ''),
    evidence,
  };
}

export interface PairFacts {
  src_key: string;
  service_key: string;
  src_ip: string | null;
  src_host: string | null;
  src_user: string | null;
  role: string | null;
  role_origin: string | null;
  external_source: boolean | null;
  service_id: string | null;
  service_name: string | null;
  service_category: string | null;
  domain: string | null;
  ips: string[] | null;
  ports: number[] | null;
  processes: string[] | null;
  url_patterns: string[] | null;
  first_seen: number | null;
  last_seen: number | null;
  events: number | null;
  bytes_out: number | null;
  bytes_in: number | null;
}

const pairId = (srcKey: string, serviceKey: string) => `${srcKey}\u0000${serviceKey}`;

/** The numbers of one finding key (source, service, process) over the detection window. */
export interface KeyFacts {
  src_key: string;
  service_key: string;
  process: string | null;
  events: number;
  first_seen: number | null;
  last_seen: number | null;
  bytes_out: number | null;
  bytes_in: number | null;
}

/** A finding key whose behaviour was already there in the baseline (stages/finding-baseline.sql). */
export interface Established {
  src_key: string;
  service_key: string;
  process: string | null;
  baseline_events: number;
  process_baseline_events: number | null;
}

/** Code-unit order, the same in every JS engine and locale. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A total order on signal rows: analytic, source, destination, process, strength, then the explanation. */
export function compareSignals(a: SignalRow, b: SignalRow): number {
  return (
    byText(a.signal_id, b.signal_id) ||
    byText(a.src_key, b.src_key) ||
    byText(a.service_id ?? a.dst_host ?? '', b.service_id ?? b.dst_host ?? '') ||
    byText(a.process ?? '', b.process ?? '') ||
    b.weight - a.weight ||
    byText(a.explanation, b.explanation)
  );
}

/** Runs the whole pack against the `events` and context tables and returns ranked findings. */
export async function runDetection(engine: SqlEngine, options: DetectionOptions): Promise<DetectionResult> {
  const { pack } = options;
  const scoring: ScoringOptions = { ...DEFAULT_SCORING, ...options.scoring };
  const params = resolveParams(pack, options.params, options.window);
  const timings: Record<string, number> = Object.create(null);
  await setVariables(engine, params);
  await createRunnerTables(engine);
  await engine.exec(DROP_PER_EVENT_COPY);
  for (const baseline of pack.baselines) {
    await timed(timings, baseline.id, () => withPath(baseline.path, () => engine.exec(baseline.sql)));
  }
  const periodicity = await runPeriodicity(engine, pack, params, options, timings);

  const analytics = new Map<string, AnalyticInfo>();
  const signals: SignalRow[] = [];
  for (const analytic of pack.analytics) {
    const probability = options.weights?.[analytic.id] ?? analytic.probability;
    analytics.set(analytic.id, { ...analytic, probability });
    const rows = await timed(timings, analytic.id, () => withPath(analytic.path, () => engine.all(analytic.sql)));
    for (const row of rows) signals.push(toSignalRow(analytic.id, row));
  }
  for (const id of Object.keys(options.weights ?? {})) {
    if (!analytics.has(id)) throw new Error(`Unknown analytic in weights: ${id}`);
  }
  // SQL hands rows back in no fixed order (and wasm and native DuckDB differ): fix one so ties break the same way.
  signals.sort(compareSignals);

  const [window] = await engine.all<Record<string, number | string | null>>('SELECT * FROM rw_window');
  const result: DetectionResult = {
    window: {
      data_start: isoOrNull(window?.data_start), data_end: isoOrNull(window?.data_end),
      baseline_start: isoOrNull(window?.baseline_start), baseline_end: isoOrNull(window?.baseline_end),
      detect_start: isoOrNull(window?.detect_start), detect_end: isoOrNull(window?.detect_end),
    },
    findings: [],
    signalCount: signals.length,
    periodicity,
    timings,
  };
  if (signals.length === 0) {
    await engine.exec(DROP_PER_EVENT_COPY);
    return result;
  }
  result.scoringInputs = await prepareScoring(engine, pack, signals, analytics, scoring, (window?.baseline_note as string | null | undefined) ?? null, timings);
  result.findings = await scoreFindings(engine, result.scoringInputs, timings);
  await engine.exec(DROP_PER_EVENT_COPY);
  return result;
}

/**
 * Re-scores a finished run after the approved_services table changed: only the approvals stage runs again, over
 * the run's finding keys, so an approval or its undo takes milliseconds and touches only the findings it covers.
 */
export async function rescoreForPolicy(engine: SqlEngine, inputs: ScoringInputs): Promise<Finding[]> {
  await engine.exec(FINDING_TABLES_DDL);
  await appendFindingKeys(engine, inputs.groups);
  return scoreFindings(engine, inputs);
}

/** The rows of one of the pack's scoring stages, its time added under the stage's id. */
async function stageRows<T>(engine: SqlEngine, pack: DetectionPack, id: string, timings: Record<string, number>): Promise<T[]> {
  const stage = pack.stages.get(id)!;
  return timed(timings, id, () => withPath(stage.path, () => engine.all<T>(stage.sql)));
}

async function appendFindingKeys(engine: SqlEngine, groups: readonly FindingGroup[]): Promise<void> {
  await engine.append(
    'rw_finding_keys',
    {
      src_key: groups.map((g) => g.src_key),
      service_key: groups.map((g) => g.service_key),
      process: groups.map((g) => g.process),
    },
    { src_key: 'VARCHAR', service_key: 'VARCHAR', process: 'VARCHAR' },
  );
}

async function prepareScoring(
  engine: SqlEngine,
  pack: DetectionPack,
  signals: SignalRow[],
  analytics: ReadonlyMap<string, AnalyticInfo>,
  scoring: ScoringOptions,
  baselineNote: string | null,
  timings: Record<string, number>,
): Promise<ScoringInputs> {
  const pairs = new Map<string, [string, string]>();
  for (const s of signals) {
    const serviceKey = s.service_id ?? s.dst_host ?? '';
    pairs.set(pairId(s.src_key, serviceKey), [s.src_key, serviceKey]);
  }
  await engine.exec(FINDING_TABLES_DDL);
  const pairList = [...pairs.values()];
  await engine.append(
    'rw_finding_pairs',
    { src_key: pairList.map((p) => p[0]), service_key: pairList.map((p) => p[1]) },
    { src_key: 'VARCHAR', service_key: 'VARCHAR' },
  );
  const facts = new Map<string, PairFacts>();
  for (const f of await stageRows<PairFacts>(engine, pack, 'finding-facts', timings)) {
    facts.set(pairId(f.src_key, f.service_key), f);
  }
  const accounts = new Map<string, FindingAccount[]>();
  type AccountRow = { src_key: string; service_key: string; kind: string; account_id: string; origin: string; sample_request: string };
  for (const a of await stageRows<AccountRow>(engine, pack, 'finding-accounts', timings)) {
    const list = accounts.get(pairId(a.src_key, a.service_key)) ?? [];
    const request = redactSecrets(a.sample_request);
    if (list.length < MAX_ACCOUNTS) list.push({ kind: a.kind, id: a.account_id, evidence: `${a.origin}: ${request}`, request });
    accounts.set(pairId(a.src_key, a.service_key), list);
  }
  const processesByPair = new Map<string, string[]>();
  for (const [id, f] of facts) processesByPair.set(id, f.processes ?? []);
  const groups = await timed(timings, 'scoring', async () => groupFindings(signals, processesByPair));

  await appendFindingKeys(engine, groups);
  const established = new Map<string, Established>();
  for (const e of await stageRows<Established>(engine, pack, 'finding-baseline', timings)) {
    established.set(`${pairId(e.src_key, e.service_key)}\u0000${e.process ?? ''}`, e);
  }
  const keyFacts = new Map<string, KeyFacts>();
  for (const k of await stageRows<KeyFacts>(engine, pack, 'finding-key-facts', timings)) {
    keyFacts.set(`${pairId(k.src_key, k.service_key)}\u0000${k.process ?? ''}`, k);
  }
  return { pack, groups, facts, accounts, established, keyFacts, analytics, scoring, baselineNote };
}

/** Scores and ranks the findings of `inputs` under the approved_services table as it is now. */
async function scoreFindings(engine: SqlEngine, inputs: ScoringInputs, timings: Record<string, number> = {}): Promise<Finding[]> {
  const { pack, groups, facts, accounts, established, keyFacts, analytics, scoring } = inputs;
  const approvals = new Map<string, string>();
  type Approval = { src_key: string; service_key: string; process: string | null; approved_by: string };
  for (const a of await stageRows<Approval>(engine, pack, 'finding-approvals', timings)) {
    approvals.set(`${pairId(a.src_key, a.service_key)}\u0000${a.process ?? ''}`, a.approved_by);
  }

  return timed(timings, 'scoring', async () => {
    const findings = groups.map((group): Finding => {
      const pair = facts.get(pairId(group.src_key, group.service_key));
      const scored: ScoredSignal[] = group.signals.map((signal) => ({
        signal,
        probability: (analytics.get(signal.signal_id)?.probability ?? 0) * signal.weight,
      }));
      const combination = combineSignals(scored, analytics, scoring);
      const keyId = `${pairId(group.src_key, group.service_key)}\u0000${group.process ?? ''}`;
      const approvedBy = approvals.get(keyId);
      const inBaseline = established.get(keyId);
      const probability =
        combination.probability * (approvedBy ? scoring.approvedFactor : 1) * (inBaseline ? scoring.establishedFactor : 1);
      const score = Math.round(1000 * probability) / 10;
      scored.sort((a, b) => b.probability - a.probability || compareSignals(a.signal, b.signal));
      const findingSignals: FindingSignal[] = scored.map(({ signal, probability: p }) => ({
        id: signal.signal_id,
        title: analytics.get(signal.signal_id)?.title ?? signal.signal_id,
        weight: Math.round(p * 1000) / 1000,
        evidence: {
          strength: signal.weight,
          events: signal.events,
          first_seen: isoOrNull(signal.first_seen),
          last_seen: isoOrNull(signal.last_seen),
          ...signal.evidence,
        },
        explanation: signal.explanation,
      }));
      if (approvedBy) {
        findingSignals.push({
          id: 'approved-service',
          title: 'Covered by the approved-service policy',
          weight: scoring.approvedFactor,
          evidence: { approved_by: approvedBy },
          explanation: `Approved by policy (${approvedBy}), so the score was multiplied by ${scoring.approvedFactor}`,
        });
      }
      if (inBaseline) {
        const what = group.process ? `with ${group.process}` : 'with the same clients';
        findingSignals.push({
          id: 'established-in-baseline',
          title: 'Already used the same way in the baseline',
          weight: scoring.establishedFactor,
          evidence: { baseline_events: inBaseline.baseline_events, process_baseline_events: inBaseline.process_baseline_events },
          explanation: `${group.src_key} already reached ${group.service_key} ${what} ${inBaseline.process_baseline_events ?? inBaseline.baseline_events} times in the baseline, so the score was multiplied by ${scoring.establishedFactor}`,
        });
      }
      if (pair?.external_source) {
        findingSignals.push({
          id: 'external-source',
          title: 'The source is outside the organisation\'s known addresses',
          weight: 1,
          evidence: { src_ip: pair.src_ip },
          explanation: `${pair.src_ip} is a public address the inventory does not list: inbound traffic or a host of another network, not necessarily one of the organisation's hosts talking out`,
        });
      }
      const periodic = group.signals
        .filter((s) => s.signal_id === 'periodic-beacon' && typeof s.evidence.period_s === 'number')
        .sort((a, b) => b.weight - a.weight || compareSignals(a, b))[0];
      const counted = keyFacts.get(keyId);
      const firstSeen = counted?.first_seen ?? Math.min(...group.signals.map((s) => s.first_seen ?? Infinity));
      const lastSeen = counted?.last_seen ?? Math.max(...group.signals.map((s) => s.last_seen ?? -Infinity));
      const anySignal = group.signals[0];
      const roleOrigin = pair?.role_origin;
      const finding: Finding = {
        id: findingId(group.src_key, group.service_key, group.process),
        rank: 0,
        score,
        severity: severityFor(score),
        source: {
          ip: pair?.src_ip ?? anySignal.src_ip,
          hostname: pair?.src_host ?? anySignal.src_host,
          user: pair?.src_user ?? anySignal.src_user,
          process: group.process,
          role: pair?.role && pair.role !== 'unknown' ? pair.role : null,
          role_origin: roleOrigin === 'inventory' || roleOrigin === 'inferred' ? roleOrigin : 'unknown',
        },
        service: pair?.service_id
          ? { id: pair.service_id, name: pair.service_name ?? pair.service_id, category: pair.service_category ?? 'unknown' }
          : null,
        destination: {
          domain: pair?.domain ?? anySignal.dst_host,
          ips: pair?.ips ?? [],
          ports: pair?.ports ?? [],
          url_patterns: pair?.url_patterns ?? [],
          accounts: accounts.get(pairId(group.src_key, group.service_key)) ?? [],
        },
        first_seen: isoOrNull(firstSeen) ?? new Date(0).toISOString(),
        last_seen: isoOrNull(lastSeen) ?? new Date(0).toISOString(),
        events: Math.max(1, counted?.events ?? Math.max(...group.signals.map((s) => s.events))),
        bytes_out: counted?.bytes_out ?? null,
        bytes_in: counted?.bytes_in ?? null,
        periodicity: periodic
          ? {
              period_s: periodic.evidence.period_s as number,
              ...(typeof periodic.evidence.jitter === 'number' ? { jitter: periodic.evidence.jitter } : {}),
              p_value: typeof periodic.evidence.p_value === 'number' ? periodic.evidence.p_value : null,
              other_periods_s: String(periodic.evidence.other_periods_s ?? '')
                .split(',')
                .filter(Boolean)
                .map(Number),
            }
          : null,
        signals: findingSignals,
        attack: attackIds({ signals: group.signals, analytics, bytesOut: counted?.bytes_out ?? null, bytesIn: counted?.bytes_in ?? null }, scoring),
        summary: '',
      };
      finding.summary = summarize(finding, group.src_key, group.service_key, combination.corroboratingFamilies, group.processAttributed);
      if (inputs.baselineNote) finding.summary = `${finding.summary.replace(/\.$/, '')}; ${inputs.baselineNote}.`;
      return finding;
    });
    // Equal scores (the evidence saturates): the finding with more events behind it first.
    findings.sort((a, b) => b.score - a.score || b.events - a.events || byText(a.id, b.id));
    findings.forEach((f, i) => (f.rank = i + 1));
    return findings;
  });
}

/** Entries of a finding's signal list that qualify its score or source rather than being evidence of their own. */
const NOTES = ['approved-service', 'established-in-baseline', 'external-source'];

/** One plain-language sentence: who, what, through which process, the strongest evidence, and the agreement. */
function summarize(finding: Finding, srcKey: string, serviceKey: string, families: string[], attributed: boolean): string {
  const external = finding.signals.some((s) => s.id === 'external-source') ? ', an address outside the organisation\'s known ranges' : '';
  const who = finding.source.role ? `${srcKey} (${finding.source.role}${external})` : external ? `${srcKey} (${external.slice(2)})` : srcKey;
  const what = finding.service?.name ?? serviceKey;
  const via = finding.source.process ? ` via ${finding.source.process}${attributed ? ' (the only process seen for it)' : ''}` : '';
  const reasons = finding.signals
    .filter((s) => !NOTES.includes(s.id))
    .slice(0, 3)
    .map((s) => s.explanation.replace(/\.$/, ''));
  const agreement = families.length > 1 ? `; ${families.length} independent kinds of evidence agree (${families.join(', ')})` : '';
  const approved = finding.signals.some((s) => s.id === 'approved-service') ? '; approved by policy, so down-weighted' : '';
  const established = finding.signals.some((s) => s.id === 'established-in-baseline')
    ? '; already used the same way in the baseline, so down-weighted'
    : '';
  return `${who} → ${what}${via}: ${reasons.join('; ')}${agreement}${approved}${established}.`;
}
