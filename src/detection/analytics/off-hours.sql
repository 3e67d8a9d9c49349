-- id: off-hours
-- title: Activity in hours the host and its peers are quiet
-- attack: T1102
-- family: context
-- probability: 0.2
-- description: After the baseline, a host uses a catalogued web service in hours (hour of week when the baseline covers a week, else hour of day, UTC) that held almost none of its own baseline activity nor its peer group's. Only hours the baseline window spans are judged: an hour the baseline never saw is unknown, not quiet.
-- false_positive: Scheduled jobs and updates that start after the baseline; staff travelling or on call.
-- tables: rw_events, rw_hour_profile, rw_host_baseline, rw_window, rw_sources
-- param: quiet_share | double | 0.01 | an hour is quiet when it held at most this share of the host's (and the peer group's) baseline events
-- param: off_hours_min_events | integer | 3 | quiet-hour events a pair needs
-- param: off_hours_min_share | double | 0.2 | share of the pair's post-baseline events that fall in quiet hours
-- param: min_baseline_events | integer | 50 | baseline events a host needs for its hour profile to be trusted
WITH weekly AS (
  SELECT epoch(baseline_end - baseline_start) >= 7 * 86400 AS by_week FROM rw_window
), covered AS (
  SELECT DISTINCT CASE WHEN by_week THEN dayofweek(h) ELSE -1 END AS dow, hour(h) AS hour FROM (
    SELECT unnest(generate_series(date_trunc('hour', baseline_start), baseline_end - INTERVAL 1 SECOND, INTERVAL 1 HOUR)) AS h
    FROM rw_window
  ), weekly
), host_hours AS (
  SELECT src_key, CASE WHEN by_week THEN dow ELSE -1 END AS dow, hour, sum(events) AS n
  FROM rw_hour_profile, weekly GROUP BY ALL
), peer_hours AS (
  SELECT peer_group, CASE WHEN by_week THEN dow ELSE -1 END AS dow, hour, sum(events) AS n
  FROM rw_hour_profile, weekly GROUP BY ALL
), host_total AS (SELECT src_key, sum(n) AS n FROM host_hours GROUP BY src_key),
peer_total AS (SELECT peer_group, sum(n) AS n FROM peer_hours GROUP BY peer_group),
pair_events AS (
  SELECT e.src_key, e.service_id, e.peer_group, e.ts, e.dst_name, e.kind,
    CASE WHEN by_week THEN dayofweek(e.ts) ELSE -1 END AS dow, hour(e.ts) AS hour
  FROM rw_events e, weekly
  WHERE e.in_detection AND NOT e.in_baseline AND e.service_id IS NOT NULL
), judged AS (
  SELECT p.*,
    coalesce(hh.n, 0) <= getvariable('quiet_share') * ht.n
      AND coalesce(ph.n, 0) <= getvariable('quiet_share') * pt.n AS quiet
  FROM pair_events p
  JOIN covered c ON c.dow = p.dow AND c.hour = p.hour
  JOIN host_total ht ON ht.src_key = p.src_key
  JOIN peer_total pt ON pt.peer_group = p.peer_group
  LEFT JOIN host_hours hh ON hh.src_key = p.src_key AND hh.dow = p.dow AND hh.hour = p.hour
  LEFT JOIN peer_hours ph ON ph.peer_group = p.peer_group AND ph.dow = p.dow AND ph.hour = p.hour
  WHERE ht.n >= getvariable('min_baseline_events')
), pairs AS (
  SELECT src_key, service_id, mode(dst_name ORDER BY dst_name) AS dst_name, rw_event_count(kind) AS events,
    rw_event_count(CASE WHEN quiet THEN kind END) AS quiet_events,
    min(ts) FILTER (WHERE quiet) AS first_seen, max(ts) FILTER (WHERE quiet) AS last_seen,
    list_sort(list_distinct(list(hour) FILTER (WHERE quiet))) AS quiet_hours
  FROM judged GROUP BY src_key, service_id
)
SELECT 'off-hours' AS signal_id, p.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  p.service_id, p.dst_name AS dst_host, p.quiet_events / p.events AS weight,
  p.quiet_events AS events, p.first_seen, p.last_seen,
  format('{} of {} post-baseline events from {} to {} fell in hours (UTC {}) when the host and its peers were quiet in the baseline',
         p.quiet_events, p.events, p.src_key, p.service_id, array_to_string(p.quiet_hours, ', ')) AS explanation,
  p.quiet_events AS evidence_quiet_events, p.events AS evidence_post_baseline_events,
  array_to_string(p.quiet_hours, ',') AS evidence_quiet_hours_utc
FROM pairs p JOIN rw_sources s USING (src_key)
WHERE p.quiet_events >= getvariable('off_hours_min_events')
  AND p.quiet_events >= getvariable('off_hours_min_share') * p.events
