-- id: account-rarity
-- title: Rare account inside a common service
-- attack: T1102
-- family: context
-- probability: 0.3
-- description: The service is common in this organisation, but the bot, repository, paste, webhook, file or tunnel this source reaches inside it is reached by no other source, or first appeared after the baseline. Colleagues share team repositories, channels and files; an implant talks to its operator's own account. Weak when only web browsers and the service's catalogued clients reach the service from the source.
-- false_positive: A developer's personal repository or a file shared with one person.
-- false_positive: A team adopting a new repository or channel after the baseline.
-- tables: rw_accounts, rw_service_prevalence, rw_window, rw_sources, rw_host_baseline, rw_pair_clients
-- param: account_common_min_hosts | integer | 3 | least sources using a service for one of its accounts to count as rare
-- param: familiar_client_factor | double | 0.2 | weight multiplier when only web browsers and the service's catalogued clients reach it from the source
WITH per_account AS (
  SELECT kind, account_id, count(DISTINCT src_key) AS sources, min(first_seen) AS first_anywhere
  FROM rw_accounts GROUP BY kind, account_id
), judged AS (
  SELECT a.*, p.sources, p.first_anywhere, sp.hosts AS service_hosts,
    p.sources = 1 AS lone,
    -- "New" needs a source that was watched during the baseline, else everything it does is new.
    p.first_anywhere >= w.baseline_end AND hb.src_key IS NOT NULL AS new_after_baseline,
    epoch(p.first_anywhere - w.baseline_end) / 86400 AS days_after_baseline
  FROM rw_accounts a
  JOIN per_account p USING (kind, account_id)
  JOIN rw_service_prevalence sp ON sp.service_key = a.service_key
  LEFT JOIN rw_host_baseline hb ON hb.src_key = a.src_key
  CROSS JOIN rw_window w
  WHERE a.service_id IS NOT NULL AND sp.hosts >= getvariable('account_common_min_hosts')
    AND a.last_seen >= w.detect_start AND a.first_seen < w.detect_end
), rare AS (
  SELECT *, CASE WHEN lone AND new_after_baseline THEN 1.0 WHEN lone THEN 0.7 ELSE 0.6 END AS strength,
    count(*) OVER (PARTITION BY src_key, service_key) AS rare_accounts
  FROM judged WHERE lone OR new_after_baseline
  QUALIFY row_number() OVER (PARTITION BY src_key, service_key ORDER BY strength DESC, events DESC, kind, account_id) = 1
)
SELECT 'account-rarity' AS signal_id, r.src_key, s.src_ip, s.src_host, s.src_user, NULL::VARCHAR AS process,
  r.service_id, r.service_key AS dst_host,
  r.strength * CASE WHEN coalesce(pc.familiar_only, false) THEN getvariable('familiar_client_factor') ELSE 1 END::DOUBLE AS weight,
  r.events, r.first_seen, r.last_seen,
  concat(format('{} is used by {} sources here, but {} {} is ', r.service_key, r.service_hosts, r.kind, r.account_id),
    CASE WHEN r.lone THEN format('reached by {} alone', r.src_key) ELSE format('reached by {} sources', r.sources) END,
    CASE WHEN r.new_after_baseline THEN format(' and first appeared {:.1f} days after the baseline', r.days_after_baseline) END,
    format(' ({} events from {} via {})', r.events, r.src_key, r.origin),
    CASE WHEN r.rare_accounts > 1 THEN format('; {} rare accounts in all', r.rare_accounts) END,
    CASE WHEN coalesce(pc.familiar_only, false) THEN '; only browsers and the service''s own clients reach it from this source, so weak' END) AS explanation,
  r.kind AS evidence_account_kind, r.account_id AS evidence_account_id, r.sources AS evidence_account_sources,
  r.service_hosts AS evidence_service_sources, r.new_after_baseline AS evidence_new_after_baseline,
  r.rare_accounts AS evidence_rare_accounts
FROM rare r JOIN rw_sources s USING (src_key)
LEFT JOIN rw_pair_clients pc ON pc.src_key = r.src_key AND pc.service_key = r.service_key
