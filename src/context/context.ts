import { canonicalDdl } from '../core/canonical.ts';
import { CONTEXT_DDL } from '../core/context-schema.ts';
import { IP_HOST_MAP_DDL } from '../core/vocabulary.ts';
import type { SqlEngine } from '../engine/sql-engine.ts';
import { redactMacroSql } from './account-patterns.ts';
import { catalogToRows, type Catalog, type TableRows } from './catalog.ts';
import { ipv6Bits, registrableDomain } from './host.ts';
import { inventoryToRows, mergeInventories, type InventoryEntry } from './inventory.ts';
import { policyToRows, type PolicyRow } from './policy.ts';

/**
 * Tables this layer adds next to CONTEXT_DDL: the asset inventory, the destination → service map that
 * dst-services.sql builds, and two helper tables filled from TypeScript because SQL cannot do them offline
 * (Public Suffix List lookups and IPv6 expansion); then the vocabulary's IP → host macro, which reads them.
 */
export const CONTEXT_EXTRA_DDL = `
CREATE TABLE IF NOT EXISTS inventory (
  match VARCHAR NOT NULL,           -- canonical IP, CIDR (network/prefix) or lower-case host name
  match_kind VARCHAR NOT NULL,      -- 'ip' | 'cidr' | 'host'
  role VARCHAR, os VARCHAR, business_unit VARCHAR, owner VARCHAR, criticality VARCHAR,
  source VARCHAR,                   -- inventory file and line
  ip_bits VARCHAR,                  -- IPv6 only: address or network prefix as a '0'/'1' string
  hostname VARCHAR                  -- IP entries: the host name on the same inventory row
);
-- Databases kept on disk from before the column existed.
ALTER TABLE inventory ADD COLUMN IF NOT EXISTS hostname VARCHAR;
CREATE TABLE IF NOT EXISTS dst_services (dst_host VARCHAR, service_id VARCHAR, pattern VARCHAR, registrable_domain VARCHAR);
CREATE TABLE IF NOT EXISTS host_domains (dst_host VARCHAR, registrable_domain VARCHAR);
CREATE TABLE IF NOT EXISTS address_bits (ip VARCHAR, ip_bits VARCHAR);
${IP_HOST_MAP_DDL}`;

/** Texts of the SQL files in src/context/sql/ (see sql-files.ts for the browser, sql-files-node.ts for Node). */
export interface ContextSql {
  dstServices: string;
  hostRoles: string;
  approvedPairs: string;
}

export interface ContextData {
  catalog: Catalog;
  /** Inventories in load order; for the same IP/CIDR/host a later one wins. */
  inventories: readonly (readonly InventoryEntry[])[];
  policy: readonly PolicyRow[];
}

export interface ContextSummary {
  services: number;
  hostPatterns: number;
  inventoryEntries: number;
  /** What later inventories replaced in earlier ones. */
  inventoryOverrides: string[];
  policyRows: number;
  matchedDestinations: number;
  sources: number;
}

const PAGE = 50_000;

async function replaceTable(engine: SqlEngine, table: string, rows: TableRows): Promise<void> {
  await engine.exec(`DELETE FROM ${table}`);
  await engine.append(table, rows.columns, rows.types);
}

/** Adds registrable domains for dst_hosts not yet in host_domains, and IPv6 bit strings for new addresses (either side). */
async function refreshHelperTables(engine: SqlEngine): Promise<void> {
  for (;;) {
    const hosts = await engine.all<{ h: string }>(
      `SELECT DISTINCT dst_host h FROM events WHERE dst_host IS NOT NULL AND dst_host NOT IN (SELECT dst_host FROM host_domains) LIMIT ${PAGE}`,
    );
    if (!hosts.length) break;
    await engine.append(
      'host_domains',
      { dst_host: hosts.map((r) => r.h), registrable_domain: hosts.map((r) => registrableDomain(r.h)) },
      { dst_host: 'VARCHAR', registrable_domain: 'VARCHAR' },
    );
  }
  for (;;) {
    const ips = await engine.all<{ ip: string }>(
      `SELECT ip FROM (SELECT src_ip AS ip FROM events UNION SELECT dst_ip FROM events)
       WHERE contains(ip, ':') AND ip NOT IN (SELECT ip FROM address_bits) LIMIT ${PAGE}`,
    );
    if (!ips.length) break;
    await engine.append(
      'address_bits',
      { ip: ips.map((r) => r.ip), ip_bits: ips.map((r) => ipv6Bits(r.ip)) },
      { ip: 'VARCHAR', ip_bits: 'VARCHAR' },
    );
  }
}

/**
 * Rebuilds what depends on events: dst_services and host_roles (and their helper tables).
 * Call after every ingest; applyContext() calls it too.
 */
export async function refreshDerived(engine: SqlEngine, sql: ContextSql): Promise<void> {
  await refreshHelperTables(engine);
  await engine.exec(sql.dstServices);
  await engine.exec(sql.hostRoles);
}

/**
 * Replaces the approved-service policy alone (the catalog, inventories and derived tables stay as they are): what
 * a policy edit changes, so the findings can be re-scored without re-applying the whole context.
 */
export async function applyPolicy(engine: SqlEngine, policy: readonly PolicyRow[]): Promise<void> {
  await replaceTable(engine, 'approved_services', policyToRows(policy));
}

/**
 * Loads the catalog, the merged inventories and the approved-service policy into their tables, defines the
 * rw_service_approved() and rw_redact() macros and rebuilds dst_services and host_roles. Idempotent: run it again whenever the
 * user edits any of the data. Creates the canonical tables if no log has been loaded yet.
 */
export async function applyContext(engine: SqlEngine, data: ContextData, sql: ContextSql): Promise<ContextSummary> {
  await engine.exec(canonicalDdl() + CONTEXT_DDL + CONTEXT_EXTRA_DDL);
  const catalogRows = catalogToRows(data.catalog);
  for (const [table, rows] of Object.entries(catalogRows)) await replaceTable(engine, table, rows);
  const inventory = mergeInventories(data.inventories);
  await replaceTable(engine, 'inventory', inventoryToRows(inventory.entries));
  await applyPolicy(engine, data.policy);
  await engine.exec(sql.approvedPairs);
  await engine.exec(redactMacroSql(data.catalog.secrets ?? []));
  await refreshDerived(engine, sql);
  const [counts] = await engine.all<{ destinations: number; sources: number }>(
    'SELECT (SELECT count(*) FROM dst_services) destinations, (SELECT count(*) FROM host_roles) sources',
  );
  return {
    services: data.catalog.services.length,
    hostPatterns: catalogRows.catalog_hosts.columns.pattern.length,
    inventoryEntries: inventory.entries.length,
    inventoryOverrides: inventory.overrides,
    policyRows: data.policy.length,
    matchedDestinations: counts.destinations,
    sources: counts.sources,
  };
}
