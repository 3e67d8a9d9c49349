-- id: dst-services
-- title: Destination host → catalogued web service
-- description: (Re)builds dst_services with one row per distinct events.dst_host that matches a catalog host
--   pattern. A pattern matches the host itself and any subdomain; the longest pattern wins, then the lowest
--   service id. Hosts are compared after trimming, lower-casing and dropping a port and one trailing dot, so
--   'Dropbox.COM.' and 'dropbox.com:443' match while 'dropbox.com.evil.io' and 'evildropbox.com' do not.
--   registrable_domain comes from host_domains, which context.ts fills with the Public Suffix List (tldts).
-- tables: events, catalog_hosts, host_domains → dst_services
-- parameters: none
DELETE FROM dst_services;
INSERT INTO dst_services (dst_host, service_id, pattern, registrable_domain)
WITH hosts AS (
  SELECT dst_host,
         rtrim(regexp_replace(lower(trim(dst_host)), '^([^:\[\]]+):[0-9]{1,5}$', '\1'), '.') AS host
  FROM (SELECT DISTINCT dst_host FROM events WHERE dst_host IS NOT NULL AND dst_host <> '')
),
matched AS (
  SELECT h.dst_host, c.service_id, c.pattern
  FROM hosts h
  JOIN catalog_hosts c ON h.host = c.pattern OR ends_with(h.host, '.' || c.pattern)
  QUALIFY row_number() OVER (PARTITION BY h.dst_host ORDER BY length(c.pattern) DESC, c.service_id) = 1
)
SELECT m.dst_host, m.service_id, m.pattern, d.registrable_domain
FROM matched m
LEFT JOIN host_domains d ON d.dst_host = m.dst_host;
