-- id: usage-baselines
-- description: Who uses which service, with which process and user agent, since when, at which hours and volumes; per host and per peer group (role x business unit), computed once for every analytic.
-- tables: rw_events, rw_window, catalog_clients
-- param: browser_regex | varchar | ^(chrome|msedge|firefox|iexplore|opera|brave|vivaldi|safari|chromium|microsoftedge[a-z]*)(\.exe)?$ | image names of web browsers
-- param: browser_ua_regex | varchar | ^Mozilla/5\.0 \([^)]*\) .*(Chrome|Firefox|Safari|Edg|OPR)/[0-9] | user agents of web browsers

CREATE OR REPLACE TEMP TABLE rw_peer_groups AS
SELECT peer_group, count(DISTINCT src_key) AS hosts,
  count(DISTINCT src_key) FILTER (WHERE in_baseline) AS baseline_hosts
FROM rw_events GROUP BY peer_group;

-- Events are counted as a finding's header counts them (rw_event_count): a connection Zeek's conn and ssl logs both
-- recorded is one, so every count an analytic quotes or scores from these tables agrees with the header.
CREATE OR REPLACE TEMP TABLE rw_host_service AS
SELECT src_key, service_key, any_value(service_id) AS service_id, any_value(peer_group) AS peer_group,
  min(ts) AS first_seen, max(ts) AS last_seen, rw_event_count(kind) AS events,
  rw_event_count(CASE WHEN in_baseline THEN kind END) AS baseline_events
FROM rw_events GROUP BY src_key, service_key;

CREATE OR REPLACE TEMP TABLE rw_peer_service AS
SELECT peer_group, service_key, count(DISTINCT src_key) AS hosts,
  count(DISTINCT src_key) FILTER (WHERE baseline_events > 0) AS baseline_hosts
FROM rw_host_service GROUP BY peer_group, service_key;

CREATE OR REPLACE TEMP TABLE rw_service_prevalence AS
SELECT service_key, count(DISTINCT src_key) AS hosts FROM rw_host_service GROUP BY service_key;

-- Hosts active during the baseline: only they can have something "new" after it.
CREATE OR REPLACE TEMP TABLE rw_host_baseline AS
SELECT src_key, rw_event_count(kind) AS baseline_events FROM rw_events WHERE in_baseline GROUP BY src_key;

CREATE OR REPLACE TEMP TABLE rw_process_service AS
SELECT src_key, service_key, process, any_value(process_name) AS process_name, min(ts) AS first_seen, rw_event_count(kind) AS events,
  rw_event_count(CASE WHEN in_baseline THEN kind END) AS baseline_events
FROM rw_events WHERE process IS NOT NULL GROUP BY src_key, service_key, process;

CREATE OR REPLACE TEMP TABLE rw_ua_service AS
SELECT src_key, service_key, user_agent, min(ts) AS first_seen, rw_event_count(kind) AS events,
  rw_event_count(CASE WHEN in_baseline THEN kind END) AS baseline_events
FROM rw_events WHERE user_agent IS NOT NULL GROUP BY src_key, service_key, user_agent;

-- Which kinds of client a source reaches a service with: web browsers (image or user agent), the service's own
-- catalogued clients, or anything else ("foreign": scripts, tools, unknown binaries). A pair with familiar_only
-- (browsers and catalogued clients, nothing foreign) looks like people and installed software, not an implant.
CREATE OR REPLACE TEMP TABLE rw_pair_clients AS
WITH clients AS (
  SELECT src_key, service_key, service_id, process_name AS client, 'process' AS what,
    regexp_matches(process_name, getvariable('browser_regex')) AS browser, count(*) AS events
  FROM rw_events WHERE process_name IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT src_key, service_key, service_id, user_agent, 'user agent',
    regexp_matches(user_agent, getvariable('browser_ua_regex')), count(*)
  FROM rw_events WHERE user_agent IS NOT NULL AND trim(user_agent) NOT IN ('', '-') GROUP BY ALL
), judged AS (
  SELECT c.*, EXISTS (
    SELECT 1 FROM catalog_clients k WHERE k.service_id = c.service_id
      AND regexp_matches(c.client, CASE c.what WHEN 'process' THEN k.process_regex ELSE k.ua_regex END, 'i')) AS catalogued
  FROM clients c
)
SELECT src_key, service_key,
  sum(events) FILTER (WHERE browser) AS browser_events,
  sum(events) FILTER (WHERE catalogued AND NOT browser) AS catalogued_events,
  sum(events) FILTER (WHERE NOT browser AND NOT catalogued) AS foreign_events,
  coalesce(sum(events) FILTER (WHERE NOT browser AND NOT catalogued), 0) = 0 AS familiar_only
FROM judged GROUP BY src_key, service_key;

-- Hour-of-week activity in the baseline; analytics fall back to hour of day when the baseline is under a week.
CREATE OR REPLACE TEMP TABLE rw_hour_profile AS
SELECT src_key, peer_group, dayofweek(ts) AS dow, hour(ts) AS hour, rw_event_count(kind) AS events
FROM rw_events WHERE in_baseline GROUP BY src_key, peer_group, dow, hour;

-- Bytes per peer group and service in the baseline; each log kind summed apart, the largest kept,
-- so one connection logged by Zeek and by the proxy is not counted twice.
CREATE OR REPLACE TEMP TABLE rw_volume_baseline AS
SELECT peer_group, service_key, max(bytes_out) AS bytes_out, max(bytes_in) AS bytes_in FROM (
  SELECT peer_group, service_key, kind, sum(bytes_out) AS bytes_out, sum(bytes_in) AS bytes_in
  FROM rw_events WHERE in_baseline GROUP BY ALL
) GROUP BY peer_group, service_key;
