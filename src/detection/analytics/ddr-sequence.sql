-- id: ddr-sequence
-- title: Dead-drop fetch followed by a never-seen destination
-- attack: T1102, T1102.001
-- family: sequence
-- probability: 0.6
-- description: A source fetches from a paste, code-hosting, social or blog service and within seconds first contacts a destination it had never reached before, the way an implant reads a dead drop resolver and then calls the address it found. Fewer new destinations in the window and rarer ones across all sources weigh more (a browser page load pulls in many new hosts at once); a fetch of a catalogued raw-content/API path weighs fully, one whose path is unknown (TLS, flows) half, a web page less; a source that reaches the service only through web browsers and its catalogued clients weighs little (a page, then its subresources and links).
-- false_positive: Opening a page that links to a new site and following the link; installers that read a release page then download from a CDN.
-- tables: rw_events, rw_service_prevalence, rw_sources, catalog_paths, rw_pair_clients
-- param: ddr_window_s | double | 60 | seconds after the fetch in which a first contact counts
-- param: ddr_categories | varchar | paste,code-hosting,social,blog,forum | catalog categories that can hold a dead drop
-- param: ddr_max_new | integer | 3 | more new destinations than this in the window look like a page load and are ignored
-- param: familiar_client_factor | double | 0.2 | weight multiplier when only web browsers and the service's catalogued clients reach it from the source
WITH first_contacts AS (
  SELECT src_key, dst_name, min(ts) AS first_ts, min(service_id) AS service_id FROM rw_events GROUP BY src_key, dst_name
), fetches AS (
  SELECT e.src_key, e.service_id, e.ts, e.kind, e.dst_name, e.url_path,
    CASE WHEN e.url_path IS NULL THEN 'path unknown'
         WHEN EXISTS (SELECT 1 FROM catalog_paths p WHERE p.service_id = e.service_id
                        AND p.use IN ('raw-content', 'file-download', 'api') AND regexp_matches(e.url_path, p.path_regex))
           THEN 'raw content' ELSE 'web page' END AS fetch_kind
  FROM rw_events e
  WHERE e.in_detection AND list_contains(string_split(getvariable('ddr_categories'), ','), e.category)
), follow AS (
  SELECT f.src_key, f.service_id, f.ts AS fetch_ts, f.kind, f.dst_name AS fetch_host, f.url_path, f.fetch_kind, c.dst_name AS new_dst, c.first_ts,
    count(*) OVER (PARTITION BY f.src_key, f.service_id, f.ts) AS new_in_window
  FROM fetches f JOIN first_contacts c
    ON c.src_key = f.src_key AND c.first_ts > f.ts
   AND c.first_ts <= f.ts + to_microseconds(CAST(getvariable('ddr_window_s') * 1e6 AS BIGINT))
  WHERE c.service_id IS DISTINCT FROM f.service_id
), ranked AS (
  SELECT fo.*, coalesce(sp.hosts, 1) AS new_dst_hosts, epoch(fo.first_ts - fo.fetch_ts) AS delay_s,
    CASE fo.fetch_kind WHEN 'raw content' THEN 1.0 WHEN 'path unknown' THEN 0.5 ELSE 0.4 END AS fetch_strength
  FROM follow fo LEFT JOIN rw_service_prevalence sp ON sp.service_key = fo.new_dst
  WHERE fo.new_in_window <= getvariable('ddr_max_new')
), pairs AS (
  SELECT src_key, service_id, min(fetch_ts) AS first_seen, max(first_ts) AS last_seen,
    max(fetch_strength) AS fetch_strength,
    -- The sequence quoted: the strongest kind of fetch, then the rarest new destination, then the shortest delay; ties
    -- broken by time and names, so the fetch, its path and the destination quoted are one real sequence on every run.
    arg_min({fetch_host: fetch_host, fetch_kind: fetch_kind, new_dst: new_dst, delay_s: delay_s, fetch_path: left(url_path, 200)},
            {strength: -fetch_strength, score: new_dst_hosts * 1e6 + delay_s, fetch_ts: fetch_ts, new_dst: new_dst, url_path: url_path}) AS quoted,
    min(new_dst_hosts) AS new_dst_hosts,
    (SELECT count(*) FROM rw_sources) AS all_hosts
  FROM ranked GROUP BY src_key, service_id
), sequences AS (
  -- A fetch the proxy and Zeek both logged is one sequence: fetches are counted as a finding's header counts events.
  SELECT src_key, service_id, rw_event_count(kind) AS sequences
  FROM (SELECT DISTINCT src_key, service_id, fetch_ts, kind FROM ranked) GROUP BY src_key, service_id
), chosen AS (
  SELECT pairs.* EXCLUDE (quoted), sq.sequences, quoted.fetch_host AS fetch_host, quoted.fetch_kind AS fetch_kind, quoted.new_dst AS new_dst, quoted.delay_s AS delay_s,
    quoted.fetch_path AS fetch_path
  FROM pairs JOIN sequences sq USING (src_key, service_id)
)
SELECT 'ddr-sequence' AS signal_id, p.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  p.service_id, p.fetch_host AS dst_host,
  p.fetch_strength * greatest(0.3, 1 - (p.new_dst_hosts - 1) / greatest(p.all_hosts, 1))
    * CASE WHEN coalesce(pc.familiar_only, false) THEN getvariable('familiar_client_factor') ELSE 1 END AS weight,
  p.sequences AS events, p.first_seen, p.last_seen,
  concat(format('{} fetched {}{} ({}) and {:.1f} s later first contacted {}, a destination {} source(s) ever reached',
                p.src_key, p.fetch_host, coalesce(p.fetch_path, ''), p.fetch_kind, p.delay_s, p.new_dst, p.new_dst_hosts),
         CASE WHEN pc.familiar_only THEN format('; only browsers and the service''s own clients reached {}, so weak', p.service_id) END) AS explanation,
  p.new_dst AS evidence_new_destination, p.delay_s AS evidence_delay_s, p.sequences AS evidence_sequences,
  p.new_dst_hosts AS evidence_new_destination_sources, p.fetch_kind AS evidence_fetch_kind,
  coalesce(pc.familiar_only, false) AS evidence_familiar_clients_only
FROM chosen p JOIN rw_sources s USING (src_key)
LEFT JOIN rw_pair_clients pc ON pc.src_key = p.src_key AND pc.service_key = p.service_id
