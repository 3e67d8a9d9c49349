import { describe, expect, it } from 'vitest';
import type { SqlEngine, SqlParam } from '../engine/sql-engine.ts';
import { QueryCoordinator, sqlRequest, type QueryClient } from './query-coordinator.ts';

/** An engine whose answers the test releases by hand, in any order; it records every statement it receives. */
class FakeEngine implements SqlEngine {
  readonly description = 'fake';
  readonly received: string[] = [];
  private readonly waiting: { sql: string; resolve: (rows: unknown[]) => void; reject: (e: Error) => void }[] = [];
  table = 'v1';

  exec(): Promise<void> {
    return Promise.resolve();
  }

  all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    this.received.push(sql);
    return new Promise((resolve, reject) => this.waiting.push({ sql: `${sql}|${params.join(',')}`, resolve: resolve as (rows: unknown[]) => void, reject }));
  }

  append(): Promise<void> {
    return Promise.resolve();
  }

  /** Answers the waiting statement starting with `sql` with rows naming it and the current table version. */
  async release(sql: string): Promise<void> {
    const i = this.waiting.findIndex((w) => w.sql.startsWith(sql));
    if (i < 0) throw new Error(`nothing waiting for ${sql}`);
    const [w] = this.waiting.splice(i, 1);
    w.resolve([{ answer: w.sql, table: this.table }]);
    await settle();
  }

  async failNext(message: string): Promise<void> {
    const w = this.waiting.shift();
    if (!w) throw new Error('nothing waiting');
    w.reject(new Error(message));
    await settle();
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

class Client implements QueryClient<Record<string, unknown>[]> {
  answers: Record<string, unknown>[][] = [];
  errors: unknown[] = [];
  loading = false;
  pending() {
    this.loading = true;
  }
  answer(value: Record<string, unknown>[]) {
    this.answers.push(value);
    this.loading = false;
  }
  fail(error: unknown) {
    this.errors.push(error);
    this.loading = false;
  }
}

const q = (sql: string, ...params: SqlParam[]) => sqlRequest<Record<string, unknown>>({ sql, params });

function setup() {
  const engine = new FakeEngine();
  const coordinator = new QueryCoordinator();
  coordinator.attach(engine);
  return { engine, coordinator, client: new Client() };
}

describe('QueryCoordinator', () => {
  it('answers a client, showing it as loading meanwhile', async () => {
    const { engine, coordinator, client } = setup();
    coordinator.ask(client, q('SELECT a'));
    expect(client.loading).toBe(true);
    await settle();
    await engine.release('SELECT a');
    expect(client.answers).toEqual([[{ answer: 'SELECT a|', table: 'v1' }]]);
    expect(client.loading).toBe(false);
  });

  it('drops the late answer to a superseded request and never runs a superseded request still waiting', async () => {
    const { engine, coordinator, client } = setup();
    coordinator.ask(client, q('SELECT slow'));
    await settle();
    coordinator.ask(client, q('SELECT waiting'));
    coordinator.ask(client, q('SELECT newest'));
    await engine.release('SELECT slow');
    await engine.release('SELECT newest');
    expect(client.answers.map((a) => a[0].answer)).toEqual(['SELECT newest|']);
    expect(engine.received).toEqual(['SELECT slow', 'SELECT newest']);
  });

  it('serves the same SQL and parameters from the cache, and different parameters from the engine', async () => {
    const { engine, coordinator, client } = setup();
    const other = new Client();
    coordinator.ask(client, q('SELECT x WHERE h = ?', 'app01'));
    await settle();
    await engine.release('SELECT x');
    coordinator.ask(other, q('SELECT x WHERE h = ?', 'app01'));
    await settle();
    expect(other.answers).toEqual(client.answers);
    expect(engine.received).toHaveLength(1);
    coordinator.ask(other, q('SELECT x WHERE h = ?', 'web02'));
    await settle();
    expect(engine.received).toHaveLength(2);
  });

  it('forgets the cache when the data change and asks again for every client', async () => {
    const { engine, coordinator, client } = setup();
    coordinator.ask(client, q('SELECT n'));
    await settle();
    await engine.release('SELECT n');
    engine.table = 'v2';
    coordinator.invalidate();
    await settle();
    await engine.release('SELECT n');
    expect(client.answers.map((a) => a[0].table)).toEqual(['v1', 'v2']);
    expect(engine.received).toEqual(['SELECT n', 'SELECT n']);
  });

  it('drops an answer computed over data that changed while it ran', async () => {
    const { engine, coordinator, client } = setup();
    coordinator.ask(client, q('SELECT n'));
    await settle();
    coordinator.invalidate();
    engine.table = 'v2';
    await engine.release('SELECT n');
    await engine.release('SELECT n');
    expect(client.answers.map((a) => a[0].table)).toEqual(['v2']);
  });

  it('surfaces an error to its client and does not cache it', async () => {
    const { engine, coordinator, client } = setup();
    coordinator.ask(client, q('SELECT broken'));
    await settle();
    await engine.failNext('Binder Error: no such column');
    expect(client.errors).toHaveLength(1);
    expect(String(client.errors[0])).toContain('Binder Error');
    expect(client.loading).toBe(false);
    coordinator.ask(client, q('SELECT broken'));
    await settle();
    expect(engine.received).toEqual(['SELECT broken', 'SELECT broken']);
  });

  it('waits for the engine and delivers nothing to a disconnected client', async () => {
    const engine = new FakeEngine();
    const coordinator = new QueryCoordinator();
    const client = new Client();
    const gone = new Client();
    coordinator.ask(client, q('SELECT early'));
    coordinator.ask(gone, q('SELECT other'));
    expect(engine.received).toEqual([]);
    coordinator.attach(engine);
    await settle();
    coordinator.disconnect(gone);
    await engine.release('SELECT early');
    await settle();
    expect(client.answers).toHaveLength(1);
    expect(gone.answers).toHaveLength(0);
    expect(engine.received).toEqual(['SELECT early']);
  });

  it('runs a chore after the requests already waiting, and runs a query\'s setup before it', async () => {
    const { engine, coordinator, client } = setup();
    const chores: string[] = [];
    coordinator.ask(client, sqlRequest({ sql: 'SELECT kept', params: [], setup: { sql: 'CREATE kept', params: [] } }));
    coordinator.tidy(async () => {
      chores.push(`tidied after ${engine.received.length} statements`);
      throw new Error('a chore that fails is no one\'s error');
    });
    await settle();
    await engine.release('CREATE kept');
    expect(chores).toEqual([]);
    await engine.release('SELECT kept');
    await settle();
    expect(engine.received).toEqual(['CREATE kept', 'SELECT kept']);
    expect(chores).toEqual(['tidied after 2 statements']);
    expect(client.errors).toEqual([]);
  });
});
