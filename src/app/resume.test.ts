import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAutosave, memorySessionStore, type SessionSource } from './resume.ts';

/** A session whose data and state the test changes; counts how often the workspace was built. */
function session() {
  const s = { data: 1, state: 0, built: 0 };
  const source: SessionSource = {
    dataVersion: () => s.data,
    workspace: async () => {
      s.built++;
      return new Blob([`data ${s.data} state ${s.state}`]);
    },
    state: () => JSON.stringify({ state: s.state }),
  };
  return { s, source };
}

describe('session autosave', () => {
  afterEach(() => vi.useRealTimers());

  it('folds a burst of changes into one save of the latest state, after the delay', async () => {
    vi.useFakeTimers();
    const store = memorySessionStore();
    const { s, source } = session();
    const autosave = createAutosave(source, store, (e) => { throw e; }, 1000);
    for (s.state = 1; s.state <= 5; s.state++) {
      autosave.schedule();
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(store.workspaceSaves).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.workspaceSaves).toBe(1);
    expect(s.built).toBe(1);
    expect(await (await store.load())!.blob.text()).toBe('data 1 state 6');
  });

  it('writes the workspace only when the data changed, the small state document otherwise', async () => {
    const store = memorySessionStore();
    const { s, source } = session();
    const autosave = createAutosave(source, store, (e) => { throw e; }, 1000);
    autosave.schedule();
    await autosave.flush();
    for (s.state = 1; s.state <= 3; s.state++) {
      autosave.schedule();
      await autosave.flush();
    }
    expect({ workspaces: store.workspaceSaves, states: store.stateSaves, built: s.built }).toEqual({ workspaces: 1, states: 3, built: 1 });
    const saved = (await store.load())!;
    expect(await saved.blob.text()).toBe('data 1 state 0');
    expect(JSON.parse(saved.state!)).toEqual({ state: 3 });

    s.data = 2; // a new load: the workspace again, and the older state document goes
    autosave.schedule();
    await autosave.flush();
    expect(store.workspaceSaves).toBe(2);
    expect((await store.load())!.state).toBeNull();
    expect(await (await store.load())!.blob.text()).toBe('data 2 state 4');
  });

  it('flush saves a pending change at once; cancel drops it; errors go to onError', async () => {
    vi.useFakeTimers();
    const store = memorySessionStore();
    const errors: unknown[] = [];
    const autosave = createAutosave(session().source, store, (e) => errors.push(e), 1000);
    autosave.schedule();
    await autosave.flush();
    expect(store.workspaceSaves).toBe(1);
    autosave.schedule();
    autosave.cancel();
    await vi.advanceTimersByTimeAsync(5000);
    expect(store.workspaceSaves + store.stateSaves).toBe(1);
    await store.discard();
    expect(await store.load()).toBeNull();

    const failing = createAutosave({ ...session().source, workspace: async () => { throw new Error('disk full'); } }, store, (e) => errors.push(e), 10);
    failing.schedule();
    await vi.advanceTimersByTimeAsync(20);
    await failing.flush();
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full']);
  });
});
