import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleDir } from '../test-support/sample-data.ts';
import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { shippedCatalog } from './catalog.ts';
import { applyContext } from './context.ts';
import { readContextSql } from './sql-files-node.ts';

// Public third-party Zeek logs (never copied into the repo): 21 minutes of WRCCDC 2018 traffic.
const ZEEK = sampleDir('real/zeek-wrccdc2018/zeek-tsv');

/** (source IP, host name) pairs from a Zeek TSV log, by field name. */
function zeekPairs(file: string, hostField: string): { src_ip: string[]; dst_host: string[] } {
  const lines = readFileSync(join(ZEEK!, file), 'utf8').split('\n');
  const fields = lines.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
  const [src, host] = [fields.indexOf('id.orig_h'), fields.indexOf(hostField)];
  const out = { src_ip: [] as string[], dst_host: [] as string[] };
  for (const line of lines) {
    if (!line || line.startsWith('#')) continue;
    const cells = line.split('\t');
    if (cells[host] && cells[host] !== '-') {
      out.src_ip.push(cells[src]);
      out.dst_host.push(cells[host]);
    }
  }
  return out;
}

describe.skipIf(!ZEEK)('real Zeek sample (WRCCDC 2018; RELAYWATCH_SAMPLES)', () => {
  it('maps SNI and DNS query names onto catalogued services', async () => {
    const engine = await NativeEngine.open();
    const sql = readContextSql();
    await applyContext(engine, { catalog: shippedCatalog(), inventories: [], policy: [] }, sql);
    for (const [file, field, kind] of [['ssl.log', 'server_name', 'tls'], ['dns.log', 'query', 'dns']] as const) {
      const pairs = zeekPairs(file, field);
      await engine.append(
        'events',
        { ts: pairs.src_ip.map(() => 1_520_000_000_000_000), kind: pairs.src_ip.map(() => kind), ...pairs },
        { ts: 'TIMESTAMP', kind: 'VARCHAR', src_ip: 'VARCHAR', dst_host: 'VARCHAR' },
      );
    }
    const summary = await applyContext(engine, { catalog: shippedCatalog(), inventories: [], policy: [] }, sql);
    const services = await engine.all<{ service_id: string; hosts: number }>(
      'SELECT service_id, count(*) hosts FROM dst_services GROUP BY ALL ORDER BY hosts DESC, service_id',
    );
    const [totals] = await engine.all<{ events: number; hosts: number }>('SELECT count(*) events, count(DISTINCT dst_host) hosts FROM events');
    console.log(`real sample: ${totals.events} events, ${totals.hosts} distinct hosts, ${summary.matchedDestinations} catalogued, ${summary.sources} sources;`,
      services.map((s) => `${s.service_id}=${s.hosts}`).join(' '));
    const ids = services.map((s) => s.service_id);
    for (const id of ['github', 'dropbox', 'pastebin', 'google-drive']) expect(ids).toContain(id);
    expect(summary.matchedDestinations).toBeGreaterThan(20);
    engine.close();
  });
});
