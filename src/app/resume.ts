/**
 * The last session, kept in this browser so a reload can offer "Resume last session": the workspace bytes go to
 * the origin-private file system (OPFS) where the browser has it, else to IndexedDB. Saving is debounced, so a
 * burst of changes (load, analysis, several verdicts) writes once.
 */

export interface SavedSession {
  blob: Blob;
  /** Epoch milliseconds of the save. */
  savedAt: number;
}

export interface SessionStore {
  load(): Promise<SavedSession | null>;
  save(blob: Blob): Promise<void>;
  discard(): Promise<void>;
}

const OPFS_FILE = 'last-session.rwz';
const IDB_NAME = 'relaywatch-session';
const IDB_STORE = 'session';
const IDB_KEY = 'last';

/** Session store in the origin-private file system. */
export function opfsSessionStore(root: FileSystemDirectoryHandle): SessionStore {
  return {
    async load() {
      try {
        const file = await (await root.getFileHandle(OPFS_FILE)).getFile();
        return file.size ? { blob: file, savedAt: file.lastModified } : null;
      } catch {
        return null;
      }
    },
    async save(blob) {
      const writable = await (await root.getFileHandle(OPFS_FILE, { create: true })).createWritable();
      await writable.write(blob);
      await writable.close();
    },
    async discard() {
      await root.removeEntry(OPFS_FILE).catch(() => undefined);
    },
  };
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** Session store in IndexedDB (a database of its own, so it never collides with the triage store's versions). */
export function indexedDbSessionStore(): SessionStore {
  let db: Promise<IDBDatabase> | null = null;
  const store = async (mode: IDBTransactionMode) => {
    db ??= (() => {
      const open = indexedDB.open(IDB_NAME, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(IDB_STORE);
      return request(open);
    })();
    return (await db).transaction(IDB_STORE, mode).objectStore(IDB_STORE);
  };
  return {
    async load() {
      const value = (await request((await store('readonly')).get(IDB_KEY))) as SavedSession | undefined;
      return value?.blob instanceof Blob ? value : null;
    },
    async save(blob) {
      await request((await store('readwrite')).put({ blob, savedAt: Date.now() } satisfies SavedSession, IDB_KEY));
    },
    async discard() {
      await request((await store('readwrite')).delete(IDB_KEY));
    },
  };
}

/** OPFS where it works (a writable can be created), else IndexedDB; null when the browser offers neither. */
export async function browserSessionStore(): Promise<SessionStore | null> {
  try {
    const root = await navigator.storage.getDirectory();
    const probe = await root.getFileHandle('.probe', { create: true });
    if (typeof probe.createWritable === 'function') {
      await root.removeEntry('.probe');
      return opfsSessionStore(root);
    }
  } catch {
    // no OPFS here (older browser, private mode): fall through to IndexedDB
  }
  return typeof indexedDB === 'undefined' ? null : indexedDbSessionStore();
}

export interface Autosave {
  /** Saves `delayMs` after the last call (earlier calls are folded into it). */
  schedule(): void;
  /** Saves now if a save is pending. */
  flush(): Promise<void>;
  cancel(): void;
}

/**
 * Debounced saving of the session: `snapshot` builds the workspace bytes, `store` keeps them. Failures go to
 * `onError` (a full disk must not break the analysis).
 */
export function createAutosave(
  snapshot: () => Promise<Blob>,
  store: SessionStore,
  onError: (error: unknown) => void,
  delayMs = 4000,
): Autosave {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    timer = null;
    running = running.then(async () => {
      try {
        await store.save(await snapshot());
      } catch (error) {
        onError(error);
      }
    });
    return running;
  };
  return {
    schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, delayMs);
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        await run();
      } else await running;
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Store that lives only as long as the page (tests). */
export function memorySessionStore(): SessionStore & { saves: number } {
  let saved: SavedSession | null = null;
  return {
    saves: 0,
    async load() {
      return saved;
    },
    async save(blob) {
      this.saves++;
      saved = { blob, savedAt: Date.now() };
    },
    async discard() {
      saved = null;
    },
  };
}
