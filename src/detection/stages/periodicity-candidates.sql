-- id: periodicity-candidates
-- description: Source/destination pairs with enough events over a long enough span for timing analysis, each with its event times in epoch seconds (the runner dedupes and analyses them in TypeScript).
-- tables: rw_events
-- param: periodic_min_events | integer | 8 | distinct event seconds a pair needs before its timing is analysed
-- param: periodic_min_span_s | double | 1800 | seconds between a pair's first and last event before its timing is analysed
-- param: periodic_max_times | integer | 20000 | event times passed to the analysis per pair (the earliest ones)
-- param: periodic_max_candidates | integer | 5000 | pairs analysed, busiest first
-- param: periodicity_kinds | varchar | flow,http,tls,proxy,firewall | event kinds used for timing (DNS is left out: resolver caches impose their own TTL rhythm)
-- param: periodic_dedupe_s | double | 1 | event times closer than this to the previous kept one are one request seen by several logs (applied before timing analysis)
SELECT src_key, dst_name, min(service_id) AS service_id, min(service_key) AS service_key, count(*) AS events,
  min(ts) AS first_seen, max(ts) AS last_seen,
  list_slice(list(epoch(ts) ORDER BY ts), 1, CAST(getvariable('periodic_max_times') AS BIGINT)) AS times_s
FROM rw_events
WHERE in_detection AND list_contains(string_split(getvariable('periodicity_kinds'), ','), kind)
GROUP BY src_key, dst_name
HAVING count(DISTINCT CAST(floor(epoch(ts)) AS BIGINT)) >= getvariable('periodic_min_events')
   AND epoch(max(ts)) - epoch(min(ts)) >= getvariable('periodic_min_span_s')
ORDER BY events DESC, src_key, dst_name
LIMIT CAST(getvariable('periodic_max_candidates') AS BIGINT)
