/**
 * The rules every query shares, written once: how a source host is keyed, how an IP maps to a host name, which
 * event kinds are network use, how a destination name is compared, and the ladder of time-bin widths. They are
 * DuckDB macros created with the schema (canonicalDdl() and the context layer's DDL), so detection, views,
 * readiness, playbooks and egress call the same rule in the browser, on the CLI and in a reopened workspace.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bin widths (ms) a time axis reads well in, smallest first; beyond the last, whole multiples of it. */
export const TIME_BIN_LADDER_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY,
];
const LAST_RUNG_MS = TIME_BIN_LADDER_MS[TIME_BIN_LADDER_MS.length - 1];

/** The smallest ladder width that splits `spanMs` into at most `maxBins` bins (the JS twin of rw_bin_ms). */
export function niceBinMs(spanMs: number, maxBins: number): number {
  const wanted = Math.max(spanMs, 1) / Math.max(1, Math.floor(maxBins));
  return TIME_BIN_LADDER_MS.find((b) => b >= wanted) ?? Math.ceil(wanted / LAST_RUNG_MS) * LAST_RUNG_MS;
}

/** How many bins a chart `widthPx` wide draws (one bar every few pixels), never fewer than 10. */
export function binsForWidth(widthPx: number, pxPerBin = 4): number {
  return Math.max(10, Math.floor(Math.max(widthPx, 0) / pxPerBin));
}

/** Event kinds that describe network use: not process creation, IDS alerts or SaaS audit records. */
export const NETWORK_KINDS = ['flow', 'http', 'tls', 'dns', 'proxy', 'firewall'] as const;

const list = (values: readonly (string | number)[]) => values.map((v) => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ');

/** Catalog path uses that fetch data (a Dropbox download or folder listing is a POST, yet a read). */
export const API_READ_USES = ['file-download', 'file-list', 'message-read', 'raw-content', 'dead-drop'] as const;
/** Catalog path uses that send data. */
export const API_WRITE_USES = ['file-upload', 'message-send', 'webhook'] as const;

/**
 * A host that this many times more distinct addresses open connections to than it opens connections to itself is a
 * server (rw_source_events()): a relative rule, so it holds for a lab of ten hosts and an edge sensor alike.
 */
export const SERVER_FAN_IN = 10;

/** Scalar macros: they read no table, so canonicalDdl() creates them before any table exists. */
export const VOCABULARY_DDL = `
-- Short, lower-case host name ('WS01.corp.local' -> 'ws01'); IP literals are kept whole.
CREATE OR REPLACE MACRO rw_short_host(h) AS
  CASE WHEN h IS NULL OR trim(h) = '' THEN NULL
       WHEN regexp_matches(h, '^[0-9.]+$|:') THEN h
       ELSE lower(split_part(trim(h), '.', 1)) END;
-- The key a source is known by: its short host name, else the host its IP maps to (rw_ip_host_map), else the IP.
CREATE OR REPLACE MACRO rw_source_key(host, mapped_host, ip) AS coalesce(rw_short_host(host), mapped_host, ip);
-- A process image's lower-case file name, without its folder ('C:\\Tools\\RClone.exe' -> 'rclone.exe').
CREATE OR REPLACE MACRO rw_process_name(p) AS lower(regexp_extract(p, '([^\\\\/]+)$', 1));
-- A destination host name as compared everywhere: lower case, without the root's trailing dot.
CREATE OR REPLACE MACRO rw_dst_name(h) AS lower(rtrim(h, '.'));
-- Does this event kind describe network use?
CREATE OR REPLACE MACRO rw_network_kind(k) AS k IN (${list(NETWORK_KINDS)});
-- Did this record go nowhere? The unspecified address and port 0 are sockets that never connected anywhere.
CREATE OR REPLACE MACRO rw_no_destination(dst_name, dst_port) AS
  dst_name IN ('0.0.0.0', '::', '0:0:0:0:0:0:0:0') OR coalesce(dst_port, -1) = 0;
-- Was this record a connection from outside in? Zeek says so where its site is configured (local_orig false,
-- local_resp true): the originator is not one of the organisation's hosts, so it is no source of outbound use.
-- (Matched as text: extra may be cut short by the pipeline's bound, and a missing field means "not known".)
CREATE OR REPLACE MACRO rw_inbound(extra) AS
  coalesce(contains(extra, '"local_orig"')
           AND regexp_matches(extra, '"local_orig":\\s*("F"|false)')
           AND regexp_matches(extra, '"local_resp":\\s*("T"|true)'), false);
-- Does this record continue a connection its log already reported (a flow log's report of a later capture window)?
-- Its time is when a window began, not when a connection did, so it is no check-in of its own.
CREATE OR REPLACE MACRO rw_continued(extra) AS coalesce(contains(extra, '"continued":"true"'), false);
-- Is this an address of a private, loopback, link-local or carrier-grade NAT range (RFC 1918, 6598, 4193, 3927)?
CREATE OR REPLACE MACRO rw_private_ip(ip) AS
  regexp_matches(ip, '^(10|127)\\.|^192\\.168\\.|^169\\.254\\.|^172\\.(1[6-9]|2[0-9]|3[01])\\.|^100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.')
  OR regexp_matches(lower(ip), '^(f[cd]|fe[89ab])[0-9a-f]*:|^::1$');
-- An IPv4 address as an integer (NULL for anything else), for range tests.
CREATE OR REPLACE MACRO rw_ipv4_to_int(ip) AS
  CASE WHEN regexp_full_match(ip, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}')
       THEN (CAST(split_part(ip, '.', 1) AS BIGINT) << 24) + (CAST(split_part(ip, '.', 2) AS BIGINT) << 16)
          + (CAST(split_part(ip, '.', 3) AS BIGINT) << 8) + CAST(split_part(ip, '.', 4) AS BIGINT)
  END;
-- What two copies of one observation share (an event is a copy key's n-th record in any file): kind, source key,
-- destination name, process and second. Copies of a log agree on all of them; two sensors (an endpoint's flow with
-- its process, a network sensor's without) do not, so only copies merge.
CREATE OR REPLACE MACRO rw_copy_key(kind, src_key, dst_name, process, ts) AS
  [kind, src_key, dst_name, coalesce(process, ''), CAST(epoch(date_trunc('second', ts)) AS VARCHAR)];
-- Which way one API call moves data: what the catalog says its path is for, else its method. A path whose uses
-- say both (GitHub's issues read and comment) or neither (a generic API) goes by the method; a GET is always a read.
CREATE OR REPLACE MACRO rw_api_direction(uses, method) AS
  CASE WHEN list_has_any(uses, [${list(API_READ_USES)}]) AND NOT list_has_any(uses, [${list(API_WRITE_USES)}]) THEN 'read'
       WHEN upper(method) IN ('GET', 'HEAD') THEN 'read'
       WHEN list_has_any(uses, [${list(API_WRITE_USES)}]) OR upper(method) IN ('POST', 'PUT', 'PATCH', 'DELETE') THEN 'write' END;
-- How many events a set of log records is (an aggregate: pass the records' kind). One connection is logged by
-- several log types (Zeek conn and ssl, the proxy and the firewall), each its own kind, so the kind that recorded most
-- speaks for the set: a finding's header, every signal's counts and its log-record table count events this way.
-- Count a subset by passing NULL for the records outside it (CASE WHEN … THEN kind END).
CREATE OR REPLACE MACRO rw_event_count(kind) AS CAST(coalesce(list_max(map_values(histogram(kind))), 0) AS BIGINT);
-- How much a record tells (the copy that speaks for an event is the one that tells most).
CREATE OR REPLACE MACRO rw_record_richness(url_path, method, user_agent, bytes_out, bytes_in) AS
  (url_path IS NOT NULL)::INTEGER + (method IS NOT NULL)::INTEGER + (user_agent IS NOT NULL)::INTEGER
  + (bytes_out IS NOT NULL)::INTEGER + (bytes_in IS NOT NULL)::INTEGER;
-- The smallest readable bin width (ms) that splits span_ms into at most bins bins (the SQL twin of niceBinMs).
CREATE OR REPLACE MACRO rw_bin_ms(span_ms, bins) AS
  coalesce(list_filter([${list(TIME_BIN_LADDER_MS)}], x -> x >= greatest(span_ms, 1) / greatest(floor(bins), 1))[1],
           ceil(greatest(span_ms, 1) / greatest(floor(bins), 1) / ${LAST_RUNG_MS}) * ${LAST_RUNG_MS});
`;

/**
 * Table macros over events, host_roles, inventory and dst_services (so the context layer creates them, once those
 * tables exist).
 *
 * rw_ip_host_map(): IP -> host name: the inventory row that lists both first (so hosts only Zeek or a firewall sees
 * are keyed by name like the rest), then sources whose inventory entry matched by name, then logs that carry both
 * (Sysmon, EDR).
 *
 * rw_address_sides() and rw_from_outside(): which way a connection went, the one rule for sources and role inference
 * (context/sql/host-roles.sql). Zeek says where its site is configured (rw_inbound); elsewhere direction comes from the
 * inventory (a public address it does not list, IPv4 or IPv6, connecting to one it lists is coming in) and from fan-in
 * (a public address connecting to one of our hosts that many times more addresses connect to than it reaches,
 * SERVER_FAN_IN, is a scanner or a client of our server).
 *
 * rw_source_events(): every network event a source used, one row per event, as detection and the views count it:
 * keyed by rw_source_key, its destination named (an IP the data maps to exactly one name takes that name) and its
 * catalogued service; connections from outside in (rw_from_outside) left out (no source's use); copies of one
 * observation in other files (one sensor's logs as Zeek JSON and TSV, one proxy as Squid and ProxySG) merged into
 * the copy that tells most. Detection materialises it once per run (rw_events) and keeps a slim copy, rw_view_events,
 * that the Hosts and Services views and rw_peer_share() read after the pack.
 *
 * rw_events_both_ways(): the same with the connections coming in from outside (column `inbound`): they are no
 * source's use of the network, but an outside address that checks in with one of our servers like a machine (the
 * sensor on a server a beacon calls) is still worth a finding, so the timing analysis alone reads them.
 *
 * rw_source_roles(): each source key's role, business unit and role origin (the inventory's word over an inference).
 *
 * rw_peer_share(): for each source and each service its peer group used, how many of its peers (the other sources of
 * its role × business unit that used the network) used the service: the one peer share the rarity signal, the
 * playbook and the Hosts view state (over rw_view_events, so after an analysis).
 */
/** The columns of rw_view_events: rw_source_events() slimmed to what the views and rw_peer_share() read. */
export const VIEW_EVENT_COLUMNS: readonly (readonly [string, string])[] = [
  ['ts', 'TIMESTAMP'], ['kind', 'VARCHAR'], ['src_key', 'VARCHAR'], ['service_id', 'VARCHAR'], ['service_key', 'VARCHAR'],
  ['dst_name', 'VARCHAR'], ['bytes_out', 'BIGINT'], ['bytes_in', 'BIGINT'],
];

export const IP_HOST_MAP_DDL = `
CREATE OR REPLACE MACRO rw_ip_host_map() AS TABLE
SELECT src_ip, arg_max(host, weight) AS host FROM (
  SELECT match AS src_ip, rw_short_host(hostname) AS host, 1e13 AS weight FROM inventory
  WHERE match_kind = 'ip' AND hostname IS NOT NULL
  UNION ALL
  SELECT src_ip, rw_short_host(src_host) AS host, 1e12 AS weight FROM host_roles
  WHERE src_ip IS NOT NULL AND src_host IS NOT NULL
  UNION ALL
  SELECT src_ip, rw_short_host(src_host), count(*) FROM events
  WHERE src_ip IS NOT NULL AND src_host IS NOT NULL GROUP BY ALL
) GROUP BY src_ip;

-- rw_ip_host_map() as the last analysis computed it (baselines/1-scoped-events.sql fills it; empty until the first):
-- what a finding's tables, charts and the views key sources by, without a pass over every event per query.
CREATE TABLE IF NOT EXISTS rw_ip_hosts (src_ip VARCHAR, host VARCHAR);

-- Is this events row from the source known by key (rw_source_key, its IP mapped through rw_ip_hosts)? Written
-- with uncorrelated subqueries, so a filter over events reads the map once.
CREATE OR REPLACE MACRO rw_is_source(host, ip, key) AS
  coalesce(rw_short_host(host) = key,
           ip IN (SELECT m.src_ip FROM rw_ip_hosts m WHERE m.host = key)
             OR (ip = key AND ip NOT IN (SELECT m.src_ip FROM rw_ip_hosts m)),
           false);

CREATE OR REPLACE MACRO rw_address_sides() AS TABLE
WITH addresses AS (SELECT src_ip AS ip FROM events UNION SELECT dst_ip FROM events),
listed AS (
  -- Addresses the inventory lists (an IP or a range, IPv4 or IPv6, among those the data holds).
  SELECT a.ip FROM addresses a
  JOIN (SELECT rw_ipv4_to_int(split_part(match, '/', 1)) AS start, coalesce(TRY_CAST(split_part(match, '/', 2) AS INTEGER), 32) AS prefix
        FROM inventory WHERE match_kind IN ('ip', 'cidr') AND ip_bits IS NULL) r
    ON rw_ipv4_to_int(a.ip) >> (32 - r.prefix) = r.start >> (32 - r.prefix)
  UNION
  -- IPv6 by prefix on the expanded address (address_bits, filled from TypeScript: any spelling of one address matches).
  SELECT b.ip FROM address_bits b JOIN inventory i
    ON i.match_kind IN ('ip', 'cidr') AND i.ip_bits IS NOT NULL AND starts_with(b.ip_bits, i.ip_bits)
  UNION
  SELECT match FROM inventory WHERE match_kind = 'ip'
  UNION
  -- Sources the inventory lists by name, at the addresses they were seen with.
  SELECT src_ip FROM host_roles WHERE role_origin = 'inventory' AND src_ip IS NOT NULL
),
reach AS (
  -- Per address: how many distinct addresses open connections to it, and how many it opens connections to.
  SELECT ip, count(DISTINCT peer) FILTER (WHERE inbound) AS initiators, count(DISTINCT peer) FILTER (WHERE NOT inbound) AS reached
  FROM (SELECT dst_ip AS ip, src_ip AS peer, true AS inbound FROM events
        WHERE rw_network_kind(kind) AND kind <> 'dns' AND dst_ip IS NOT NULL AND src_ip IS NOT NULL
        UNION ALL
        SELECT src_ip, coalesce(dst_ip, rw_dst_name(dst_host)), false FROM events
        WHERE rw_network_kind(kind) AND kind <> 'dns' AND src_ip IS NOT NULL)
  GROUP BY ip
),
servers AS (
  -- One of our hosts (it opens connections itself, so it is no remote service) that far more distinct addresses open
  -- connections to than it reaches: a server, scanned or serving the internet, not a client.
  SELECT ip FROM reach WHERE reached > 0 AND initiators >= ${SERVER_FAN_IN} * reached
)
SELECT ip, bool_or(listed) AS listed, bool_or(server) AS server FROM (
  SELECT ip, true AS listed, false AS server FROM listed UNION ALL SELECT ip, false, true FROM servers
) GROUP BY ip;

-- Was this connection opened from outside in, so no use of the host that opened it? Zeek says so where its site is
-- configured (rw_inbound); elsewhere it is a public address no inventory lists opening a connection to one the
-- inventory lists or to one of our servers. The *_listed and dst_server arguments are the addresses'
-- rw_address_sides() columns (NULL for an address absent there). Where Zeek does not mark direction, this is how
-- a scanner stays out of the sources and out of role inference.
CREATE OR REPLACE MACRO rw_from_outside(extra, src_ip, src_listed, dst_listed, dst_server) AS
  rw_inbound(extra)
  OR coalesce(NOT rw_private_ip(src_ip) AND NOT coalesce(src_listed, false) AND (coalesce(dst_listed, false) OR coalesce(dst_server, false)), false);

CREATE OR REPLACE MACRO rw_events_both_ways() AS TABLE
WITH ip_hosts AS (SELECT * FROM rw_ip_host_map()),
ip_names AS (
  -- Destination IP -> name, only where the data maps the IP to exactly one name (shared CDN IPs stay IPs).
  SELECT dst_ip, min(name) AS name FROM (
    SELECT dst_ip, rw_dst_name(dst_host) AS name FROM events
    WHERE dst_ip IS NOT NULL AND dst_host IS NOT NULL AND kind <> 'dns'
    UNION
    SELECT trim(answer), rw_dst_name(dns_query) FROM (
      SELECT dns_query, unnest(string_split(dns_answers, ',')) AS answer FROM events
      WHERE kind = 'dns' AND dns_answers IS NOT NULL AND dns_query IS NOT NULL
    ) WHERE regexp_matches(trim(answer), '^[0-9.]+$|^[0-9a-f:]+:[0-9a-f:]*$')
  ) GROUP BY dst_ip HAVING count(DISTINCT name) = 1
),
sides AS (SELECT * FROM rw_address_sides()),
base AS (
  SELECT e.ts, e.kind,
    rw_source_key(e.src_host, ih.host, e.src_ip) AS src_key,
    e.src_ip, coalesce(rw_short_host(e.src_host), ih.host) AS src_host, e.src_user,
    e.process, e.process_id, rw_process_name(e.process) AS process_name,
    e.parent_process, rw_process_name(e.parent_process) AS parent_name,
    -- Endpoint events whose process start is known: the key that walks up the process tree (read as text: the
    -- browser's DuckDB has no JSON functions).
    CASE WHEN e.parent_process IS NOT NULL THEN nullif(regexp_extract(e.extra, '"ProcessGuid":\\s*"([^"]+)"', 1), '') END AS process_guid,
    coalesce(rw_dst_name(e.dst_host), ipn.name, e.dst_ip) AS dst_name,
    e.dst_ip, e.dst_port, e.url_path, upper(e.method) AS method, e.status, e.user_agent,
    e.bytes_out, e.bytes_in, e.duration, e.conn_state, lower(e.action) AS action, e.tls_ja3,
    -- Zeek's word (or the enrichment's, for older Zeek) that the server's certificate does not name the SNI.
    CASE WHEN e.kind = 'tls' AND contains(e.extra, '"sni_matches_cert"')
         THEN regexp_matches(e.extra, '"sni_matches_cert":\\s*("F"|false)') ELSE false END AS sni_mismatch,
    rw_continued(e.extra) AS continued,
    rw_from_outside(e.extra, e.src_ip, src_side.listed, dst_side.listed, dst_side.server) AS inbound,
    e.source_file, e.source_line
  FROM events e
  LEFT JOIN ip_hosts ih ON ih.src_ip = e.src_ip
  -- A plain equi-join (one row per IP): a dst_host test in ON turns it into a nested-loop join; coalesce() above
  -- already prefers the event's own name.
  LEFT JOIN ip_names ipn ON ipn.dst_ip = e.dst_ip
  LEFT JOIN sides src_side ON src_side.ip = e.src_ip
  LEFT JOIN sides dst_side ON dst_side.ip = e.dst_ip
  WHERE rw_network_kind(e.kind)
),
file_spans AS (
  -- Copies of one observation share a kind and a second (rw_copy_key), so only files whose records of one kind
  -- overlap in time can hold copies of each other. Every other record is an event as it is (rotated logs, one log
  -- per sensor), without the two sorts below.
  SELECT source_file, kind, date_trunc('second', min(ts)) AS first_second, date_trunc('second', max(ts)) AS last_second
  FROM base GROUP BY ALL
),
overlapping AS (
  SELECT DISTINCT a.source_file, a.kind FROM file_spans a JOIN file_spans b
    ON a.kind = b.kind AND a.source_file IS DISTINCT FROM b.source_file
   AND a.first_second <= b.last_second AND b.first_second <= a.last_second
),
flagged AS (
  SELECT base.*, o.kind IS NOT NULL AS may_be_copy FROM base
  LEFT JOIN overlapping o ON o.source_file IS NOT DISTINCT FROM base.source_file AND o.kind = base.kind
),
numbered AS (
  SELECT *, row_number() OVER (PARTITION BY rw_copy_key(kind, src_key, dst_name, process, ts), source_file
                               ORDER BY ts, source_line) AS nth
  FROM flagged WHERE may_be_copy
),
deduplicated AS (
  SELECT * EXCLUDE (source_file, source_line, may_be_copy) FROM flagged WHERE NOT may_be_copy
  UNION ALL
  -- The n-th record of a copy key in one file is the n-th in another, and the richest record speaks for it.
  -- Records of one file are never merged, so two real requests in one second stay two.
  SELECT * EXCLUDE (source_file, source_line, nth, may_be_copy) FROM numbered
  QUALIFY row_number() OVER (PARTITION BY rw_copy_key(kind, src_key, dst_name, process, ts), nth
                             ORDER BY rw_record_richness(url_path, method, user_agent, bytes_out, bytes_in) DESC,
                                      source_file, source_line) = 1
),
services AS (SELECT rw_dst_name(dst_host) AS dst_name, min(service_id) AS service_id FROM dst_services GROUP BY 1)
SELECT d.*, s.service_id, coalesce(s.service_id, d.dst_name) AS service_key
FROM deduplicated d LEFT JOIN services s ON s.dst_name = d.dst_name
WHERE d.src_key IS NOT NULL AND d.dst_name IS NOT NULL;

CREATE OR REPLACE MACRO rw_source_events() AS TABLE
SELECT * EXCLUDE (inbound) FROM rw_events_both_ways() WHERE NOT inbound;

CREATE OR REPLACE MACRO rw_source_roles() AS TABLE
SELECT rw_source_key(h.src_host, ih.host, h.src_ip) AS src_key,
  arg_max(h.role, h.role_origin = 'inventory') AS role,
  arg_max(h.business_unit, h.role_origin = 'inventory') AS business_unit,
  arg_max(h.role_origin, h.role_origin = 'inventory') AS role_origin
FROM host_roles h LEFT JOIN rw_ip_host_map() ih ON ih.src_ip = h.src_ip
WHERE coalesce(h.src_host, h.src_ip) IS NOT NULL
GROUP BY 1;

-- Filled by each analysis (baselines/1-scoped-events.sql); empty until the first.
CREATE TABLE IF NOT EXISTS rw_view_events (${VIEW_EVENT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')});

CREATE OR REPLACE MACRO rw_peer_share() AS TABLE
WITH used AS (
  SELECT DISTINCT e.src_key, e.service_key, coalesce(r.role, 'unknown') || ' / ' || coalesce(r.business_unit, 'unknown') AS peer_group
  FROM rw_view_events e LEFT JOIN rw_source_roles() r ON r.src_key = e.src_key
), sources AS (SELECT DISTINCT src_key, peer_group FROM used),
groups AS (SELECT peer_group, count(*) AS group_hosts FROM sources GROUP BY peer_group),
pairs AS (SELECT peer_group, service_key, count(*) AS hosts_using FROM used GROUP BY ALL)
SELECT s.src_key, p.service_key, s.peer_group, g.group_hosts - 1 AS peers,
  p.hosts_using - (u.src_key IS NOT NULL)::INTEGER AS peers_using
FROM sources s JOIN groups g USING (peer_group) JOIN pairs p USING (peer_group)
LEFT JOIN used u ON u.src_key = s.src_key AND u.service_key = p.service_key;
`;
