-- id: finding-baseline
-- description: The finding keys in rw_finding_keys whose behaviour was already there in the baseline: the source used the service at least established_min_events times then, a process-level key's process did too, and a host-level key's pair met no process, user agent or TLS fingerprint after the baseline that it had not used in it. Installed software (backup agents, sync clients, CI jobs) looks like this; an implant that arrived after the baseline does not.
-- tables: rw_finding_keys, rw_host_service, rw_process_service, rw_ua_service, rw_events_both_ways
-- param: established_min_events | integer | 3 | baseline events a pair (and a process-level finding's process) needs to count as established
WITH new_clients AS (
  SELECT src_key, service_key FROM rw_process_service WHERE baseline_events = 0
  UNION
  SELECT src_key, service_key FROM rw_ua_service WHERE baseline_events = 0
  UNION
  SELECT src_key, service_key FROM rw_events_both_ways
  WHERE tls_ja3 IS NOT NULL
  GROUP BY src_key, service_key, tls_ja3 HAVING count(*) FILTER (WHERE in_baseline) = 0
)
-- A baseline too short to tell a habit from something new does not exist (baseline_min_hours, 1-scoped-events.sql):
-- then no key has baseline events, and none is established.
SELECT k.src_key, k.service_key, k.process, hs.baseline_events, ps.baseline_events AS process_baseline_events
FROM rw_finding_keys k
JOIN rw_host_service hs ON hs.src_key = k.src_key AND hs.service_key = k.service_key
LEFT JOIN rw_process_service ps ON ps.src_key = k.src_key AND ps.service_key = k.service_key AND ps.process = k.process
WHERE hs.baseline_events >= getvariable('established_min_events')
  AND CASE WHEN k.process IS NULL
           THEN NOT EXISTS (SELECT 1 FROM new_clients n WHERE n.src_key = k.src_key AND n.service_key = k.service_key)
           ELSE coalesce(ps.baseline_events, 0) >= getvariable('established_min_events') END
ORDER BY k.src_key, k.service_key, k.process
