-- id: finding-key-facts
-- description: The numbers a finding's header states, per finding key in rw_finding_keys (source, service and, for a process-level finding, its process): events (each counted once however many copies of a log saw it; when several log types saw the traffic, the type that saw most speaks), first and last seen, bytes out and in, over the detection window. A process-level finding counts the rows of its process and the rows that name no process (a proxy line cannot say which process sent it), as its log-record table does.
-- tables: rw_events_both_ways, rw_finding_keys
WITH scoped AS (
  SELECT k.src_key, k.service_key, k.process AS key_process, e.kind, e.ts, e.bytes_out, e.bytes_in
  FROM rw_events_both_ways e
  JOIN rw_finding_keys k ON k.src_key = e.src_key AND k.service_key = e.service_key
  WHERE e.in_detection AND (k.process IS NULL OR e.process IS NULL OR lower(e.process) = lower(k.process))
), per_kind AS (
  SELECT src_key, service_key, key_process, kind, count(*) AS n, sum(bytes_out) AS bytes_out, sum(bytes_in) AS bytes_in
  FROM scoped GROUP BY ALL
)
SELECT p.src_key, p.service_key, p.key_process AS process, max(p.n) AS events, max(p.bytes_out) AS bytes_out,
  max(p.bytes_in) AS bytes_in, s.first_seen, s.last_seen
FROM per_kind p
JOIN (SELECT src_key, service_key, key_process, min(ts) AS first_seen, max(ts) AS last_seen FROM scoped GROUP BY ALL) s
  ON s.src_key = p.src_key AND s.service_key = p.service_key AND s.key_process IS NOT DISTINCT FROM p.key_process
GROUP BY p.src_key, p.service_key, p.key_process, s.first_seen, s.last_seen
ORDER BY p.src_key, p.service_key, p.key_process
