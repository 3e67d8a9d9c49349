/**
 * Telemetry coverage: for every host (keyed as the detection pack keys sources: short host name, else the IP
 * mapped to a name by the inventory or endpoint logs, else the IP), which telemetry classes cover it, over which
 * days, and what they carry; plus gaps — days without data per class, hosts seen in one class but missing from
 * another, and proxies that hide their clients. Aggregates only: per host × class × day, never raw rows.
 */
import { canonicalDdl } from '../core/canonical.ts';
import { CONTEXT_DDL } from '../core/context-schema.ts';
import type { SqlEngine } from '../engine/sql-engine.ts';
import { CONTEXT_EXTRA_DDL } from '../context/context.ts';
import { classifyTelemetry, shippedTelemetryClasses, type TelemetryClass } from './telemetry.ts';

/** What a host's events carry, as event counts; readiness decides from these which analytics can run. */
export const CAPABILITY_COLUMNS = [
  'dst_events', // network events with a destination (name or IP) and a timestamp
  'named_dst_events', // events naming the destination host (SNI, Host, CONNECT, DNS query)
  'process_events', // network events attributed to a process
  'process_creation_events', // process creation rows (Sysmon 1)
  'ua_events',
  'ja3_events',
  'url_events',
  'byte_events',
  'duration_events',
  'outcome_events', // connection state, device action or HTTP status
  'dns_events',
] as const;
export type CapabilityColumn = (typeof CAPABILITY_COLUMNS)[number];

export interface ClassCoverage {
  events: number;
  /** Epoch milliseconds. */
  first: number;
  last: number;
  days: number;
}

export interface HostCoverage {
  key: string;
  ip: string | null;
  role: string | null;
  business_unit: string | null;
  role_origin: 'inventory' | 'inferred' | 'unknown';
  criticality: string | null;
  in_inventory: boolean;
  /** By telemetry class id; a class the host has no events in is absent. */
  telemetry: Record<string, ClassCoverage>;
  capabilities: Record<CapabilityColumn, number>;
  /** Distinct UTC days with any event from the host. */
  days: number;
}

export interface ClassSpan {
  telemetry: string;
  label: string;
  hosts: number;
  events: number;
  first: number | null;
  last: number | null;
  /** UTC days (YYYY-MM-DD) inside the whole data span on which this class has no events. */
  missing_days: string[];
  /** Events per day, for the coverage chart. */
  per_day: { day: string; events: number }[];
}

export interface ProxyCandidate {
  ip: string;
  destinations: number;
  web_share: number;
  /** Share of its destinations that appear in the loaded proxy logs. */
  proxy_log_overlap: number;
  /** Sources seen connecting to it on proxy ports (in flow data). */
  inbound_clients: number;
  inbound_clients_in_proxy_logs: number;
  explanation: string;
}

export interface CoverageReport {
  classes: TelemetryClass[];
  hosts: HostCoverage[];
  spans: ClassSpan[];
  /** Every UTC day from the first to the last event. */
  data_days: string[];
  /** seen_in → missing_from → hosts that have events in the first class but none in the second. */
  missing_from: Record<string, Record<string, string[]>>;
  hidden_proxies: ProxyCandidate[];
}

export interface CoverageOptions {
  classes?: TelemetryClass[];
  /** A flow source needs this many distinct destinations to be checked as a proxy. */
  proxyMinDestinations?: number;
  /** Share of its flows that must go to web ports. */
  proxyMinWebShare?: number;
  /** Below this overlap with proxy-log destinations its clients count as hidden. */
  proxyMaxOverlap?: number;
}

const WEB_PORTS = '(80, 443, 8080, 8443)';
const PROXY_PORTS = '(3128, 8080, 8000, 8888, 80, 443)';

/** IP → host name (the shared rule), materialised once for the joins below. */
const IP_HOSTS_SQL = 'CREATE OR REPLACE TEMP TABLE rd_ip_hosts AS SELECT * FROM rw_ip_host_map();';

const HOST_DAY_SQL = `CREATE OR REPLACE TEMP TABLE rd_host_day AS
SELECT rw_source_key(e.src_host, ih.host, e.src_ip) AS src_key, c.telemetry, CAST(e.ts AS DATE) AS day,
  min(e.src_ip) AS ip, count(*) AS events, min(e.ts) AS first_ts, max(e.ts) AS last_ts,
  count(*) FILTER (WHERE rw_network_kind(e.kind) AND coalesce(e.dst_host, e.dst_ip) IS NOT NULL) AS dst_events,
  count(*) FILTER (WHERE rw_network_kind(e.kind) AND coalesce(e.dst_host, '') <> '') AS named_dst_events,
  count(*) FILTER (WHERE rw_network_kind(e.kind) AND e.process IS NOT NULL) AS process_events,
  count(*) FILTER (WHERE e.kind = 'process') AS process_creation_events,
  count(*) FILTER (WHERE coalesce(e.user_agent, '') <> '') AS ua_events,
  count(*) FILTER (WHERE e.tls_ja3 IS NOT NULL) AS ja3_events,
  count(*) FILTER (WHERE e.url_path IS NOT NULL) AS url_events,
  count(*) FILTER (WHERE e.bytes_out IS NOT NULL) AS byte_events,
  count(*) FILTER (WHERE e.duration IS NOT NULL) AS duration_events,
  count(*) FILTER (WHERE coalesce(e.conn_state, e.action) IS NOT NULL OR e.status IS NOT NULL) AS outcome_events,
  count(*) FILTER (WHERE e.kind = 'dns') AS dns_events
FROM events e
JOIN rd_format_class c ON c.source_format IS NOT DISTINCT FROM e.source_format AND c.kind = e.kind
LEFT JOIN rd_ip_hosts ih ON ih.src_ip = e.src_ip
WHERE rw_source_key(e.src_host, ih.host, e.src_ip) IS NOT NULL
GROUP BY ALL;`;

/** Every host with events, plus inventory assets (IP and/or name rows of one inventory line) never seen. */
const HOSTS_SQL = `CREATE OR REPLACE TEMP TABLE rd_hosts AS
WITH event_hosts AS (SELECT src_key, min(ip) AS ip FROM rd_host_day GROUP BY 1),
roles AS (
  SELECT rw_source_key(h.src_host, ih.host, h.src_ip) AS src_key,
    arg_max(h.role, h.role_origin = 'inventory') AS role,
    arg_max(h.business_unit, h.business_unit IS NOT NULL) AS business_unit,
    arg_max(h.role_origin, h.role_origin = 'inventory') AS role_origin,
    arg_max(h.criticality, h.criticality IS NOT NULL) AS criticality,
    bool_or(h.role_origin = 'inventory' OR h.business_unit IS NOT NULL) AS in_inventory
  FROM host_roles h LEFT JOIN rd_ip_hosts ih ON ih.src_ip = h.src_ip
  WHERE coalesce(h.src_host, h.src_ip) IS NOT NULL GROUP BY 1
),
assets AS (
  SELECT coalesce(max(rw_short_host(match)) FILTER (WHERE match_kind = 'host'), min(ih.host), min(match) FILTER (WHERE match_kind = 'ip')) AS src_key,
    min(match) FILTER (WHERE match_kind = 'ip') AS ip,
    any_value(role) AS role, any_value(business_unit) AS business_unit, any_value(criticality) AS criticality
  FROM inventory i LEFT JOIN rd_ip_hosts ih ON i.match_kind = 'ip' AND ih.src_ip = i.match
  WHERE match_kind IN ('ip', 'host') GROUP BY source
  QUALIFY row_number() OVER (PARTITION BY src_key ORDER BY ip NULLS LAST) = 1
)
SELECT coalesce(e.src_key, a.src_key) AS src_key, coalesce(e.ip, a.ip) AS ip,
  coalesce(a.role, r.role) AS role, coalesce(a.business_unit, r.business_unit) AS business_unit,
  CASE WHEN a.role IS NOT NULL THEN 'inventory' ELSE coalesce(r.role_origin, 'unknown') END AS role_origin,
  coalesce(a.criticality, r.criticality) AS criticality,
  a.src_key IS NOT NULL OR coalesce(r.in_inventory, false) AS in_inventory
FROM event_hosts e
FULL JOIN assets a ON a.src_key = e.src_key
LEFT JOIN roles r ON r.src_key = e.src_key;`;

const HOST_CLASS_SQL = `SELECT src_key, telemetry, sum(events) AS events, min(first_ts) AS first, max(last_ts) AS last,
  count(DISTINCT day) AS days, ${CAPABILITY_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
FROM rd_host_day GROUP BY ALL`;

const PROXY_SQL = `WITH flows AS (
  SELECT src_ip, dst_ip, dst_port, coalesce(rw_dst_name(dst_host), dst_ip) AS dst
  FROM events WHERE kind IN ('flow', 'firewall') AND src_ip IS NOT NULL
),
proxy_src AS (SELECT DISTINCT src_ip FROM events WHERE kind = 'proxy' AND src_ip IS NOT NULL),
proxy_dst AS (
  SELECT DISTINCT dst_ip AS dst FROM events WHERE kind = 'proxy' AND dst_ip IS NOT NULL
  UNION SELECT DISTINCT rw_dst_name(dst_host) FROM events WHERE kind = 'proxy' AND dst_host IS NOT NULL
),
candidates AS (
  SELECT src_ip, count(DISTINCT dst) AS destinations,
    avg(CASE WHEN dst_port IN ${WEB_PORTS} THEN 1 ELSE 0 END) AS web_share
  FROM flows WHERE dst IS NOT NULL AND src_ip NOT IN (SELECT src_ip FROM proxy_src)
  GROUP BY src_ip HAVING count(DISTINCT dst) >= ? AND avg(CASE WHEN dst_port IN ${WEB_PORTS} THEN 1 ELSE 0 END) >= ?
),
overlap AS (
  SELECT c.src_ip, count(DISTINCT f.dst) FILTER (WHERE f.dst IN (SELECT dst FROM proxy_dst) OR f.dst_ip IN (SELECT dst FROM proxy_dst)) AS seen
  FROM candidates c JOIN flows f USING (src_ip) GROUP BY 1
),
inbound AS (
  SELECT c.src_ip, count(DISTINCT f.src_ip) AS clients,
    count(DISTINCT f.src_ip) FILTER (WHERE f.src_ip IN (SELECT src_ip FROM proxy_src)) AS clients_in_proxy_logs
  FROM candidates c JOIN flows f ON f.dst_ip = c.src_ip AND f.dst_port IN ${PROXY_PORTS} GROUP BY 1
)
SELECT c.src_ip AS ip, c.destinations, c.web_share, coalesce(o.seen, 0) / c.destinations AS proxy_log_overlap,
  coalesce(i.clients, 0) AS inbound_clients, coalesce(i.clients_in_proxy_logs, 0) AS inbound_clients_in_proxy_logs
FROM candidates c LEFT JOIN overlap o USING (src_ip) LEFT JOIN inbound i USING (src_ip)
WHERE coalesce(o.seen, 0) / c.destinations < ?
ORDER BY c.destinations DESC, c.src_ip LIMIT 50`;

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Classifies every (source_format, kind) pair present into a telemetry class: table rd_format_class. */
async function classifyFormats(engine: SqlEngine, classes: readonly TelemetryClass[]): Promise<void> {
  const pairs = await engine.all<{ source_format: string | null; kind: string }>('SELECT DISTINCT source_format, kind FROM events');
  await engine.exec('CREATE OR REPLACE TEMP TABLE rd_format_class (source_format VARCHAR, kind VARCHAR, telemetry VARCHAR)');
  const classified = pairs
    .map((p) => ({ ...p, telemetry: classifyTelemetry(classes, p.source_format, p.kind) }))
    .filter((p) => p.telemetry !== null);
  if (!classified.length) return;
  await engine.append(
    'rd_format_class',
    { source_format: classified.map((p) => p.source_format), kind: classified.map((p) => p.kind), telemetry: classified.map((p) => p.telemetry) },
    { source_format: 'VARCHAR', kind: 'VARCHAR', telemetry: 'VARCHAR' },
  );
}

function proxyExplanation(p: Omit<ProxyCandidate, 'explanation'>, proxyLogsLoaded: boolean): string {
  const seen = proxyLogsLoaded
    ? `only ${pct(p.proxy_log_overlap)} of them appear in the loaded proxy logs`
    : 'no proxy logs are loaded';
  const clients = p.inbound_clients
    ? `; ${p.inbound_clients} source${p.inbound_clients === 1 ? '' : 's'} connect to it on proxy ports, ${p.inbound_clients - p.inbound_clients_in_proxy_logs} of them absent from proxy logs`
    : '';
  return `${p.ip} reaches ${p.destinations} destinations in firewall/flow data (${pct(p.web_share)} on web ports) but ${seen}${clients}: load this proxy's logs to see the hosts behind it.`;
}

/** Computes the coverage report from `events`, `host_roles` and `inventory` (creating empty tables if absent). */
export async function computeCoverage(engine: SqlEngine, options: CoverageOptions = {}): Promise<CoverageReport> {
  const classes = options.classes ?? shippedTelemetryClasses();
  await engine.exec(canonicalDdl() + CONTEXT_DDL + CONTEXT_EXTRA_DDL);
  await classifyFormats(engine, classes);
  await engine.exec(IP_HOSTS_SQL);
  await engine.exec(HOST_DAY_SQL);
  await engine.exec(HOSTS_SQL);

  type HostRow = Omit<HostCoverage, 'telemetry' | 'capabilities' | 'days' | 'key'> & { src_key: string };
  const hostRows = await engine.all<HostRow>('SELECT * FROM rd_hosts ORDER BY src_key');
  const classRows = await engine.all<Record<string, number> & { src_key: string; telemetry: string }>(HOST_CLASS_SQL);
  const dayRows = await engine.all<{ src_key: string; days: number }>('SELECT src_key, count(DISTINCT day) AS days FROM rd_host_day GROUP BY 1');
  const hosts = new Map<string, HostCoverage>();
  for (const h of hostRows) {
    hosts.set(h.src_key, {
      key: h.src_key, ip: h.ip, role: h.role, business_unit: h.business_unit,
      role_origin: h.role_origin === 'inventory' || h.role_origin === 'inferred' ? h.role_origin : 'unknown',
      criticality: h.criticality, in_inventory: Boolean(h.in_inventory), telemetry: {},
      capabilities: Object.fromEntries(CAPABILITY_COLUMNS.map((c) => [c, 0])) as Record<CapabilityColumn, number>,
      days: 0,
    });
  }
  for (const r of classRows) {
    const host = hosts.get(r.src_key);
    if (!host) continue;
    host.telemetry[r.telemetry] = { events: r.events, first: r.first, last: r.last, days: r.days };
    for (const c of CAPABILITY_COLUMNS) host.capabilities[c] += r[c];
  }
  for (const d of dayRows) {
    const host = hosts.get(d.src_key);
    if (host) host.days = d.days;
  }

  const spanRows = await engine.all<{ telemetry: string; day: number; events: number; hosts: number }>(
    'SELECT telemetry, day, sum(events) AS events, count(DISTINCT src_key) AS hosts FROM rd_host_day GROUP BY ALL ORDER BY day',
  );
  const dayValues = spanRows.map((r) => r.day);
  const dataDays: string[] = [];
  if (dayValues.length)
    for (let d = Math.min(...dayValues); d <= Math.max(...dayValues); d += DAY_MS) dataDays.push(isoDay(d));
  const spans: ClassSpan[] = classes.map((c) => {
    const rows = spanRows.filter((r) => r.telemetry === c.id);
    const days = new Set(rows.map((r) => isoDay(r.day)));
    const covering = [...hosts.values()].filter((h) => h.telemetry[c.id]);
    return {
      telemetry: c.id, label: c.label, hosts: covering.length,
      events: rows.reduce((n, r) => n + r.events, 0),
      first: covering.length ? Math.min(...covering.map((h) => h.telemetry[c.id].first)) : null,
      last: covering.length ? Math.max(...covering.map((h) => h.telemetry[c.id].last)) : null,
      missing_days: rows.length ? dataDays.filter((d) => !days.has(d)) : [],
      per_day: rows.map((r) => ({ day: isoDay(r.day), events: r.events })),
    };
  });

  const present = spans.filter((s) => s.hosts > 0).map((s) => s.telemetry);
  const missingFrom: CoverageReport['missing_from'] = {};
  for (const seen of present) {
    missingFrom[seen] = {};
    for (const other of present) {
      if (other === seen) continue;
      missingFrom[seen][other] = [...hosts.values()].filter((h) => h.telemetry[seen] && !h.telemetry[other]).map((h) => h.key);
    }
  }

  const proxyRows = await engine.all<Omit<ProxyCandidate, 'explanation'>>(PROXY_SQL, [
    options.proxyMinDestinations ?? 50,
    options.proxyMinWebShare ?? 0.8,
    options.proxyMaxOverlap ?? 0.2,
  ]);
  const [{ proxy_events: proxyEvents }] = await engine.all<{ proxy_events: number }>("SELECT count(*) AS proxy_events FROM events WHERE kind = 'proxy'");
  return {
    classes,
    hosts: [...hosts.values()],
    spans,
    data_days: dataDays,
    missing_from: missingFrom,
    hidden_proxies: proxyRows.map((p) => ({ ...p, explanation: proxyExplanation(p, proxyEvents > 0) })),
  };
}
