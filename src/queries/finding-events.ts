/**
 * Which rows of the canonical `events` table belong to a finding. Every view that drills into a finding's
 * events (raw rows, charts, related events) uses this one definition, so their counts agree.
 */
import type { SqlParam } from '../engine/sql-engine.ts';
import type { Finding } from '../detection/detect.ts';

/** A WHERE clause over the unqualified columns of `events`, with its `?` parameters in order. */
export interface SqlFilter {
  where: string;
  params: SqlParam[];
}

/** The finding fields the filter reads (a whole Finding fits). */
export type FindingKey = Pick<Finding, 'source' | 'service' | 'destination'>;

/**
 * Rows that come from the finding's source: the same source IP, or a host name whose short form
 * (rw_short_host, as detection keys sources) is the finding's host name.
 */
export function findingSourceFilter(finding: Pick<Finding, 'source'>): SqlFilter {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  if (finding.source.ip) {
    parts.push('src_ip = ?');
    params.push(finding.source.ip);
  }
  if (finding.source.hostname) {
    parts.push('rw_short_host(src_host) = ?');
    params.push(finding.source.hostname.toLowerCase());
  }
  return { where: parts.length ? `(${parts.join(' OR ')})` : 'false', params };
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
 * endpoint rows (rows that carry no process, such as proxy lines, cannot be told apart and are kept).
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
  return { where: parts.join(' AND '), params };
}
