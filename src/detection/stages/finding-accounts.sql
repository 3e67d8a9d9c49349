-- id: finding-accounts
-- description: The adversary accounts each source/service pair in rw_finding_pairs addresses (rw_accounts), most used first, with where each was read and one request it was read from (redacted by the runner before it leaves).
-- tables: rw_accounts, rw_finding_pairs
SELECT a.src_key, a.service_key, a.kind, a.account_id, a.origin, a.sample_request, a.events
FROM rw_accounts a
JOIN rw_finding_pairs k ON k.src_key = a.src_key AND k.service_key = a.service_key
ORDER BY a.src_key, a.service_key, a.events DESC, a.kind, a.account_id
