-- id: periodicity-candidates
-- description: Source/destination pairs with enough events for timing analysis, each with its event times in epoch seconds from one log kind, and, when endpoint logs name several processes behind the pair, each process's own times (the runner dedupes and analyses them in TypeScript, and keeps the strongest series). No fixed span is required: the analysis judges a pair on the cycles it shows (at least 4 of a period), so a 20-minute lab capture with hundreds of evenly spaced connections is judged like a week of them.
-- tables: rw_events_both_ways
-- param: periodic_min_events | integer | 8 | distinct event seconds a pair needs before its timing is analysed
-- param: periodic_min_span_s | double | 0 | seconds between a pair's first and last event before its timing is analysed (0: the cycles decide)
-- param: periodic_max_times | integer | 20000 | event times passed to the analysis per pair (the earliest ones)
-- param: periodic_max_candidates | integer | 5000 | pairs analysed, busiest first
-- param: periodicity_kinds | varchar | flow,http,tls,proxy,firewall | event kinds used for timing (DNS is left out: resolver caches impose their own TTL rhythm)
-- param: name_resolution_ports | varchar | 53,5353,5355 | destination ports of name lookups (DNS, mDNS, LLMNR), left out of timing and retry analysis like DNS records: resolvers retry and poll on their own rhythm
-- param: periodic_dedupe_s | double | 1 | event times closer than this to the previous kept one are one request seen by several logs (applied before timing analysis)
WITH timed AS NOT MATERIALIZED (
  -- Read twice below, straight from the table: a materialized copy of every event would double the memory peak. Connections
  -- coming in from outside are timed too: an outside address checking in with one of our servers like a machine.
  -- A flow log's report of a later capture window is no new connection: its time is the window's.
  SELECT src_key, dst_name, kind, service_id, service_key, ts, process_id FROM rw_events_both_ways
  WHERE in_detection AND NOT continued AND list_contains(string_split(getvariable('periodicity_kinds'), ','), kind)
    AND NOT coalesce(list_contains(string_split(getvariable('name_resolution_ports'), ','), CAST(dst_port AS VARCHAR)), false)
), seconds AS (
  -- One row per pair, kind and second: cheaper than count(DISTINCT second) and a sorted list(ts) over every pair;
  -- only the chosen pairs' times are listed below.
  SELECT src_key, dst_name, kind, CAST(floor(epoch(ts)) AS BIGINT) AS second, count(*) AS events,
    min(service_id) AS service_id, min(service_key) AS service_key, min(ts) AS first_seen, max(ts) AS last_seen
  FROM timed GROUP BY ALL
), per_kind AS (
  SELECT src_key, dst_name, kind, min(service_id) AS service_id, min(service_key) AS service_key, sum(events)::BIGINT AS events,
    count(*) AS seconds, min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM seconds GROUP BY src_key, dst_name, kind
), ranked AS (
  -- One log kind per pair, the one that saw it most: logs of one connection keep different clocks (Sysmon's UtcTime,
  -- a Windows firewall event's collector time seconds later), and interleaving them blurs the rhythm.
  SELECT * FROM per_kind
  WHERE seconds >= getvariable('periodic_min_events')
    AND epoch(last_seen) - epoch(first_seen) >= getvariable('periodic_min_span_s')
  QUALIFY row_number() OVER (PARTITION BY src_key, dst_name ORDER BY seconds DESC, kind) = 1
  ORDER BY events DESC, src_key, dst_name
  LIMIT CAST(getvariable('periodic_max_candidates') AS BIGINT)
), per_process AS (
  -- Two implants (or an implant and an injected copy) on one pair interleave their check-ins; each process's own
  -- times keep its rhythm.
  SELECT t.src_key, t.dst_name, t.process_id,
    list_slice(list_sort(list(epoch(t.ts))), 1, CAST(getvariable('periodic_max_times') AS BIGINT)) AS times
  FROM ranked r JOIN timed t ON t.src_key = r.src_key AND t.dst_name = r.dst_name AND t.kind = r.kind
  WHERE t.process_id IS NOT NULL
  GROUP BY ALL HAVING count(*) >= getvariable('periodic_min_events')
), process_lists AS (
  SELECT src_key, dst_name, list(times ORDER BY process_id) AS process_times_s FROM per_process
  GROUP BY ALL HAVING count(*) >= 2
)
SELECT r.src_key, r.dst_name, r.service_id, r.service_key, r.events, r.first_seen, r.last_seen,
  list_slice(list_sort(list(epoch(t.ts))), 1, CAST(getvariable('periodic_max_times') AS BIGINT)) AS times_s,
  any_value(p.process_times_s) AS process_times_s
FROM ranked r JOIN timed t ON t.src_key = r.src_key AND t.dst_name = r.dst_name AND t.kind = r.kind
LEFT JOIN process_lists p ON p.src_key = r.src_key AND p.dst_name = r.dst_name
GROUP BY r.src_key, r.dst_name, r.service_id, r.service_key, r.events, r.first_seen, r.last_seen
ORDER BY r.events DESC, r.src_key, r.dst_name
