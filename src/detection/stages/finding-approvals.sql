-- id: finding-approvals
-- description: The approved_services rules (read at query time) that cover each finding key in rw_finding_keys; a process-scoped rule covers only findings about that process.
-- tables: rw_finding_keys, rw_sources, approved_services
SELECT k.src_key, k.service_key, k.process,
  string_agg(DISTINCT a.service_id || ' for ' || a.scope_kind || coalesce(' ' || a.scope_value, ''), '; '
             ORDER BY a.service_id || ' for ' || a.scope_kind || coalesce(' ' || a.scope_value, '')) AS approved_by
FROM rw_finding_keys k
JOIN rw_sources s ON s.src_key = k.src_key
JOIN approved_services a ON a.service_id = k.service_key OR a.service_id = '*'
WHERE rw_scope_matches(a.scope_kind, a.scope_value, s.role, s.business_unit, s.src_key, s.src_ip,
                       rw_process_name(k.process))
GROUP BY ALL
