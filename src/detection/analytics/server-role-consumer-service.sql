-- id: server-role-consumer-service
-- title: Server or appliance using a consumer web service
-- attack: T1102
-- family: context
-- probability: 0.45
-- description: A host whose role (from the inventory, else inferred) is a server, domain controller, hypervisor or appliance talks to a service the catalog marks as consumer-facing (messaging, personal storage, paste, social).
-- false_positive: Jump hosts and terminal servers where people browse; backup servers that ship to cloud storage on purpose (approve them).
-- tables: rw_events, rw_sources
-- param: server_role_regex | varchar | server|domain-controller|^dc$|esxi|hypervisor|appliance|database|firewall|router|switch|nas|storage|scada|plc | lower-case roles that should not use consumer services
WITH servers AS (
  SELECT src_key, role, role_origin FROM rw_sources WHERE regexp_matches(lower(role), getvariable('server_role_regex'))
), pairs AS (
  SELECT e.src_key, e.service_id, rw_event_count(e.kind) AS events, min(e.ts) AS first_seen, max(e.ts) AS last_seen,
    mode(e.dst_name ORDER BY e.dst_name) AS dst_name, any_value(sv.role) AS role, any_value(sv.role_origin) AS role_origin
  FROM rw_events e JOIN servers sv USING (src_key)
  WHERE e.in_detection AND e.consumer AND e.service_id IS NOT NULL
  GROUP BY e.src_key, e.service_id
)
SELECT 'server-role-consumer-service' AS signal_id, p.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  p.service_id, p.dst_name AS dst_host, CASE WHEN p.role_origin = 'inventory' THEN 1.0 ELSE 0.7 END::DOUBLE AS weight,
  p.events, p.first_seen, p.last_seen,
  format('{} is a {} ({}) and reached the consumer service {} {} times', p.src_key, p.role,
         CASE WHEN p.role_origin = 'inventory' THEN 'per the inventory' ELSE 'inferred' END, p.service_id, p.events) AS explanation,
  p.role AS evidence_role, p.role_origin AS evidence_role_origin
FROM pairs p JOIN rw_sources s USING (src_key)
