/**
 * SQL behind the overview, host and service views. Each function returns `{sql, params}` with every value bound
 * as a parameter; results are aggregates (per host, per service, per time bin), never raw event rows.
 * Sources are keyed as the detection pack keys them — short lower-case host name, else the IP mapped to a host
 * name where inventory or endpoint logs link them, else the IP — so a finding's host opens the same host here.
 */
import type { Query } from '../engine/sql-engine.ts';

/**
 * ip_hosts (IP → host name), host_info (host key → role, business unit) and net (every network event a source
 * used, copies merged and inbound connections left out, with host key, catalogued service and destination name):
 * the vocabulary's rw_source_events() as the last analysis kept it (rw_view_events) and rw_source_roles(), which
 * detection reads too. Appended after the query's
 * own leading CTEs.
 */
const KEYED_EVENTS = `
ip_hosts AS (SELECT * FROM rw_ip_hosts),
host_info AS (SELECT src_key AS host_key, role, business_unit FROM rw_source_roles()),
net AS (
  SELECT ts, kind, src_key AS host_key, service_id, dst_name, bytes_out, bytes_in FROM rw_view_events
)`;

/** The chosen host, its role and business unit, and its peers: other hosts with the same role × business unit. */
const HOST_AND_PEERS = `
me AS (
  SELECT k.host_key, hi.role, hi.business_unit
  FROM (SELECT CAST(? AS VARCHAR) AS host_key) k LEFT JOIN host_info hi ON hi.host_key = k.host_key
),
peers AS (
  SELECT hi.host_key FROM host_info hi, me
  WHERE hi.role IS NOT DISTINCT FROM me.role AND hi.business_unit IS NOT DISTINCT FROM me.business_unit
    AND hi.host_key <> me.host_key
)`;

/** The loaded data: first and last event, events, files, and events per kind. */
export function dataWindowQuery(): Query {
  return {
    sql: `SELECT kind, count(*) AS events, min(ts) AS first_ts, max(ts) AS last_ts, count(DISTINCT source_file) AS files
          FROM events GROUP BY kind ORDER BY events DESC, kind`,
    params: [],
  };
}

/** Every source file with its read / loaded / rejected counts. */
export function sourcesQuery(): Query {
  return {
    sql: `SELECT name, format, rows_read, rows_loaded, rows_rejected, message FROM sources ORDER BY name`,
    params: [],
  };
}

/** Hosts seen in network events (optionally those whose key contains `search`), busiest first. */
export function hostListQuery(search: string, limit: number): Query {
  return {
    sql: `WITH ${KEYED_EVENTS}
      SELECT n.host_key, any_value(hi.role) AS role, any_value(hi.business_unit) AS business_unit,
        count(*) AS events, count(DISTINCT n.service_id) AS services, count(*) OVER () AS total_hosts
      FROM net n LEFT JOIN host_info hi ON hi.host_key = n.host_key
      WHERE contains(n.host_key, lower(trim(?)))
        OR n.host_key IN (SELECT host FROM ip_hosts WHERE contains(src_ip, trim(?)))
      GROUP BY n.host_key ORDER BY events DESC, n.host_key LIMIT ?`,
    params: [search.slice(0, 256), search.slice(0, 256), limit],
  };
}

/** One host: role, business unit, peer-group size, events, first and last seen, and its IPs. */
export function hostSummaryQuery(hostKey: string): Query {
  return {
    sql: `WITH ${KEYED_EVENTS}, ${HOST_AND_PEERS}
      SELECT me.host_key, me.role, me.business_unit,
        coalesce((SELECT max(peers) FROM rw_peer_share() WHERE src_key = me.host_key), (SELECT count(*) FROM peers)) AS peer_count,
        count(n.ts) AS events, min(n.ts) AS first_ts, max(n.ts) AS last_ts,
        (SELECT list(DISTINCT src_ip ORDER BY src_ip)[1:10] FROM ip_hosts WHERE host = me.host_key) AS mapped_ips
      FROM me LEFT JOIN net n ON n.host_key = me.host_key
      GROUP BY me.host_key, me.role, me.business_unit`,
    params: [hostKey],
  };
}

/**
 * Every catalogued service the host used and its top uncatalogued destinations over all data: events and bytes
 * counted as a finding counts them, first and last seen, and how many of its peers used the same service or
 * destination (rw_peer_share(), the rarity signal's and the playbook's number).
 */
export function hostServicesQuery(hostKey: string, uncataloguedLimit: number): Query {
  return {
    sql: `WITH ${KEYED_EVENTS}, ${HOST_AND_PEERS},
      per_kind AS (
        SELECT service_id IS NOT NULL AS catalogued, coalesce(service_id, dst_name) AS dest_key, kind, count(*) AS events,
          sum(bytes_out) AS bytes_out, sum(bytes_in) AS bytes_in, min(ts) AS first_ts, max(ts) AS last_ts
        FROM net WHERE host_key = (SELECT host_key FROM me) GROUP BY ALL
      ),
      mine AS (
        -- As a finding counts: where several log types saw the traffic, the type that saw most speaks.
        SELECT catalogued, dest_key, max(events) AS events, max(bytes_out) AS bytes_out, max(bytes_in) AS bytes_in,
          min(first_ts) AS first_ts, max(last_ts) AS last_ts
        FROM per_kind GROUP BY ALL
      ),
      ranked AS (
        SELECT *, row_number() OVER (PARTITION BY catalogued ORDER BY events DESC, dest_key) AS place FROM mine
      ),
      peer_use AS (SELECT service_key, peers, peers_using FROM rw_peer_share() WHERE src_key = (SELECT host_key FROM me))
      SELECT r.catalogued, r.dest_key, cs.name AS service_name, cs.category, r.events, r.bytes_out, r.bytes_in,
        r.first_ts, r.last_ts, coalesce(p.peers_using, 0) AS peer_users, coalesce(p.peers, 0) AS peer_count
      FROM ranked r
      LEFT JOIN peer_use p ON p.service_key = r.dest_key
      LEFT JOIN catalog_services cs ON r.catalogued AND cs.service_id = r.dest_key
      WHERE r.catalogued OR r.place <= ?
      ORDER BY r.catalogued DESC, r.events DESC, r.dest_key`,
    params: [hostKey, uncataloguedLimit],
  };
}

/** Share of the host's events in each UTC hour of the day, against the share of its peers' events. */
export function hostHourProfileQuery(hostKey: string): Query {
  return {
    sql: `WITH ${KEYED_EVENTS}, ${HOST_AND_PEERS},
      mine AS (SELECT hour(ts) AS hour, count(*) AS n FROM net WHERE host_key = (SELECT host_key FROM me) GROUP BY 1),
      theirs AS (SELECT hour(ts) AS hour, count(*) AS n FROM net WHERE host_key IN (SELECT host_key FROM peers) GROUP BY 1)
      SELECT h.range AS hour, coalesce(m.n, 0) AS host_events, coalesce(t.n, 0) AS peer_events,
        coalesce(m.n, 0) / greatest(sum(coalesce(m.n, 0)) OVER (), 1) AS host_share,
        coalesce(t.n, 0) / greatest(sum(coalesce(t.n, 0)) OVER (), 1) AS peer_share
      FROM range(24) h LEFT JOIN mine m ON m.hour = h.range LEFT JOIN theirs t ON t.hour = h.range
      ORDER BY hour`,
    params: [hostKey],
  };
}

/** Catalogued services seen in the data, with the hosts and events using each, most hosts first. */
export function serviceListQuery(): Query {
  return {
    sql: `WITH ${KEYED_EVENTS}
      SELECT n.service_id, any_value(cs.name) AS name, any_value(cs.category) AS category,
        count(DISTINCT n.host_key) AS hosts, count(*) AS events
      FROM net n LEFT JOIN catalog_services cs ON cs.service_id = n.service_id
      WHERE n.service_id IS NOT NULL
      GROUP BY n.service_id ORDER BY hosts DESC, events DESC, n.service_id`,
    params: [],
  };
}

/** A catalogued service: its catalog entry and how many hosts and events used it. */
export function serviceSummaryQuery(serviceId: string): Query {
  return {
    sql: `WITH ${KEYED_EVENTS}
      SELECT s.service_id, cs.name, cs.category, cs.subtechniques, cs.consumer, cs.description,
        count(n.ts) AS events, count(DISTINCT n.host_key) AS hosts, min(n.ts) AS first_ts, max(n.ts) AS last_ts,
        sum(n.bytes_out) AS bytes_out, sum(n.bytes_in) AS bytes_in,
        (SELECT count(DISTINCT host_key) FROM net) AS all_hosts
      FROM (SELECT CAST(? AS VARCHAR) AS service_id) s
      LEFT JOIN catalog_services cs ON cs.service_id = s.service_id
      LEFT JOIN net n ON n.service_id = s.service_id
      GROUP BY ALL`,
    params: [serviceId],
  };
}

/** Who uses the service, by role × business unit: hosts using it out of the group's hosts, and events. */
export function serviceUsersByGroupQuery(serviceId: string): Query {
  return {
    sql: `WITH ${KEYED_EVENTS},
      groups AS (
        SELECT coalesce(hi.role, 'unknown') AS role, coalesce(hi.business_unit, '—') AS business_unit, n.host_key,
          count(*) FILTER (WHERE n.service_id = ?) AS events
        FROM net n LEFT JOIN host_info hi ON hi.host_key = n.host_key
        GROUP BY ALL
      )
      SELECT role, business_unit, count(*) FILTER (WHERE events > 0) AS hosts, count(*) AS group_hosts, sum(events) AS events
      FROM groups GROUP BY ALL HAVING sum(events) > 0
      ORDER BY events DESC, role, business_unit`,
    params: [serviceId],
  };
}

/** The hosts using the service, busiest first. */
export function serviceHostsQuery(serviceId: string, limit: number): Query {
  return {
    sql: `WITH ${KEYED_EVENTS}
      SELECT n.host_key, any_value(hi.role) AS role, any_value(hi.business_unit) AS business_unit, count(*) AS events,
        sum(n.bytes_out) AS bytes_out, sum(n.bytes_in) AS bytes_in, min(n.ts) AS first_ts, max(n.ts) AS last_ts,
        count(*) OVER () AS total_hosts
      FROM net n LEFT JOIN host_info hi ON hi.host_key = n.host_key
      WHERE n.service_id = ?
      GROUP BY n.host_key ORDER BY events DESC, n.host_key LIMIT ?`,
    params: [serviceId, limit],
  };
}

/**
 * The service's events over the whole data window in about `bins` equal bins (a nice duration, aligned to the
 * epoch), split by the users' role, with the window's first and last event time (t0, t1, epoch ms) for the axis.
 * Empty bins are absent.
 */
export function serviceTimelineQuery(serviceId: string, bins: number): Query {
  return {
    sql: `WITH ${KEYED_EVENTS},
      span AS (SELECT epoch_ms(min(ts)) AS t0, epoch_ms(max(ts)) AS t1 FROM events),
      width AS (SELECT rw_bin_ms(t1 - t0 + 1, ?) AS bin_ms FROM span)
      SELECT CAST(floor(epoch_ms(n.ts) / w.bin_ms) * w.bin_ms AS BIGINT) AS bin_start, CAST(w.bin_ms AS BIGINT) AS bin_ms,
        s.t0, s.t1, coalesce(hi.role, 'unknown') AS role, count(*) AS events
      FROM net n CROSS JOIN width w CROSS JOIN span s LEFT JOIN host_info hi ON hi.host_key = n.host_key
      WHERE n.service_id = ?
      GROUP BY ALL ORDER BY bin_start, role`,
    params: [bins, serviceId],
  };
}
