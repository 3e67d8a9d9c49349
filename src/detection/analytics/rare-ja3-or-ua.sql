-- id: rare-ja3-or-ua
-- title: Client fingerprint or user agent rare for the service
-- attack: T1102
-- family: client
-- probability: 0.2
-- description: A TLS client fingerprint (JA3) or user agent reaches a catalogued web service from at most a few sources while many sources use the service, so the client is unlike the ones everybody else uses for it. Weak when only web browsers and the service's catalogued clients reach it from the source: browser and app versions make rare strings of their own.
-- false_positive: A new browser version rolling out; an unusual but legitimate client on one machine.
-- tables: rw_events, rw_service_prevalence, rw_sources, rw_pair_clients
-- param: rare_client_max_sources | integer | 1 | most sources a fingerprint or user agent may have and still be rare
-- param: rare_client_min_service_sources | integer | 5 | sources a service needs before its clients are compared
-- param: familiar_client_factor | double | 0.2 | weight multiplier when only web browsers and the service's catalogued clients reach it from the source
WITH clients AS (
  SELECT 'JA3' AS what, tls_ja3 AS client, src_key, service_id, service_key, ts, dst_name, kind FROM rw_events
  WHERE in_detection AND service_id IS NOT NULL AND tls_ja3 IS NOT NULL
  UNION ALL
  SELECT 'user agent', left(user_agent, 200), src_key, service_id, service_key, ts, dst_name, kind FROM rw_events
  WHERE in_detection AND service_id IS NOT NULL AND user_agent IS NOT NULL AND trim(user_agent) NOT IN ('', '-')
), spread AS (
  SELECT what, client, service_key, count(DISTINCT src_key) AS sources FROM clients GROUP BY ALL
), pairs AS (
  SELECT c.what, c.client, c.src_key, c.service_id, c.service_key, sp.sources AS client_sources, rw_event_count(c.kind) AS events,
    min(c.ts) AS first_seen, max(c.ts) AS last_seen, mode(c.dst_name ORDER BY c.dst_name) AS dst_name
  FROM clients c JOIN spread sp USING (what, client, service_key)
  WHERE sp.sources <= getvariable('rare_client_max_sources')
  GROUP BY c.what, c.client, c.src_key, c.service_id, c.service_key, sp.sources
)
SELECT 'rare-ja3-or-ua' AS signal_id, p.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  p.service_id, p.dst_name AS dst_host,
  (1 - p.client_sources / sp.hosts) * CASE WHEN coalesce(pc.familiar_only, false) THEN getvariable('familiar_client_factor') ELSE 1 END AS weight,
  p.events, p.first_seen, p.last_seen,
  concat(format('{} reached {} with the {} "{}", used by {} of the {} sources that reach the service',
                p.src_key, p.service_id, p.what, left(p.client, 80), p.client_sources, sp.hosts),
         CASE WHEN pc.familiar_only THEN '; only browsers and the service''s own clients reach it from this source, so weak' END) AS explanation,
  p.what AS evidence_client_kind, p.client AS evidence_client, sp.hosts AS evidence_service_sources,
  coalesce(pc.familiar_only, false) AS evidence_familiar_clients_only
FROM pairs p JOIN rw_service_prevalence sp ON sp.service_key = p.service_key JOIN rw_sources s USING (src_key)
LEFT JOIN rw_pair_clients pc ON pc.src_key = p.src_key AND pc.service_key = p.service_key
WHERE sp.hosts >= getvariable('rare_client_min_service_sources')
