-- id: tunnel-long-lived
-- title: Developer tunnel service, especially held open for long
-- attack: T1102, T1102.002, T1572
-- family: content
-- probability: 0.4
-- description: Traffic to a catalogued dev-tunnel service (ngrok, Cloudflare quick tunnels, VS Code dev tunnels, ...), strongest when connections stay open far longer than web requests do. Long connections to other services are not judged here: chat and sync clients hold websockets open all day.
-- false_positive: Developers exposing a test server; remote-support tools built on tunnels.
-- tables: rw_events, rw_sources
-- param: long_lived_s | double | 3600 | connection duration in seconds that counts as long-lived
-- param: tunnel_categories | varchar | dev-tunnel | catalog categories that are tunnelling services
WITH pairs AS (
  SELECT src_key, service_id, any_value(category) AS category, mode(dst_name ORDER BY dst_name) AS dst_name,
    rw_event_count(kind) AS events, min(ts) AS first_seen, max(ts) AS last_seen, max(duration) AS longest_s,
    rw_event_count(CASE WHEN duration >= getvariable('long_lived_s') THEN kind END) AS long_lived
  FROM rw_events WHERE in_detection AND list_contains(string_split(getvariable('tunnel_categories'), ','), category)
  GROUP BY src_key, service_id
)
SELECT 'tunnel-long-lived' AS signal_id, p.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  p.service_id, p.dst_name AS dst_host,
  CASE WHEN p.long_lived > 0 THEN 1.0 ELSE 0.7 END::DOUBLE AS weight,
  p.events, p.first_seen, p.last_seen,
  concat_ws('; ',
    format('{} used the {} service {} ({} events)', p.src_key, p.category, p.service_id, p.events),
    CASE WHEN p.long_lived > 0 THEN format('{} held {} connection(s) to {} open for at least {:.0f} s (longest {:.0f} s)',
                                           p.src_key, p.long_lived, p.service_id, getvariable('long_lived_s')::DOUBLE, p.longest_s::DOUBLE) END) AS explanation,
  p.long_lived AS evidence_long_lived_connections, p.longest_s AS evidence_longest_s
FROM pairs p JOIN rw_sources s USING (src_key)
