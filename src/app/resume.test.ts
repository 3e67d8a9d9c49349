import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAutosave, memorySessionStore } from './resume.ts';

describe('session autosave', () => {
  afterEach(() => vi.useRealTimers());

  it('folds a burst of changes into one save of the latest state, after the delay', async () => {
    vi.useFakeTimers();
    const store = memorySessionStore();
    let version = 0;
    const snapshot = vi.fn(async () => new Blob([`state ${version}`]));
    const autosave = createAutosave(snapshot, store, (e) => { throw e; }, 1000);
    for (version = 1; version <= 5; version++) {
      autosave.schedule();
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(store.saves).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.saves).toBe(1);
    expect(snapshot).toHaveBeenCalledTimes(1);
    expect(await (await store.load())!.blob.text()).toBe('state 6');
  });

  it('flush saves a pending change at once; cancel drops it; errors go to onError', async () => {
    vi.useFakeTimers();
    const store = memorySessionStore();
    const errors: unknown[] = [];
    const autosave = createAutosave(async () => new Blob(['x']), store, (e) => errors.push(e), 1000);
    autosave.schedule();
    await autosave.flush();
    expect(store.saves).toBe(1);
    autosave.schedule();
    autosave.cancel();
    await vi.advanceTimersByTimeAsync(5000);
    expect(store.saves).toBe(1);
    await store.discard();
    expect(await store.load()).toBeNull();

    const failing = createAutosave(async () => { throw new Error('disk full'); }, store, (e) => errors.push(e), 10);
    failing.schedule();
    await vi.advanceTimersByTimeAsync(20);
    await failing.flush();
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full']);
  });
});
