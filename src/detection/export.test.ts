import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { loadWorld } from './fixtures/world.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { runDetection } from './detect.ts';
import { buildFindingsExport } from './export.ts';
import { contractValidator } from '../test-support/contracts.ts';

const validate = contractValidator('findings.schema.json');

describe('findings export', () => {
  it('the checker catches violations', () => {
    expect(validate({ format: 'other', version: 1 })).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/format: must be equal to constant/), expect.stringMatching(/must have required property 'findings'/)]),
    );
  });

  it('matches findings.schema.json exactly, with sources, rejections and ranked findings', async () => {
    const engine = await NativeEngine.open();
    await loadWorld(engine);
    await engine.exec(`INSERT INTO sources VALUES
      ('proxy/access.log', 'squid-native', 12, 10, 2, 2048, 5.0, NULL, '${'ab'.repeat(32)}'),
      ('zeek.zip/ssl.log', 'zeek-ssl-tsv', 4, 4, 0, 1024, 1.0, NULL, NULL)`);
    await engine.exec(`INSERT INTO rejections VALUES
      ('proxy/access.log', 7, 'bad timestamp', 'x'), ('proxy/access.log', 3, 'too few fields', 'y')`);
    const result = await runDetection(engine, { pack: loadNodeDetectionPack() });
    const exported = await buildFindingsExport(engine, result, { toolVersion: '0.1.0', generatedAt: new Date(Date.UTC(2024, 4, 3)) });
    engine.close();

    expect(validate(JSON.parse(JSON.stringify(exported)))).toEqual([]);
    expect(exported.generated_at).toBe('2024-05-03T00:00:00.000Z');
    expect(exported.tool.engine).toMatch(/^duckdb native /);
    expect(exported.sources).toEqual([
      { name: 'proxy/access.log', format: 'squid-native', rows_read: 12, rows_loaded: 10, rows_rejected: 2,
        rejections: [{ line: 3, reason: 'too few fields' }, { line: 7, reason: 'bad timestamp' }], sha256: 'ab'.repeat(32) },
      { name: 'zeek.zip/ssl.log', format: 'zeek-ssl-tsv', rows_read: 4, rows_loaded: 4, rows_rejected: 0, rejections: [] },
    ]);
    expect(exported.data_window.start).toBe(result.window.data_start);
    expect(exported.findings.map((f) => f.rank)).toEqual(exported.findings.map((_, i) => i + 1));
    const scores = exported.findings.map((f) => f.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(exported.findings.map((f) => f.id)).size).toBe(exported.findings.length);
    const ws04 = exported.findings.find((f) => f.source.hostname === 'ws04' && f.service?.id === 'github');
    expect(ws04?.destination.accounts).toEqual([
      { kind: 'github-repo', id: 'evil-org/tools', evidence: 'url: github.com/evil-org/tools/raw/main/cmd.txt', request: 'github.com/evil-org/tools/raw/main/cmd.txt' },
    ]);
    // The planted bot token never leaves: the Telegram finding names the bot by its id alone.
    const srv01 = exported.findings.find((f) => f.source.hostname === 'srv01' && f.service?.id === 'telegram');
    expect(srv01?.destination.accounts?.[0]).toMatchObject({ kind: 'telegram-bot', id: '123456' });
    expect(JSON.stringify(exported)).not.toContain('AAE-abcdefghijklmnop');
  });
});
