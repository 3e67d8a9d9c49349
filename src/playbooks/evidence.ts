/**
 * The evidence queries playbook steps name, each pre-filled for one finding from the loaded data, and the
 * proposal they add up to: user-driven, application-driven or possibly compromised host, with the reasons.
 * Every value from the logs is bound as a parameter; results are small aggregates.
 */
import { runQuery, type SqlEngine, type SqlParam } from '../engine/sql-engine.ts';
import type { Finding } from '../detection/detect.ts';
import { formatBytes } from '../core/format-bytes.ts';
import { classifyTelemetry, shippedTelemetryClasses } from '../readiness/telemetry.ts';
import { findingRows, findingServiceKey, findingSourceFilter, findingSourceKey, findingSourceRows } from '../queries/finding-events.ts';
import { HYPOTHESES, type EvidenceId, type Hypothesis, type Playbook, type PlaybookStep } from './playbook.ts';

export type Fact = string | number | boolean | null;

export interface Evidence {
  id: EvidenceId;
  /** One plain sentence with the numbers. */
  summary: string;
  facts: Record<string, Fact>;
  /** How much this evidence points to each explanation (0 or absent: not at all). */
  leans: Partial<Record<Hypothesis, number>>;
}

export interface Proposal {
  hypothesis: Hypothesis;
  scores: Record<Hypothesis, number>;
  /** Evidence summaries behind the proposal, strongest first. */
  reasons: string[];
  /** Evidence that points elsewhere. */
  against: string[];
  confirm: string[];
  refute: string[];
}

export interface PlaybookEvaluation {
  playbook: Playbook;
  steps: { step: PlaybookStep; evidence: Evidence }[];
  proposal: Proposal;
}

/** Accounts that are not a person at a keyboard (Windows service/machine accounts, Unix daemons, svc- names). */
const SERVICE_ACCOUNT = /(^|\\)(system|local ?service|network ?service|root|daemon|www-data|nobody)$|\$$|(^|\\)(svc|service|sa)[-_.]|[-_.](svc|service)$|^nt authority\\/i;
const BROWSER = /^(chrome|msedge|firefox|iexplore|opera|brave|vivaldi|safari|chromium|microsoftedge[a-z]*)(\.exe)?$/i;
const SERVICE_PARENT = /^(services|svchost|taskeng|taskhostw|wmiprvse|systemd|cron|crond|launchd|init)(\.exe)?$/i;
const USER_PARENT = /^(explorer|userinit|sihost|finder|gnome-shell|plasmashell)(\.exe)?$|^(chrome|msedge|firefox)(\.exe)?$/i;
const SUSPICIOUS_PARENT = /^(winword|excel|powerpnt|outlook|onenote|wscript|cscript|mshta|rundll32|regsvr32|powershell|pwsh|cmd|wmic|msbuild|installutil)(\.exe)?$/i;
const ODD_PATH = /\\users\\public\\|\\appdata\\local\\temp\\|\\windows\\temp\\|\\downloads\\|\\programdata\\[^\\]+$|\\\$recycle\.bin\\|^\/tmp\/|^\/var\/tmp\/|^\/dev\/shm\//i;
const MAX_TEXT = 300;

const imageName = (path: string | null) => (path ?? '').split(/[\\/]/).pop() ?? '';
const clip = (value: unknown) => (value === null || value === undefined ? null : String(value).slice(0, MAX_TEXT));
const pct = (x: number) => `${Math.round(x * 100)}%`;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** Context the evidence queries share for one finding. */
interface Scope {
  engine: SqlEngine;
  finding: Finding;
  /** The kept tables of the finding's rows and of its source's rows (findingRows, findingSourceRows). */
  rows: string;
  sourceRows: string;
  cache: Map<string, Promise<unknown>>;
}

function once<T>(scope: Scope, key: string, run: () => Promise<T>): Promise<T> {
  if (!scope.cache.has(key)) scope.cache.set(key, run());
  return scope.cache.get(key) as Promise<T>;
}

/** Users and process names on the finding's events. */
function actors(scope: Scope) {
  return once(scope, 'actors', async () => {
    const users = await scope.engine.all<{ user: string; n: number }>(
      `SELECT src_user AS user, count(*) AS n FROM ${scope.rows} WHERE coalesce(src_user, '') <> '' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 5`);
    const processes = await scope.engine.all<{ process: string; n: number }>(
      `SELECT process, count(*) AS n FROM ${scope.rows} WHERE coalesce(process, '') <> '' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 5`);
    return { users, processes };
  });
}

async function initiator(scope: Scope): Promise<Evidence> {
  const { users, processes } = await actors(scope);
  const names = processes.map((p) => imageName(p.process)).filter(Boolean);
  if (scope.finding.source.process && !names.length) names.push(imageName(scope.finding.source.process));
  const services = users.filter((u) => SERVICE_ACCOUNT.test(u.user));
  const people = users.filter((u) => !SERVICE_ACCOUNT.test(u.user));
  const browserOnly = names.length > 0 && names.every((n) => BROWSER.test(n));
  const facts = { users: users.map((u) => u.user).join(', ') || null, processes: names.join(', ') || null, service_accounts: services.length, interactive_users: people.length };
  if (!users.length && !names.length)
    return { id: 'initiator', summary: 'The logs carry no user or process for this traffic (proxy or network data only).', facts, leans: {} };
  const who = people.length ? `interactive user ${people[0].user}` : services.length ? `service account ${services[0].user}` : 'no user';
  const via = names.length ? ` via ${names.join(', ')}` : '';
  const leans: Evidence['leans'] = {};
  if (services.length && !people.length) leans['application-driven'] = 2;
  else if (people.length && (browserOnly || !names.length)) leans['user-driven'] = 2;
  else if (people.length) leans['possibly-compromised'] = 1;
  else if (names.length && !browserOnly) leans['possibly-compromised'] = 1;
  const reading = leans['user-driven'] ? 'a person browsing' : leans['application-driven'] ? 'software running as a service' : 'a non-browser program';
  return { id: 'initiator', summary: `Started by ${who}${via}: looks like ${reading}.`, facts, leans };
}

async function processTree(scope: Scope): Promise<Evidence> {
  const { processes } = await actors(scope);
  const names = [...new Set([scope.finding.source.process, ...processes.map((p) => p.process)].map((p) => imageName(p).toLowerCase()).filter(Boolean))];
  if (!names.length) return { id: 'process-tree', summary: 'No process is known for this traffic, so there is no process tree to check.', facts: {}, leans: {} };
  const rows = await scope.engine.all<{ process: string; parent_process: string | null; command_line: string | null; user: string | null; n: number; first: number }>(
    `SELECT process, parent_process, any_value(command_line) AS command_line, any_value(src_user) AS user, count(*) AS n, min(ts) AS first
     FROM ${scope.sourceRows} WHERE kind = 'process'
       AND rw_process_name(process) IN (${names.map(() => '?').join(', ')})
     GROUP BY process, parent_process ORDER BY n DESC LIMIT 5`,
    names,
  );
  if (!rows.length)
    return { id: 'process-tree', summary: `No process-creation (Sysmon 1) rows for ${names.join(', ')} on this host; load endpoint process telemetry to see its parent.`, facts: { processes: names.join(', ') }, leans: {} };
  const top = rows[0];
  const parent = imageName(top.parent_process);
  const leans: Evidence['leans'] = {};
  const odd = rows.some((r) => ODD_PATH.test(r.process));
  if (SUSPICIOUS_PARENT.test(parent) || odd) leans['possibly-compromised'] = 2;
  else if (SERVICE_PARENT.test(parent)) leans['application-driven'] = 1;
  else if (USER_PARENT.test(parent)) leans['user-driven'] = 1;
  const why = odd ? ' from a user-writable folder' : SUSPICIOUS_PARENT.test(parent) ? `, started by ${parent} (a script host or document application)` : '';
  return {
    id: 'process-tree',
    summary: `${clip(top.process)} was started by ${parent || 'an unknown parent'} ${top.n} time${top.n === 1 ? '' : 's'}${why}.`,
    facts: { process: clip(top.process), parent: clip(top.parent_process), command_line: clip(top.command_line), user: clip(top.user), starts: top.n, first_start: iso(top.first) },
    leans,
  };
}

async function sourceContext(scope: Scope) {
  return once(scope, 'context', async () => {
    const source = findingSourceFilter(scope.finding);
    const [row] = await scope.engine.all<{ role: string | null; business_unit: string | null }>(
      `SELECT role, business_unit FROM host_roles WHERE ${source.where} ORDER BY role_origin = 'inventory' DESC, role NULLS LAST LIMIT 1`, source.params);
    return { role: row?.role ?? scope.finding.source.role, business_unit: row?.business_unit ?? null };
  });
}

async function approval(scope: Scope): Promise<Evidence> {
  const service = scope.finding.service;
  if (!service) return { id: 'approval', summary: 'The destination is not a catalogued web service, so no policy can approve it.', facts: {}, leans: {} };
  const { role, business_unit } = await sourceContext(scope);
  const rules = await scope.engine.all<{ service_id: string; scope_kind: string; scope_value: string | null; note: string | null }>(
    `SELECT service_id, scope_kind, scope_value, note FROM approved_services WHERE service_id IN ('*', ?) ORDER BY scope_kind, scope_value`, [service.id]);
  const { ip, hostname, process } = scope.finding.source;
  const same = (a: string | null, b: string | null) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
  const covering = rules.find((r) =>
    r.scope_kind === 'all' ||
    (r.scope_kind === 'role' && same(r.scope_value, role)) ||
    (r.scope_kind === 'business_unit' && same(r.scope_value, business_unit)) ||
    (r.scope_kind === 'host' && (same(r.scope_value, ip) || same(r.scope_value?.split('.')[0] ?? null, hostname))) ||
    (r.scope_kind === 'process' && same(r.scope_value, imageName(process))));
  const facts = { role, business_unit, rules: rules.length };
  const describe = (r: (typeof rules)[number]) => (r.scope_kind === 'all' ? 'everyone' : `${r.scope_kind.replace('_', ' ')} ${r.scope_value}`);
  if (covering) return { id: 'approval', summary: `${service.name} is approved for ${describe(covering)}${covering.note ? ` (${clip(covering.note)})` : ''}, which covers this source.`, facts, leans: { 'user-driven': 1, 'application-driven': 1 } };
  if (rules.length)
    return { id: 'approval', summary: `${service.name} is approved only for ${rules.map(describe).join(', ')}, not for this source (role ${role ?? 'unknown'}, business unit ${business_unit ?? 'unknown'}).`, facts, leans: { 'possibly-compromised': 1 } };
  return { id: 'approval', summary: `${service.name} is not approved for anyone in the policy.`, facts, leans: { 'possibly-compromised': 1 } };
}

async function peers(scope: Scope): Promise<Evidence> {
  // rw_peer_share() is the one peer share: the rarity signal and the Hosts view state the same numbers.
  const [row = { peers: 0, using: 0, peer_group: null }] = await scope.engine.all<{ peers: number; using: number; peer_group: string | null }>(
    `SELECT peers, peers_using AS using, peer_group FROM rw_peer_share() WHERE src_key = ? AND service_key = ?`,
    [findingSourceKey(scope.finding), findingServiceKey(scope.finding)],
  );
  const group = row.peer_group ?? 'unknown role / unknown business unit';
  const facts = { peer_group: group, peers: row.peers, peers_using: row.using };
  const what = scope.finding.service?.name ?? scope.finding.destination.domain ?? 'this destination';
  if (row.peers < 3) return { id: 'peers', summary: `Only ${row.peers} other host${row.peers === 1 ? '' : 's'} share the peer group (${group}): too few to compare.`, facts, leans: {} };
  const share = row.using / row.peers;
  const summary = `${row.using} of its ${row.peers} peers (the other hosts in ${group}, ${pct(share)}) also use ${what}.`;
  if (share >= 0.3) return { id: 'peers', summary, facts, leans: { 'user-driven': 1, 'application-driven': 1 } };
  return { id: 'peers', summary, facts, leans: row.using === 0 ? { 'possibly-compromised': 1 } : {} };
}

async function timing(scope: Scope): Promise<Evidence> {
  const p = scope.finding.periodicity;
  const offHours = scope.finding.signals.find((s) => s.id === 'off-hours');
  const leans: Evidence['leans'] = {};
  let summary: string;
  if (p) {
    const jitter = p.jitter === undefined ? '' : ` ± ${pct(p.jitter)}`;
    summary = `Checks in every ${Math.round(p.period_s)} s${jitter}${p.p_value === null ? '' : ` (p = ${p.p_value.toPrecision(2)} against a random stream)`}: a program, not a person.`;
    leans['application-driven'] = 1;
    leans['possibly-compromised'] = 1;
  } else {
    summary = 'No regular schedule was found: the timing looks like a person or event-driven software.';
    leans['user-driven'] = 1;
  }
  if (offHours) {
    summary += ` ${offHours.explanation.replace(/\.?$/, '.')}`;
    leans['possibly-compromised'] = (leans['possibly-compromised'] ?? 0) + 1;
  }
  return { id: 'timing', summary, facts: { period_s: p?.period_s ?? null, jitter: p?.jitter ?? null, p_value: p?.p_value ?? null, off_hours: !!offHours }, leans };
}

async function volume(scope: Scope): Promise<Evidence> {
  const { bytes_out: out, bytes_in: back } = scope.finding;
  const upload = scope.finding.signals.find((s) => s.id === 'upload-volume');
  const facts = { bytes_out: out, bytes_in: back, upload_signal: !!upload };
  if (out === null && back === null) return { id: 'volume', summary: 'The logs carry no byte counts for this traffic.', facts, leans: {} };
  const ratio = back ? (out ?? 0) / back : Infinity;
  const direction = ratio > 1 ? 'uploads dominate' : 'mostly downloads, as web use does';
  const summary = `${formatBytes(out ?? 0)} out, ${formatBytes(back ?? 0)} in: ${direction}.${upload ? ` ${upload.explanation.replace(/\.?$/, '.')}` : ''}`;
  return { id: 'volume', summary, facts, leans: upload || (ratio > 1 && (out ?? 0) > 1048576) ? { 'possibly-compromised': 1 } : {} };
}

async function firstSeen(scope: Scope): Promise<Evidence> {
  // One first-seen per source and service: the one detection judged against the baseline, and the header states.
  const signal = scope.finding.signals.find((s) => s.id === 'first-seen-after-baseline' && s.evidence.new === 'service');
  const established = scope.finding.signals.find((s) => s.id === 'established-in-baseline');
  const facts = { first_seen: scope.finding.first_seen, days_after_baseline: typeof signal?.evidence.days_after_baseline === 'number' ? Number(signal.evidence.days_after_baseline.toFixed(1)) : null };
  if (signal) return { id: 'first-seen', summary: `${signal.explanation.replace(/\.?$/, '.')} Something changed then.`, facts, leans: { 'possibly-compromised': 1 } };
  if (established) return { id: 'first-seen', summary: `${established.explanation.replace(/, so the score.*$/, '')}: an established habit or long-running software.`, facts, leans: { 'application-driven': 1 } };
  return { id: 'first-seen', summary: `First seen ${scope.finding.first_seen}; the baseline does not show when it began (too short, or the source was not active in it), so it is neither new nor established.`, facts, leans: {} };
}

async function dns(scope: Scope): Promise<Evidence> {
  const names: SqlParam[] = [scope.finding.service?.id ?? null, scope.finding.destination.domain?.toLowerCase() ?? null];
  const [row] = await scope.engine.all<{ queries: number; names: number; first: number | null; host_dns: number }>(
    `SELECT count(*) FILTER (WHERE matches) AS queries, count(DISTINCT name) FILTER (WHERE matches) AS names,
            min(ts) FILTER (WHERE matches) AS first, count(*) AS host_dns
     FROM (SELECT ts, rw_dst_name(coalesce(dns_query, dst_host)) AS name,
             rw_dst_name(coalesce(dns_query, dst_host)) IN (SELECT rw_dst_name(dst_host) FROM dst_services WHERE service_id = ?)
               OR rw_dst_name(coalesce(dns_query, dst_host)) = ? AS matches
           FROM ${scope.sourceRows} WHERE kind = 'dns')`,
    names,
  );
  const facts = { queries: row.queries, names: row.names, first_query: iso(row.first), host_dns_events: row.host_dns };
  if (!row.host_dns) return { id: 'dns', summary: 'No DNS events are loaded for this host, so resolution cannot be checked.', facts, leans: {} };
  if (!row.queries) return { id: 'dns', summary: `The host's ${row.host_dns} DNS events never ask for this destination: hard-coded addresses, DNS over HTTPS or a resolving proxy.`, facts, leans: { 'possibly-compromised': 0.5 } };
  return { id: 'dns', summary: `${row.queries} DNS queries for ${row.names} name${row.names === 1 ? '' : 's'} of this destination, the first at ${facts.first_query}.`, facts, leans: {} };
}

/**
 * The telemetry classes (proxy, Zeek/Suricata, firewall, endpoint, DNS) whose logs show the traffic, each with its
 * formats and log records: copies of one log (Squid and ProxySG of one proxy, Zeek TSV and JSON) are one class, so
 * they never count as agreement.
 */
async function telemetryShowing(scope: Scope): Promise<{ telemetry: string; formats: string[]; records: number }[]> {
  const rows = await scope.engine.all<{ source_format: string | null; kind: string; n: number }>(
    `SELECT source_format, kind, count(*) AS n FROM ${scope.rows} GROUP BY ALL ORDER BY n DESC, source_format`);
  const classes = shippedTelemetryClasses();
  const byClass = new Map<string, { telemetry: string; formats: string[]; records: number }>();
  for (const r of rows) {
    const telemetry = classifyTelemetry(classes, r.source_format, r.kind) ?? r.source_format ?? r.kind;
    const entry = byClass.get(telemetry) ?? { telemetry, formats: [], records: 0 };
    if (r.source_format && !entry.formats.includes(r.source_format)) entry.formats.push(r.source_format);
    entry.records += r.n;
    byClass.set(telemetry, entry);
  }
  return [...byClass.values()];
}

async function corroboration(scope: Scope): Promise<Evidence> {
  const shown = await telemetryShowing(scope);
  const list = (entries: typeof shown) => entries.map((e) => `${e.telemetry}: ${e.formats.join(', ')}`).join('; ');
  const alerts = await scope.engine.all<{ alert: string; n: number }>(
    `SELECT alert, count(*) AS n FROM ${scope.sourceRows} WHERE kind = 'alert' AND ts BETWEEN ?::TIMESTAMP AND ?::TIMESTAMP GROUP BY 1 ORDER BY n DESC LIMIT 5`,
    [scope.finding.first_seen.replace('Z', ''), scope.finding.last_seen.replace('Z', '')]);
  const facts = {
    sources: shown.map((e) => `${e.telemetry} (${e.formats.join(', ')}: ${e.records} log records)`).join('; ') || null,
    telemetry_classes: shown.length,
    alerts: alerts.map((a) => clip(a.alert)).join('; ') || null,
  };
  const seen = shown.length > 1 ? `${shown.length} kinds of telemetry agree (${list(shown)})` : `Only ${shown.length ? list(shown) : 'one source'} shows this traffic`;
  if (alerts.length) return { id: 'corroboration', summary: `${seen}; IDS alerts from the host in the same period: ${facts.alerts}.`, facts, leans: { 'possibly-compromised': 2 } };
  return { id: 'corroboration', summary: `${seen}; no IDS alerts from the host in the same period.`, facts, leans: {} };
}

async function urlPaths(scope: Scope): Promise<Evidence> {
  const api = scope.finding.signals.find((s) => s.id === 'api-endpoint');
  const patterns = scope.finding.destination.url_patterns.slice(0, 5).map((p) => p.slice(0, 120));
  const facts = { url_patterns: patterns.join(' ') || null, api_signal: !!api };
  if (api) return { id: 'url-paths', summary: api.explanation.replace(/\.?$/, '.'), facts, leans: { 'possibly-compromised': 1 } };
  if (!patterns.length) return { id: 'url-paths', summary: 'No URL paths are logged for this traffic (TLS or flow data only).', facts, leans: {} };
  return { id: 'url-paths', summary: `Requested paths: ${patterns.join(', ')}; none is a catalogued API endpoint.`, facts, leans: { 'user-driven': 0.5 } };
}

const GATHERERS: Record<EvidenceId, (scope: Scope) => Promise<Evidence>> = {
  initiator, 'process-tree': processTree, approval, peers, timing, volume, 'first-seen': firstSeen, dns, corroboration, 'url-paths': urlPaths,
};

/** Adds up the leanings; a tie goes to the more cautious explanation (compromise, then application). */
export function propose(evidence: readonly Evidence[], playbook: Playbook): Proposal {
  const scores = Object.fromEntries(HYPOTHESES.map((h) => [h, 0])) as Record<Hypothesis, number>;
  for (const e of evidence) for (const h of HYPOTHESES) scores[h] += e.leans[h] ?? 0;
  const cautious: Hypothesis[] = ['possibly-compromised', 'application-driven', 'user-driven'];
  const hypothesis = cautious.reduce((best, h) => (scores[h] > scores[best] ? h : best), cautious[0]);
  const strongest = (h: Hypothesis) => [...evidence].filter((e) => (e.leans[h] ?? 0) > 0).sort((a, b) => (b.leans[h] ?? 0) - (a.leans[h] ?? 0));
  const reasons = strongest(hypothesis).map((e) => e.summary);
  const against = evidence.filter((e) => !(e.leans[hypothesis] ?? 0) && HYPOTHESES.some((h) => (e.leans[h] ?? 0) > 0)).map((e) => e.summary);
  return { hypothesis, scores, reasons, against, ...playbook.hypotheses[hypothesis] };
}

/** Pre-fills every step of the playbook for the finding and proposes an explanation. */
export async function evaluatePlaybook(engine: SqlEngine, finding: Finding, playbook: Playbook): Promise<PlaybookEvaluation> {
  // The finding's and its source's rows, read once into the tables the finding's charts and tables share.
  const rows = findingRows(finding);
  const sourceRows = findingSourceRows(finding);
  await runQuery(engine, rows.setup);
  await runQuery(engine, sourceRows.setup);
  const scope: Scope = { engine, finding, rows: rows.table, sourceRows: sourceRows.table, cache: new Map() };
  const byId = new Map<EvidenceId, Evidence>();
  const steps = [];
  for (const step of playbook.steps) {
    if (!byId.has(step.evidence)) byId.set(step.evidence, await GATHERERS[step.evidence](scope));
    steps.push({ step, evidence: byId.get(step.evidence)! });
  }
  return { playbook, steps, proposal: propose([...byId.values()], playbook) };
}
