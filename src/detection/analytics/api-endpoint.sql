-- id: api-endpoint
-- title: API endpoint of a web service used outside its own clients
-- attack: T1102, T1102.002, T1102.003
-- family: content
-- probability: 0.35
-- description: Requests hit URL paths the catalog lists as the service's API (bot APIs, webhooks, raw content, file upload/download) rather than its web pages, from a process and user agent that are not the service's catalogued clients; each call counts as a read or a write by what the catalog says its path is for (a download is a read whatever its method), else by its method, to tell one-way from bidirectional use. Raw content, downloads and uploads from a source that reaches the service only through web browsers and its catalogued clients weigh little (people open raw files and upload attachments); bot APIs and webhooks do not.
-- false_positive: Integrations and bots an organisation runs on purpose (approve them); developers testing an API.
-- tables: rw_events, rw_sources, catalog_paths, catalog_clients, rw_pair_clients
-- param: familiar_client_factor | double | 0.2 | weight multiplier when only web browsers and the service's catalogued clients reach it from the source
WITH path_uses AS (
  -- Each distinct path meets its service's patterns once: a regex taken from a column is compiled for every row.
  SELECT p.service_id, d.url_path, p.host_pattern, p.use
  FROM (SELECT DISTINCT service_id, url_path FROM rw_events
        WHERE in_detection AND url_path IS NOT NULL AND service_id IS NOT NULL) d
  JOIN catalog_paths p ON p.service_id = d.service_id AND regexp_matches(d.url_path, p.path_regex)
), requests AS (
  SELECT *, row_number() OVER () AS request FROM rw_events
  WHERE in_detection AND url_path IS NOT NULL AND service_id IS NOT NULL
), hits AS (
  -- One row per request with every use its path matches, so a path two patterns describe is still one call.
  SELECT e.request, any_value(e.src_key) AS src_key, any_value(e.service_id) AS service_id, any_value(e.process) AS process,
    any_value(e.process_name) AS process_name, any_value(e.user_agent) AS user_agent, any_value(e.ts) AS ts,
    any_value(e.dst_name) AS dst_name, any_value(e.kind) AS kind,
    rw_api_direction(list_distinct(list(p.use)), any_value(e.method)) AS direction, list_distinct(list(p.use)) AS uses
  FROM requests e
  JOIN path_uses p ON p.service_id = e.service_id AND p.url_path = e.url_path
   AND (p.host_pattern IS NULL OR e.dst_name = p.host_pattern OR e.dst_name LIKE '%.' || p.host_pattern)
  GROUP BY e.request
), outsiders AS (
  SELECT h.* FROM hits h
  WHERE NOT EXISTS (
    SELECT 1 FROM catalog_clients c WHERE c.service_id = h.service_id
      AND ((c.process_regex IS NOT NULL AND h.process_name IS NOT NULL AND regexp_matches(h.process_name, c.process_regex, 'i'))
        OR (c.ua_regex IS NOT NULL AND h.user_agent IS NOT NULL AND regexp_matches(h.user_agent, c.ua_regex, 'i'))))
), per_kind AS (
  -- A call the proxy and Zeek both logged is one call (rw_event_count): the log type that saw most speaks, and its
  -- reads and writes are the split quoted.
  SELECT src_key, service_id, process, kind, count(*) AS records,
    count(*) FILTER (WHERE direction = 'read') AS reads, count(*) FILTER (WHERE direction = 'write') AS writes
  FROM outsiders GROUP BY ALL
), pairs AS (
  SELECT o.src_key, o.service_id, o.process, min(o.ts) AS first_seen, max(o.ts) AS last_seen,
    mode(o.dst_name ORDER BY o.dst_name) AS dst_name, list_sort(list_distinct(flatten(list(o.uses)))) AS uses,
    rw_event_count(o.kind) AS events, any_value(k.reads) AS reads, any_value(k.writes) AS writes
  FROM outsiders o
  JOIN (SELECT src_key, service_id, process, arg_max(reads, (records, kind)) AS reads, arg_max(writes, (records, kind)) AS writes
        FROM per_kind GROUP BY ALL) k
    ON k.src_key = o.src_key AND k.service_id = o.service_id AND k.process IS NOT DISTINCT FROM o.process
  GROUP BY o.src_key, o.service_id, o.process
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
