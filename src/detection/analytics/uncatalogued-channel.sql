-- id: uncatalogued-channel
-- title: Command-and-control shape to an uncatalogued destination
-- attack: T1071, T1571
-- family: context
-- probability: 0.45
-- description: A source holds a long session that carries data, keeps reconnecting although it fails, checks in on a machine-regular schedule, or reaches it from a binary that runs other code and needs no network itself (a catalog process role 'proxy-executor': Windows system binary proxy execution such as InstallUtil, regsvr32, mshta; a Unix shell, whose own socket is a reverse shell): a single connection of theirs is evidence with a destination outside the web-service catalog (a raw IP, a lab or internal address, an odd port): how C2 frameworks behave when they do not hide in a web service. Stronger when the destination has no name (no DNS, SNI or Host) and when its port is not a common service port. The catalog only ranks web-service C2 of equal evidence higher; strong evidence to an uncatalogued destination is never dropped.
-- false_positive: Internal services on unusual ports (backup agents, monitoring collectors, remote-desktop gateways) and long SSH or database sessions.
-- false_positive: A client retrying a server that is down.
-- tables: rw_events, rw_sources, periodicity_results, catalog_process_roles
-- param: session_min_s | double | 120 | seconds a connection must stay open to be a session rather than a request (web requests, API calls and lookups last seconds)
-- param: session_min_bytes | double | 65536 | bytes (either way) a session must carry
-- param: loop_min_failures | integer | 20 | failed connections that make a reconnect loop (however short the capture)
-- param: loop_min_failure_share | double | 0.6 | share of the pair's connections that failed
-- param: loop_max_ports | integer | 3 | destination ports a loop retries; more is a port scan
-- param: loop_strength | double | 0.75 | strength of a reconnect loop at full count: a channel that never answers is weaker evidence than one that works
-- param: proxy_execution_strength | double | 0.8 | strength of such a binary's connection
-- param: common_ports | varchar | 80,443,8080,8443,8000,8888,1433,1521,3306,3389,5432,5900,5985,5986 | ports of common services; a port of 1024 or above not listed here is odd
WITH proxy_executors AS (
  -- Matched once per process name seen, not once per event.
  SELECT DISTINCT e.process_name FROM (SELECT DISTINCT process_name FROM rw_events WHERE process_name IS NOT NULL) e
  JOIN catalog_process_roles r ON r.role = 'proxy-executor' AND regexp_matches(e.process_name, r.process_regex, 'i')
), conns AS (
  SELECT src_key, dst_name, dst_port, ts, kind, coalesce(duration, 0) AS duration, process_name,
    coalesce(bytes_out, 0) + coalesce(bytes_in, 0) AS bytes,
    action IN ('deny', 'drop', 'reset', 'block', 'blocked', 'denied')
      OR list_contains(string_split(getvariable('failed_conn_states'), ','), conn_state) AS failed
  FROM rw_events
  WHERE in_detection AND service_id IS NULL AND kind IN ('flow', 'firewall', 'tls', 'http', 'proxy')
    AND NOT rw_no_destination(dst_name, dst_port)
    AND NOT coalesce(list_contains(string_split(getvariable('name_resolution_ports'), ','), CAST(dst_port AS VARCHAR)), false)
), pairs AS (
  SELECT src_key, dst_name, rw_event_count(kind) AS events, min(ts) AS first_seen, max(ts) AS last_seen,
    mode(dst_port ORDER BY dst_port) AS usual_port,
    arg_max(dst_port, duration) FILTER (WHERE bytes >= getvariable('session_min_bytes')) AS session_port,
    max(duration) FILTER (WHERE bytes >= getvariable('session_min_bytes')) AS longest_s,
    max(bytes) FILTER (WHERE duration >= getvariable('session_min_s')) AS session_bytes,
    rw_event_count(CASE WHEN failed THEN kind END) AS failures,
    count(DISTINCT dst_port) FILTER (WHERE failed) AS failed_ports,
    min(process_name) FILTER (WHERE process_name IN (SELECT process_name FROM proxy_executors)) AS proxy_executor
  FROM conns GROUP BY src_key, dst_name
), judged AS (
  SELECT p.*, r.period_s, r.p_value, r.score AS periodicity_score,
    coalesce(p.longest_s >= getvariable('session_min_s'), false) AS session,
    -- The port the evidence is about: the session's when there is one.
    CASE WHEN coalesce(p.longest_s >= getvariable('session_min_s'), false) THEN p.session_port ELSE p.usual_port END AS port,
    p.failures >= getvariable('loop_min_failures') AND p.failures >= getvariable('loop_min_failure_share') * p.events
      AND p.failed_ports <= getvariable('loop_max_ports') AS reconnect_loop,
    coalesce(r.periodic, false) AS periodic,
    p.proxy_executor IS NOT NULL AS proxy_execution,
    regexp_matches(p.dst_name, '^[0-9.]+$|:') AS unnamed,
    coalesce(port >= 1024 AND NOT list_contains(string_split(getvariable('common_ports'), ','), CAST(port AS VARCHAR)), false) AS odd_port
  FROM pairs p
  LEFT JOIN periodicity_results r ON r.src_key = p.src_key AND r.dst_name = p.dst_name
), scored AS (
  SELECT *,
    -- The strongest behaviour, then how little the destination tells about itself.
    greatest(CASE WHEN session THEN 1.0 ELSE 0 END,
             CASE WHEN reconnect_loop THEN getvariable('loop_strength') * least(1.0, failures / (5.0 * getvariable('loop_min_failures'))) ELSE 0 END,
             CASE WHEN periodic THEN 0.5 + 0.5 * periodicity_score ELSE 0 END,
             CASE WHEN proxy_execution THEN getvariable('proxy_execution_strength') ELSE 0 END)
      * (0.5 + CASE WHEN unnamed THEN 0.25 ELSE 0 END + CASE WHEN odd_port THEN 0.25 ELSE 0 END) AS strength
  FROM judged WHERE session OR reconnect_loop OR periodic OR proxy_execution
)
SELECT 'uncatalogued-channel' AS signal_id, s.src_key, src.src_ip, src.src_host, src.src_user, NULL::VARCHAR AS process,
  NULL::VARCHAR AS service_id, s.dst_name AS dst_host, s.strength::DOUBLE AS weight,
  s.events::BIGINT AS events, s.first_seen, s.last_seen,
  format('{} → {} is an uncatalogued destination ({}; port {}{}): {}', s.src_key, s.dst_name,
    CASE WHEN s.unnamed THEN 'a bare address with no DNS, SNI or Host name' ELSE 'not a catalogued web service' END,
    s.port, CASE WHEN s.odd_port THEN ', not a common service port' ELSE '' END,
    concat_ws('; ',
      CASE WHEN s.session THEN format('a session open {:.0f} s carrying {:.0f} kB', s.longest_s, coalesce(s.session_bytes, 0) / 1000) END,
      CASE WHEN s.reconnect_loop THEN format('{} of {} connections failed on {} port(s) and it kept reconnecting', s.failures, s.events, s.failed_ports) END,
      CASE WHEN s.periodic THEN format('machine-regular check-ins every {:.1f} s (p = {:.2g})', s.period_s, s.p_value) END,
      CASE WHEN s.proxy_execution THEN format('reached by {}, a binary that runs other code and needs no network itself', s.proxy_executor) END)) AS explanation,
  s.session AS evidence_session, s.longest_s AS evidence_longest_session_s, s.reconnect_loop AS evidence_reconnect_loop,
  s.failures AS evidence_failures, s.periodic AS evidence_periodic, s.unnamed AS evidence_unnamed, s.port AS evidence_port,
  s.odd_port AS evidence_odd_port, s.proxy_executor AS evidence_proxy_executor
FROM scored s JOIN rw_sources src USING (src_key)
