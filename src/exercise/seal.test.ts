import { describe, expect, it } from 'vitest';
import { MIN_ITERATIONS, UnsealError, readSealedHeader, seal, unseal, type PublicExerciseInfo } from './seal.ts';

const INFO: PublicExerciseInfo = {
  title: 'Test — easy exercise',
  created: '2024-05-01T00:00:00.000Z',
  difficulty: 'easy',
  hosts: 8,
  days: 1,
  utc_offset_minutes: 120,
  window_start: '2024-05-05T22:00:00Z',
  window_end: '2024-05-06T22:00:00Z',
};
const SECRET = JSON.stringify({ format: 'relaywatch.answer-key', incidents: [{ id: 'INC-01', note: 'ünïcode ✓' }] });

describe('sealing the answer key', () => {
  it('round-trips with the right passphrase and stores a random salt and IV in the header', async () => {
    const a = await seal(SECRET, 'correct horse', INFO, MIN_ITERATIONS);
    const b = await seal(SECRET, 'correct horse', INFO, MIN_ITERATIONS);
    expect(await unseal(a, 'correct horse')).toBe(SECRET);
    const header = readSealedHeader(a);
    expect(header.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: MIN_ITERATIONS });
    expect(header.cipher.name).toBe('AES-GCM');
    expect(header.exercise).toEqual(INFO);
    expect(header.kdf.salt).not.toBe(readSealedHeader(b).kdf.salt);
    expect(header.cipher.iv).not.toBe(readSealedHeader(b).cipher.iv);
    expect(a).not.toContain('INC-01');
  });

  it('fails with a wrong passphrase', async () => {
    const sealed = await seal(SECRET, 'correct horse', INFO, MIN_ITERATIONS);
    await expect(unseal(sealed, 'correct hors')).rejects.toBeInstanceOf(UnsealError);
    await expect(unseal(sealed, '')).rejects.toThrow(/Wrong passphrase/);
  });

  it('fails when the public header is edited (it is authenticated)', async () => {
    const sealed = JSON.parse(await seal(SECRET, 'pw', INFO, MIN_ITERATIONS));
    sealed.header.exercise.utc_offset_minutes = 0;
    await expect(unseal(JSON.stringify(sealed), 'pw')).rejects.toBeInstanceOf(UnsealError);
  });

  it('refuses weak or hostile headers before deriving a key', async () => {
    const sealed = JSON.parse(await seal(SECRET, 'pw', INFO, MIN_ITERATIONS));
    sealed.header.kdf.iterations = 1000;
    await expect(unseal(JSON.stringify(sealed), 'pw')).rejects.toThrow(/iterations/);
    sealed.header.kdf.iterations = 1e12;
    await expect(unseal(JSON.stringify(sealed), 'pw')).rejects.toThrow(/iterations/);
    await expect(unseal('{"header":{"format":"other"}}', 'pw')).rejects.toThrow(/not a Relaywatch sealed/);
    await expect(unseal('not json', 'pw')).rejects.toThrow(/not valid JSON/);
    await expect(seal(SECRET, 'pw', INFO, 1000)).rejects.toThrow(/at least/);
    await expect(seal(SECRET, '', INFO)).rejects.toThrow(/passphrase/);
  });
});
