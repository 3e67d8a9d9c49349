import type { SqlEngine } from '../engine/sql-engine.ts';
import { VIEW_EVENT_COLUMNS } from '../core/vocabulary.ts';

/**
 * Fills the tables an analysis keeps for the views and a finding's tables and charts (rw_ip_hosts, rw_view_events;
 * baselines/1-scoped-events.sql), for tests that build their tables by hand and query without running the pack.
 */
export async function keepAnalysisTables(engine: SqlEngine): Promise<void> {
  const columns = VIEW_EVENT_COLUMNS.map(([name]) => name).join(', ');
  await engine.exec(`DELETE FROM rw_ip_hosts; INSERT INTO rw_ip_hosts SELECT src_ip, host FROM rw_ip_host_map();
    DELETE FROM rw_view_events; INSERT INTO rw_view_events SELECT ${columns} FROM rw_source_events()`);
}
