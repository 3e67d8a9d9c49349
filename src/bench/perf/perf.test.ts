import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDataset, parseSize, writeDataset } from './datasets.ts';
import { measureHandWritten, measureNativeCli, profilePipeline } from './native.ts';
import { formatTable, median, rate, ratio } from './stats.ts';
import { measureReaders } from './readers.ts';
import { measureBareRead, measureCliAnalyze } from './cli-scale.ts';
import { targetRows, type TargetInputs } from './targets.ts';

const dir = mkdtempSync(join(tmpdir(), 'rw-perf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('benchmark datasets', () => {
  it('parses size labels', () => {
    expect(parseSize('100k')).toBe(100_000);
    expect(parseSize('1M')).toBe(1_000_000);
    expect(parseSize('2.5m')).toBe(2_500_000);
    expect(() => parseSize('ten')).toThrow(/Not a dataset size/);
  });

  it('writes the requested number of records, every one of which the adapters load, with beacons for findings', async () => {
    const manifest = await writeDataset(join(dir, '5k'), 5000, 'office', 7);
    expect(manifest.events).toBeGreaterThanOrEqual(5000);
    expect(manifest.events).toBeLessThanOrEqual(5001);
    expect(manifest.files.reduce((n, f) => n + f.records, 0)).toBe(manifest.events);
    const conn = readFileSync(join(dir, '5k', 'conn.log'), 'utf8').split('\n');
    expect(conn[6]).toMatch(/^#fields\tts\tuid\tid\.orig_h/);
    expect(conn.filter((line) => line !== '' && !line.startsWith('#'))).toHaveLength(manifest.files[0].records);
    expect(readFileSync(join(dir, '5k', 'ssl.log'), 'utf8')).toContain('\tapi.telegram.org\t');

    // The pipeline reads the Zeek files without a single rejection (it throws otherwise).
    const profile = await profilePipeline(join(dir, '5k'), manifest);
    expect(profile.records).toBe(manifest.files[0].records + manifest.files[1].records);
  });

  it('times the Zeek, ECS and VPC readers on the same connections, every record loaded', async () => {
    const manifest = await writeDataset(join(dir, 'readers'), 3000, 'office', 5);
    const rates = await measureReaders(join(dir, 'readers'));
    expect(rates.map((r) => r.format)).toEqual(['zeek-conn-tsv', 'ecs-zeek-ndjson', 'aws-vpc-flow']);
    expect(new Set(rates.map((r) => r.records))).toEqual(new Set([manifest.files[0].records]));
  });

  it('is deterministic and reused while its manifest matches', async () => {
    const first = await ensureDataset(dir, 'again', 3000);
    const text = readFileSync(join(first.dir, 'access.log'), 'utf8');
    const second = await ensureDataset(dir, 'again', 3000);
    expect(second.manifest).toEqual(first.manifest);
    expect((await writeDataset(join(dir, 'copy'), 3000)).files).toEqual(first.manifest.files);
    expect(readFileSync(join(dir, 'copy', 'access.log'), 'utf8')).toBe(text);
  });

  it('loads the same Zeek records with the hand-written read_csv query', async () => {
    const manifest = await writeDataset(join(dir, 'hand'), 2000);
    const hand = await measureHandWritten(join(dir, 'hand'));
    expect(hand.records).toBe(manifest.files[0].records + manifest.files[1].records);
  });

  it('measures the CLI path: Zeek through the CSV reader, the proxy log parsed, then the pack per SQL file', async () => {
    const manifest = await writeDataset(join(dir, 'cli'), 4000);
    const result = await measureNativeCli(join(dir, 'cli'), manifest);
    expect(result.ingest.records).toBe(manifest.events);
    expect(result.ingest.zeekRecords).toBe(manifest.files[0].records + manifest.files[1].records);
    expect(result.findings).toBeGreaterThan(0);
    expect(Object.keys(result.packStages)).toEqual(expect.arrayContaining(['enrichment', 'scoped-events', 'periodicity-candidates', 'scoring']));
  });
});

describe('benchmark statistics', () => {
  it('takes medians over present values only', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, null, 1, 3, 2])).toBe(2.5);
    expect(median([null, undefined])).toBeNull();
  });

  it('derives rates and ratios, null when a side is missing', () => {
    expect(rate(600_000, 1000)).toBe(600_000);
    expect(rate(10, 0)).toBeNull();
    expect(ratio(5, 2)).toBe(2.5);
    expect(ratio(null, 2)).toBeNull();
  });

  it('prints aligned tables', () => {
    expect(formatTable(['a', 'bb'], [['1', null], ['100', '2']]).split('\n')).toEqual(['  a  bb', '---  --', '  1   –', '100   2']);
  });
});

describe('the CLI at scale', () => {
  it('runs relaywatch analyze as a child, in memory and on disk, and reads the same conn.log bare', async () => {
    const { dir: data, manifest } = await ensureDataset(dir, '3k', 3000, 'conn');
    expect(manifest.files.map((f) => f.name)).toEqual(['conn.log']);
    expect(manifest.files[0].records).toBe(manifest.events);
    const conn = join(data, 'conn.log');
    const inMemory = await measureCliAnalyze([conn], false);
    const onDisk = await measureCliAnalyze([conn], true);
    expect(inMemory.findings).toBeGreaterThan(0);
    expect(onDisk.findings).toBe(inMemory.findings);
    expect(inMemory.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect((await measureBareRead(conn)).rows).toBe(manifest.events);
  });
});

describe('performance targets', () => {
  const none: TargetInputs = {
    cliOverBare4m: null, cliGrowth4mOver1m: null, tabZeekRate1m: null, tabPackS1m: null, openFindingMs1m: null, tabOverCli1m: null,
    tab10mS: null, tab10mState: null, cli100mS: null, curveGrowth10mOver1m: null, pcapCliMBps: null,
  };

  it('judges each measured figure against its goal and never counts a missing one as met', () => {
    const rows = targetRows({ ...none, cliOverBare4m: 3.9, tabZeekRate1m: 250_000, openFindingMs1m: 300, tab10mState: 'error' });
    const by = (prefix: string) => rows.find((r) => r.target.startsWith(prefix))!;
    expect(by('CLI end to end')).toMatchObject({ measured: '3.90×', met: 'yes' });
    expect(by('tab Zeek')).toMatchObject({ measured: '250k rec/s', met: 'NO' });
    expect(by('open a finding')).toMatchObject({ met: 'yes' });
    expect(by('tab loads and analyses 10 M')).toMatchObject({ measured: 'did not finish (error)', met: 'NO' });
    expect(by('CLI --db, 100 M')).toMatchObject({ measured: 'not measured', met: 'not measured' });
    expect(rows.filter((r) => r.met === 'yes')).toHaveLength(2);
  });
});
