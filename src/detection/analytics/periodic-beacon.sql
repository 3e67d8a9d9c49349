-- id: periodic-beacon
-- title: Periodic check-ins to a web service
-- attack: T1102
-- family: timing
-- probability: 0.55
-- description: A source talks to one destination on a schedule that a random stream of the same rate would not produce (period, jitter and p-value from the periodicity analysis); down-weighted when most peers, or several other sources anywhere, show the same cadence to the same service, which is how fleet software (sync clients, updaters, EDR telemetry) looks, and when the logs show only the service's catalogued clients (and browsers) reaching it from this source.
-- false_positive: Sync clients, updaters, monitoring agents and NTP-like pollers that only part of a peer group runs.
-- false_positive: Web pages with auto-refresh left open all day.
-- tables: periodicity_results, rw_sources, rw_peer_groups, rw_pair_clients, rw_events_both_ways, rw_window
-- param: periodic_min_score | double | 0.5 | minimum periodicity score (0..1) for a signal
-- param: fleet_share | double | 0.3 | share of peers with the same cadence to the same service above which the cadence is fleet behaviour
-- param: fleet_period_tolerance | double | 0.25 | relative period difference still counted as the same cadence
-- param: fleet_factor | double | 0.15 | weight multiplier for fleet cadences
-- param: fleet_min_peers | integer | 3 | peer-group size below which fleet behaviour cannot be judged
-- param: fleet_min_sources | integer | 3 | other sources anywhere with the same cadence to the same service that make it fleet behaviour
-- param: known_client_factor | double | 0.3 | weight multiplier when only catalogued clients of the service (and browsers) reach it from the source
-- param: failed_cadence_share | double | 0.9 | share of a pair's connections that failed above which its cadence is a retry loop (judged by the retry analytics), not a working check-in
-- param: failed_cadence_factor | double | 0.5 | weight multiplier for such a retry cadence
-- param: inbound_min_presence | double | 0.5 | for connections coming in from outside to one of our servers: the share of the detection window's parts holding any traffic (24 equal parts) in which the cadence must show up, since a public server's clients come and go and a beacon keeps coming
WITH hits AS (
  SELECT p.*, s.peer_group FROM periodicity_results p JOIN rw_sources s USING (src_key)
  WHERE p.periodic AND p.score >= getvariable('periodic_min_score')
), fleet AS (
  SELECT a.src_key, a.dst_name,
    count(DISTINCT b.src_key) FILTER (WHERE b.peer_group = a.peer_group) AS peers_same_cadence,
    count(DISTINCT b.src_key) AS sources_same_cadence
  FROM hits a JOIN hits b
    ON b.service_key = a.service_key AND b.src_key <> a.src_key
   AND abs(b.period_s - a.period_s) <= getvariable('fleet_period_tolerance') * a.period_s
  GROUP BY ALL
), window_parts AS (
  -- The detection window in 24 equal parts, and how many of them hold any event (a capture's gaps, and a long-open
  -- connection whose start lies days before the rest, are no part a check-in could have shown up in).
  SELECT w.detect_start, greatest(epoch(w.detect_end) - epoch(w.detect_start), 1) / 24 AS part_s,
    (SELECT count(DISTINCT least(floor((epoch(e.ts) - epoch(w.detect_start)) / greatest(epoch(w.detect_end) - epoch(w.detect_start), 1) * 24), 23))
     FROM rw_events_both_ways e WHERE e.in_detection) AS active_parts
  FROM rw_window w
), pair_events AS (
  -- Only the periodic pairs' events: the share of their connections that failed (refused, unanswered, denied),
  -- whether they came in from outside, and in how many of the window's active parts they showed up.
  SELECT e.src_key, e.dst_name,
    count(*) FILTER (WHERE e.kind IN ('flow', 'firewall') AND (e.action IN ('deny', 'drop', 'reset', 'block', 'blocked', 'denied')
                        OR list_contains(string_split(getvariable('failed_conn_states'), ','), e.conn_state)))
      / nullif(count(*) FILTER (WHERE e.kind IN ('flow', 'firewall')), 0) AS failed_share,
    bool_or(e.inbound) AS inbound,
    count(DISTINCT least(floor((epoch(e.ts) - epoch(w.detect_start)) / w.part_s), 23)) AS parts, any_value(w.active_parts) AS active_parts
  FROM rw_events_both_ways e JOIN hits h ON h.src_key = e.src_key AND h.dst_name = e.dst_name CROSS JOIN window_parts w
  WHERE e.in_detection
  GROUP BY ALL
), scored AS (
  SELECT h.*, coalesce(f.peers_same_cadence, 0) AS peers_same_cadence, g.hosts - 1 AS peers,
    coalesce(fl.failed_share >= getvariable('failed_cadence_share'), false) AS failing,
    coalesce(fl.inbound, false) AS inbound, coalesce(fl.parts, 0) AS parts, coalesce(fl.active_parts, 0) AS active_parts,
    coalesce(f.sources_same_cadence, 0) AS sources_same_cadence,
    (g.hosts >= getvariable('fleet_min_peers')
      AND coalesce(f.peers_same_cadence, 0) >= getvariable('fleet_share') * (g.hosts - 1))
      OR coalesce(f.sources_same_cadence, 0) >= getvariable('fleet_min_sources') AS fleet_cadence,
    coalesce(c.catalogued_events > 0 AND c.familiar_only, false) AS known_clients_only
  FROM hits h JOIN rw_peer_groups g USING (peer_group)
  LEFT JOIN fleet f ON f.src_key = h.src_key AND f.dst_name = h.dst_name
  LEFT JOIN rw_pair_clients c ON c.src_key = h.src_key AND c.service_key = h.service_key
  LEFT JOIN pair_events fl ON fl.src_key = h.src_key AND fl.dst_name = h.dst_name
)
SELECT 'periodic-beacon' AS signal_id, s.src_key, src.src_ip, src.src_host, src.src_user, NULL::VARCHAR AS process,
  s.service_id, s.dst_name AS dst_host,
  s.score * CASE WHEN s.fleet_cadence THEN getvariable('fleet_factor') ELSE 1 END
    * CASE WHEN s.known_clients_only THEN getvariable('known_client_factor') ELSE 1 END
    * CASE WHEN s.failing THEN getvariable('failed_cadence_factor') ELSE 1 END::DOUBLE AS weight,
  s.events::BIGINT AS events, s.first_seen, s.last_seen,
  format('{} contacts {} every {:.0f} s (jitter {:.0f} %{}){}{}{}{}', s.src_key, s.dst_name, s.period_s,
         100 * coalesce(s.jitter, 0), coalesce(printf(', p = %.3g', s.p_value), ''),
         CASE WHEN s.fleet_cadence
              THEN format('; {} of {} peers and {} sources in all show the same cadence to this service, so it is down-weighted as fleet software',
                          s.peers_same_cadence, s.peers, s.sources_same_cadence)
              ELSE '' END,
         CASE WHEN s.known_clients_only THEN '; only the service''s own catalogued clients reach it from this source, so it is down-weighted'
              ELSE '' END,
         CASE WHEN s.failing THEN '; almost every connection failed, so it is a retry cadence rather than a working check-in and is down-weighted'
              ELSE '' END,
         CASE WHEN s.inbound THEN format('; the connections come in from outside to {}, and keep coming: in {} of the {} parts of the window (a 24th each) that hold any traffic',
                                          s.dst_name, s.parts, s.active_parts)
              ELSE '' END) AS explanation,
  s.period_s AS evidence_period_s, s.jitter AS evidence_jitter, s.p_value AS evidence_p_value,
  s.other_periods_s AS evidence_other_periods_s, s.score AS evidence_periodicity_score,
  s.peers_same_cadence AS evidence_peers_same_cadence, s.sources_same_cadence AS evidence_sources_same_cadence,
  s.known_clients_only AS evidence_known_clients_only, s.failing AS evidence_failing_cadence, s.method AS evidence_method,
  s.inbound AS evidence_inbound, CASE WHEN s.inbound THEN s.parts END AS evidence_window_parts_seen,
  CASE WHEN s.inbound THEN s.active_parts END AS evidence_window_parts_active
FROM scored s JOIN rw_sources src USING (src_key)
-- From outside in, a public server's clients come and go (a burst each), many clients polling on one schedule are its
-- users, and an address that keeps retrying ports that refuse it is scanning, not checking in; a beacon keeps coming
-- on its own schedule and is answered.
WHERE NOT s.inbound
   OR (NOT s.failing AND NOT s.fleet_cadence AND s.parts >= s.active_parts * getvariable('inbound_min_presence'))
