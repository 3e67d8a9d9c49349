/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { buildPack, openPack, type PackProgress, type PackRequest, type PackSummary } from '../src/exercise/pack.ts';
import type { SealedHeader } from '../src/exercise/seal.ts';

/** An opened pack as the page receives it: log members as Files (blob-backed, cheap to pass and to ingest). */
export interface OpenedPackFiles {
  logs: File[];
  inventoryCsv: string | null;
  readme: string | null;
  sealedKey: string;
  header: SealedHeader;
}

/** Generating, zipping and unzipping exercise packs off the page thread. */
const api = {
  /** Generates the scenario straight into a zip; the Blob holds only compressed bytes. */
  async build(request: PackRequest, onProgress: (p: PackProgress) => void): Promise<{ zip: Blob; summary: PackSummary }> {
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let lastReport = 0;
    const summary = await buildPack(
      request,
      (chunk) => chunks.push(chunk as Uint8Array<ArrayBuffer>),
      (p) => {
        const now = performance.now();
        if (now - lastReport > 100) {
          lastReport = now;
          onProgress(p);
        }
      },
    );
    return { zip: new Blob(chunks, { type: 'application/zip' }), summary };
  },

  async open(pack: Blob): Promise<OpenedPackFiles> {
    const opened = openPack(new Uint8Array(await pack.arrayBuffer()));
    return {
      logs: opened.logs.map((l) => new File([l.bytes as Uint8Array<ArrayBuffer>], l.name)),
      inventoryCsv: opened.inventoryCsv,
      readme: opened.readme,
      sealedKey: opened.sealedKey,
      header: opened.header,
    };
  },
};

export type ExerciseWorkerApi = typeof api;
Comlink.expose(api);
