import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { createSchema } from './fixtures/world.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { runDetection } from './detect.ts';
import { sampleDir } from '../test-support/sample-data.ts';

const SSL_LOG = sampleDir('real/zeek-wrccdc2018/zeek-tsv/ssl.log');

// Real third-party Zeek ssl.log (21 minutes of a competition network), read in place, never copied.
describe.skipIf(!SSL_LOG)('detection on the real WRCCDC 2018 Zeek ssl.log', () => {
  it('loads every record, runs the whole pack and finds the catalogued services in it', async () => {
    const engine = await NativeEngine.open();
    await createSchema(engine);
    await engine.all(`SET VARIABLE ssl_log = ?`, [SSL_LOG]);
    const fields = ['ts', 'uid', 'orig_h', 'orig_p', 'resp_h', 'resp_p', 'version', 'cipher', 'curve', 'server_name', 'resumed',
      'last_alert', 'next_protocol', 'established', 'ssl_history', 'cert_chain_fps', 'client_cert_chain_fps',
      'sni_matches_cert', 'validation_status'];
    const columns = fields.map((f) => `'${f}': '${f === 'ts' ? 'DOUBLE' : f.endsWith('_p') ? 'INTEGER' : 'VARCHAR'}'`).join(', ');
    await engine.exec(`INSERT INTO events (ts, kind, source_format, src_ip, src_port, dst_ip, dst_port, dst_host, dst_host_origin, tls_version, uid)
      SELECT make_timestamp(CAST(ts * 1e6 AS BIGINT)), 'tls', 'zeek-ssl-tsv', orig_h, orig_p, resp_h, resp_p, server_name, 'sni', version, uid
      FROM read_csv(getvariable('ssl_log'), delim = '\t', quote = '', escape = '', nullstr = '-', header = false,
                    skip = 8, ignore_errors = true, columns = {${columns}})
      WHERE ts IS NOT NULL`);
    const [loaded] = await engine.all<{ n: number; named: number }>('SELECT count(*) n, count(dst_host) named FROM events');
    expect(loaded.n).toBe(49_474);
    await engine.exec(`INSERT INTO catalog_services (service_id, name, category, consumer) VALUES
      ('github', 'GitHub', 'code-hosting', false), ('pastebin', 'Pastebin', 'paste', true),
      ('dropbox', 'Dropbox', 'storage', true), ('google-drive', 'Google Drive', 'storage', true);
      INSERT INTO catalog_hosts (service_id, pattern) VALUES ('github', 'github.com'), ('github', 'githubusercontent.com'),
      ('pastebin', 'pastebin.com'), ('dropbox', 'dropbox.com'), ('google-drive', 'drive.google.com');
      INSERT INTO dst_services SELECT DISTINCT e.dst_host, h.service_id, h.pattern, h.pattern FROM events e
      JOIN catalog_hosts h ON lower(e.dst_host) = h.pattern OR lower(e.dst_host) LIKE '%.' || h.pattern;`);
    const started = performance.now();
    const result = await runDetection(engine, { pack: loadNodeDetectionPack() });
    const millis = performance.now() - started;
    const services = new Set(result.findings.map((f) => f.service?.id).filter(Boolean));
    console.info(`wrccdc ssl.log: ${loaded.n} rows (${loaded.named} with SNI), ${result.periodicity.candidates} timing candidates, ` +
      `${result.periodicity.periodic} periodic, ${result.signalCount} signals, ${result.findings.length} findings ` +
      `(${result.findings.filter((f) => f.score >= 40).length} medium or above) on ${[...services].join(', ')} in ${millis.toFixed(0)} ms`);
    expect(result.findings.length).toBeGreaterThan(0);
    // A dead-drop sequence seen only through TLS (no URL path) is weak evidence alone: it must not reach medium.
    const tlsOnlySequences = result.findings.filter((f) => f.signals.every((s) => s.id === 'ddr-sequence'));
    expect(tlsOnlySequences.length).toBeGreaterThan(0);
    for (const f of tlsOnlySequences) expect(f.score).toBeLessThan(40);
    for (const f of result.findings) {
      expect(f.signals.length).toBeGreaterThan(0);
      expect(f.score).toBeGreaterThanOrEqual(0);
      expect(f.score).toBeLessThanOrEqual(100);
    }
    engine.close();
  }, 60_000);
});
