import type { SqlEngine } from '../../engine/sql-engine.ts';
import type { Query } from '../../queries/views.ts';

/** The rows of one view query; a late answer never overwrites a newer one. */
export class QueryRows<T> {
  rows = $state.raw<T[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  private request = 0;

  /** Runs the query (nothing without an engine) and keeps its rows unless a newer request started meanwhile. */
  async load(engine: SqlEngine | null, query: Query): Promise<void> {
    const id = ++this.request;
    if (!engine) return;
    this.loading = true;
    try {
      const rows = await engine.all<T>(query.sql, query.params);
      if (id !== this.request) return;
      this.rows = rows;
      this.error = null;
    } catch (error) {
      if (id === this.request) this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (id === this.request) this.loading = false;
    }
  }
}
