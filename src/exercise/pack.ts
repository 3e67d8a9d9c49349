/**
 * Exercise packs. A trainer's pack is a zip: `logs/…` (the generated log files), `inventory/assets.csv`,
 * `README.txt` for trainees and `answer-key.sealed`. Building streams the generator straight into fflate's
 * `Zip`, so only compressed bytes are held; reading splits a pack back into those parts.
 */
import { Zip, ZipDeflate, ZipPassThrough, unzipSync } from 'fflate';
import { ANSWER_KEY_FILE, INVENTORY_FILE, PRESETS, generateFiles, resolveOptions, type AnswerKey, type ScenarioOptions } from '../generator/index.ts';
import { seal, readSealedHeader, DEFAULT_ITERATIONS, type PublicExerciseInfo, type SealedHeader } from './seal.ts';

export const PACK_LOG_DIR = 'logs/';
export const PACK_INVENTORY = INVENTORY_FILE;
export const PACK_README = 'README.txt';
export const PACK_SEALED_KEY = 'answer-key.sealed';
/** A pack unzips in memory: refuse anything that would not fit a browser tab comfortably. */
export const MAX_PACK_UNZIPPED_BYTES = 1.5 * 1024 ** 3;

export type PresetName = 'easy' | 'realistic' | 'hard';

export interface PackRequest {
  /** Starting point; the knobs below override it. */
  preset?: PresetName;
  scenario: Partial<ScenarioOptions>;
  passphrase: string;
  /** PBKDF2 iterations for the seal (tests lower it to the minimum to stay quick). */
  iterations?: number;
  /** Creation time written into the pack (ISO-8601); defaults to now. */
  created?: string;
}

export interface PackProgress {
  /** Uncompressed bytes of log text generated so far. */
  bytes: number;
  /** File being written. */
  file: string;
}

export interface PackSummary {
  info: PublicExerciseInfo;
  files: { name: string; bytes: number }[];
  incidents: number;
}

const encoder = new TextEncoder();

/**
 * Generates a scenario and writes the pack through `onData` (zip bytes in order; `final` on the last chunk).
 * The answer key never appears in clear: it is sealed with the passphrase as soon as the generator yields it.
 */
export async function buildPack(
  request: PackRequest,
  onData: (chunk: Uint8Array, final: boolean) => void,
  onProgress: (progress: PackProgress) => void = () => undefined,
): Promise<PackSummary> {
  if (!request.passphrase) throw new Error('A passphrase is required to seal the answer key');
  const options = resolveOptions({ ...(request.preset ? PRESETS[request.preset] : {}), ...request.scenario });
  const created = request.created ?? new Date().toISOString();
  const mtime = new Date(created);
  let zipError: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) zipError = error;
    else onData(chunk, final);
  });
  const members = new Map<string, { stream: ZipDeflate; bytes: number }>();
  let generated = 0;
  let answerKeyText: string | null = null;

  for (const chunk of generateFiles(options)) {
    if (chunk.name === ANSWER_KEY_FILE) {
      answerKeyText = chunk.text ?? null;
      continue;
    }
    const name = chunk.name === INVENTORY_FILE ? PACK_INVENTORY : PACK_LOG_DIR + chunk.name;
    let member = members.get(name);
    if (!member) {
      member = { stream: new ZipDeflate(name, { level: 6 }), bytes: 0 };
      member.stream.mtime = mtime;
      zip.add(member.stream);
      members.set(name, member);
    }
    const bytes = chunk.bytes ? chunk.bytes : encoder.encode(chunk.text);
    member.bytes += bytes.length;
    generated += bytes.length;
    member.stream.push(bytes);
    onProgress({ bytes: generated, file: name });
  }
  if (answerKeyText === null) throw new Error('The generator produced no answer key');
  for (const member of members.values()) member.stream.push(new Uint8Array(0), true);

  const key = JSON.parse(answerKeyText) as AnswerKey;
  const info: PublicExerciseInfo = {
    title: `${key.organisation.name} — ${options.difficulty} exercise`,
    created,
    difficulty: options.difficulty,
    hosts: key.organisation.hosts,
    days: options.days,
    utc_offset_minutes: key.organisation.utc_offset_minutes,
    window_start: key.organisation.start,
    window_end: key.organisation.end,
  };
  const files = [...members].map(([name, m]) => ({ name, bytes: m.bytes }));
  const sealed = await seal(answerKeyText, request.passphrase, info, request.iterations ?? DEFAULT_ITERATIONS);
  addStored(zip, PACK_README, encoder.encode(readmeText(info, files)), mtime);
  addStored(zip, PACK_SEALED_KEY, encoder.encode(sealed), mtime);
  zip.end();
  if (zipError) throw zipError;
  return { info, files, incidents: key.incidents.length };
}

function addStored(zip: Zip, name: string, bytes: Uint8Array, mtime: Date): void {
  const member = new ZipPassThrough(name);
  member.mtime = mtime;
  zip.add(member);
  member.push(bytes, true);
}

const offsetText = (minutes: number) => {
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

/** The trainee's instructions. Says nothing the answer key holds (no seed, no incident count). */
export function readmeText(info: PublicExerciseInfo, files: readonly { name: string; bytes: number }[]): string {
  const logs = files.filter((f) => f.name.startsWith(PACK_LOG_DIR));
  return [
    `RELAYWATCH EXERCISE — ${info.title}`,
    '',
    `Created ${info.created}. ${info.hosts} hosts, ${info.days} day${info.days === 1 ? '' : 's'} of logs,`,
    `from ${info.window_start} to ${info.window_end} (UTC). The organisation's local time is ${offsetText(info.utc_offset_minutes)};`,
    'logs written in local time (Windows DNS debug logs) are read with that offset.',
    '',
    'YOUR TASK',
    'Somewhere in these logs, hosts relay command-and-control traffic through legitimate web services',
    '(MITRE ATT&CK T1102). Benign look-alikes (sync clients, updaters, backups, people in browsers) are there too.',
    '',
    '1. Open Relaywatch, go to Exercise → "Trainee: take" and load this zip with "Load exercise pack". The timer',
    '   starts once the findings are ready.',
    '2. Triage the findings: mark each one benign, suspicious or malicious. Use the evidence, not a hunch.',
    '3. When you are done, press Submit and ask your trainer for the passphrase. The answer key is sealed',
    '   (AES-GCM, PBKDF2-SHA-256) in answer-key.sealed; it cannot be read without the passphrase.',
    '',
    'You are scored on precision (how many of your marked findings were real incidents), recall (how many',
    'incidents you found), time taken, and benign look-alikes you wrongly marked.',
    '',
    'CONTENTS',
    ...logs.map((f) => `  ${f.name}  (${(f.bytes / 1048576).toFixed(1)} MiB)`),
    `  ${PACK_INVENTORY}  asset inventory (some hosts may be missing from it, as in real life)`,
    `  ${PACK_README}  this file`,
    `  ${PACK_SEALED_KEY}  the sealed answer key`,
    '',
  ].join('\r\n');
}

export interface OpenedPack {
  /** Log files with their pack path minus `logs/`. */
  logs: { name: string; bytes: Uint8Array }[];
  inventoryCsv: string | null;
  readme: string | null;
  sealedKey: string;
  header: SealedHeader;
}

/** Splits a pack into its parts; throws with a plain reason when the zip is not an exercise pack. */
export function openPack(zipBytes: Uint8Array): OpenedPack {
  let total = 0;
  const entries = unzipSync(zipBytes, {
    filter: (file) => {
      total += file.originalSize;
      if (total > MAX_PACK_UNZIPPED_BYTES) throw new Error('This pack unpacks to more than 1.5 GiB: load its logs through the Data view instead');
      return !file.name.endsWith('/');
    },
  });
  const text = (name: string) => (Object.hasOwn(entries, name) ? new TextDecoder().decode(entries[name]) : null);
  const sealedKey = text(PACK_SEALED_KEY);
  if (sealedKey === null) throw new Error(`This zip is not an exercise pack: it has no ${PACK_SEALED_KEY}`);
  const logs = Object.keys(entries)
    .filter((name) => name.startsWith(PACK_LOG_DIR) && name.length > PACK_LOG_DIR.length)
    .sort()
    .map((name) => ({ name: name.slice(PACK_LOG_DIR.length), bytes: entries[name] }));
  if (logs.length === 0) throw new Error('This exercise pack holds no log files');
  return { logs, inventoryCsv: text(PACK_INVENTORY), readme: text(PACK_README), sealedKey, header: readSealedHeader(sealedKey) };
}

/** Knob defaults for a preset, for the trainer's form. */
export function presetOptions(preset: PresetName): ScenarioOptions {
  return resolveOptions(PRESETS[preset]);
}
