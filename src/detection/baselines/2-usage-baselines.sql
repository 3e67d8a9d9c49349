-- id: usage-baselines
-- description: Who uses which service, with which process and user agent, since when, at which hours and volumes; per host and per peer group (role x business unit), computed once for every analytic.
-- tables: rw_events, rw_window

CREATE OR REPLACE TEMP TABLE rw_peer_groups AS
SELECT peer_group, count(DISTINCT src_key) AS hosts,
  count(DISTINCT src_key) FILTER (WHERE in_baseline) AS baseline_hosts
FROM rw_events GROUP BY peer_group;

CREATE OR REPLACE TEMP TABLE rw_host_service AS
SELECT src_key, service_key, any_value(service_id) AS service_id, any_value(peer_group) AS peer_group,
  min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS events,
  count(*) FILTER (WHERE in_baseline) AS baseline_events
FROM rw_events GROUP BY src_key, service_key;

CREATE OR REPLACE TEMP TABLE rw_peer_service AS
SELECT peer_group, service_key, count(DISTINCT src_key) AS hosts,
  count(DISTINCT src_key) FILTER (WHERE baseline_events > 0) AS baseline_hosts
FROM rw_host_service GROUP BY peer_group, service_key;

CREATE OR REPLACE TEMP TABLE rw_service_prevalence AS
SELECT service_key, count(DISTINCT src_key) AS hosts FROM rw_host_service GROUP BY service_key;

-- Hosts active during the baseline: only they can have something "new" after it.
CREATE OR REPLACE TEMP TABLE rw_host_baseline AS
SELECT src_key, count(*) AS baseline_events FROM rw_events WHERE in_baseline GROUP BY src_key;

CREATE OR REPLACE TEMP TABLE rw_process_service AS
SELECT src_key, service_key, process, any_value(process_name) AS process_name, min(ts) AS first_seen, count(*) AS events
FROM rw_events WHERE process IS NOT NULL GROUP BY src_key, service_key, process;

CREATE OR REPLACE TEMP TABLE rw_ua_service AS
SELECT src_key, service_key, user_agent, min(ts) AS first_seen, count(*) AS events
FROM rw_events WHERE user_agent IS NOT NULL GROUP BY ALL;

-- Hour-of-week activity in the baseline; analytics fall back to hour of day when the baseline is under a week.
CREATE OR REPLACE TEMP TABLE rw_hour_profile AS
SELECT src_key, peer_group, dayofweek(ts) AS dow, hour(ts) AS hour, count(*) AS events
FROM rw_events WHERE in_baseline GROUP BY ALL;

-- Bytes per peer group and service in the baseline; each log kind summed apart, the largest kept,
-- so one connection logged by Zeek and by the proxy is not counted twice.
CREATE OR REPLACE TEMP TABLE rw_volume_baseline AS
SELECT peer_group, service_key, max(bytes_out) AS bytes_out, max(bytes_in) AS bytes_in FROM (
  SELECT peer_group, service_key, kind, sum(bytes_out) AS bytes_out, sum(bytes_in) AS bytes_in
  FROM rw_events WHERE in_baseline GROUP BY ALL
) GROUP BY peer_group, service_key;
