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
-- What two copies of one observation share (an event is a copy key's n-th record in any file): kind, source key,
-- destination name, process and second. Copies of a log agree on all of them; two sensors (an endpoint's flow with
-- its process, a network sensor's without) do not, so only copies merge.
CREATE OR REPLACE MACRO rw_copy_key(kind, src_key, dst_name, process, ts) AS
  [kind, src_key, dst_name, coalesce(process, ''), CAST(epoch(date_trunc('second', ts)) AS VARCHAR)];
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
 * IP -> host name, as a table macro over events, host_roles and inventory (so the context layer creates it, once
 * those tables exist): the inventory row that lists both first (so hosts only Zeek or a firewall sees are keyed by
 * name like the rest), then sources whose inventory entry matched by name, then logs that carry both (Sysmon, EDR).
 */
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
`;
