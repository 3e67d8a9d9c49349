-- id: rare-service-for-peer-group
-- title: Service rare for the source's peer group
-- attack: T1102
-- family: context
-- probability: 0.3
-- description: A catalogued web service that few hosts of the same role and business unit use, however popular it is elsewhere (a service every workstation uses is still rare among servers).
-- false_positive: A team's legitimate but niche tool; one administrator's personal habits.
-- tables: rw_host_service, rw_peer_service, rw_peer_groups, rw_service_prevalence, rw_sources
-- param: rare_max_share | double | 0.1 | largest share of the peer group using the service that still counts as rare
-- param: min_peer_group | integer | 3 | peer groups smaller than this are not judged for rarity
SELECT 'rare-service-for-peer-group' AS signal_id, hs.src_key, src.src_ip, src.src_host, src.src_user, NULL::VARCHAR AS process,
  hs.service_id, hs.service_key AS dst_host,
  1 - ps.hosts / g.hosts AS weight,
  hs.events, hs.first_seen, hs.last_seen,
  -- Its peers are the other hosts of the group, counted as rw_peer_share() counts them for the playbook and Hosts view.
  format('{} of its {} peers (the other hosts in peer group "{}") use {} ({:.0f} %); across all sources {} hosts do',
         ps.hosts - 1, g.hosts - 1, hs.peer_group, hs.service_key, 100 * (ps.hosts - 1) / (g.hosts - 1), sp.hosts) AS explanation,
  ps.hosts AS evidence_peer_hosts_using, g.hosts AS evidence_peer_hosts, ps.hosts - 1 AS evidence_peers_using, g.hosts - 1 AS evidence_peers,
  sp.hosts AS evidence_all_hosts_using,
  hs.peer_group AS evidence_peer_group
FROM rw_host_service hs
JOIN rw_peer_service ps ON ps.peer_group = hs.peer_group AND ps.service_key = hs.service_key
JOIN rw_peer_groups g ON g.peer_group = hs.peer_group
JOIN rw_service_prevalence sp ON sp.service_key = hs.service_key
JOIN rw_sources src ON src.src_key = hs.src_key
WHERE hs.service_id IS NOT NULL
  AND g.hosts >= getvariable('min_peer_group')
  AND ps.hosts <= greatest(1, getvariable('rare_max_share') * g.hosts)
