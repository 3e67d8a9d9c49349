-- id: host-roles
-- title: Role, business unit and owner for every source seen in events
-- description: (Re)builds host_roles with one row per distinct (src_ip, src_host) pair in events.
--   Inventory first: an exact IP, then an exact host name (a short name matches an FQDN's first label),
--   then the longest-prefix CIDR (IPv4 with integer arithmetic on the octets; IPv6 by bit-string prefix,
--   bits filled by context.ts in inventory.ip_bits and address_bits). Exact entries beat ranges because a
--   range is the weaker statement. The inventory's business unit, owner, criticality and os are kept even
--   when it gives no role. Otherwise a role is inferred from behaviour (role_origin 'inferred'), where a connection
--   from outside in (rw_from_outside: Zeek's marks, the inventory, fan-in) is nobody's peer, so a sensor the
--   internet scans is no domain controller. First match:
--     domain-controller  serves at least two of DNS 53 / Kerberos 88 / LDAP 389 to >= dc_min_peers peers
--     esxi               sends ESXi user agents (esxupdate), or receives vSphere client traffic or port 902
--     build-server       >= build_min_registry_requests to package registries, >= build_min_registry_share of its web requests
--     server             accepts connections from >= server_min_peers peers with little browser traffic
--     workstation        >= workstation_min_browser_events browser requests or >= workstation_min_web_hosts web hosts
--   else role NULL with role_origin 'unknown'.
-- parameters (SQL variables; set them before running to override the defaults below):
--   rw_dc_min_peers = 3, rw_server_min_peers = 10, rw_server_max_browser_share = 0.1,
--   rw_build_min_registry_requests = 20, rw_build_min_registry_share = 0.5,
--   rw_workstation_min_browser_events = 5, rw_workstation_min_web_hosts = 20,
--   rw_browser_ua_regex, rw_registry_host_regex, rw_esxi_self_ua_regex, rw_vsphere_client_ua_regex
-- tables: events, inventory, address_bits → host_roles
SET VARIABLE rw_dc_min_peers = coalesce(getvariable('rw_dc_min_peers'), 3);
SET VARIABLE rw_server_min_peers = coalesce(getvariable('rw_server_min_peers'), 10);
SET VARIABLE rw_server_max_browser_share = coalesce(getvariable('rw_server_max_browser_share'), 0.1);
SET VARIABLE rw_build_min_registry_requests = coalesce(getvariable('rw_build_min_registry_requests'), 20);
SET VARIABLE rw_build_min_registry_share = coalesce(getvariable('rw_build_min_registry_share'), 0.5);
SET VARIABLE rw_workstation_min_browser_events = coalesce(getvariable('rw_workstation_min_browser_events'), 5);
SET VARIABLE rw_workstation_min_web_hosts = coalesce(getvariable('rw_workstation_min_web_hosts'), 20);
SET VARIABLE rw_browser_ua_regex = coalesce(getvariable('rw_browser_ua_regex'),
  '^Mozilla/5\.0 \([^)]*\) .*(Chrome|Firefox|Safari|Edg|OPR)/[0-9]');
SET VARIABLE rw_registry_host_regex = coalesce(getvariable('rw_registry_host_regex'),
  '(^|\.)(registry\.npmjs\.org|registry\.yarnpkg\.com|pypi\.org|files\.pythonhosted\.org|repo1\.maven\.org|repo\.maven\.apache\.org|plugins\.gradle\.org|api\.nuget\.org|nuget\.org|rubygems\.org|crates\.io|static\.crates\.io|proxy\.golang\.org|registry-1\.docker\.io|auth\.docker\.io|production\.cloudflare\.docker\.com|ghcr\.io|quay\.io|gcr\.io|mcr\.microsoft\.com|packagist\.org|deb\.debian\.org|archive\.ubuntu\.com|dl-cdn\.alpinelinux\.org)$');
SET VARIABLE rw_esxi_self_ua_regex = coalesce(getvariable('rw_esxi_self_ua_regex'), '(esxupdate|VMware[ -]ESXi|vmware-(vpxa|hostd))');
SET VARIABLE rw_vsphere_client_ua_regex = coalesce(getvariable('rw_vsphere_client_ua_regex'), '(VMware-client|VMware vim-java|pyvmomi|vSphere Client|govmomi)');

-- rw_ipv4_to_int, rw_address_sides() and rw_from_outside() are the shared vocabulary's (src/core/vocabulary.ts).

DELETE FROM host_roles;
INSERT INTO host_roles (src_ip, src_host, role, business_unit, owner, criticality, os, role_origin)
WITH pairs AS (
  SELECT DISTINCT src_ip, src_host FROM events WHERE src_ip IS NOT NULL OR src_host IS NOT NULL
),
ipv4_ranges AS (
  SELECT *, (rw_ipv4_to_int(split_part(match, '/', 1)) >> (32 - prefix)) AS network
  FROM (SELECT *, CAST(split_part(match, '/', 2) AS INTEGER) AS prefix
        FROM inventory WHERE match_kind = 'cidr' AND ip_bits IS NULL)
),
candidates AS (
  SELECT p.src_ip, p.src_host, i.*, 1 AS precedence, 128 AS prefix_len
  FROM pairs p JOIN inventory i ON i.match_kind = 'ip' AND i.ip_bits IS NULL AND i.match = p.src_ip
  UNION ALL BY NAME
  SELECT p.src_ip, p.src_host, i.*, 1 AS precedence, 128 AS prefix_len
  FROM pairs p JOIN address_bits b ON b.ip = p.src_ip
  JOIN inventory i ON i.match_kind = 'ip' AND i.ip_bits = b.ip_bits
  UNION ALL BY NAME
  SELECT p.src_ip, p.src_host, i.*, 2 AS precedence, 128 AS prefix_len
  FROM pairs p JOIN inventory i ON i.match_kind = 'host' AND (
         i.match = lower(rtrim(p.src_host, '.'))
      OR (NOT contains(i.match, '.') AND i.match = split_part(lower(p.src_host), '.', 1))
      OR (NOT contains(p.src_host, '.') AND lower(p.src_host) = split_part(i.match, '.', 1)))
  UNION ALL BY NAME
  SELECT p.src_ip, p.src_host, r.* EXCLUDE (prefix, network), 3 AS precedence, r.prefix AS prefix_len
  FROM pairs p JOIN ipv4_ranges r ON rw_ipv4_to_int(p.src_ip) >> (32 - r.prefix) = r.network
  UNION ALL BY NAME
  SELECT p.src_ip, p.src_host, i.*, 3 AS precedence, length(i.ip_bits) AS prefix_len
  FROM pairs p JOIN address_bits b ON b.ip = p.src_ip
  JOIN inventory i ON i.match_kind = 'cidr' AND starts_with(b.ip_bits, i.ip_bits)
),
inventory_match AS (
  SELECT * FROM candidates
  QUALIFY row_number() OVER (PARTITION BY src_ip, src_host ORDER BY precedence, prefix_len DESC, match) = 1
)
SELECT p.src_ip, p.src_host, m.role, m.business_unit, m.owner, m.criticality, m.os,
       CASE WHEN m.role IS NOT NULL THEN 'inventory' ELSE 'unknown' END AS role_origin
FROM pairs p
LEFT JOIN inventory_match m ON m.src_ip IS NOT DISTINCT FROM p.src_ip AND m.src_host IS NOT DISTINCT FROM p.src_host;

-- Inferred roles, once the inventory's are in host_roles: rw_address_sides() reads the sources it lists by name.
UPDATE host_roles SET role = f.role, role_origin = 'inferred'
FROM (
WITH sides AS (SELECT * FROM rw_address_sides()),
outbound AS (
  SELECT src_ip, src_host,
         count(*) FILTER (WHERE regexp_matches(user_agent, getvariable('rw_browser_ua_regex'))) AS browser_events,
         count(*) FILTER (WHERE kind IN ('http', 'proxy', 'tls')) AS web_events,
         count(DISTINCT lower(dst_host)) FILTER (WHERE kind IN ('http', 'proxy', 'tls')) AS web_hosts,
         count(*) FILTER (WHERE regexp_matches(rw_dst_name(dst_host), getvariable('rw_registry_host_regex'))) AS registry_events,
         count(*) FILTER (WHERE regexp_matches(user_agent, getvariable('rw_esxi_self_ua_regex'), 'i')) AS esxi_agent_events
  FROM events
  WHERE src_ip IS NOT NULL OR src_host IS NOT NULL
  GROUP BY src_ip, src_host
),
inbound AS (
  -- A connection from outside in (rw_from_outside) is nobody's peer: a sensor the internet scans serves no clients.
  SELECT e.dst_ip AS ip,
         count(DISTINCT e.src_ip) AS peers,
         count(DISTINCT e.src_ip) FILTER (WHERE e.dst_port IN (88, 389)) AS directory_peers,
         count(DISTINCT e.dst_port) FILTER (WHERE e.dst_port IN (53, 88, 389)) AS directory_ports,
         count(*) FILTER (WHERE e.dst_port = 902
                             OR regexp_matches(e.user_agent, getvariable('rw_vsphere_client_ua_regex'), 'i')) AS vsphere_events
  FROM events e
  LEFT JOIN sides src_side ON src_side.ip = e.src_ip
  LEFT JOIN sides dst_side ON dst_side.ip = e.dst_ip
  WHERE e.kind IN ('flow', 'firewall', 'tls', 'http', 'dns')
    -- Only connections to the sources whose role is inferred: the direction test is per event, most go elsewhere.
    AND e.dst_ip IN (SELECT src_ip FROM host_roles WHERE role IS NULL)
    AND NOT rw_from_outside(e.extra, e.src_ip, src_side.listed, dst_side.listed, dst_side.server)
  GROUP BY e.dst_ip
),
inferred AS (
  SELECT p.src_ip, p.src_host,
    CASE
      WHEN i.directory_ports >= 2 AND i.directory_peers >= getvariable('rw_dc_min_peers') THEN 'domain-controller'
      WHEN o.esxi_agent_events > 0 OR i.vsphere_events > 0 THEN 'esxi'
      WHEN o.registry_events >= getvariable('rw_build_min_registry_requests')
       AND o.registry_events >= getvariable('rw_build_min_registry_share') * o.web_events THEN 'build-server'
      WHEN i.peers >= getvariable('rw_server_min_peers')
       AND coalesce(o.browser_events, 0) <= getvariable('rw_server_max_browser_share') * greatest(o.web_events, 1) THEN 'server'
      WHEN o.browser_events >= getvariable('rw_workstation_min_browser_events')
        OR o.web_hosts >= getvariable('rw_workstation_min_web_hosts') THEN 'workstation'
    END AS role
  FROM host_roles p
  LEFT JOIN outbound o ON o.src_ip IS NOT DISTINCT FROM p.src_ip AND o.src_host IS NOT DISTINCT FROM p.src_host
  LEFT JOIN inbound i ON i.ip = p.src_ip
  WHERE p.role IS NULL
)
SELECT * FROM inferred WHERE role IS NOT NULL
) f
WHERE f.src_ip IS NOT DISTINCT FROM host_roles.src_ip AND f.src_host IS NOT DISTINCT FROM host_roles.src_host;
