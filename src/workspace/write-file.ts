/** Node only: streams a workspace into a file, chunk by chunk (the CLI's --workspace-out). */
import { open } from 'node:fs/promises';
import type { SqlEngine } from '../engine/sql-engine.ts';
import type { WorkspaceState } from './format.ts';
import { nativeWorkspaceEngine } from './native-io.ts';
import { saveWorkspace } from './save.ts';

/** Writes the engine's tables and `state` to `path` as a .rwz workspace; returns the number of tables saved. */
export async function writeWorkspaceFile(path: string, engine: SqlEngine, state: WorkspaceState, toolVersion: string): Promise<number> {
  const file = await open(path, 'w');
  try {
    const manifest = await saveWorkspace(nativeWorkspaceEngine(engine), state, async (chunk) => void (await file.write(chunk)), { toolVersion });
    return manifest.tables.length;
  } finally {
    await file.close();
  }
}
