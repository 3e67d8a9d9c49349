import { untrack } from 'svelte';
import { explainEngineError } from '../engine/errors.ts';
import type { Query } from '../engine/sql-engine.ts';
import { sqlRequest, type QueryClient, type QueryCoordinator, type ViewRequest } from './query-coordinator.ts';
import { useWorkbench } from './workbench.svelte.ts';

/**
 * A component's view of one declared request: `declare` is re-read whenever the state it reads changes, and the
 * coordinator answers the latest request only. Create it while the component initialises.
 */
export class ViewQuery<T> implements QueryClient<T> {
  value = $state.raw<T | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  constructor(declare: () => ViewRequest<T> | null, coordinator: QueryCoordinator = useWorkbench().queries) {
    $effect(() => {
      const request = declare();
      untrack(() => {
        coordinator.ask(this, request);
        if (!request) this.loading = false;
      });
    });
    $effect(() => () => coordinator.disconnect(this));
  }

  /** For a chart: 'loading' until the current request is answered, 'empty' when `hasData` says so. */
  status(hasData: (value: T) => boolean): 'loading' | 'ready' | 'empty' | 'error' {
    if (this.error) return 'error';
    if (this.loading || this.value === null) return 'loading';
    return hasData(this.value) ? 'ready' : 'empty';
  }

  pending(): void {
    this.loading = true;
  }

  answer(value: T): void {
    this.value = value;
    this.error = null;
    this.loading = false;
  }

  fail(error: unknown): void {
    this.error = explainEngineError(error);
    this.loading = false;
  }
}

/** The rows of one declared SQL query (none asked while `declare` returns null). */
export class RowsQuery<R> extends ViewQuery<R[]> {
  constructor(declare: () => Query | null, coordinator?: QueryCoordinator) {
    super(() => {
      const query = declare();
      return query && sqlRequest<R>(query);
    }, coordinator);
  }

  get rows(): R[] {
    return this.value ?? [];
  }
}
