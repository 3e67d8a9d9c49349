-- id: finding-key-facts
-- description: The numbers a finding's header states, per finding key in rw_finding_keys (source, service and, for a process-level finding, its process): events (rw_event_count: each counted once however many copies of a log saw it; when several log types saw the traffic, the type that saw most speaks), first and last seen, bytes out and in, over the detection window. A process-level finding counts the rows of its process and the rows that name no process (a proxy line cannot say which process sent it), as its log-record table does.
-- tables: rw_events_both_ways, rw_finding_keys
WITH scoped AS (
  SELECT k.src_key, k.service_key, k.process AS key_process, e.kind, e.ts, e.bytes_out, e.bytes_in
  FROM rw_events_both_ways e
  JOIN rw_finding_keys k ON k.src_key = e.src_key AND k.service_key = e.service_key
  WHERE e.in_detection AND (k.process IS NULL OR e.process IS NULL OR lower(e.process) = lower(k.process))
), per_kind AS (
  -- Bytes as events: the log type with the most bytes speaks, so one connection logged twice is not summed twice.
  SELECT src_key, service_key, key_process, kind, sum(bytes_out) AS bytes_out, sum(bytes_in) AS bytes_in
  FROM scoped GROUP BY ALL
), bytes AS (
  SELECT src_key, service_key, key_process, max(bytes_out) AS bytes_out, max(bytes_in) AS bytes_in FROM per_kind GROUP BY ALL
)
SELECT s.src_key, s.service_key, s.key_process AS process, rw_event_count(s.kind) AS events, b.bytes_out, b.bytes_in,
  min(s.ts) AS first_seen, max(s.ts) AS last_seen
FROM scoped s
JOIN bytes b ON b.src_key = s.src_key AND b.service_key = s.service_key AND b.key_process IS NOT DISTINCT FROM s.key_process
GROUP BY s.src_key, s.service_key, s.key_process, b.bytes_out, b.bytes_in
ORDER BY s.src_key, s.service_key, s.key_process
