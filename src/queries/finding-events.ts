/**
 * Which rows of the canonical `events` table belong to a finding. Every view that drills into a finding's
 * events (raw rows, charts, related events) uses this one definition, so their counts agree.
 */
import type { Query, SqlEngine, SqlParam } from '../engine/sql-engine.ts';
import type { Finding } from '../detection/detect.ts';
import { stableDigest } from '../detection/scoring.ts';

/** A WHERE clause over the unqualified columns of `events`, with its `?` parameters in order. */
export interface SqlFilter {
  where: string;
  params: SqlParam[];
}

/** The finding fields the filter reads (a whole Finding fits). */
export type FindingKey = Pick<Finding, 'source' | 'service' | 'destination'>;

/** The key detection knows the finding's source by (rw_source_key): its host name, else its IP. */
export function findingSourceKey(finding: Pick<Finding, 'source'>): string | null {
  return finding.source.hostname?.toLowerCase() ?? finding.source.ip;
}

/** The key detection knows the finding's destination by: its catalogued service, else its destination name. */
export function findingServiceKey(finding: Pick<Finding, 'service' | 'destination'>): string | null {
  return finding.service?.id ?? finding.destination.domain?.toLowerCase() ?? null;
}

/**
 * Rows that come from the finding's source, keyed as detection keys sources (rw_is_source): a row whose IP another
 * host held, or whose host name maps elsewhere, is not this source's.
 */
export function findingSourceFilter(finding: Pick<Finding, 'source'>): SqlFilter {
  const key = findingSourceKey(finding);
  return key === null ? { where: 'false', params: [] } : { where: 'rw_is_source(src_host, src_ip, CAST(? AS VARCHAR))', params: [key] };
}

/**
 * Rows that go to the finding's destination: a host name the catalog maps to the finding's service, or
 * (uncatalogued) the finding's domain; records without a host name match on the destination IPs.
 */
export function findingDestinationFilter(finding: Pick<Finding, 'service' | 'destination'>): SqlFilter {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  if (finding.service) {
    parts.push('dst_host IN (SELECT dst_host FROM dst_services WHERE service_id = ?)');
    params.push(finding.service.id);
  } else if (finding.destination.domain) {
    parts.push('rw_dst_name(dst_host) = ?');
    params.push(finding.destination.domain.toLowerCase());
  }
  const ips = finding.destination.ips.filter((ip) => ip !== '');
  if (ips.length) {
    parts.push(`(coalesce(dst_host, '') = '' AND dst_ip IN (${ips.map(() => '?').join(', ')}))`);
    params.push(...ips);
  }
  return { where: parts.length ? `(${parts.join(' OR ')})` : 'false', params };
}

/**
 * The finding's events: its source, its destination and, for a process-level finding, that process on
 * endpoint rows (rows that carry no process, such as proxy lines, cannot be told apart and are kept). Network
 * rows only.
 */
export function findingEventFilter(finding: FindingKey): SqlFilter {
  const source = findingSourceFilter(finding);
  const destination = findingDestinationFilter(finding);
  const parts = [source.where, destination.where];
  const params = [...source.params, ...destination.params];
  if (finding.source.process) {
    // Ends with the process at a path boundary: C:\x\rclone.exe matches rclone.exe, notrclone.exe does not.
    parts.push(`(process IS NULL OR lower(process) = ? OR ends_with(lower(replace(process, '\\', '/')), '/' || ?))`);
    const name = finding.source.process.toLowerCase();
    params.push(name, name.replaceAll('\\', '/'));
  }
  // Connections coming in from outside stay: a finding's source is the side that opened them (an outside address
  // checking in with one of our servers is a finding of its own, rw_events_both_ways()).
  return { where: `${parts.join(' AND ')} AND rw_network_kind(kind)`, params };
}

/** Names of the temp tables that hold a finding's rows (findingRows) and its source's rows (findingSourceRows). */
export const KEPT_ROWS_PREFIXES = ['rw_finding_rows_', 'rw_source_rows_'] as const;

/** A temp table of the events a filter selects, made by the first query that reads it (its `setup`). */
function keptRows(prefix: string, filter: SqlFilter): { table: string; setup: Query } {
  const table = prefix + stableDigest(JSON.stringify([filter.where, filter.params]));
  return { table, setup: { sql: `CREATE TEMP TABLE IF NOT EXISTS ${table} AS SELECT * FROM events WHERE ${filter.where}`, params: filter.params } };
}

/**
 * The finding's rows (findingEventFilter) as a small temp table: a finding opens with about ten queries (charts,
 * tables, counts), and each filtering every event again cost 0.1–0.4 s at a million events. The name is a digest of
 * the filter, so a finding always finds its own table. dropFindingRows() forgets it when the finding closes; every
 * analysis starts without any.
 */
export function findingRows(finding: FindingKey): { table: string; setup: Query } {
  return keptRows(KEPT_ROWS_PREFIXES[0], findingEventFilter(finding));
}

/** Every row of the finding's source (findingSourceFilter), kept the same way: what related events and the playbook read. */
export function findingSourceRows(finding: Pick<Finding, 'source'>): { table: string; setup: Query } {
  return keptRows(KEPT_ROWS_PREFIXES[1], findingSourceFilter(finding));
}

/** Drops the kept rows of the given finding (and of its source), or of every finding (the data or the keying changed). */
export async function dropFindingRows(engine: Pick<SqlEngine, 'all' | 'exec'>, finding?: FindingKey): Promise<void> {
  const tables = finding
    ? [findingRows(finding).table, findingSourceRows(finding).table]
    : (await engine.all<{ name: string }>(
        `SELECT table_name AS name FROM duckdb_tables()
         WHERE temporary AND (${KEPT_ROWS_PREFIXES.map((p) => `starts_with(table_name, '${p}')`).join(' OR ')})`,
      )).map((t) => t.name);
  for (const table of tables) await engine.exec(`DROP TABLE IF EXISTS temp.${table}`);
}
