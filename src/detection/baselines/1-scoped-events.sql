-- id: scoped-events
-- description: Windows, source keys (host name else IP; connections Zeek marks as coming in from outside are not a source's use), resolved destination names, catalog services and peer groups for every network event: the table every analytic reads.
-- tables: events, host_roles, inventory, dst_services, catalog_services
-- param: baseline_start | timestamp | null | start of the baseline window (default: the hour of the first event)
-- param: baseline_end | timestamp | null | end of the baseline window (default: baseline_start + baseline_days, at most baseline_share of the data)
-- param: baseline_days | double | 1 | baseline length in days when baseline_end is not given
-- param: baseline_share | double | 0.25 | largest share of the data's time span the default baseline takes, so short captures keep time to detect in
-- param: baseline_min_hours | integer | 8 | clock hours holding data a default baseline needs (about a working day): with fewer (a capture of minutes, a replayed lab, a day's capture whose first quarter is the baseline) a baseline cannot tell an established habit from something that began with the capture, so there is none: nothing is judged new or established, and findings say so
-- param: detect_start | timestamp | null | start of the detection window (default: first event)
-- param: detect_end | timestamp | null | end of the detection window, exclusive (default: just after the last event)

-- rw_short_host, rw_source_key, rw_network_kind, rw_ip_host_map() and rw_source_events() are the shared vocabulary
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
  CASE WHEN too_short THEN format('the data is too short for a baseline: it holds {} hour(s) with activity where one would be, fewer than {}, so nothing is judged new or already established',
                                  baseline_hours, getvariable('baseline_min_hours')) END AS baseline_note
FROM judged;

-- IP -> host name, materialised once for the joins below.
DELETE FROM rw_ip_hosts;
INSERT INTO rw_ip_hosts BY NAME SELECT src_ip, host FROM rw_ip_host_map();

CREATE OR REPLACE TEMP TABLE rw_roles AS SELECT * FROM rw_source_roles();

-- One row per event a source used (rw_source_events(), the vocabulary's definition the views read too) or that came
-- in from outside (rw_events_both_ways()), with its service, peer group and windows. A TEMP table: with the CLI's --db FILE a table in the database would also go
-- through its write-ahead log (29.0 s against 27.7 s on the 1 M benchmark); the runner drops it after the pack.
CREATE OR REPLACE TEMP TABLE rw_events_both_ways AS
SELECT b.*, cs.category, coalesce(cs.consumer, false) AS consumer,
  -- Role, business unit and role origin are per source: rw_sources carries them, not every event.
  coalesce(r.role, 'unknown') || ' / ' || coalesce(r.business_unit, 'unknown') AS peer_group,
  b.ts >= w.baseline_start AND b.ts < w.baseline_end AS in_baseline,
  b.ts >= w.detect_start AND b.ts < w.detect_end AS in_detection
FROM rw_events_both_ways() b CROSS JOIN rw_window w
LEFT JOIN catalog_services cs ON cs.service_id = b.service_id
LEFT JOIN rw_roles r ON r.src_key = b.src_key;

-- What every analytic reads: the sources' own use (rw_source_events()). Only the timing analysis and the facts of
-- the findings it raises read rw_events_both_ways, with the connections coming in.
CREATE OR REPLACE TEMP VIEW rw_events AS SELECT * EXCLUDE (inbound) FROM rw_events_both_ways WHERE NOT inbound;

-- The same events, slimmed to what the Hosts and Services views and the playbook's peer share read after the pack
-- (rw_peer_share()): computing rw_source_events() per view query cost seconds at a million events.
DELETE FROM rw_view_events;
INSERT INTO rw_view_events BY NAME SELECT ts, kind, src_key, service_id, service_key, dst_name, bytes_out, bytes_in FROM rw_events;

-- One identity row per source key for the signal rows: its most common IP, host name and user (ties to the
-- smallest), counted over the few identity combinations per source rather than over every event.
CREATE OR REPLACE TEMP TABLE rw_sources AS
WITH identities AS (
  SELECT src_key, src_ip, src_host, src_user, count(*) AS n FROM rw_events_both_ways GROUP BY ALL
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
