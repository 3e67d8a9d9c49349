import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileChunks } from '../../pipeline/node.ts';
import { logFiles } from '../../bench/real/datasets.ts';
import { sampleDir } from '../../test-support/sample-data.ts';
import { ALL_ADAPTERS } from '../adapters/index.ts';
import { ingestFile } from './pipeline.ts';

const labelled = sampleDir('real-labelled');
const real = sampleDir('real');

async function summaryOf(path: string) {
  const [summary] = await ingestFile(basename(path), fileChunks(path), { write: async () => {} }, { adapters: ALL_ADAPTERS, utcOffsetMinutes: 0 });
  return summary;
}

describe('every real capture file loads: read = loaded + rejected, nothing rejected (skipped without RELAYWATCH_SAMPLES)', () => {
  it.skipIf(!labelled || !real)('real-labelled/ and real/', { timeout: 600_000 }, async () => {
    const problems: string[] = [];
    let files = 0;
    for (const root of [labelled!, real!]) {
      // Dataset folders only: the collection's own labels.json and README sit at the top.
      const datasets = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(root, e.name));
      for (const path of datasets.flatMap(logFiles)) {
        const name = relative(root, path);
        const s = await summaryOf(path);
        files++;
        expect(s.rows_read, name).toBe(s.rows_loaded + s.rows_rejected);
        if (s.status !== 'loaded' || s.rows_rejected > 0 || s.rows_loaded === 0) {
          problems.push(`${name}: ${s.format} ${s.status}, ${s.rows_loaded} loaded, ${s.rows_rejected} rejected ${JSON.stringify(s.rejections.slice(0, 2))}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(files).toBeGreaterThan(100);
  });

  it.skipIf(!labelled)('mixed-channel Windows exports load their Sysmon and Security network events', async () => {
    const s = await summaryOf(`${labelled}/otrf-empire-sct-stager-runkeys/empire_persistence_registry_modification_run_keys_elevated_user_2020-07-22001847.json`);
    expect(s).toMatchObject({ format: 'sysmon-flat-json', rows_read: 657, rows_loaded: 657, rows_rejected: 0 });
    const rdp = await summaryOf(`${labelled}/otrf-empire-enable-rdp-winlogbeat/empire_enable_rdp_2019-05-18203650.json`);
    expect(rdp).toMatchObject({ format: 'windows-winlogbeat6-ndjson', rows_read: 2668, rows_loaded: 2668 });
  });
});
