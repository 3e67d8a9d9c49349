-- id: scoped-events
-- description: Windows, source keys (host name else IP; connections Zeek marks as coming in from outside are not a source's use), resolved destination names, catalog services and peer groups for every network event: the table every analytic reads.
-- tables: events, host_roles, inventory, dst_services, catalog_services
-- param: baseline_start | timestamp | null | start of the baseline window (default: the hour of the first event)
-- param: baseline_end | timestamp | null | end of the baseline window (default: baseline_start + baseline_days, at most baseline_share of the data)
-- param: baseline_days | double | 1 | baseline length in days when baseline_end is not given
-- param: baseline_share | double | 0.25 | largest share of the data's time span the default baseline takes, so short captures keep time to detect in
-- param: baseline_min_hours | integer | 4 | clock hours holding data a default baseline needs; with fewer (a capture of minutes, a replayed lab) there is no baseline and findings say so
-- param: detect_start | timestamp | null | start of the detection window (default: first event)
-- param: detect_end | timestamp | null | end of the detection window, exclusive (default: just after the last event)

-- rw_short_host, rw_source_key, rw_dst_name, rw_network_kind and rw_ip_host_map() are the shared vocabulary
-- (src/core/vocabulary.ts), created with the schema.

-- Does one approved_services row cover this source (and process, for process-level findings)?
CREATE OR REPLACE TEMP MACRO rw_scope_matches(scope_kind, scope_value, role, business_unit, src_key, src_ip, process_name) AS
  CASE lower(scope_kind)
    WHEN 'all' THEN true
    WHEN 'role' THEN lower(scope_value) = lower(role)
    WHEN 'business_unit' THEN lower(scope_value) = lower(business_unit)
    WHEN 'host' THEN rw_short_host(scope_value) = src_key OR scope_value = src_ip
    WHEN 'process' THEN lower(scope_value) = process_name
    ELSE false END;

CREATE OR REPLACE TEMP TABLE rw_window AS
WITH span AS (
  SELECT min(ts) AS data_start, max(ts) AS data_end FROM events
  WHERE rw_network_kind(kind)
), starts AS (
  -- From the first event's hour, not midnight UTC: logs cut at local midnight would otherwise leave a baseline of
  -- a few night hours, against which all daytime use looks new.
  SELECT *, coalesce(CAST(getvariable('baseline_start') AS TIMESTAMP), date_trunc('hour', data_start)) AS baseline_start FROM span
), proposed AS (
  SELECT *, baseline_start + to_microseconds(CAST(least(getvariable('baseline_days') * 86400e6,
                                                        getvariable('baseline_share') * (epoch_us(data_end) - epoch_us(baseline_start))) AS BIGINT)) AS share_end
  FROM starts
), covered AS (
  SELECT p.*, (SELECT count(DISTINCT date_trunc('hour', e.ts)) FROM events e
               WHERE e.ts >= p.baseline_start AND e.ts < p.share_end
                 AND rw_network_kind(e.kind)) AS baseline_hours
  FROM proposed p
), judged AS (
  -- A default baseline with too few hours of data says nothing about what is normal: rather than judge everything
  -- after a few minutes "new", there is no baseline, and every finding says so.
  SELECT *, getvariable('baseline_end') IS NULL AND baseline_hours < getvariable('baseline_min_hours') AS too_short FROM covered
)
SELECT data_start, data_end, baseline_start,
  coalesce(CAST(getvariable('baseline_end') AS TIMESTAMP), CASE WHEN too_short THEN baseline_start ELSE share_end END) AS baseline_end,
  coalesce(CAST(getvariable('detect_start') AS TIMESTAMP), data_start) AS detect_start,
  coalesce(CAST(getvariable('detect_end') AS TIMESTAMP), data_end + INTERVAL 1 SECOND) AS detect_end,
  CASE WHEN too_short THEN format('the data holds {} hour(s) with activity where a baseline would be, fewer than {}, so there is no baseline: nothing is judged new or already established',
                                  baseline_hours, getvariable('baseline_min_hours')) END AS baseline_note
FROM judged;

-- IP -> host name, materialised once for the joins below.
CREATE OR REPLACE TEMP TABLE rw_ip_hosts AS SELECT * FROM rw_ip_host_map();

-- Destination IP -> name, only where the data maps the IP to exactly one name (shared CDN IPs stay IPs).
CREATE OR REPLACE TEMP TABLE rw_ip_names AS
SELECT dst_ip, min(name) AS name FROM (
  SELECT dst_ip, rw_dst_name(dst_host) AS name FROM events
  WHERE dst_ip IS NOT NULL AND dst_host IS NOT NULL AND kind <> 'dns'
  UNION
  SELECT trim(answer), rw_dst_name(dns_query) FROM (
    SELECT dns_query, unnest(string_split(dns_answers, ',')) AS answer FROM events
    WHERE kind = 'dns' AND dns_answers IS NOT NULL AND dns_query IS NOT NULL
  ) WHERE regexp_matches(trim(answer), '^[0-9.]+$|^[0-9a-f:]+:[0-9a-f:]*$')
) GROUP BY dst_ip HAVING count(DISTINCT name) = 1;

CREATE OR REPLACE TEMP TABLE rw_roles AS
SELECT rw_source_key(h.src_host, ih.host, h.src_ip) AS src_key,
  arg_max(h.role, h.role_origin = 'inventory') AS role,
  arg_max(h.business_unit, h.role_origin = 'inventory') AS business_unit,
  arg_max(h.role_origin, h.role_origin = 'inventory') AS role_origin
FROM host_roles h LEFT JOIN rw_ip_hosts ih ON ih.src_ip = h.src_ip
WHERE coalesce(h.src_host, h.src_ip) IS NOT NULL
GROUP BY 1;

-- Not a TEMP table: in the tab the current database is DuckDB's compressed one (temp tables are stored
-- uncompressed), and with the CLI's --db FILE it can spill to that file; the runner drops it after the pack.
CREATE OR REPLACE TABLE rw_events AS
WITH base AS (
  SELECT e.ts, e.kind,
    rw_source_key(e.src_host, ih.host, e.src_ip) AS src_key,
    e.src_ip, coalesce(rw_short_host(e.src_host), ih.host) AS src_host, e.src_user,
    e.process, e.process_id, rw_process_name(e.process) AS process_name,
    e.parent_process, rw_process_name(e.parent_process) AS parent_name,
    -- Endpoint events whose process start is known: the key that walks up the process tree (read as text: the
    -- browser's DuckDB has no JSON functions).
    CASE WHEN e.parent_process IS NOT NULL THEN nullif(regexp_extract(e.extra, '"ProcessGuid":\s*"([^"]+)"', 1), '') END AS process_guid,
    coalesce(rw_dst_name(e.dst_host), ipn.name, e.dst_ip) AS dst_name,
    e.dst_ip, e.dst_port, e.url_path, upper(e.method) AS method, e.status, e.user_agent,
    e.bytes_out, e.bytes_in, e.duration, e.conn_state, lower(e.action) AS action, e.tls_ja3,
    -- Zeek's word (or the enrichment's, for older Zeek) that the server's certificate does not name the SNI.
    CASE WHEN e.kind = 'tls' AND contains(e.extra, '"sni_matches_cert"')
         THEN regexp_matches(e.extra, '"sni_matches_cert":\s*("F"|false)') ELSE false END AS sni_mismatch,
    rw_continued(e.extra) AS continued, e.source_file, e.source_line
  FROM events e
  LEFT JOIN rw_ip_hosts ih ON ih.src_ip = e.src_ip
  -- A plain equi-join (one row per IP): a dst_host test in ON turns it into a nested-loop join; coalesce() above
  -- already prefers the event's own name.
  LEFT JOIN rw_ip_names ipn ON ipn.dst_ip = e.dst_ip
  WHERE rw_network_kind(e.kind) AND NOT rw_inbound(e.extra)
), file_spans AS (
  -- Copies of one observation share a kind and a second (rw_copy_key), so only files whose records of one kind
  -- overlap in time can hold copies of each other. Every other record is an event as it is (rotated logs, one log
  -- per sensor), without the two sorts below.
  SELECT source_file, kind, date_trunc('second', min(ts)) AS first_second, date_trunc('second', max(ts)) AS last_second
  FROM base GROUP BY ALL
), overlapping AS (
  SELECT DISTINCT a.source_file, a.kind FROM file_spans a JOIN file_spans b
    ON a.kind = b.kind AND a.source_file IS DISTINCT FROM b.source_file
   AND a.first_second <= b.last_second AND b.first_second <= a.last_second
), flagged AS (
  SELECT base.*, o.kind IS NOT NULL AS may_be_copy FROM base
  LEFT JOIN overlapping o ON o.source_file IS NOT DISTINCT FROM base.source_file AND o.kind = base.kind
), numbered AS (
  SELECT *, row_number() OVER (PARTITION BY rw_copy_key(kind, src_key, dst_name, process, ts), source_file
                               ORDER BY ts, source_line) AS nth
  FROM flagged WHERE may_be_copy
), deduplicated AS (
  SELECT * EXCLUDE (source_file, source_line, may_be_copy) FROM flagged WHERE NOT may_be_copy
  UNION ALL
  -- A second copy of a log (one sensor's logs as Zeek JSON and as TSV, one proxy as Squid and as ProxySG) adds no
  -- event: the n-th record of a copy key in one file is the n-th in another, and the richest record speaks for it.
  -- Records of one file are never merged, so two real requests in one second stay two.
  SELECT * EXCLUDE (source_file, source_line, nth, may_be_copy) FROM numbered
  QUALIFY row_number() OVER (PARTITION BY rw_copy_key(kind, src_key, dst_name, process, ts), nth
                             ORDER BY rw_record_richness(url_path, method, user_agent, bytes_out, bytes_in) DESC,
                                      source_file, source_line) = 1
), services AS (
  SELECT rw_dst_name(dst_host) AS dst_name, min(service_id) AS service_id FROM dst_services GROUP BY 1
)
SELECT b.*, s.service_id, coalesce(s.service_id, b.dst_name) AS service_key,
  cs.category, coalesce(cs.consumer, false) AS consumer,
  -- Role, business unit and role origin are per source: rw_sources carries them, not every event.
  coalesce(r.role, 'unknown') || ' / ' || coalesce(r.business_unit, 'unknown') AS peer_group,
  b.ts >= w.baseline_start AND b.ts < w.baseline_end AS in_baseline,
  b.ts >= w.detect_start AND b.ts < w.detect_end AS in_detection
FROM deduplicated b CROSS JOIN rw_window w
LEFT JOIN services s ON s.dst_name = b.dst_name
LEFT JOIN catalog_services cs ON cs.service_id = s.service_id
LEFT JOIN rw_roles r ON r.src_key = b.src_key
WHERE b.src_key IS NOT NULL AND b.dst_name IS NOT NULL;

-- One identity row per source key for the signal rows: its most common IP, host name and user (ties to the
-- smallest), counted over the few identity combinations per source rather than over every event.
CREATE OR REPLACE TEMP TABLE rw_sources AS
WITH identities AS (
  SELECT src_key, src_ip, src_host, src_user, count(*) AS n FROM rw_events GROUP BY ALL
), ips AS (
  SELECT src_key, first(src_ip ORDER BY n DESC, src_ip) AS src_ip FROM (
    SELECT src_key, src_ip, sum(n) AS n FROM identities WHERE src_ip IS NOT NULL GROUP BY ALL) GROUP BY src_key
), hosts AS (
  SELECT src_key, first(src_host ORDER BY n DESC, src_host) AS src_host FROM (
    SELECT src_key, src_host, sum(n) AS n FROM identities WHERE src_host IS NOT NULL GROUP BY ALL) GROUP BY src_key
), users AS (
  SELECT src_key, first(src_user ORDER BY n DESC, src_user) AS src_user FROM (
    SELECT src_key, src_user, sum(n) AS n FROM identities WHERE src_user IS NOT NULL GROUP BY ALL) GROUP BY src_key
)
SELECT k.src_key, i.src_ip, h.src_host, u.src_user,
  coalesce(r.role, 'unknown') AS role, coalesce(r.business_unit, 'unknown') AS business_unit,
  coalesce(r.role_origin, 'unknown') AS role_origin,
  coalesce(r.role, 'unknown') || ' / ' || coalesce(r.business_unit, 'unknown') AS peer_group
FROM (SELECT DISTINCT src_key FROM identities) k
LEFT JOIN ips i USING (src_key) LEFT JOIN hosts h USING (src_key) LEFT JOIN users u USING (src_key)
LEFT JOIN rw_roles r USING (src_key);
