-- id: finding-facts
-- description: What the export says about each source/service pair in rw_finding_pairs (source identity and role, service, destinations, ports, processes, URL patterns, bytes, time span) over the detection window.
-- tables: rw_events_both_ways, rw_finding_pairs, rw_sources, catalog_services
WITH scoped AS (
  SELECT e.* FROM rw_events_both_ways e
  JOIN rw_finding_pairs k ON k.src_key = e.src_key AND k.service_key = e.service_key
  WHERE e.in_detection
), per_kind AS (
  SELECT src_key, service_key, kind, sum(bytes_out) AS bytes_out, sum(bytes_in) AS bytes_in
  FROM scoped GROUP BY ALL
), totals AS (
  -- One connection seen by several log types is summed once: the kind with the most bytes speaks for the pair.
  SELECT src_key, service_key, max(bytes_out) AS bytes_out, max(bytes_in) AS bytes_in
  FROM per_kind GROUP BY ALL
), paths AS (
  SELECT src_key, service_key, list(pattern ORDER BY n DESC, pattern)[1:5] AS url_patterns FROM (
    SELECT src_key, service_key,
      left(regexp_replace(regexp_replace(split_part(url_path, '?', 1), '[A-Za-z0-9_:-]{16,}', '*', 'g'), '[0-9]{3,}', '*', 'g'), 200) AS pattern,
      count(*) AS n
    FROM scoped WHERE url_path IS NOT NULL AND url_path <> '' GROUP BY ALL
  ) GROUP BY ALL
), spans AS (
  SELECT src_key, service_key, min(service_id) AS service_id, min(ts) AS first_seen, max(ts) AS last_seen,
    mode(dst_name ORDER BY dst_name) FILTER (WHERE dst_ip IS NULL OR dst_name <> dst_ip) AS domain,
    list_sort(list_distinct(list(dst_ip) FILTER (WHERE dst_ip IS NOT NULL)))[1:10] AS ips,
    list_sort(list_distinct(list(dst_port) FILTER (WHERE dst_port IS NOT NULL)))[1:10] AS ports,
    list_sort(list_distinct(list(process) FILTER (WHERE process IS NOT NULL)))[1:10] AS processes,
    rw_event_count(kind) AS events
  FROM scoped GROUP BY ALL
)
SELECT k.src_key, k.service_key, s.src_ip, s.src_host, s.src_user, s.role, s.role_origin,
  -- A public address the inventory does not list: inbound traffic or another network's host, which the finding says.
  s.src_ip IS NOT NULL AND NOT rw_private_ip(s.src_ip) AND s.role_origin <> 'inventory' AS external_source,
  sp.service_id, cs.name AS service_name, cs.category AS service_category,
  sp.domain, sp.ips, sp.ports, sp.processes, p.url_patterns,
  sp.first_seen, sp.last_seen, sp.events, t.bytes_out, t.bytes_in
FROM rw_finding_pairs k
JOIN rw_sources s ON s.src_key = k.src_key
LEFT JOIN spans sp ON sp.src_key = k.src_key AND sp.service_key = k.service_key
LEFT JOIN totals t ON t.src_key = k.src_key AND t.service_key = k.service_key
LEFT JOIN paths p ON p.src_key = k.src_key AND p.service_key = k.service_key
LEFT JOIN catalog_services cs ON cs.service_id = sp.service_id
ORDER BY k.src_key, k.service_key
