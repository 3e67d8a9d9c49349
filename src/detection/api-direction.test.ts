import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { canonicalDdl } from '../core/canonical.ts';
import { applyContext } from '../context/context.ts';
import { shippedCatalog } from '../context/catalog.ts';
import { readContextSql } from '../context/sql-files-node.ts';
import { appendEvents, type FixtureEvent } from './fixtures/world.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { runDetection } from './detect.ts';

const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);
const IMPLANT = 'C:\\Users\\Public\\sync.exe';

/** An implant's Dropbox API calls, every one logged by the proxy and by Zeek's http log. */
function dropboxCalls(): FixtureEvent[] {
  const calls: [string, string][] = [
    ...Array.from({ length: 20 }, (): [string, string] => ['content.dropboxapi.com', '/2/files/download']),
    ...Array.from({ length: 6 }, (): [string, string] => ['api.dropboxapi.com', '/2/files/list_folder']),
    ...Array.from({ length: 5 }, (): [string, string] => ['content.dropboxapi.com', '/2/files/upload']),
  ];
  return calls.flatMap(([dst_host, url_path], i) => (['proxy', 'http'] as const).map((kind): FixtureEvent => ({
    at: T0 + i * 600_000, kind, src_ip: '10.9.0.5', src_host: 'ws5', process: IMPLANT, dst_host, method: 'POST',
    dst_port: 443, url_path, status: 200, user_agent: 'Go-http-client/1.1', bytes_out: 400, bytes_in: 2_000,
  })));
}

describe('API calls counted as reads and writes', () => {
  it("counts a download or listing as a read whatever its method, an upload as a write, each call once however many logs saw it", async () => {
    const engine = await NativeEngine.open();
    try {
      await engine.exec(canonicalDdl());
      await appendEvents(engine, dropboxCalls());
      await applyContext(engine, { catalog: shippedCatalog(), inventories: [], policy: [] }, readContextSql());
      const result = await runDetection(engine, { pack: loadNodeDetectionPack() });
      const api = result.findings.flatMap((f) => f.signals).find((s) => s.id === 'api-endpoint')!;
      expect(api.evidence).toMatchObject({ events: 31, reads: 26, writes: 5 });
      expect(api.explanation).toMatch(/31 times \(26 reads, 5 writes\)/);
    } finally {
      engine.close();
    }
  });
});
