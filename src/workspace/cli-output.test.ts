import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { analyzeCommand } from '../cli/analyze.ts';
import { NativeEngine } from '../engine/native-engine.ts';
import { detect } from '../report/fixtures/analyze-native.ts';
import { hostileSquidLog } from '../report/fixtures/hostile-squid.ts';
import { nativeWorkspaceEngine } from './native-io.ts';
import { openWorkspace } from './open.ts';

describe('relaywatch analyze --report-out --workspace-out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rw-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a script-free report and a workspace that reproduces the findings', async () => {
    const log = join(dir, 'access.log');
    writeFileSync(log, hostileSquidLog());
    const paths = { out: join(dir, 'findings.json'), report: join(dir, 'report.html'), workspace: join(dir, 'case.rwz') };
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await analyzeCommand(['--out', paths.out, '--report-out', paths.report, '--workspace-out', paths.workspace, '--utc-offset', '0', log]);
    stderr.mockRestore();
    expect(code).toBe(0);

    const findings = JSON.parse(readFileSync(paths.out, 'utf8')).findings as { id: string }[];
    expect(findings).toHaveLength(2);
    const report = readFileSync(paths.report, 'utf8');
    expect(report).not.toMatch(/<script/i);
    for (const f of findings) expect(report).toContain(`data-finding-id="${f.id}"`);
    expect(report).toContain('Charts are drawn only in reports made in the browser');

    const engine = await NativeEngine.open();
    const state = await openWorkspace(nativeWorkspaceEngine(engine), new Uint8Array(readFileSync(paths.workspace)));
    expect(state.sources.map((s) => [s.name, s.rows_loaded, s.rows_rejected])).toEqual([['access.log', 480, 1]]);
    expect(state.settings.utcOffsetMinutes).toBe(0);
    const again = await detect(engine, state.context);
    expect(again.findings.map((f) => f.id)).toEqual(findings.map((f) => f.id));
    engine.close();
  }, 60_000);
});
