-- id: accounts
-- description: The adversary-side account each request addresses (bot, webhook, repository, paste, file, tunnel), read by the catalog's account patterns from host + path of every event to a catalogued service and from URLs in process command lines (Sysmon EID 1): one row per source, service and account, with where it was read and one request it was read from.
-- tables: rw_events, events, rw_ip_hosts, rw_window, catalog_accounts

CREATE OR REPLACE TEMP TABLE rw_accounts AS
WITH network AS (
  SELECT src_key, service_id, service_key, ts, kind,
    CASE WHEN coalesce(url_path, '') = '' THEN 'host name' ELSE 'url' END AS origin,
    regexp_replace(dst_name, ':[0-9]+$', '') || coalesce(url_path, '') AS request
  FROM rw_events WHERE service_id IS NOT NULL
), command_urls AS (
  SELECT coalesce(rw_short_host(e.src_host), ih.host, e.src_ip) AS src_key, e.ts, e.kind,
    unnest(regexp_extract_all(e.command_line, '[Hh][Tt][Tt][Pp][Ss]?://([^\s"''<>|^`]+)', 1)) AS url
  FROM events e LEFT JOIN rw_ip_hosts ih ON ih.src_ip = e.src_ip
  WHERE e.kind = 'process' AND contains(e.command_line, '://')
), commands AS (
  -- The same request shape as the network's: lower-case host without user information or port, then path and query.
  SELECT src_key, ts, kind, 'command line' AS origin,
    lower(regexp_replace(regexp_extract(url, '^([^/?#]*)', 1), '^[^@]*@|:[0-9]+$', '', 'g')) || regexp_extract(url, '^[^/?#]*(.*)$', 1) AS request
  FROM command_urls WHERE src_key IS NOT NULL
), network_hits AS (
  -- Each distinct request meets only its own service's patterns: a regex taken from a column is compiled per row.
  SELECT d.service_id, d.request, a.kind, regexp_extract(d.request, a.account_regex, 1) AS account_id
  FROM (SELECT DISTINCT service_id, request FROM network) d
  JOIN catalog_accounts a ON a.service_id = d.service_id AND regexp_matches(d.request, a.account_regex)
), command_hits AS (
  SELECT d.request, a.service_id, a.kind, regexp_extract(d.request, a.account_regex, 1) AS account_id
  FROM (SELECT DISTINCT request FROM commands) d
  JOIN catalog_accounts a ON regexp_matches(d.request, a.account_regex)
), hits AS (
  SELECT n.src_key, n.service_id, n.service_key, n.ts, n.kind AS record_kind, n.origin, n.request, h.kind, h.account_id
  FROM network n JOIN network_hits h ON h.service_id = n.service_id AND h.request = n.request
  UNION ALL
  SELECT c.src_key, h.service_id, h.service_id, c.ts, c.kind, c.origin, c.request, h.kind, h.account_id
  FROM commands c JOIN command_hits h ON h.request = c.request
)
SELECT h.src_key, h.service_id, h.service_key, h.kind, h.account_id,
  string_agg(DISTINCT h.origin, ', ' ORDER BY h.origin) AS origin, min(h.request) AS sample_request,
  -- Events as a finding's header counts them (a process start that names the URL is a record of its own kind).
  rw_event_count(h.record_kind) AS events, min(h.ts) AS first_seen, max(h.ts) AS last_seen,
  rw_event_count(CASE WHEN h.ts >= w.baseline_start AND h.ts < w.baseline_end THEN h.record_kind END) AS baseline_events
FROM hits h CROSS JOIN rw_window w
WHERE h.account_id <> ''
GROUP BY h.src_key, h.service_id, h.service_key, h.kind, h.account_id;
