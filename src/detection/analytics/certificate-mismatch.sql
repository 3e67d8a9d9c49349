-- id: certificate-mismatch
-- title: Server certificate does not name the server the client asked for
-- attack: T1071.001, T1001.003
-- family: context
-- probability: 0.35
-- description: TLS handshakes in which the server's certificate (subject CN and DNS names) does not cover the server name the client sent (SNI), as Zeek judges it (sni_matches_cert), as the x509 log of an older Zeek shows, or, with no x509 record, as the ssl.log's own subject CN shows when nothing vouches for the certificate (Zeek's validation failed on the chain itself, not on time or a missing issuer, which a sensor's clock or root store explain; or the CN is no host name): a C2 server borrowing a popular name it holds no certificate for, or traffic redirected to another server. Weak when many sources get such a certificate for the name: that is the server's own certificate, misconfigured. Bare-address SNI is not judged.
-- false_positive: Internal appliances and lab servers with default or self-signed certificates reached by name; a misconfigured virtual host.
-- tables: rw_events, rw_sources
-- param: shared_mismatch_min_sources | integer | 3 | sources getting a certificate that does not name the server before it counts as the server's own
-- param: shared_mismatch_factor | double | 0.3 | weight multiplier for a mismatch that many sources share
WITH judged_handshakes AS NOT MATERIALIZED (
  SELECT * FROM rw_events WHERE in_detection AND kind = 'tls' AND NOT regexp_matches(dst_name, '^[0-9.]+$|:')
), mismatched_pairs AS (
  -- Most captures have none: only these pairs' handshakes are counted below.
  SELECT DISTINCT src_key, service_key FROM judged_handshakes WHERE sni_mismatch
), handshakes AS (
  SELECT src_key, service_key, any_value(service_id) AS service_id, mode(dst_name ORDER BY dst_name) AS dst_name,
    count(*) FILTER (WHERE sni_mismatch) AS mismatched, count(*) AS events, min(ts) FILTER (WHERE sni_mismatch) AS first_seen,
    max(ts) FILTER (WHERE sni_mismatch) AS last_seen, min(dst_ip) FILTER (WHERE sni_mismatch) AS dst_ip
  FROM judged_handshakes JOIN mismatched_pairs USING (src_key, service_key)
  GROUP BY src_key, service_key
), judged AS (
  SELECT *, count(*) OVER (PARTITION BY service_key) AS mismatched_sources FROM handshakes
)
SELECT 'certificate-mismatch' AS signal_id, j.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  j.service_id, j.dst_name AS dst_host,
  CASE WHEN j.mismatched_sources >= getvariable('shared_mismatch_min_sources') THEN getvariable('shared_mismatch_factor') ELSE 1.0 END::DOUBLE AS weight,
  j.mismatched AS events, j.first_seen, j.last_seen,
  concat(format('{} asked for {} in {} TLS handshake(s) and the server ({}) answered with a certificate that does not name it',
                j.src_key, j.dst_name, j.mismatched, coalesce(j.dst_ip, 'address unknown')),
         CASE WHEN j.mismatched_sources >= getvariable('shared_mismatch_min_sources')
              THEN format('; {} sources get such a certificate for it, so it is likely the server''s own', j.mismatched_sources) END) AS explanation,
  j.mismatched AS evidence_mismatched_handshakes, j.events AS evidence_handshakes, j.mismatched_sources AS evidence_mismatched_sources
FROM judged j JOIN rw_sources s USING (src_key)
WHERE j.mismatched > 0
