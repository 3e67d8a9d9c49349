import { runQuery, type Query, type SqlEngine } from '../engine/sql-engine.ts';

/**
 * What a view asks for: a key naming the answer (equal keys share one answer) and how to compute it.
 * Most requests are one SQL query (`sqlRequest`); a few views compute over several queries.
 */
export interface ViewRequest<T> {
  key: string;
  run: (engine: SqlEngine) => Promise<T>;
}

export function sqlRequest<R>(query: Query): ViewRequest<R[]> {
  return { key: JSON.stringify(['sql', query.sql, query.params]), run: (engine) => runQuery<R>(engine, query) };
}

/** One SQL query whose rows `shape` turns into what a view draws; `name` tells the shapes apart in the cache. */
export function shapedRequest<R, T>(name: string, query: Query, shape: (rows: R[]) => T): ViewRequest<T> {
  return { key: JSON.stringify([name, query]), run: async (engine) => shape(await runQuery<R>(engine, query)) };
}

/** A view that shows the answer to its latest request (see src/app/view-query.svelte.ts). */
export interface QueryClient<T> {
  pending(): void;
  answer(value: T): void;
  fail(error: unknown): void;
}

interface Chore {
  chore: (engine: SqlEngine) => Promise<void>;
}

interface Asked {
  id: number;
  client: QueryClient<unknown>;
  request: ViewRequest<unknown>;
}

/**
 * The one way views reach the engine, in the spirit of Mosaic's Coordinator. Each client has one current
 * request (asking again supersedes it); requests run one at a time, as the engine's worker would run them
 * anyway, so a superseded request still waiting never reaches the engine, and a late answer to one that did is
 * dropped. Answers are cached by key (SQL + parameters) until `invalidate()`: the data, context or policy
 * changed, every cached answer is forgotten and every client asks again.
 */
export class QueryCoordinator {
  private engine: SqlEngine | null = null;
  private readonly cache = new Map<string, Promise<unknown>>();
  private readonly current = new Map<QueryClient<unknown>, Asked | null>();
  private readonly queue: (Asked | Chore)[] = [];
  private nextId = 0;
  private running = false;

  /** Clients asked before the engine started get their answers now. */
  attach(engine: SqlEngine): void {
    this.engine = engine;
    this.invalidate();
  }

  /** Asks for `request` on `client`'s behalf, superseding its earlier request; null withdraws it. */
  ask<T>(client: QueryClient<T>, request: ViewRequest<T> | null): void {
    const asked = request && { id: ++this.nextId, client: client as QueryClient<unknown>, request: request as ViewRequest<unknown> };
    this.current.set(client as QueryClient<unknown>, asked);
    if (!asked || !this.engine) return;
    client.pending();
    const cached = this.cache.get(asked.request.key);
    if (cached) return void this.deliver(asked, cached);
    this.queue.push(asked);
    void this.drain();
  }

  /**
   * Runs `chore` on the engine after every request already waiting (e.g. dropping what a closed view kept); its
   * failure is ignored: a chore tidies up, it answers no one.
   */
  tidy(chore: (engine: SqlEngine) => Promise<void>): void {
    this.queue.push({ chore });
    void this.drain();
  }

  /** The client is gone (its component was destroyed): nothing more is delivered to it. */
  disconnect(client: QueryClient<unknown>): void {
    this.current.delete(client);
  }

  /** Forgets every cached answer and asks again for every client's current request. */
  invalidate(): void {
    this.cache.clear();
    for (const [client, asked] of [...this.current]) if (asked) this.ask(client, asked.request);
  }

  private isCurrent(asked: Asked): boolean {
    return this.current.get(asked.client)?.id === asked.id;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        if ('chore' in next) {
          if (this.engine) await next.chore(this.engine).catch(() => undefined);
          continue;
        }
        if (!this.isCurrent(next)) continue;
        await this.deliver(next, this.cache.get(next.request.key) ?? this.start(next.request));
      }
    } finally {
      this.running = false;
    }
  }

  private start(request: ViewRequest<unknown>): Promise<unknown> {
    const answer = request.run(this.engine!);
    this.cache.set(request.key, answer);
    // A failure is not kept: asking again may succeed.
    answer.catch(() => this.cache.get(request.key) === answer && this.cache.delete(request.key));
    return answer;
  }

  private async deliver(asked: Asked, answer: Promise<unknown>): Promise<void> {
    let value: unknown;
    try {
      value = await answer;
    } catch (error) {
      if (this.isCurrent(asked)) asked.client.fail(error);
      return;
    }
    if (this.isCurrent(asked)) asked.client.answer(value);
  }
}
