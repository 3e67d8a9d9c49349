-- id: scripted-user-agent
-- title: Scripted, empty or mismatched user agent
-- attack: T1102
-- family: client
-- probability: 0.4
-- description: Requests to a catalogued web service carry a scripting-library or command-line user agent (python-requests, Go-http-client, curl, PowerShell, ...), an empty one, or a browser user agent sent by a process that is not a browser; user agents the catalog lists as the service's own clients are exempt.
-- false_positive: Administrators' and developers' scripts against a service's API; backup or CI jobs.
-- tables: rw_events, rw_sources, catalog_clients
-- param: scripted_ua_regex | varchar | python-requests|python-urllib|python/|aiohttp|httpx|go-http-client|^curl/|^wget/|powershell|^winhttp|libwww-perl|^java/|okhttp|node-fetch|^axios/|^ruby|^nim httpclient|^mozilla/4\.0 \(compatible; msie [5-7]\.0; windows nt [5-6]\.[0-2]\)$ | lower-case user agents of scripting libraries and tools
-- param: browser_regex | varchar | ^(chrome|msedge|firefox|iexplore|opera|brave|vivaldi|safari|chromium|microsoftedge[a-z]*)(\.exe)?$ | image names of web browsers
WITH uses AS (
  SELECT src_key, service_id, process, any_value(process_name) AS process_name, user_agent,
    rw_event_count(kind) AS events, min(ts) AS first_seen, max(ts) AS last_seen, mode(dst_name ORDER BY dst_name) AS dst_name
  FROM rw_events
  WHERE in_detection AND service_id IS NOT NULL AND user_agent IS NOT NULL AND kind IN ('http', 'proxy')
  GROUP BY src_key, service_id, process, user_agent
), classified AS (
  SELECT u.*,
    CASE WHEN trim(u.user_agent) IN ('', '-') THEN 'empty'
         WHEN regexp_matches(lower(u.user_agent), getvariable('scripted_ua_regex')) THEN 'scripted'
         WHEN u.process_name IS NOT NULL AND NOT regexp_matches(u.process_name, getvariable('browser_regex'))
              AND regexp_matches(u.user_agent, '^Mozilla/5\.0 ') THEN 'browser-from-non-browser'
    END AS kind
  FROM uses u
  WHERE NOT EXISTS (SELECT 1 FROM catalog_clients c
                    WHERE c.service_id = u.service_id AND c.ua_regex IS NOT NULL
                      AND regexp_matches(u.user_agent, c.ua_regex, 'i'))
)
SELECT 'scripted-user-agent' AS signal_id, c.src_key, s.src_ip, s.src_host, s.src_user, c.process,
  c.service_id, c.dst_name AS dst_host,
  CASE c.kind WHEN 'scripted' THEN 0.9 WHEN 'browser-from-non-browser' THEN 0.8 ELSE 0.6 END::DOUBLE AS weight,
  c.events, c.first_seen, c.last_seen,
  CASE c.kind WHEN 'empty' THEN format('{} sent {} requests to {} with an empty user agent', c.src_key, c.events, c.service_id)
       WHEN 'scripted' THEN format('{} sent {} requests to {} with the scripted user agent "{}"', c.src_key, c.events, c.service_id, left(c.user_agent, 120))
       ELSE format('{} sent {} requests to {} with a browser user agent from the non-browser process "{}"', c.src_key, c.events, c.service_id, c.process_name)
  END AS explanation,
  c.kind AS evidence_user_agent_kind, left(c.user_agent, 200) AS evidence_user_agent
FROM classified c JOIN rw_sources s USING (src_key)
WHERE c.kind IS NOT NULL
