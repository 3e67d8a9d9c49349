/**
 * SHA-256 of input bytes while they stream, so a report can be tied to its evidence without reading a file twice.
 * Pure JavaScript (@noble/hashes): Web Crypto has no incremental digest, and the browser and the CLI must agree.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface StreamDigest {
  update(chunk: Uint8Array): void;
  /** Lower-case hex SHA-256 of everything given to update(). */
  hex(): string;
}

export function streamDigest(): StreamDigest {
  const hash = sha256.create();
  return { update: (chunk) => hash.update(chunk), hex: () => bytesToHex(hash.digest()) };
}

/** SHA-256 of a whole stream of bytes, in lower-case hex. */
export async function sha256OfChunks(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const digest = streamDigest();
  for await (const chunk of chunks) digest.update(chunk);
  return digest.hex();
}

/** SHA-256 of a browser File or Blob, read as a stream. */
export async function sha256OfBlob(blob: Blob): Promise<string> {
  const reader = blob.stream().getReader();
  const digest = streamDigest();
  for (let r = await reader.read(); !r.done; r = await reader.read()) digest.update(r.value);
  return digest.hex();
}
