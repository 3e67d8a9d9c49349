import { downloadBlob } from '../../app/download.ts';

/** Largest context file (catalog, policy, preset list) read into memory. */
export const MAX_CONTEXT_FILE_BYTES = 64 * 1024 * 1024;

/** The text of a picked file, or an error naming the file when it is too large to be a context file. */
export async function readTextFile(file: File, maxBytes = MAX_CONTEXT_FILE_BYTES): Promise<string> {
  if (file.size > maxBytes) throw new Error(`${file.name} is ${Math.round(file.size / 1048576)} MiB; context files are limited to ${Math.round(maxBytes / 1048576)} MiB`);
  return file.text();
}

/** Saves text as a download (CSV and JSON exports). */
export function downloadText(text: string, fileName: string, type: 'text/csv' | 'application/json'): void {
  downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), fileName);
}
