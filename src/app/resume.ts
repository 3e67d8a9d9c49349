/**
 * The last session, kept in this browser so a reload can offer "Resume last session": the workspace bytes go to
 * the origin-private file system (OPFS) where the browser has it, else to IndexedDB. Saving is debounced, so a
 * burst of changes (load, analysis, several verdicts) writes once, and it writes what changed: the workspace
 * (tables and all) only when the loaded data changed, else only the state (settings, context, triage) as a small
 * JSON document that a resume applies over the workspace's own.
 */

export interface SavedSession {
  /** The workspace as saved when the loaded data last changed. */
  blob: Blob;
  /** The state saved since, as JSON (workspaceState), newer than the blob's own; null when the blob is current. */
  state: string | null;
  /** Epoch milliseconds of the latest save. */
  savedAt: number;
}

export interface SessionStore {
  load(): Promise<SavedSession | null>;
  /** Replaces the workspace; a state saved earlier is dropped (the new workspace holds the current state). */
  saveWorkspace(blob: Blob): Promise<void>;
  saveState(json: string): Promise<void>;
  discard(): Promise<void>;
}

const OPFS_FILE = 'last-session.rwz';
const OPFS_STATE_FILE = 'last-session.state.json';
const IDB_NAME = 'relaywatch-session';
const IDB_STORE = 'session';
const IDB_KEY = 'last';
const IDB_STATE_KEY = 'last-state';

/** Session store in the origin-private file system. */
export function opfsSessionStore(root: FileSystemDirectoryHandle): SessionStore {
  const fileOf = async (name: string) => {
    try {
      return await (await root.getFileHandle(name)).getFile();
    } catch {
      return null;
    }
  };
  const write = async (name: string, data: Blob | string) => {
    const writable = await (await root.getFileHandle(name, { create: true })).createWritable();
    await writable.write(data);
    await writable.close();
  };
  return {
    async load() {
      const file = await fileOf(OPFS_FILE);
      if (!file?.size) return null;
      const state = await fileOf(OPFS_STATE_FILE);
      return { blob: file, state: state ? await state.text() : null, savedAt: Math.max(file.lastModified, state?.lastModified ?? 0) };
    },
    async saveWorkspace(blob) {
      await root.removeEntry(OPFS_STATE_FILE).catch(() => undefined);
      await write(OPFS_FILE, blob);
    },
    async saveState(json) {
      await write(OPFS_STATE_FILE, json);
    },
    async discard() {
      await root.removeEntry(OPFS_STATE_FILE).catch(() => undefined);
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
  type Saved<T> = { value: T; savedAt: number };
  return {
    async load() {
      const objects = await store('readonly');
      const workspace = (await request(objects.get(IDB_KEY))) as Saved<Blob> | undefined;
      if (!(workspace?.value instanceof Blob)) return null;
      const state = (await request(objects.get(IDB_STATE_KEY))) as Saved<string> | undefined;
      const text = typeof state?.value === 'string' ? state.value : null;
      return { blob: workspace.value, state: text, savedAt: Math.max(workspace.savedAt, text ? state!.savedAt : 0) };
    },
    async saveWorkspace(blob) {
      const objects = await store('readwrite');
      await request(objects.delete(IDB_STATE_KEY));
      await request(objects.put({ value: blob, savedAt: Date.now() } satisfies Saved<Blob>, IDB_KEY));
    },
    async saveState(json) {
      await request((await store('readwrite')).put({ value: json, savedAt: Date.now() } satisfies Saved<string>, IDB_STATE_KEY));
    },
    async discard() {
      const objects = await store('readwrite');
      await request(objects.delete(IDB_STATE_KEY));
      await request(objects.delete(IDB_KEY));
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

/** What the autosave saves: the workspace, the state alone, and a value that changes whenever the loaded data does. */
export interface SessionSource {
  dataVersion(): unknown;
  workspace(): Promise<Blob>;
  state(): string;
}

/**
 * Debounced saving of the session: the whole workspace when the loaded data changed since the last save, else
 * only the state. Failures go to `onError` (a full disk must not break the analysis).
 */
export function createAutosave(source: SessionSource, store: SessionStore, onError: (error: unknown) => void, delayMs = 4000): Autosave {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  let savedVersion: unknown = undefined;
  let saved = false;
  const run = () => {
    timer = null;
    running = running.then(async () => {
      try {
        const version = source.dataVersion();
        if (saved && version === savedVersion) {
          await store.saveState(source.state());
        } else {
          await store.saveWorkspace(await source.workspace());
          savedVersion = version;
          saved = true;
        }
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

/** Store that lives only as long as the page (tests); counts what each save wrote. */
export function memorySessionStore(): SessionStore & { workspaceSaves: number; stateSaves: number } {
  let saved: SavedSession | null = null;
  return {
    workspaceSaves: 0,
    stateSaves: 0,
    async load() {
      return saved;
    },
    async saveWorkspace(blob) {
      this.workspaceSaves++;
      saved = { blob, state: null, savedAt: Date.now() };
    },
    async saveState(json) {
      this.stateSaves++;
      if (saved) saved = { ...saved, state: json, savedAt: Date.now() };
    },
    async discard() {
      saved = null;
    },
  };
}
