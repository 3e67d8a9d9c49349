/**
 * Sealing the answer key: AES-256-GCM with a key derived from the trainer's passphrase by PBKDF2-SHA-256.
 * The sealed file is JSON: a header (algorithms, iteration count, random salt and IV, and public exercise
 * metadata) and the ciphertext. The header is the cipher's additional data, so editing it (fewer iterations,
 * a different time zone) makes unsealing fail. WebCrypto only: `crypto.subtle` in browsers, workers and Node ≥ 20.
 */

export const SEALED_FORMAT = 'relaywatch.sealed-answer-key';
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; a passphrase guess costs about as long as one unseal. */
export const DEFAULT_ITERATIONS = 600_000;
export const MIN_ITERATIONS = 200_000;
/** A hostile pack must not make the trainee's browser spin for minutes. */
const MAX_ITERATIONS = 5_000_000;
const MAX_SEALED_CHARS = 16 * 1024 * 1024;
const SALT_BYTES = 16;
const IV_BYTES = 12;

/** What a trainee may know before unsealing (also shown in README.txt). */
export interface PublicExerciseInfo {
  title: string;
  created: string;
  difficulty: string;
  hosts: number;
  days: number;
  /** The organisation's offset from UTC: logs written in local time are read with it. */
  utc_offset_minutes: number;
  window_start: string;
  window_end: string;
}

export interface SealedHeader {
  format: typeof SEALED_FORMAT;
  version: 1;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; iv: string };
  exercise: PublicExerciseInfo;
}

interface SealedFile {
  header: SealedHeader;
  ciphertext: string;
}

/** Raised for a wrong passphrase or a modified file: AES-GCM cannot tell the two apart, and neither do we. */
export class UnsealError extends Error {}

const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function deriveKey(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Encrypts `plaintext` (the answer key JSON) under the passphrase; returns the sealed file's text. */
export async function seal(
  plaintext: string,
  passphrase: string,
  exercise: PublicExerciseInfo,
  iterations = DEFAULT_ITERATIONS,
): Promise<string> {
  if (passphrase.length === 0) throw new Error('A passphrase is required to seal the answer key');
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS) throw new Error(`PBKDF2 needs at least ${MIN_ITERATIONS} iterations`);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const header: SealedHeader = {
    format: SEALED_FORMAT,
    version: 1,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) },
    cipher: { name: 'AES-GCM', iv: toBase64(iv) },
    exercise,
  };
  const key = await deriveKey(passphrase, salt, iterations);
  const additionalData = encoder.encode(JSON.stringify(header));
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, encoder.encode(plaintext));
  const file: SealedFile = { header, ciphertext: toBase64(new Uint8Array(ciphertext)) };
  return JSON.stringify(file, null, 1) + '\n';
}

/** Parses and checks the sealed file's header without decrypting (the public exercise info is readable). */
export function readSealedHeader(text: string): SealedHeader {
  return parseSealed(text).header;
}

function parseSealed(text: string): SealedFile {
  if (text.length > MAX_SEALED_CHARS) throw new Error('The sealed answer key is implausibly large');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('The sealed answer key is not valid JSON');
  }
  const file = value as Partial<SealedFile> | null;
  const header = file?.header as Partial<SealedHeader> | undefined;
  if (!header || header.format !== SEALED_FORMAT || header.version !== 1) throw new Error('This is not a Relaywatch sealed answer key (version 1)');
  const { kdf, cipher, exercise } = header;
  if (kdf?.name !== 'PBKDF2' || kdf.hash !== 'SHA-256' || typeof kdf.salt !== 'string') throw new Error('Unsupported key derivation in the sealed answer key');
  if (!Number.isInteger(kdf.iterations) || kdf.iterations < MIN_ITERATIONS || kdf.iterations > MAX_ITERATIONS) {
    throw new Error(`The sealed answer key asks for ${String(kdf.iterations)} PBKDF2 iterations, outside ${MIN_ITERATIONS}–${MAX_ITERATIONS}`);
  }
  if (cipher?.name !== 'AES-GCM' || typeof cipher.iv !== 'string') throw new Error('Unsupported cipher in the sealed answer key');
  if (typeof exercise !== 'object' || exercise === null || !Number.isFinite(exercise.utc_offset_minutes)) throw new Error('The sealed answer key lacks its exercise details');
  if (typeof file?.ciphertext !== 'string') throw new Error('The sealed answer key has no ciphertext');
  return file as SealedFile;
}

/** Decrypts a sealed file; throws UnsealError when the passphrase is wrong or the file was altered. */
export async function unseal(text: string, passphrase: string): Promise<string> {
  const { header, ciphertext } = parseSealed(text);
  let salt: Uint8Array<ArrayBuffer>;
  let iv: Uint8Array<ArrayBuffer>;
  let data: Uint8Array<ArrayBuffer>;
  try {
    salt = fromBase64(header.kdf.salt);
    iv = fromBase64(header.cipher.iv);
    data = fromBase64(ciphertext);
  } catch {
    throw new Error('The sealed answer key is damaged (invalid base64)');
  }
  const key = await deriveKey(passphrase, salt, header.kdf.iterations);
  try {
    const additionalData = encoder.encode(JSON.stringify(header));
    return new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, data));
  } catch {
    throw new UnsealError('Wrong passphrase, or the sealed answer key was modified');
  }
}
