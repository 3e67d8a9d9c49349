-- id: periodicity-candidates
-- description: Source/destination pairs with enough events over a long enough span for timing analysis, each with its event times in epoch seconds (the runner dedupes and analyses them in TypeScript).
-- tables: rw_events
-- param: periodic_min_events | integer | 8 | distinct event seconds a pair needs before its timing is analysed
-- param: periodic_min_span_s | double | 1800 | seconds between a pair's first and last event before its timing is analysed
-- param: periodic_max_times | integer | 20000 | event times passed to the analysis per pair (the earliest ones)
-- param: periodic_max_candidates | integer | 5000 | pairs analysed, busiest first
-- param: periodicity_kinds | varchar | flow,http,tls,proxy,firewall | event kinds used for timing (DNS is left out: resolver caches impose their own TTL rhythm)
-- param: periodic_dedupe_s | double | 1 | event times closer than this to the previous kept one are one request seen by several logs (applied before timing analysis)
WITH timed AS NOT MATERIALIZED (
  -- Read twice below, straight from rw_events: a materialized copy of every event would double the memory peak.
  SELECT src_key, dst_name, service_id, service_key, ts FROM rw_events
  WHERE in_detection AND list_contains(string_split(getvariable('periodicity_kinds'), ','), kind)
), seconds AS (
  -- One row per pair and second: cheaper than count(DISTINCT second) and a sorted list(ts) over every pair;
  -- only the chosen pairs' times are listed below.
  SELECT src_key, dst_name, CAST(floor(epoch(ts)) AS BIGINT) AS second, count(*) AS events,
    min(service_id) AS service_id, min(service_key) AS service_key, min(ts) AS first_seen, max(ts) AS last_seen
  FROM timed GROUP BY ALL
), ranked AS (
  SELECT src_key, dst_name, min(service_id) AS service_id, min(service_key) AS service_key, sum(events)::BIGINT AS events,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM seconds GROUP BY src_key, dst_name
  HAVING count(*) >= getvariable('periodic_min_events')
     AND epoch(max(last_seen)) - epoch(min(first_seen)) >= getvariable('periodic_min_span_s')
  ORDER BY events DESC, src_key, dst_name
  LIMIT CAST(getvariable('periodic_max_candidates') AS BIGINT)
)
SELECT r.src_key, r.dst_name, r.service_id, r.service_key, r.events, r.first_seen, r.last_seen,
  list_slice(list_sort(list(epoch(t.ts))), 1, CAST(getvariable('periodic_max_times') AS BIGINT)) AS times_s
FROM ranked r JOIN timed t ON t.src_key = r.src_key AND t.dst_name = r.dst_name
GROUP BY ALL
ORDER BY r.events DESC, r.src_key, r.dst_name
