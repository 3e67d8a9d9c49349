/**
 * SHA-256 of input bytes while they stream, so a report can be tied to its evidence without reading a file twice.
 * Web Crypto has no incremental digest, so the browser hashes in JavaScript (@noble/hashes); under Node (the CLI)
 * the same digest comes from Node's native SHA-256, several times faster on multi-gigabyte logs.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type * as NodeCrypto from 'node:crypto';

/** Node's crypto module when running under Node (looked up synchronously, so nothing changes for the browser bundle). */
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  | typeof NodeCrypto
  | undefined;

export interface StreamDigest {
  update(chunk: Uint8Array): void;
  /** Lower-case hex SHA-256 of everything given to update(). */
  hex(): string;
}

export function streamDigest(): StreamDigest {
  if (nodeCrypto) {
    const native = nodeCrypto.createHash('sha256');
    return { update: (chunk) => native.update(chunk), hex: () => native.digest('hex') };
  }
  return javascriptDigest();
}

/** The browser's digest (exported so tests under Node check it too). */
export function javascriptDigest(): StreamDigest {
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
