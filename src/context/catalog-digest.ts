/** The catalog's SHA-256, so a report names exactly which service, account and secret patterns it was made with. */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Catalog } from './catalog.ts';

export function catalogDigest(catalog: Catalog): string {
  return bytesToHex(sha256(new TextEncoder().encode(JSON.stringify(catalog))));
}
