/**
 * Scenario generation: options and presets, then a streaming generator that yields log text in time order for
 * every requested format, plus the asset inventory and the answer key. Same options ⇒ identical bytes.
 */
import { type Activity, byTime } from './activity.ts';
import { HARD_NEGATIVE_REASONS, benignHostDay } from './benign.ts';
import { type TimeWindow, workingWindows } from './calendar.ts';
import { DAY_US, MINUTE_US, isoSeconds, localDateKey } from './clock.ts';
import { type AnswerKeyIncident, BEHAVIOURS, type BehaviourId, type DifficultyProfile, type PlannedIncident, planIncidents } from './incidents.ts';
import { type Host, type Organisation, buildOrganisation } from './organisation.ts';
import { serviceIdOf } from './services.ts';
import { inventoryCsv } from './writers/inventory.ts';
import { type LogFile, type WriterContext, baseName } from './writers/log-file.ts';
import { paloAltoTrafficCsv } from './writers/paloalto.ts';
import { squidAccessLog, w3cProxyLog } from './writers/proxy.ts';
import { sysmonWinlogbeatLog } from './writers/sysmon.ts';
import { windowsDnsDebugLog } from './writers/windows-dns.ts';
import { ZEEK_LOGS, zeekJsonLog, zeekTsvLog } from './writers/zeek.ts';
import { ecsZeekExport } from './writers/ecs.ts';
import { route53ResolverLog, vpcFlowLog } from './writers/aws.ts';
import { pcapCapture, type CaptureFile } from './writers/pcap.ts';

export const FORMATS = ['zeek-tsv', 'zeek-json', 'squid', 'w3c', 'sysmon', 'windows-dns', 'paloalto', 'ecs', 'aws', 'pcap'] as const;
export type FormatId = (typeof FORMATS)[number];
/**
 * What a scenario writes unless asked: one log per sensor. 'ecs' (the Zeek logs as an Elastic export), 'aws'
 * (VPC Flow Logs + Route 53 Resolver) and 'pcap' (the traffic as one packet capture) re-express the same traffic, so
 * loading them beside Zeek would count it twice; the capture is also the largest file by far.
 */
export const DEFAULT_FORMATS: readonly FormatId[] = FORMATS.filter((f) => f !== 'ecs' && f !== 'aws' && f !== 'pcap');
export type Difficulty = 'easy' | 'realistic' | 'hard';

export interface ScenarioOptions {
  seed: number;
  hosts: number;
  days: number;
  /** Local date of the first day, YYYY-MM-DD. */
  startDate: string;
  /** The organisation's offset from UTC in minutes (fixed; no daylight saving inside a scenario). */
  utcOffsetMinutes: number;
  /** Local dates (YYYY-MM-DD) treated like a weekend. */
  holidays: string[];
  incidents: number;
  /** Behaviours to draw incidents from, cycled in a seeded order. */
  mix: BehaviourId[];
  /** Benign volume multiplier (1 = normal): browsing sessions and client/agent keep-alive cadence. */
  noise: number;
  formats: FormatId[];
  difficulty: Difficulty;
  /** Share of hosts listed in the inventory; defaults by difficulty. */
  inventoryCoverage?: number;
  /** Extra hosts that reach the same bot, webhook or repository as one incident: a multi-host campaign (0: none). */
  campaignHosts?: number;
}

export const DIFFICULTY: Record<Difficulty, DifficultyProfile & { inventoryCoverage: number }> = {
  easy: { jitter: [0, 0.1], missingRate: [0, 0.05], spoofUaRate: 0, officeHoursRate: 0, inventoryCoverage: 1 },
  realistic: { jitter: [0.1, 0.3], missingRate: [0.05, 0.3], spoofUaRate: 0.2, officeHoursRate: 0.2, inventoryCoverage: 0.85 },
  hard: { jitter: [0.3, 0.5], missingRate: [0.3, 0.8], spoofUaRate: 0.6, officeHoursRate: 0.5, inventoryCoverage: 0.7 },
};

const DEFAULTS: ScenarioOptions = {
  seed: 1,
  hosts: 50,
  days: 2,
  startDate: '2024-05-06',
  utcOffsetMinutes: 120,
  holidays: [],
  incidents: 6,
  mix: [...BEHAVIOURS],
  noise: 1,
  formats: [...DEFAULT_FORMATS],
  difficulty: 'realistic',
};

/** Named starting points; `demo` is the app's built-in dataset (small, every format, ~8 incidents). */
export const PRESETS: Record<'demo' | 'easy' | 'realistic' | 'hard', Partial<ScenarioOptions>> = {
  demo: { seed: 20240506, hosts: 40, days: 2, incidents: 8, noise: 0.3, difficulty: 'realistic', campaignHosts: 2 },
  easy: { difficulty: 'easy', incidents: 6 },
  realistic: { difficulty: 'realistic', incidents: 8 },
  hard: { difficulty: 'hard', incidents: 10 },
};

/** Fills defaults (optionally from a preset) and validates. */
export function resolveOptions(options: Partial<ScenarioOptions> = {}, preset?: keyof typeof PRESETS): ScenarioOptions {
  const merged: ScenarioOptions = { ...DEFAULTS, ...(preset ? PRESETS[preset] : {}), ...options };
  if (!Number.isInteger(merged.seed)) throw new Error('seed must be an integer');
  if (!Number.isInteger(merged.hosts) || merged.hosts < 5) throw new Error('hosts must be an integer ≥ 5');
  if (!Number.isInteger(merged.days) || merged.days < 1) throw new Error('days must be an integer ≥ 1');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(merged.startDate)) throw new Error(`startDate must be YYYY-MM-DD, got "${merged.startDate}"`);
  if (!Number.isInteger(merged.incidents) || merged.incidents < 0) throw new Error('incidents must be an integer ≥ 0');
  if (!(merged.noise > 0)) throw new Error('noise must be > 0');
  if (!Number.isInteger(merged.campaignHosts ?? 0) || (merged.campaignHosts ?? 0) < 0) throw new Error('campaignHosts must be an integer ≥ 0');
  for (const f of merged.formats) if (!FORMATS.includes(f)) throw new Error(`unknown format "${f}"`);
  for (const b of merged.mix) if (!BEHAVIOURS.includes(b)) throw new Error(`unknown behaviour "${b}"`);
  return merged;
}

/** A piece of one generated file: text for logs, bytes for a packet capture. */
export type FileChunk = { name: string; text: string; bytes?: undefined } | { name: string; bytes: Uint8Array; text?: undefined };

export interface HardNegative {
  reason: string;
  why: string;
  service: string;
  process: string;
  hosts: string[];
}

export interface AnswerKey {
  format: 'relaywatch.answer-key';
  version: 1;
  options: ScenarioOptions;
  organisation: {
    name: string;
    utc_offset_minutes: number;
    start: string;
    end: string;
    hosts: number;
    hosts_missing_from_inventory: string[];
    working_days: string[];
  };
  incidents: AnswerKeyIncident[];
  hard_negatives: HardNegative[];
}

/** Activities rendered per yielded chunk: keeps each chunk to a few MB even for Sysmon JSON. */
const CHUNK_ACTIVITIES = 10_000;

export const INVENTORY_FILE = 'inventory/assets.csv';
export const ANSWER_KEY_FILE = 'answer-key.json';

/**
 * Streams the scenario: the inventory first, then, in time order, chunks of every log file (headers in
 * the first chunk, footers last), then the answer key. Concatenate chunks by name to get each file.
 */
export function* generateFiles(input: Partial<ScenarioOptions> = {}): Generator<FileChunk> {
  const options = resolveOptions(input);
  const profile = DIFFICULTY[options.difficulty];
  const org = buildOrganisation({
    seed: options.seed,
    hosts: options.hosts,
    days: options.days,
    startDate: options.startDate,
    utcOffsetMinutes: options.utcOffsetMinutes,
    holidays: options.holidays,
    inventoryCoverage: options.inventoryCoverage ?? profile.inventoryCoverage,
  });
  const working = new Map<Host, (TimeWindow | null)[]>(org.hosts.map((h) => [h, workingWindows(options.seed, org, h)]));
  const incidents = planIncidents(
    { seed: options.seed, org, difficulty: profile, working: (h) => working.get(h)! },
    options.incidents,
    options.mix,
    options.campaignHosts ?? 0,
  );
  const ctx: WriterContext = { org, startUs: org.dayStarts[0], endUs: org.dayStarts[org.dayStarts.length - 1] + DAY_US };
  const files = logFiles(options.formats, ctx);
  const captures = options.formats.includes('pcap') ? [pcapCapture()] : [];
  const observer = new Observer(incidents);

  yield { name: INVENTORY_FILE, text: inventoryCsv(org) };
  let carry: Activity[] = [];
  const started = new Set<LogFile | CaptureFile>();
  for (let day = 0; day < options.days; day++) {
    const acts = carry;
    for (const host of org.hosts) {
      for (const a of benignHostDay({ seed: options.seed, org, noise: options.noise }, host, day, working.get(host)!)) acts.push(a);
    }
    const dayStart = org.dayStarts[day];
    for (const incident of incidents) {
      for (const a of incident.activities) if (a.ts >= dayStart && a.ts < dayStart + DAY_US) acts.push(a);
    }
    acts.sort(byTime);
    // Hold back what spills past the day boundary so every file stays in time order across chunks.
    const last = day === options.days - 1;
    const cut = last ? acts.length : lowerBound(acts, dayStart + DAY_US - 5 * MINUTE_US);
    const ready = acts.slice(0, cut);
    carry = acts.slice(cut);
    for (const a of ready) observer.see(a);
    for (let from = 0; from < ready.length; from += CHUNK_ACTIVITIES) {
      const slice = ready.slice(from, from + CHUNK_ACTIVITIES);
      for (const capture of captures) {
        const records: Uint8Array[] = started.has(capture) ? [] : [capture.header()];
        started.add(capture);
        for (const a of slice) capture.write(a, records);
        if (records.length) yield { name: capture.name, bytes: concatBytes(records) };
      }
      for (const file of files) {
        const lines: string[] = [];
        for (const a of slice) file.write(a, lines);
        const head = started.has(file) ? '' : file.header();
        started.add(file);
        const body = lines.length > 0 ? lines.join('\n') + '\n' : '';
        if (head || body) yield { name: file.name, text: head + body };
      }
    }
  }
  for (const file of files) {
    const footer = file.footer();
    if (footer) yield { name: file.name, text: footer };
  }
  for (const capture of captures) {
    const footer = capture.footer();
    if (footer.length) yield { name: capture.name, bytes: footer };
  }
  yield { name: ANSWER_KEY_FILE, text: JSON.stringify(answerKey(options, org, incidents, observer), null, 2) + '\n' };
}

export interface Scenario {
  /** Text files (logs, inventory, answer key). */
  files: { name: string; text: string }[];
  /** Binary files (the packet capture), whole. */
  captures: { name: string; bytes: Uint8Array }[];
  answerKey: AnswerKey;
  inventoryCsv: string;
}

/** The whole scenario in memory (fine for demo-sized options; stream with generateFiles for big ones). */
export function generateScenario(options: Partial<ScenarioOptions> = {}): Scenario {
  const texts = new Map<string, string[]>();
  const binaries = new Map<string, Uint8Array[]>();
  for (const chunk of generateFiles(options)) {
    if (chunk.bytes) binaries.set(chunk.name, [...(binaries.get(chunk.name) ?? []), chunk.bytes]);
    else texts.set(chunk.name, [...(texts.get(chunk.name) ?? []), chunk.text]);
  }
  const files = [...texts].map(([name, parts]) => ({ name, text: parts.join('') }));
  const captures = [...binaries].map(([name, parts]) => ({ name, bytes: concatBytes(parts) }));
  const text = (name: string): string => files.find((f) => f.name === name)?.text ?? '';
  return { files, captures, answerKey: JSON.parse(text(ANSWER_KEY_FILE)) as AnswerKey, inventoryCsv: text(INVENTORY_FILE) };
}

function logFiles(formats: readonly FormatId[], ctx: WriterContext): LogFile[] {
  const files: LogFile[] = [];
  const want = new Set(formats);
  if (want.has('zeek-tsv')) for (const spec of ZEEK_LOGS) files.push(zeekTsvLog(spec, ctx));
  if (want.has('zeek-json')) for (const spec of ZEEK_LOGS) files.push(zeekJsonLog(spec));
  if (want.has('squid')) files.push(squidAccessLog());
  if (want.has('w3c')) files.push(w3cProxyLog(ctx));
  if (want.has('sysmon')) files.push(sysmonWinlogbeatLog(`${ctx.org.tenant}.corp`));
  if (want.has('windows-dns')) for (const dc of ctx.org.dnsServers) files.push(windowsDnsDebugLog(dc, ctx));
  if (want.has('paloalto')) files.push(paloAltoTrafficCsv(ctx));
  if (want.has('ecs')) files.push(ecsZeekExport());
  if (want.has('aws')) files.push(vpcFlowLog(), route53ResolverLog());
  return files;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** First index whose ts ≥ t (activities sorted by time). */
function lowerBound(sorted: Activity[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Watches benign traffic as it is written, for the parts of the answer key that depend on it: hard
 * negatives, whether an incident's destination was new to its host, and how common its service is in
 * the host's peer group.
 */
class Observer {
  readonly hardNegatives = new Map<string, { reason: string; service: string; process: string; hosts: Set<string> }>();
  /** service id → hosts with benign traffic to it */
  readonly serviceUsers = new Map<string, Set<Host>>();
  /** `${host}|${domain}` → earliest benign contact */
  readonly firstContact = new Map<string, number>();
  private readonly watchedPairs = new Set<string>();
  private readonly serviceCache = new Map<string, string | null>();

  constructor(incidents: PlannedIncident[]) {
    for (const i of incidents) {
      this.serviceUsers.set(i.key.service_id, new Set());
      for (const d of i.watchedDomains) this.watchedPairs.add(`${i.host.name}|${d}`);
    }
  }

  see(a: Activity): void {
    if (a.incidentId !== null || a.kind === 'process' || !a.dstHost) return;
    let service = this.serviceCache.get(a.dstHost);
    if (service === undefined) {
      service = serviceIdOf(a.dstHost);
      this.serviceCache.set(a.dstHost, service);
    }
    if (a.kind !== 'dns') {
      if (service) this.serviceUsers.get(service)?.add(a.host);
      const pair = `${a.host.name}|${a.dstHost}`;
      if (this.watchedPairs.has(pair) && !this.firstContact.has(pair)) this.firstContact.set(pair, a.ts);
    }
    if (a.hardNegative) {
      const process = baseName(a.proc.image);
      const label = service ?? a.dstHost;
      const key = `${a.hardNegative}|${label}|${process}`;
      let entry = this.hardNegatives.get(key);
      if (!entry) {
        entry = { reason: a.hardNegative, service: label, process, hosts: new Set() };
        this.hardNegatives.set(key, entry);
      }
      entry.hosts.add(a.host.name);
    }
  }
}

function answerKey(options: ScenarioOptions, org: Organisation, incidents: PlannedIncident[], observer: Observer): AnswerKey {
  const keys = incidents.map((incident) => {
    const key = incident.key;
    const signals = new Set(key.signals);
    const seenBefore = incident.watchedDomains.some((d) => (observer.firstContact.get(`${incident.host.name}|${d}`) ?? Infinity) < incident.startUs);
    if (!seenBefore) signals.add('first-seen');
    const peers = org.hosts.filter((h) => h !== incident.host && h.role === incident.host.role && h.businessUnit === incident.host.businessUnit);
    const users = observer.serviceUsers.get(key.service_id) ?? new Set<Host>();
    const peerShare = peers.length === 0 ? 0 : peers.filter((h) => users.has(h)).length / peers.length;
    if (peerShare < 0.2) signals.add('rare-in-role');
    return { ...key, signals: [...signals].sort() };
  });
  const hardNegatives = [...observer.hardNegatives.values()]
    .map((e) => ({ reason: e.reason, why: HARD_NEGATIVE_REASONS[e.reason], service: e.service, process: e.process, hosts: [...e.hosts].sort() }))
    .sort((a, b) => (a.reason + a.service + a.process < b.reason + b.service + b.process ? -1 : 1));
  const endUs = org.dayStarts[org.dayStarts.length - 1] + DAY_US;
  return {
    format: 'relaywatch.answer-key',
    version: 1,
    options,
    organisation: {
      name: org.name,
      utc_offset_minutes: org.utcOffsetMinutes,
      start: isoSeconds(org.dayStarts[0]),
      end: isoSeconds(endUs),
      hosts: org.hosts.length,
      hosts_missing_from_inventory: org.hosts.filter((h) => !h.inInventory).map((h) => h.name),
      working_days: org.dayStarts.filter((_, d) => org.workdays[d]).map((t) => localDateKey(t, org.utcOffsetMinutes)),
    },
    incidents: keys,
    hard_negatives: hardNegatives,
  };
}
