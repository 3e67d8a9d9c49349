-- id: approved-not-for-role
-- title: Approved service used outside its approved scope
-- attack: T1102
-- family: context
-- probability: 0.3
-- description: The service is approved (approved_services, read at query time) for some roles, business units, hosts or processes, but none of those rules covers this source and process.
-- false_positive: An incomplete approval list (a team that uses the service legitimately but was never added).
-- tables: rw_events, rw_sources, approved_services
WITH policy AS (
  SELECT service_id, string_agg(DISTINCT scope_kind || coalesce(' ' || scope_value, ''), ', ' ORDER BY scope_kind || coalesce(' ' || scope_value, '')) AS scopes
  FROM approved_services WHERE service_id <> '*' GROUP BY service_id
), uses AS (
  SELECT e.src_key, e.service_id, e.process, any_value(e.process_name) AS process_name,
    count(*) AS events, min(ts) AS first_seen, max(ts) AS last_seen
  FROM rw_events e JOIN policy USING (service_id) WHERE e.in_detection GROUP BY e.src_key, e.service_id, e.process
)
SELECT 'approved-not-for-role' AS signal_id, u.src_key, s.src_ip, s.src_host, s.src_user, u.process,
  u.service_id, u.service_id AS dst_host, 1.0::DOUBLE AS weight, u.events, u.first_seen, u.last_seen,
  format('{} is approved only for {}; {} ({}{}) is not covered ({} events)', u.service_id, p.scopes, u.src_key,
         s.role, coalesce(', ' || u.process_name, ''), u.events) AS explanation,
  p.scopes AS evidence_approved_scopes, s.role AS evidence_role
FROM uses u JOIN policy p USING (service_id) JOIN rw_sources s USING (src_key)
WHERE NOT EXISTS (
  SELECT 1 FROM approved_services a
  WHERE (a.service_id = u.service_id OR a.service_id = '*')
    AND rw_scope_matches(a.scope_kind, a.scope_value, s.role, s.business_unit, s.src_key, s.src_ip, u.process_name)
)
