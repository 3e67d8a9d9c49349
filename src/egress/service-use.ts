/**
 * Catalogued web services actually used, per business unit, split into approved and not approved by the
 * policy (events ⨝ dst_services ⨝ host_roles, judged by the context layer's rw_service_approved macro, which
 * applyContext() defines; sources keyed by the shared rw_source_key). Aggregates only.
 */
import type { SqlEngine } from '../engine/sql-engine.ts';

export interface ServiceUse {
  business_unit: string;
  service_id: string;
  service_name: string;
  category: string;
  approved: boolean;
  sources: number;
  events: number;
  bytes_out: number | null;
  /** Epoch milliseconds. */
  first_seen: number;
  last_seen: number;
}

export const NO_BUSINESS_UNIT = '(no business unit)';

const SERVICE_USE_SQL = `WITH used AS (
  SELECT e.src_ip, e.src_host, e.process, d.service_id,
    count(*) AS events, sum(e.bytes_out) AS bytes_out, min(e.ts) AS first_seen, max(e.ts) AS last_seen
  FROM events e JOIN dst_services d ON d.dst_host = e.dst_host
  GROUP BY ALL
), judged AS (
  SELECT u.*, rw_service_approved(u.service_id, u.src_ip, u.src_host, u.process) AS approved,
    coalesce(r.business_unit, ?) AS business_unit,
    rw_source_key(u.src_host, ih.host, u.src_ip) AS source
  FROM used u
  LEFT JOIN host_roles r ON r.src_ip IS NOT DISTINCT FROM u.src_ip AND r.src_host IS NOT DISTINCT FROM u.src_host
  LEFT JOIN rw_ip_host_map() ih ON ih.src_ip = u.src_ip
)
SELECT j.business_unit, j.service_id, s.name AS service_name, s.category, j.approved,
  count(DISTINCT j.source) AS sources, sum(j.events) AS events, sum(j.bytes_out) AS bytes_out,
  min(j.first_seen) AS first_seen, max(j.last_seen) AS last_seen
FROM judged j JOIN catalog_services s ON s.service_id = j.service_id
GROUP BY ALL
ORDER BY j.business_unit, events DESC, j.service_id`;

/** Every (business unit, service, approved?) with its sources and volume. */
export async function serviceUse(engine: SqlEngine): Promise<ServiceUse[]> {
  const rows = await engine.all<ServiceUse>(SERVICE_USE_SQL, [NO_BUSINESS_UNIT]);
  return rows.map((r) => ({ ...r, approved: Boolean(r.approved) }));
}

/** The "in use but not approved" table: one row per business unit and service. */
export function unapprovedUse(rows: readonly ServiceUse[]): ServiceUse[] {
  return rows.filter((r) => !r.approved).sort((a, b) => a.business_unit.localeCompare(b.business_unit) || b.sources - a.sources || b.events - a.events);
}
