/**
 * An event is one observation, however many copies of a log recorded it: loading the same traffic a second time
 * (the same files again, one sensor's Zeek logs as TSV and as JSON, one proxy as Squid and as ProxySG) changes no
 * finding's event count, time span or score. Checked on a generated organisation, whose traffic does not depend on
 * the formats it is written in.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FormatId } from '../generator/index.ts';
import type { Finding } from './detect.ts';
import { SMALL_ORGANISATION, analyse, generateOrganisation, loadLogs } from './fixtures/generated-org.ts';

const ONE_COPY: FormatId[] = ['zeek-tsv', 'squid', 'sysmon', 'windows-dns', 'paloalto'];

async function findingsOf(logs: ReadonlyMap<string, string>, inventory: Parameters<typeof analyse>[1]): Promise<Finding[]> {
  const { engine } = await loadLogs(logs);
  try {
    return (await analyse(engine, inventory)).findings;
  } finally {
    engine.close();
  }
}

const facts = (f: Finding) => ({ events: f.events, first_seen: f.first_seen, last_seen: f.last_seen, score: f.score });
const byId = (findings: readonly Finding[]) => new Map(findings.map((f) => [f.id, f]));

describe('a second copy of the same logs', () => {
  const once = generateOrganisation({ ...SMALL_ORGANISATION, formats: ONE_COPY });
  let reference: Finding[];
  beforeAll(async () => {
    reference = await findingsOf(once.logs, once.inventory);
  }, 180_000);

  it('changes nothing when the same files are loaded again under other names', async () => {
    expect(reference.length).toBeGreaterThan(10);
    const twice = new Map([...once.logs, ...[...once.logs].map(([name, text]) => [`copy/${name}`, text] as const)]);
    const again = byId(await findingsOf(twice, once.inventory));
    expect(again.size).toBe(reference.length);
    for (const f of reference) expect(facts(again.get(f.id)!), f.id).toEqual(facts(f));
  }, 180_000);

  it('changes nothing when a log comes rotated into consecutive files (Zeek conn and the proxy, split mid-day)', async () => {
    const rotated = new Map(once.logs);
    const splitAt = (lines: string[]) => Math.floor(lines.length / 2);
    const proxy = rotated.get('proxy/access.log')!.trimEnd().split('\n');
    rotated.delete('proxy/access.log');
    rotated.set('proxy/access.1.log', proxy.slice(0, splitAt(proxy)).join('\n') + '\n');
    rotated.set('proxy/access.2.log', proxy.slice(splitAt(proxy)).join('\n') + '\n');
    const conn = rotated.get('zeek/conn.log')!.trimEnd().split('\n');
    const header = conn.filter((line) => line.startsWith('#') && !line.startsWith('#close'));
    const rows = conn.filter((line) => !line.startsWith('#'));
    rotated.delete('zeek/conn.log');
    rotated.set('zeek/conn.00.log', [...header, ...rows.slice(0, splitAt(rows))].join('\n') + '\n');
    rotated.set('zeek/conn.12.log', [...header, ...rows.slice(splitAt(rows))].join('\n') + '\n');
    const again = byId(await findingsOf(rotated, once.inventory));
    expect(again.size).toBe(reference.length);
    for (const f of reference) expect(facts(again.get(f.id)!), f.id).toEqual(facts(f));
  }, 180_000);

  it('changes nothing when one sensor\'s Zeek logs are loaded as TSV and as JSON', async () => {
    const both = generateOrganisation({ ...SMALL_ORGANISATION, formats: [...ONE_COPY, 'zeek-json'] });
    const again = byId(await findingsOf(both.logs, both.inventory));
    expect(again.size).toBe(reference.length);
    for (const f of reference) expect(facts(again.get(f.id)!), f.id).toEqual(facts(f));
  }, 180_000);

  it('counts one proxy logged as Squid and as ProxySG once (ProxySG adds paths, which may add evidence)', async () => {
    const both = generateOrganisation({ ...SMALL_ORGANISATION, formats: [...ONE_COPY, 'w3c'] });
    const again = byId(await findingsOf(both.logs, both.inventory));
    for (const f of reference) {
      const other = again.get(f.id);
      if (other) expect({ events: other.events, first_seen: other.first_seen }, f.id).toEqual({ events: f.events, first_seen: f.first_seen });
    }
  }, 180_000);
});
