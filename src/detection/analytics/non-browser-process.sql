-- id: non-browser-process
-- title: Unexpected process talking to a web service
-- attack: T1102
-- family: client
-- probability: 0.4
-- description: Endpoint logs show a process that is neither a browser nor a catalogued client of the service reaching it, or a browser/catalogued client name running from a path where installed software does not live (Users\Public, AppData\Local\Temp, Windows\Temp, Downloads, /tmp, /dev/shm).
-- false_positive: Portable or per-user installs of legitimate tools; developer scripts; clients the catalog does not list yet.
-- tables: rw_events, rw_sources, catalog_clients
-- param: browser_regex | varchar | ^(chrome|msedge|firefox|iexplore|opera|brave|vivaldi|safari|chromium|microsoftedge[a-z]*)(\.exe)?$ | image names of web browsers
-- param: odd_path_regex | varchar | \\users\\public\\|\\appdata\\local\\temp\\|\\windows\\temp\\|\\downloads\\|\\programdata\\[^\\]+$|\\\$recycle\.bin\\|^/tmp/|^/var/tmp/|^/dev/shm/ | lower-case image paths where installed software does not live
-- param: unexpected_process_strength | double | 0.8 | weight of a process that is neither a browser nor a catalogued client
WITH uses AS (
  SELECT src_key, service_id, service_key, process, any_value(process_name) AS process_name,
    rw_event_count(kind) AS events, min(ts) AS first_seen, max(ts) AS last_seen, mode(dst_name ORDER BY dst_name) AS dst_name
  FROM rw_events WHERE in_detection AND process IS NOT NULL AND service_id IS NOT NULL
  GROUP BY src_key, service_id, service_key, process
), judged AS (
  SELECT u.*,
    regexp_matches(u.process_name, getvariable('browser_regex')) AS is_browser,
    EXISTS (SELECT 1 FROM catalog_clients c
            WHERE c.service_id = u.service_id AND c.process_regex IS NOT NULL
              AND regexp_matches(u.process_name, c.process_regex, 'i')) AS is_known_client,
    regexp_matches(lower(u.process), getvariable('odd_path_regex')) AS odd_path
  FROM uses u
)
SELECT 'non-browser-process' AS signal_id, j.src_key, s.src_ip, s.src_host, s.src_user, j.process,
  j.service_id, j.dst_name AS dst_host,
  CASE WHEN j.odd_path THEN 1.0 ELSE getvariable('unexpected_process_strength') END::DOUBLE AS weight,
  j.events, j.first_seen, j.last_seen,
  CASE WHEN j.odd_path AND (j.is_browser OR j.is_known_client)
         THEN format('{} ran "{}", a {} name, from an unusual path ({}), and reached {} in {} events',
                     j.src_key, j.process_name, CASE WHEN j.is_browser THEN 'browser' ELSE 'known client' END, j.process, j.service_id, j.events)
       WHEN j.odd_path
         THEN format('{} reached {} in {} events from "{}", neither a browser nor a catalogued client, running from an unusual path',
                     j.src_key, j.service_id, j.events, j.process)
       ELSE format('{} reached {} in {} events from "{}", neither a browser nor a catalogued client of the service',
                   j.src_key, j.service_id, j.events, j.process) END AS explanation,
  j.is_browser AS evidence_browser_name, j.is_known_client AS evidence_catalogued_client, j.odd_path AS evidence_unusual_path
FROM judged j JOIN rw_sources s USING (src_key)
WHERE j.odd_path OR NOT (j.is_browser OR j.is_known_client)
