-- id: upload-volume
-- title: Upload-heavy burst or upload:download ratio
-- attack: T1102, T1102.002
-- family: content
-- probability: 0.35
-- description: A source sends more than a threshold to a catalogued web service within a short window (DET0425: more than 1 MB out in under 5 minutes), or its upload:download ratio to the service is far above its peer group's baseline ratio. Each log type is summed apart so one connection logged twice is not counted twice.
-- false_positive: Deliberate uploads (sharing a video, syncing a new folder); backups to cloud storage.
-- tables: rw_events, rw_volume_baseline, rw_sources
-- param: burst_bytes | double | 1048576 | bytes out within burst_window_s that make a burst
-- param: burst_window_s | double | 300 | burst window in seconds
-- param: ratio_min_bytes | double | 1048576 | bytes out a pair needs before its ratio is judged
-- param: ratio_min | double | 1 | upload:download ratio above which uploads dominate
-- param: ratio_vs_baseline | double | 5 | how many times the peer group's baseline ratio the pair must exceed
WITH flows AS (
  SELECT src_key, service_id, kind, ts, dst_name, coalesce(bytes_out, 0) AS bytes_out, coalesce(bytes_in, 0) AS bytes_in,
    peer_group, service_key
  FROM rw_events WHERE in_detection AND service_id IS NOT NULL AND (bytes_out IS NOT NULL OR bytes_in IS NOT NULL)
), rolling AS (
  SELECT *, sum(bytes_out) OVER (PARTITION BY src_key, service_id, kind ORDER BY epoch(ts)
                                 RANGE BETWEEN CAST(getvariable('burst_window_s') AS DOUBLE) PRECEDING AND CURRENT ROW) AS window_out
  FROM flows
), per_kind AS (
  SELECT src_key, service_id, kind, any_value(peer_group) AS peer_group, any_value(service_key) AS service_key,
    max(window_out) AS peak_out, arg_max(ts, window_out) AS peak_at, sum(bytes_out) AS bytes_out, sum(bytes_in) AS bytes_in,
    count(*) AS events, min(ts) AS first_seen, max(ts) AS last_seen, mode(dst_name ORDER BY dst_name) AS dst_name
  FROM rolling GROUP BY src_key, service_id, kind
), pairs AS (
  SELECT src_key, service_id, any_value(peer_group) AS peer_group, any_value(service_key) AS service_key,
    max(peak_out) AS peak_out, arg_max(peak_at, peak_out) AS peak_at, max(bytes_out) AS bytes_out, max(bytes_in) AS bytes_in,
    max(events) AS events, min(first_seen) AS first_seen, max(last_seen) AS last_seen, arg_max(dst_name, events) AS dst_name
  FROM per_kind GROUP BY src_key, service_id
), judged AS (
  SELECT p.*, p.bytes_out / greatest(p.bytes_in, 1) AS ratio,
    b.bytes_out / greatest(b.bytes_in, 1) AS baseline_ratio,
    p.peak_out >= getvariable('burst_bytes') AS burst,
    p.bytes_out >= getvariable('ratio_min_bytes')
      AND p.bytes_out / greatest(p.bytes_in, 1) >= getvariable('ratio_min')
      AND (b.bytes_out IS NULL OR b.bytes_out = 0
           OR p.bytes_out / greatest(p.bytes_in, 1) >= getvariable('ratio_vs_baseline') * b.bytes_out / greatest(b.bytes_in, 1)) AS ratio_high
  FROM pairs p LEFT JOIN rw_volume_baseline b ON b.peer_group = p.peer_group AND b.service_key = p.service_key
)
SELECT 'upload-volume' AS signal_id, j.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  j.service_id, j.dst_name AS dst_host,
  CASE WHEN j.burst AND j.ratio_high THEN 1.0 WHEN j.burst THEN 0.85 ELSE 0.7 END::DOUBLE AS weight,
  j.events, j.first_seen, j.last_seen,
  concat_ws('; ',
    CASE WHEN j.burst THEN format('{} sent {:.1f} MB to {} within {:.0f} s (peak ending {})', j.src_key, j.peak_out / 1048576,
                                  j.service_id, getvariable('burst_window_s')::DOUBLE, strftime(j.peak_at, '%Y-%m-%d %H:%M:%S UTC')) END,
    CASE WHEN j.ratio_high THEN format('{} uploaded {:.1f} MB and downloaded {:.1f} MB ({:.1f}:1{})', j.src_key,
                                       j.bytes_out / 1048576, j.bytes_in / 1048576, j.ratio,
                                       coalesce(printf(', peer baseline %.2f:1', j.baseline_ratio), ', no peer baseline')) END) AS explanation,
  j.peak_out AS evidence_peak_bytes_out, j.bytes_out AS evidence_bytes_out, j.bytes_in AS evidence_bytes_in,
  j.ratio AS evidence_upload_ratio, j.baseline_ratio AS evidence_baseline_ratio
FROM judged j JOIN rw_sources s USING (src_key)
WHERE j.burst OR j.ratio_high
