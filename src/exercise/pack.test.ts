import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MIN_ITERATIONS, unseal } from './seal.ts';
import { PACK_README, PACK_SEALED_KEY, buildPack, openPack } from './pack.ts';
import { parseAnswerKey } from './score.ts';

async function smallPack(passphrase = 'trainer-secret') {
  const chunks: Uint8Array[] = [];
  let finals = 0;
  const progress: number[] = [];
  const summary = await buildPack(
    { preset: 'easy', scenario: { seed: 4242, hosts: 8, days: 1, incidents: 2, noise: 0.3, formats: ['zeek-tsv', 'squid'] }, passphrase, iterations: MIN_ITERATIONS, created: '2024-05-01T12:00:00.000Z' },
    (chunk, final) => {
      chunks.push(chunk);
      if (final) finals++;
    },
    (p) => progress.push(p.bytes),
  );
  const zip = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) zip.set(c, (at += c.length) - c.length);
  return { zip, summary, finals, progress };
}

describe('exercise packs', () => {
  it('hold the logs, the inventory, a README and only a sealed answer key', async () => {
    const { zip, summary, finals, progress } = await smallPack();
    expect(finals).toBe(1);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(summary.files.reduce((n, f) => n + f.bytes, 0));
    const members = unzipSync(zip);
    expect(Object.keys(members).sort()).toEqual([
      PACK_README, PACK_SEALED_KEY, 'inventory/assets.csv',
      'logs/proxy/access.log', 'logs/zeek/conn.log', 'logs/zeek/dns.log', 'logs/zeek/http.log', 'logs/zeek/ssl.log',
    ]);
    expect(Object.keys(members).some((n) => n.includes('answer-key.json'))).toBe(false);
    const conn = new TextDecoder().decode(members['logs/zeek/conn.log']);
    expect(conn.startsWith('#separator')).toBe(true);
    expect(conn).toMatch(/\n#close\t\S+\n$/);
    expect(new TextDecoder().decode(members['inventory/assets.csv']).split('\n')[0]).toBe('ip,hostname,role,os,business_unit,owner,criticality');
    const readme = new TextDecoder().decode(members[PACK_README]);
    expect(readme).toContain('8 hosts, 1 day of logs');
    expect(readme).toContain('UTC+02:00');
    expect(readme).not.toMatch(/seed|4242|INC-0/i);
    expect(summary.incidents).toBe(2);
  });

  it('open back into logs, inventory and a key that unseals only with the passphrase', async () => {
    const { zip } = await smallPack('pw-1');
    const pack = openPack(zip);
    expect(pack.logs.map((l) => l.name)).toEqual(['proxy/access.log', 'zeek/conn.log', 'zeek/dns.log', 'zeek/http.log', 'zeek/ssl.log']);
    expect(pack.inventoryCsv?.split('\n').length).toBeGreaterThan(5);
    expect(pack.header.exercise).toMatchObject({ hosts: 8, days: 1, difficulty: 'easy', utc_offset_minutes: 120 });
    const key = parseAnswerKey(await unseal(pack.sealedKey, 'pw-1'));
    expect(key.incidents).toHaveLength(2);
    expect(key.options.seed).toBe(4242);
    await expect(unseal(pack.sealedKey, 'pw-2')).rejects.toThrow(/Wrong passphrase/);
  });

  it('refuses a zip that is not a pack, naming what is missing', () => {
    expect(() => openPack(zipSync({ 'logs/conn.log': strToU8('x') }))).toThrow(/no answer-key.sealed/);
    expect(() => openPack(zipSync({ 'answer-key.sealed': strToU8('{}') }))).toThrow(/no log files/);
  });
});
