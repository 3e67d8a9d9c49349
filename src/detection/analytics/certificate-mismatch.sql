-- id: certificate-mismatch
-- title: Server certificate does not name the server the client asked for
-- attack: T1071.001, T1001.003
-- family: context
-- probability: 0.35
-- description: TLS handshakes in which the server's certificate (subject CN and DNS names) does not cover the server name the client sent (SNI), as Zeek judges it (sni_matches_cert) or as the x509 log of an older Zeek shows: a C2 server borrowing a popular name it holds no certificate for, or traffic redirected to another server. Bare-address SNI is not judged.
-- false_positive: Internal appliances and lab servers with default or self-signed certificates reached by name; a misconfigured virtual host.
-- tables: rw_events, rw_sources
WITH handshakes AS (
  SELECT src_key, service_key, any_value(service_id) AS service_id, mode(dst_name ORDER BY dst_name) AS dst_name,
    count(*) FILTER (WHERE sni_mismatch) AS mismatched, count(*) AS events, min(ts) FILTER (WHERE sni_mismatch) AS first_seen,
    max(ts) FILTER (WHERE sni_mismatch) AS last_seen, min(dst_ip) FILTER (WHERE sni_mismatch) AS dst_ip
  FROM rw_events WHERE in_detection AND kind = 'tls'
  GROUP BY src_key, service_key
)
SELECT 'certificate-mismatch' AS signal_id, h.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  h.service_id, h.dst_name AS dst_host, 1.0::DOUBLE AS weight, h.mismatched AS events, h.first_seen, h.last_seen,
  format('{} asked for {} in {} TLS handshake(s) and the server ({}) answered with a certificate that does not name it',
         h.src_key, h.dst_name, h.mismatched, coalesce(h.dst_ip, 'address unknown')) AS explanation,
  h.mismatched AS evidence_mismatched_handshakes, h.events AS evidence_handshakes
FROM handshakes h JOIN rw_sources s USING (src_key)
WHERE h.mismatched > 0
