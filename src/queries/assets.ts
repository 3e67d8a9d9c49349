/**
 * Queries of the assets view over `host_roles` (one row per source seen in the events, with its role from the
 * inventory or inferred from behaviour). Filter values are bound as parameters, never spliced into the SQL.
 */
import type { Query, SqlParam } from '../engine/sql-engine.ts';
import type { Finding } from '../detection/detect.ts';

export type RoleOrigin = 'inventory' | 'inferred' | 'unknown';

export interface HostRoleRow {
  src_ip: string | null;
  src_host: string | null;
  role: string | null;
  business_unit: string | null;
  owner: string | null;
  criticality: string | null;
  os: string | null;
  role_origin: RoleOrigin;
}

export interface PeerGroupRow {
  role: string | null;
  business_unit: string | null;
  hosts: number;
  from_inventory: number;
  inferred: number;
}

export interface HostFilter {
  /** Substring of IP, host name, role, business unit or owner (case-insensitive). */
  text: string;
  origin: RoleOrigin | '';
  /** A peer group (role × business unit) to restrict to; null = every group. */
  group: { role: string | null; business_unit: string | null } | null;
}

export const HOSTS_PAGE = 50;

/** Empty strings stand for NULL in bound group values (roles and units are never empty strings in host_roles). */
const WHERE = `
WHERE (? = '' OR role_origin = ?)
  AND (? = '' OR contains(lower(concat_ws(' ', src_ip, src_host, role, business_unit, owner)), lower(?)))
  AND (? = '' OR (coalesce(role, '') = ? AND coalesce(business_unit, '') = ?))`;

function whereParams(filter: HostFilter): SqlParam[] {
  const text = filter.text.trim().slice(0, 200);
  const group = filter.group;
  return [
    filter.origin, filter.origin, text, text,
    group ? 'group' : '', group?.role ?? '', group?.business_unit ?? '',
  ];
}

/** One page of hosts passing `filter`, by host name (else IP). */
export function hostsQuery(filter: HostFilter, page: number): Query {
  return {
    sql: `SELECT src_ip, src_host, role, business_unit, owner, criticality, os, role_origin FROM host_roles ${WHERE}
          ORDER BY lower(coalesce(src_host, src_ip)), src_ip LIMIT ${HOSTS_PAGE} OFFSET ?`,
    params: [...whereParams(filter), page * HOSTS_PAGE],
  };
}

/** How many hosts pass `filter`. */
export function hostCountQuery(filter: HostFilter): Query {
  return { sql: `SELECT count(*) AS n FROM host_roles ${WHERE}`, params: whereParams(filter) };
}

/** Hosts per role origin. */
export const ORIGIN_COUNTS: Query = {
  sql: `SELECT role_origin, count(*) AS n FROM host_roles GROUP BY role_origin`,
  params: [],
};

/** Peer groups: role × business unit with host counts, largest first (hosts without a role are one group). */
export const PEER_GROUPS: Query = {
  sql: `SELECT role, business_unit, count(*) AS hosts,
               count(*) FILTER (WHERE role_origin = 'inventory') AS from_inventory,
               count(*) FILTER (WHERE role_origin = 'inferred') AS inferred
        FROM host_roles GROUP BY role, business_unit
        ORDER BY role IS NULL, hosts DESC, role, business_unit NULLS LAST`,
  params: [],
};

/** Short lower-case host name, as findings name their source ('WS07.corp.local' → 'ws07'). */
const shortHost = (host: string | null) => (host ? host.toLowerCase().replace(/\.$/, '').split('.')[0] : null);

/** The findings about one host_roles row: same source IP, or same short host name. */
export function findingsForHost(row: Pick<HostRoleRow, 'src_ip' | 'src_host'>, findings: readonly Finding[]): Finding[] {
  const host = shortHost(row.src_host);
  return findings.filter((f) => (row.src_ip !== null && f.source.ip === row.src_ip) || (host !== null && f.source.hostname?.toLowerCase() === host));
}
