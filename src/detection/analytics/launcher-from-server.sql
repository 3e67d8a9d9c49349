-- id: launcher-from-server
-- title: Shell or download tool started by a server process reaches the network
-- attack: T1190, T1505.003, T1059
-- family: client
-- probability: 0.6
-- description: Endpoint logs show a command shell, script host or download tool (a catalog process role 'launcher' or 'proxy-executor') connecting out while the process that started it, or the first non-launcher above a chain of them (a web shell's cmd starting PowerShell, bash -c starting bash -i), is a web, application or database server (role 'server'): how an exploited server (Log4Shell, a web shell, SQL injection) runs commands, opens a reverse shell or fetches tools. Parents come from process starts (Sysmon 1, EDR), which network events inherit through their ProcessGuid or ProcessId.
-- false_positive: Server applications that run scripts by design: CGI scripts, build servers (Jenkins runs shell steps under java), monitoring plug-ins, an administrator's script started from a server console.
-- tables: rw_events, rw_sources, events, catalog_process_roles
-- param: lineage_max_depth | integer | 6 | launchers a chain may hold between the connecting process and the server that started it
WITH RECURSIVE roles AS (
  -- A proxy executor is a launcher that needs no network itself.
  SELECT string_agg('(?:' || process_regex || ')', '|') FILTER (WHERE role IN ('launcher', 'proxy-executor')) AS launchers,
    string_agg('(?:' || process_regex || ')', '|') FILTER (WHERE role = 'server') AS servers
  FROM catalog_process_roles
), connections AS (
  SELECT e.* FROM rw_events e CROSS JOIN roles r
  WHERE e.in_detection AND e.kind IN ('flow', 'firewall', 'tls', 'http', 'proxy') AND e.parent_name IS NOT NULL
    AND regexp_matches(e.process_name, r.launchers, 'i')
    -- Loopback never leaves the host.
    AND NOT rw_no_destination(e.dst_name, e.dst_port) AND NOT regexp_matches(e.dst_name, '^127\.|^::1$|^localhost$')
), starts AS (
  SELECT uid AS guid, any_value(nullif(regexp_extract(extra, '"ParentProcessGuid":\s*"([^"]+)"', 1), '')) AS parent_guid,
    any_value(parent_process) AS parent_process
  FROM events
  WHERE kind = 'process' AND uid IS NOT NULL AND parent_process IS NOT NULL
  GROUP BY uid
), ancestry(guid, ancestor, ancestor_guid, depth, chain) AS (
  SELECT guid, parent_process, parent_guid, 1, [] :: VARCHAR[] FROM starts WHERE guid IN (SELECT process_guid FROM connections)
  UNION ALL
  -- Up through launchers only: the first other process is the one that decides.
  SELECT a.guid, s.parent_process, s.parent_guid, a.depth + 1, list_append(a.chain, rw_process_name(a.ancestor))
  FROM ancestry a JOIN starts s ON s.guid = a.ancestor_guid CROSS JOIN roles r
  WHERE a.depth < getvariable('lineage_max_depth') AND regexp_matches(rw_process_name(a.ancestor), r.launchers, 'i')
), deciding AS (
  SELECT guid, arg_max(ancestor, depth) AS ancestor, arg_max(chain, depth) AS chain FROM ancestry GROUP BY guid
), judged AS (
  SELECT c.*, coalesce(d.ancestor, c.parent_process) AS server_process, coalesce(d.chain, []) AS chain
  FROM connections c LEFT JOIN deciding d ON d.guid = c.process_guid
), launches AS (
  SELECT j.src_key, j.process_name, rw_process_name(j.server_process) AS server_name, j.service_key, any_value(j.service_id) AS service_id,
    -- Sysmon names C:\ paths, Security 5156 device paths, for the same process.
    coalesce(min(j.process) FILTER (WHERE NOT starts_with(lower(j.process), '\device\')), min(j.process)) AS process,
    min(j.server_process) AS server_process, any_value(j.chain) AS chain, rw_event_count(j.kind) AS events, min(j.ts) AS first_seen,
    max(j.ts) AS last_seen, mode(j.dst_name ORDER BY j.dst_name) AS dst_name,
    list_sort(list_distinct(list(j.dst_port) FILTER (WHERE j.dst_port IS NOT NULL))) AS ports
  FROM judged j CROSS JOIN roles r
  WHERE regexp_matches(rw_process_name(j.server_process), r.servers, 'i')
  GROUP BY ALL
)
SELECT 'launcher-from-server' AS signal_id, l.src_key, s.src_ip, s.src_host, s.src_user, l.process,
  l.service_id, l.dst_name AS dst_host, 1.0::DOUBLE AS weight, l.events, l.first_seen, l.last_seen,
  format('{} ran "{}", started by the server process "{}"{}, and it reached {}{} in {} events: how an exploited server runs commands or a reverse shell',
         l.src_key, l.process_name, l.server_name,
         CASE WHEN len(l.chain) > 0 THEN format(' through {}', array_to_string(list_reverse(l.chain), ' → ')) ELSE '' END,
         l.dst_name, CASE WHEN len(l.ports) > 0 THEN format(' (port {})', array_to_string(l.ports[1:5], ', ')) ELSE '' END,
         l.events) AS explanation,
  l.server_process AS evidence_server_process, l.server_name AS evidence_server_name, len(l.chain) AS evidence_launchers_between
FROM launches l JOIN rw_sources s USING (src_key)
