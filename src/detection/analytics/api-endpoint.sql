-- id: api-endpoint
-- title: API endpoint of a web service used outside its own clients
-- attack: T1102, T1102.002, T1102.003
-- family: content
-- probability: 0.35
-- description: Requests hit URL paths the catalog lists as the service's API (bot APIs, webhooks, raw content, file upload/download) rather than its web pages, from a process and user agent that are not the service's catalogued clients; reads and writes are counted to tell one-way from bidirectional use. Raw content, downloads and uploads from a source that reaches the service only through web browsers and its catalogued clients weigh little (people open raw files and upload attachments); bot APIs and webhooks do not.
-- false_positive: Integrations and bots an organisation runs on purpose (approve them); developers testing an API.
-- tables: rw_events, rw_sources, catalog_paths, catalog_clients, rw_pair_clients
-- param: familiar_client_factor | double | 0.2 | weight multiplier when only web browsers and the service's catalogued clients reach it from the source
WITH path_uses AS (
  -- Each distinct path meets its service's patterns once: a regex taken from a column is compiled for every row.
  SELECT p.service_id, d.url_path, p.host_pattern, p.use
  FROM (SELECT DISTINCT service_id, url_path FROM rw_events
        WHERE in_detection AND url_path IS NOT NULL AND service_id IS NOT NULL) d
  JOIN catalog_paths p ON p.service_id = d.service_id AND regexp_matches(d.url_path, p.path_regex)
), hits AS (
  SELECT e.src_key, e.service_id, e.process, e.process_name, e.user_agent, e.ts, e.dst_name, e.method, p.use
  FROM rw_events e
  JOIN path_uses p ON p.service_id = e.service_id AND p.url_path = e.url_path
   AND (p.host_pattern IS NULL OR e.dst_name = p.host_pattern OR e.dst_name LIKE '%.' || p.host_pattern)
  WHERE e.in_detection
), outsiders AS (
  SELECT h.* FROM hits h
  WHERE NOT EXISTS (
    SELECT 1 FROM catalog_clients c WHERE c.service_id = h.service_id
      AND ((c.process_regex IS NOT NULL AND h.process_name IS NOT NULL AND regexp_matches(h.process_name, c.process_regex, 'i'))
        OR (c.ua_regex IS NOT NULL AND h.user_agent IS NOT NULL AND regexp_matches(h.user_agent, c.ua_regex, 'i'))))
), pairs AS (
  SELECT src_key, service_id, process, count(*) AS events, min(ts) AS first_seen, max(ts) AS last_seen,
    mode(dst_name ORDER BY dst_name) AS dst_name, list_sort(list_distinct(list(use))) AS uses,
    count(*) FILTER (WHERE method IN ('GET', 'HEAD')) AS reads,
    count(*) FILTER (WHERE method IN ('POST', 'PUT', 'PATCH', 'DELETE')) AS writes
  FROM outsiders GROUP BY src_key, service_id, process
)
SELECT 'api-endpoint' AS signal_id, p.src_key, s.src_ip, s.src_host, s.src_user, p.process,
  p.service_id, p.dst_name AS dst_host,
  CASE WHEN p.machine_api THEN 1.0
       WHEN list_contains(p.uses, 'file-upload') THEN 0.8
       WHEN list_contains(p.uses, 'raw-content') THEN 0.7 ELSE 0.6 END
    * CASE WHEN p.familiar_only AND NOT p.machine_api THEN getvariable('familiar_client_factor') ELSE 1 END::DOUBLE AS weight,
  p.events, p.first_seen, p.last_seen,
  concat(format('{} called the {} API of {} {} times ({} reads, {} writes){}', p.src_key, array_to_string(p.uses, '/'),
                p.service_id, p.events, p.reads, p.writes, coalesce(' from ' || p.process, '')),
         CASE WHEN p.familiar_only AND NOT p.machine_api THEN '; only browsers and the service''s own clients reach it from this source, so weak' END) AS explanation,
  array_to_string(p.uses, ',') AS evidence_uses, p.reads AS evidence_reads, p.writes AS evidence_writes,
  p.familiar_only AS evidence_familiar_clients_only
FROM (
  SELECT pairs.*, list_has_any(pairs.uses, ['bot-api', 'webhook']) AS machine_api, coalesce(pc.familiar_only, false) AS familiar_only
  FROM pairs LEFT JOIN rw_pair_clients pc ON pc.src_key = pairs.src_key AND pc.service_key = pairs.service_id
) p JOIN rw_sources s USING (src_key)
