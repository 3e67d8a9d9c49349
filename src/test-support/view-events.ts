import type { SqlEngine } from '../engine/sql-engine.ts';
import { VIEW_EVENT_COLUMNS } from '../core/vocabulary.ts';

/**
 * Fills rw_view_events from rw_source_events() as an analysis does (baselines/1-scoped-events.sql), for tests that
 * build their tables by hand and query the views without running the pack.
 */
export async function refreshViewEvents(engine: SqlEngine): Promise<void> {
  const columns = VIEW_EVENT_COLUMNS.map(([name]) => name).join(', ');
  await engine.exec(`DELETE FROM rw_view_events; INSERT INTO rw_view_events SELECT ${columns} FROM rw_source_events()`);
}
