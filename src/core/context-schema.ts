/**
 * Tables of context data (web-service catalog, asset inventory, approved-service policy) that the
 * analytics join at query time. The catalog/asset layer fills them; the detection pack only reads them.
 * Identical in DuckDB-WASM and native DuckDB.
 */
export const CONTEXT_DDL = `
CREATE TABLE IF NOT EXISTS catalog_services (
  service_id VARCHAR PRIMARY KEY,   -- 'telegram', 'discord', 'dropbox', ...
  name VARCHAR NOT NULL,            -- 'Telegram'
  category VARCHAR NOT NULL,        -- storage | paste | messaging | social | code-hosting | productivity | email | dev-tunnel | ...
  subtechniques VARCHAR,            -- comma-separated ATT&CK ids, e.g. 'T1102.002,T1102.001'
  consumer BOOLEAN,                 -- a consumer service (unexpected from servers/appliances)
  description VARCHAR,
  sources VARCHAR                   -- where the entry's facts come from
);
CREATE TABLE IF NOT EXISTS catalog_hosts (
  service_id VARCHAR NOT NULL,
  pattern VARCHAR NOT NULL,         -- lower-case host name; matches itself and any subdomain ('api.telegram.org')
  note VARCHAR
);
CREATE TABLE IF NOT EXISTS catalog_paths (
  service_id VARCHAR NOT NULL,
  host_pattern VARCHAR,             -- restrict to this host pattern (null: any host of the service)
  path_regex VARCHAR NOT NULL,      -- DuckDB regexp_matches() pattern over url_path
  use VARCHAR NOT NULL,             -- 'bot-api' | 'webhook' | 'raw-content' | 'file-upload' | 'file-download' | 'api' | ...
  note VARCHAR
);
CREATE TABLE IF NOT EXISTS catalog_clients (
  service_id VARCHAR NOT NULL,
  process_regex VARCHAR,            -- case-insensitive regex over the process image name (not path)
  ua_regex VARCHAR,                 -- case-insensitive regex over the user agent
  signer VARCHAR,
  note VARCHAR
);
-- Patterns that read the adversary's account (bot, webhook, repository, paste, tunnel) from host + path and query.
CREATE TABLE IF NOT EXISTS catalog_accounts (
  service_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,            -- 'telegram-bot' | 'discord-webhook' | 'github-repo' | ...
  account_regex VARCHAR NOT NULL,   -- RE2 regex, one capture group: the account id
  note VARCHAR
);
-- Process image names by role: a 'launcher' (shell, script host, download tool) started by a 'server' (web, application
-- or database server) that reaches the network; a 'proxy-executor', a launcher that needs no network itself.
CREATE TABLE IF NOT EXISTS catalog_process_roles (
  role VARCHAR NOT NULL,            -- 'server' | 'launcher' | 'proxy-executor'
  process_regex VARCHAR NOT NULL,   -- case-insensitive regex over the process image name (not path)
  note VARCHAR
);
-- One row per known source (by IP and/or host name): role and business unit from the inventory, else inferred.
CREATE TABLE IF NOT EXISTS host_roles (
  src_ip VARCHAR,
  src_host VARCHAR,
  role VARCHAR,                     -- 'workstation' | 'server' | 'domain-controller' | 'esxi' | 'build-server' | ... | null
  business_unit VARCHAR,
  owner VARCHAR,
  criticality VARCHAR,
  os VARCHAR,
  role_origin VARCHAR NOT NULL      -- 'inventory' | 'inferred' | 'unknown'
);
-- Approved-service policy: service_id is approved for every source matching scope_kind = scope_value.
CREATE TABLE IF NOT EXISTS approved_services (
  service_id VARCHAR NOT NULL,      -- a catalog service id, or '*' for every service
  scope_kind VARCHAR NOT NULL,      -- 'all' | 'role' | 'business_unit' | 'host' | 'process'
  scope_value VARCHAR,              -- null for 'all'; a role, business unit, host name or IP, or process image name
  note VARCHAR
);
`;
