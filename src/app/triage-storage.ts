/**
 * Where triage verdicts persist across reloads: one IndexedDB object store keyed by finding id, through the raw
 * IndexedDB API (a few calls do not justify a wrapper library). Nothing leaves the browser.
 */
import type { TriageEntry } from '../detection/triage-entry.ts';

export interface TriageStorage {
  load(): Promise<TriageEntry[]>;
  put(entry: TriageEntry): Promise<void>;
  delete(findingId: string): Promise<void>;
}

const DB_NAME = 'relaywatch';
const STORE = 'triage';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function openDatabase(): Promise<IDBDatabase> {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: 'finding_id' });
  };
  return request(open);
}

/** Triage storage in this browser's IndexedDB. */
export function indexedDbTriageStorage(): TriageStorage {
  let db: Promise<IDBDatabase> | null = null;
  const store = async (mode: IDBTransactionMode) => {
    db ??= openDatabase();
    return (await db).transaction(STORE, mode).objectStore(STORE);
  };
  return {
    async load() {
      return request((await store('readonly')).getAll() as IDBRequest<TriageEntry[]>);
    },
    async put(entry) {
      await request((await store('readwrite')).put(entry));
    },
    async delete(findingId) {
      await request((await store('readwrite')).delete(findingId));
    },
  };
}

/** Storage that lives only as long as the page (tests; browsers with IndexedDB disabled). */
export function memoryTriageStorage(initial: readonly TriageEntry[] = []): TriageStorage {
  const entries = new Map(initial.map((e) => [e.finding_id, e]));
  return {
    load: async () => [...entries.values()],
    put: async (entry) => void entries.set(entry.finding_id, entry),
    delete: async (findingId) => void entries.delete(findingId),
  };
}
