-- id: first-seen-after-baseline
-- title: New service, process or user agent after the baseline
-- attack: T1102
-- family: context
-- probability: 0.25
-- description: A host active during the baseline starts using a catalogued web service after it, or reaches a service it already used with a process or user agent it never used for it. Weak when only web browsers and the service's catalogued clients reach it from the host and hosts of its peer group already used it in the baseline: people open new sites and install common apps every day.
-- false_positive: New software roll-outs and browser updates (new user-agent strings) shortly after the baseline.
-- false_positive: A baseline too short to see weekly habits.
-- tables: rw_host_service, rw_process_service, rw_ua_service, rw_host_baseline, rw_window, rw_sources, rw_pair_clients, rw_peer_service
-- param: new_process_strength | double | 0.8 | weight of a new process for an already used service
-- param: new_user_agent_strength | double | 0.5 | weight of a new user agent for an already used service
-- param: familiar_client_factor | double | 0.2 | weight multiplier when only web browsers and the service's catalogued clients reach it from the source
WITH window_edge AS (SELECT baseline_end FROM rw_window),
new_service AS (
  SELECT hs.src_key, NULL::VARCHAR AS process, hs.service_id, hs.service_key, 1.0::DOUBLE AS weight, hs.events, hs.first_seen, hs.last_seen,
    'service' AS what, hs.service_key AS item
  FROM rw_host_service hs, window_edge w
  WHERE hs.service_id IS NOT NULL AND hs.first_seen >= w.baseline_end
), new_process AS (
  SELECT p.src_key, p.process, hs.service_id, p.service_key, getvariable('new_process_strength'), p.events, p.first_seen, hs.last_seen,
    'process', p.process
  FROM rw_process_service p JOIN rw_host_service hs USING (src_key, service_key), window_edge w
  WHERE hs.service_id IS NOT NULL AND p.first_seen >= w.baseline_end AND hs.first_seen < w.baseline_end
), new_user_agent AS (
  SELECT u.src_key, NULL::VARCHAR, hs.service_id, u.service_key, getvariable('new_user_agent_strength'), u.events, u.first_seen, hs.last_seen,
    'user agent', left(u.user_agent, 120)
  FROM rw_ua_service u JOIN rw_host_service hs USING (src_key, service_key), window_edge w
  WHERE hs.service_id IS NOT NULL AND u.first_seen >= w.baseline_end AND hs.first_seen < w.baseline_end
), hits AS (
  SELECT * FROM new_service UNION ALL SELECT * FROM new_process UNION ALL SELECT * FROM new_user_agent
), judged AS (
  SELECT h.*, coalesce(pc.familiar_only, false) AND coalesce(ps.baseline_hosts, 0) > 0 AS familiar_habit,
    coalesce(ps.baseline_hosts, 0) AS peers_in_baseline
  FROM hits h JOIN rw_sources src USING (src_key)
  LEFT JOIN rw_pair_clients pc ON pc.src_key = h.src_key AND pc.service_key = h.service_key
  LEFT JOIN rw_peer_service ps ON ps.peer_group = src.peer_group AND ps.service_key = h.service_key
)
SELECT 'first-seen-after-baseline' AS signal_id, h.src_key, src.src_ip, src.src_host, src.src_user, h.process,
  h.service_id, h.service_key AS dst_host,
  h.weight * CASE WHEN h.familiar_habit THEN getvariable('familiar_client_factor') ELSE 1 END::DOUBLE AS weight,
  h.events, h.first_seen, h.last_seen,
  concat(
    CASE h.what WHEN 'service' THEN format('{} first used {} on {}, {:.1f} days after the baseline ended; {} events since',
                                           h.src_key, h.service_key, strftime(h.first_seen, '%Y-%m-%d %H:%M UTC'),
                                           epoch(h.first_seen - w.baseline_end) / 86400, h.events)
         ELSE format('{} reached {} with the new {} "{}" on {} ({} events); it used the service before with others',
                     h.src_key, h.service_key, h.what, h.item, strftime(h.first_seen, '%Y-%m-%d %H:%M UTC'), h.events) END,
    CASE WHEN h.familiar_habit THEN format('; only through browsers and the service''s own clients, and {} peer host(s) used it in the baseline, so weak',
                                          h.peers_in_baseline) END) AS explanation,
  h.what AS evidence_new, h.item AS evidence_item,
  epoch(h.first_seen - w.baseline_end) / 86400 AS evidence_days_after_baseline, h.familiar_habit AS evidence_familiar_habit
FROM judged h JOIN rw_host_baseline hb ON hb.src_key = h.src_key
JOIN rw_sources src ON src.src_key = h.src_key, window_edge w
