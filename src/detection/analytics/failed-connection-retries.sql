-- id: failed-connection-retries
-- title: Persistent retries that keep failing
-- attack: T1102
-- family: timing
-- probability: 0.2
-- description: A source keeps trying a web service or destination although most attempts are refused, reset, unanswered or denied (an implant retrying a blocked or dead channel); people give up after a few tries.
-- false_positive: Software whose licence or update server was blocked by policy; a misconfigured proxy.
-- tables: rw_events, rw_sources
-- param: retry_min_failures | integer | 20 | failed attempts a pair needs
-- param: retry_min_failure_share | double | 0.6 | share of the pair's attempts that failed
-- param: retry_min_span_s | double | 600 | seconds the failures must spread over
-- param: failed_conn_states | varchar | S0,REJ,RSTO,RSTOS0,RSTR,RSTRH,SH,SHR,OTH | connection states that mean the connection failed
WITH attempts AS NOT MATERIALIZED (
  -- Read twice (all pairs, then the names of the few that qualify): not worth a materialized copy of the events.
  SELECT src_key, service_id, dst_name, ts, kind,
    action IN ('deny', 'drop', 'reset', 'block', 'blocked', 'denied')
      OR list_contains(string_split(getvariable('failed_conn_states'), ','), conn_state)
      OR (kind = 'proxy' AND status IN (403, 407, 502, 503, 504)) AS failed
  FROM rw_events WHERE in_detection AND kind IN ('flow', 'proxy', 'firewall', 'http')
    AND NOT coalesce(list_contains(string_split(getvariable('name_resolution_ports'), ','), CAST(dst_port AS VARCHAR)), false)
), per_kind AS (
  SELECT src_key, coalesce(service_id, dst_name) AS target, any_value(service_id) AS service_id, kind,
    count(*) AS attempts, count(*) FILTER (WHERE failed) AS failures,
    min(ts) FILTER (WHERE failed) AS first_seen, max(ts) FILTER (WHERE failed) AS last_seen
  FROM attempts GROUP BY src_key, coalesce(service_id, dst_name), kind
), pairs AS (
  SELECT * FROM per_kind QUALIFY row_number() OVER (PARTITION BY src_key, target ORDER BY failures DESC, kind) = 1
), retried AS (
  SELECT * FROM pairs
  WHERE failures >= getvariable('retry_min_failures')
    AND failures >= getvariable('retry_min_failure_share') * attempts
    AND epoch(last_seen - first_seen) >= getvariable('retry_min_span_s')
), names AS (
  -- The most common name only for the pairs that qualify: an ordered mode() over every pair was most of the cost.
  SELECT a.src_key, r.target, a.kind, mode(a.dst_name ORDER BY a.dst_name) AS dst_name
  FROM attempts a JOIN retried r ON r.src_key = a.src_key AND r.target = coalesce(a.service_id, a.dst_name) AND r.kind = a.kind
  GROUP BY ALL
)
SELECT 'failed-connection-retries' AS signal_id, p.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  p.service_id, n.dst_name AS dst_host, p.failures / p.attempts AS weight, p.failures AS events, p.first_seen, p.last_seen,
  format('{} failed {} of {} attempts to reach {} ({} log) over {:.1f} hours and kept retrying',
         p.src_key, p.failures, p.attempts, p.target, p.kind, epoch(p.last_seen - p.first_seen) / 3600) AS explanation,
  p.failures AS evidence_failures, p.attempts AS evidence_attempts
FROM retried p JOIN names n USING (src_key, target, kind) JOIN rw_sources s USING (src_key)
