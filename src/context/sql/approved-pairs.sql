-- id: approved-pairs
-- title: Is a catalogued service approved for a source?
-- description: Defines the macro rw_service_approved(service_id, src_ip, src_host, process) → BOOLEAN over
--   approved_services (the approved-service policy) and host_roles (role and business unit per source).
--   A policy row approves its service (or every service, '*') for:
--     all            every source;
--     host           a source whose IP equals scope_value or whose short host name (rw_short_host) equals
--                    scope_value's, as detection keys sources;
--     role           a source whose host_roles.role equals scope_value (case-insensitive);
--     business_unit  a source whose host_roles.business_unit equals scope_value (case-insensitive);
--     process        an event whose process image name (the path's last part) equals scope_value.
--   Any argument may be NULL; NULL never matches a scoped row.
-- usage: SELECT ... WHERE NOT rw_service_approved(f.service_id, f.src_ip, f.src_host, f.process)
-- tables: approved_services, host_roles
CREATE OR REPLACE MACRO rw_service_approved(svc, ip, host, proc) AS EXISTS (
  SELECT 1
  FROM approved_services a
  WHERE (a.service_id = '*' OR a.service_id = svc)
    AND (
      a.scope_kind = 'all'
      OR (a.scope_kind = 'host' AND (
            a.scope_value = ip OR rw_short_host(a.scope_value) = rw_short_host(host)))
      OR (a.scope_kind = 'process' AND lower(a.scope_value) = rw_process_name(proc))
      OR (a.scope_kind IN ('role', 'business_unit') AND EXISTS (
            SELECT 1
            FROM host_roles r
            WHERE (r.src_ip = ip OR lower(r.src_host) = lower(host))
              AND lower(a.scope_value) = lower(CASE a.scope_kind WHEN 'role' THEN r.role ELSE r.business_unit END)))
    )
);
