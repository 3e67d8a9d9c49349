/**
 * `npm run bench` (tsx src/bench/perf/run.ts): generated Zeek conn/ssl + Squid datasets of 100 k to 10 M events,
 * loaded and analysed in headless Chromium against the production build and on native DuckDB through the CLI's
 * pieces, plus a hand-written `read_csv` load of the Zeek files. Prints a table of medians with wasm/native ratios
 * and writes every run to bench-results/perf-<date>.json. Timings are measured and reported, never asserted.
 * Once per run it also times the Node readers on the same connections as Zeek TSV, ECS NDJSON and VPC Flow Logs.
 * It ends with every performance target of the README against the figure this run measured.
 *
 *   --sizes 100k,1m,5m,10m   datasets to run (default all four; '' for none, e.g. to measure only the pcap ingest)
 *   --cli-conn 1m,4m         conn.log sizes for `relaywatch analyze` end to end against a bare DuckDB read ('' skips)
 *   --curve 1m,10m           event counts for the CLI curve with --db (time and peak memory); add 100m for that point
 *   --runs 3                 runs per measurement below 5 M events (--big-runs, default 1, at 5 M and above)
 *   --budget-min 90          stop starting new measurements after this many minutes
 *   --pcap-mb 100            size of the packet capture whose ingest is measured in MB/s (0 skips it)
 *   --skip-browser / --skip-native / --no-build
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NativeEngine } from '../../engine/native-engine.ts';
import { startServer } from '../../release/serve.mjs';
import { ensureDataset, parseSize, type DatasetManifest } from './datasets.ts';
import { ensureCapture } from './capture.ts';
import { measureCaptureIngest, measureHandWritten, measureNativeCli, profilePipeline, type IngestTiming, type NativeCliResult, type PipelineProfile } from './native.ts';
import { TabBench, type TabRun } from './browser.ts';
import { measureReaders, type ReaderRate } from './readers.ts';
import { fixed, formatTable, kRate, median, mib, rate, ratio } from './stats.ts';
import { measureBareRead, measureCliAnalyze, type CliAnalyzeRun } from './cli-scale.ts';
import { targetRows, type TargetInputs } from './targets.ts';

const RESULTS = 'bench-results';
const BUILD_DIR = 'dist-bench';
const BIG = 5_000_000;

interface CaptureResult {
  megabytes: number;
  packets: number;
  tabMs: (number | null)[];
  cliMs: number[];
  cliCpuMs: number[];
}

interface SizeResult {
  label: string;
  manifest: DatasetManifest;
  tab: TabRun[];
  native: NativeCliResult[];
  handWritten: IngestTiming[];
  pipeline: PipelineProfile | null;
  skipped: string[];
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100k,1m,5m,10m' },
      runs: { type: 'string', default: '3' },
      'big-runs': { type: 'string', default: '1' },
      'budget-min': { type: 'string', default: '90' },
      'skip-browser': { type: 'boolean', default: false },
      'skip-native': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'pcap-mb': { type: 'string', default: '100' },
      'cli-conn': { type: 'string', default: '1m,4m' },
      curve: { type: 'string', default: '1m,10m' },
    },
  });
  const labels = (list: string) => list.split(',').map((label) => label.trim().toLowerCase()).filter((label) => label !== '');
  const sizes = labels(values.sizes).map((label) => ({ label, events: parseSize(label) }));
  const deadline = Date.now() + Number(values['budget-min']) * 60_000;
  const runsFor = (events: number) => Number(events >= BIG ? values['big-runs'] : values.runs);
  const timeLeft = () => deadline - Date.now();

  mkdirSync(join(RESULTS, 'data'), { recursive: true });
  let tab: TabBench | null = null;
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  if (!values['skip-browser']) {
    if (!values['no-build']) {
      log(`building the production bundle into ${BUILD_DIR}/`);
      execFileSync('npx', ['vite', 'build', '--outDir', `../${BUILD_DIR}`, '--emptyOutDir', '--logLevel', 'warn'], { stdio: 'inherit' });
    }
    server = await startServer({ root: BUILD_DIR, port: 0 });
    tab = await TabBench.launch();
    log(`serving ${BUILD_DIR}/ at ${server.url}; ${tab.version}`);
  }

  const results: SizeResult[] = [];
  const capture: CaptureResult = { megabytes: 0, packets: 0, tabMs: [], cliMs: [], cliCpuMs: [] };
  let readers: ReaderRate[] = [];
  const connRuns: ConnScaleResult[] = [];
  const curve: CurvePoint[] = [];
  try {
    const captureMb = Number(values['pcap-mb']);
    if (captureMb > 0) {
      const path = join(RESULTS, 'data', 'bench.pcap');
      capture.megabytes = (await ensureCapture(path, captureMb)) / 1e6;
      for (let i = 0; i < Number(values.runs); i++) {
        if (!values['skip-native']) {
          const run = await measureCaptureIngest(path);
          capture.packets = run.packets;
          capture.cliMs.push(run.ms);
          capture.cliCpuMs.push(run.cpuMs);
          log(`pcap CLI run ${i + 1}: ${fixed(run.ms)} ms (${fixed(run.cpuMs)} ms of CPU), ${fixed(capture.megabytes / (run.ms / 1000), 1)} MB/s`);
        }
        if (tab && server) {
          const run = await tab.run(server.url, [path], 300_000);
          capture.tabMs.push(run.ingestMs);
          log(`pcap tab run ${i + 1}: ${run.state}, ingest ${fixed(run.ingestMs)} ms${run.error ? `, ${run.error}` : ''}`);
        }
      }
    }
    for (const { label, events } of sizes) {
      log(`dataset ${label}: ${events.toLocaleString('en-US')} events`);
      const { dir, manifest } = await ensureDataset(join(RESULTS, 'data'), label, events);
      const result: SizeResult = { label, manifest, tab: [], native: [], handWritten: [], pipeline: null, skipped: [] };
      results.push(result);
      const runs = runsFor(events);
      const files = manifest.files.map((f) => join(dir, f.name));
      for (let i = 0; i < runs; i++) {
        if (tab && server) {
          if (timeLeft() <= 0) result.skipped.push(`tab run ${i + 1}`);
          else {
            const run = await tab.run(server.url, files, Math.max(180_000, (events / 1e6) * 180_000));
            log(`${label} tab run ${i + 1}: ${run.state}, ingest ${fixed(run.ingestMs)} ms, pack ${fixed(run.packMs)} ms, open ${fixed(run.openFindingMs)} ms, peak RSS ${mib(run.peakRendererRssBytes)} MiB${run.error ? `, ${run.error}` : ''}`);
            result.tab.push(run);
          }
        }
        if (!values['skip-native']) {
          if (timeLeft() <= 0) result.skipped.push(`native run ${i + 1}`);
          else {
            const native = await measureNativeCli(dir, manifest);
            const hand = await measureHandWritten(dir);
            log(`${label} native run ${i + 1}: ingest ${fixed(native.ingest.ms)} ms, pack ${fixed(native.packMs)} ms, hand-written Zeek load ${fixed(hand.ms)} ms`);
            result.native.push(native);
            result.handWritten.push(hand);
          }
        }
      }
      if (!values['skip-native'] && timeLeft() > 0) result.pipeline = await profilePipeline(dir, manifest);
      if (!values['skip-native'] && readers.length === 0 && timeLeft() > 0) readers = await measureReaders(dir);
    }
    for (const label of values['skip-native'] ? [] : labels(values['cli-conn'])) {
      if (timeLeft() <= 0) break;
      const { dir, manifest } = await ensureDataset(join(RESULTS, 'data'), label, parseSize(label), 'conn');
      const conn = join(dir, 'conn.log');
      const result: ConnScaleResult = { label, rows: manifest.events, cli: [], bareMs: [] };
      for (let i = 0; i < runsFor(manifest.events) && timeLeft() > 0; i++) {
        const cli = await measureCliAnalyze([conn], false);
        const bare = await measureBareRead(conn);
        log(`conn.log ${label} run ${i + 1}: relaywatch analyze ${fixed(cli.ms)} ms (peak ${mib(cli.peakRssBytes)} MiB), bare read ${fixed(bare.ms)} ms`);
        result.cli.push(cli);
        result.bareMs.push(bare.ms);
      }
      connRuns.push(result);
    }
    for (const label of values['skip-native'] ? [] : labels(values.curve)) {
      if (timeLeft() <= 0) break;
      const { dir, manifest } = await ensureDataset(join(RESULTS, 'data'), label, parseSize(label));
      const run = await measureCliAnalyze(manifest.files.map((f) => join(dir, f.name)), true);
      log(`curve ${label}: relaywatch analyze --db ${fixed(run.ms / 1000, 1)} s, peak ${mib(run.peakRssBytes)} MiB`);
      curve.push({ label, events: manifest.events, run });
    }
  } finally {
    await tab?.close();
    await server?.close();
  }

  const machine = {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30),
    load_average_at_end: loadavg().map((v) => Number(v.toFixed(2))),
    browser: tab?.version ?? null,
    node: process.version,
    duckdb_native: await nativeDescription(),
  };
  const summary = results.map(summarize);
  console.log(`\nRelaywatch performance benchmark — ${machine.cpus} cores (${machine.cpu_model}), ${machine.memory_gib} GiB, ${machine.browser ?? 'no browser'}, load average ${machine.load_average_at_end.join(' ')}`);
  console.log('Medians. rec/s = records per second of ingest; ratios are tab ÷ native time (ingest and pack), CLI ÷ hand-written (Zeek load).\n');
  console.log(
    formatTable(
      ['events', 'runs', 'engine ms', 'tab rec/s', 'tab Zeek rec/s', 'CLI rec/s', 'ingest ×', 'tab pack s', 'CLI pack s', 'pack ×', 'open ms', 'peak RSS MiB', 'duckdb MiB', 'hand Zeek rec/s', 'CLI Zeek rec/s', 'CLI/hand ×', 'state'],
      summary.map((s) => [
        s.label, String(s.runs), fixed(s.engineStartMs), kRate(s.tabRate), kRate(s.tabZeekRate), kRate(s.nativeRate), fixed(s.ingestRatio, 2),
        fixed(s.tabPackS, 1), fixed(s.nativePackS, 1), fixed(s.packRatio, 2), fixed(s.openFindingMs), mib(s.peakRssBytes), mib(s.duckdbBytes),
        kRate(s.handZeekRate), kRate(s.cliZeekRate), fixed(s.cliVsHand, 2), s.states,
      ]),
    ),
  );
  for (const r of results) {
    const steps = stepMedians(r);
    if (steps.length === 0) continue;
    console.log(`\n${r.label}: where the analysis time goes (medians, slowest in the tab first; tab ÷ CLI per step):\n`);
    console.log(formatTable(['step', 'tab ms', 'CLI ms', 'tab ÷ CLI'], steps.map((s) => [s.step, fixed(s.tabMs), fixed(s.nativeMs), fixed(ratio(s.tabMs, s.nativeMs), 2)])));
  }
  const captureRate = (ms: number | null) => (ms === null ? null : capture.megabytes / (ms / 1000));
  const pcap = capture.megabytes
    ? {
        megabytes: capture.megabytes,
        packets: capture.packets,
        cliMBps: captureRate(median(capture.cliMs)),
        cliCpuMBps: captureRate(median(capture.cliCpuMs)),
        tabMBps: captureRate(median(capture.tabMs)),
      }
    : null;
  if (pcap) {
    console.log(`\npcap ingest (${fixed(pcap.megabytes, 1)} MB, ${pcap.packets.toLocaleString('en-US')} packets, median of ${Math.max(capture.cliMs.length, capture.tabMs.length)}): CLI ${fixed(pcap.cliMBps, 1) ?? '-'} MB/s (${fixed(pcap.cliCpuMBps, 1) ?? '-'} MB/s of CPU time), tab ${fixed(pcap.tabMBps, 1) ?? '-'} MB/s (tab time is the whole load: parse, Arrow, insert)\n`);
  }
  for (const r of results) {
    if (r.pipeline) {
      const p = r.pipeline;
      console.log(`${r.label}: Node pipeline on the Zeek files: parse ${kRate(rate(p.records, p.parseCpuMs))} rec/s of CPU, parse + Arrow encode ${kRate(rate(p.records, p.parseEncodeCpuMs))} rec/s of CPU`);
    }
    if (r.skipped.length) console.log(`${r.label}: skipped (time budget): ${r.skipped.join(', ')}`);
    const blocked = r.tab.flatMap((t) => t.blockedRequests);
    if (blocked.length) console.log(`${r.label}: BLOCKED requests leaving localhost: ${[...new Set(blocked)].join(', ')}`);
  }
  if (readers.length) {
    const rates = readers.map((r) => `${r.reader} ${kRate(rate(r.records, r.cpuMs))}`).join(', ');
    console.log(`Node readers, the same ${readers[0].records.toLocaleString('en-US')} connections parsed without a database (rec/s of CPU): ${rates}`);
  }
  if (connRuns.length) {
    console.log('\nrelaywatch analyze end to end on one Zeek conn.log (in memory) against a bare DuckDB read of it into a table (medians):\n');
    console.log(formatTable(['conn rows', 'runs', 'analyze s', 'bare read s', 'analyze ÷ bare', 'peak MiB'], connRuns.map((c) => {
      const cliMs = median(c.cli.map((r) => r.ms));
      const bareMs = median(c.bareMs);
      return [c.rows.toLocaleString('en-US'), String(c.cli.length), fixed(cliMs === null ? null : cliMs / 1000, 1), fixed(bareMs === null ? null : bareMs / 1000, 2),
        fixed(ratio(cliMs, bareMs), 2), mib(median(c.cli.map((r) => r.peakRssBytes)))];
    })));
  }
  if (curve.length) {
    console.log('\nrelaywatch analyze --db FILE (database on disk), conn + ssl + proxy logs, one run per point:\n');
    console.log(formatTable(['events', 'seconds', 'events/s', 'peak MiB', 'findings'], curve.map((p) => [
      p.events.toLocaleString('en-US'), fixed(p.run.ms / 1000, 1), kRate(rate(p.events, p.run.ms)), mib(p.run.peakRssBytes), String(p.run.findings),
    ])));
  }
  const targets = targetRows(targetInputs(summary, connRuns, curve, pcap?.cliMBps ?? null));
  console.log('\nTargets (this run):\n');
  console.log(formatTable(['target', 'goal', 'measured', 'met'], targets.map((t) => [t.target, t.goal, t.measured, t.met])));
  const file = join(RESULTS, `perf-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(
    file,
    JSON.stringify({ generated: new Date().toISOString(), machine, summary, pcap, capture, results, readers, connRuns, curve, targets }, null, 2) + '\n',
  );
  log(`wrote ${file}`);
}

interface ConnScaleResult {
  label: string;
  rows: number;
  cli: CliAnalyzeRun[];
  bareMs: number[];
}

interface CurvePoint {
  label: string;
  events: number;
  run: CliAnalyzeRun;
}

/** The figures the targets are judged on, from this run's medians (null where the run did not measure them). */
function targetInputs(summary: ReturnType<typeof summarize>[], connRuns: ConnScaleResult[], curve: CurvePoint[], pcapCliMBps: number | null): TargetInputs {
  const at = (events: number) => summary.find((s) => s.events >= events * 0.99 && s.events <= events * 1.01) ?? null;
  const conn = (rows: number) => connRuns.find((c) => c.rows === rows) ?? null;
  const cliMs = (c: ConnScaleResult | null) => (c ? median(c.cli.map((r) => r.ms)) : null);
  const oneM = at(1e6);
  const point = (events: number) => curve.find((p) => p.events >= events * 0.99 && p.events <= events * 1.01)?.run.ms ?? null;
  return {
    cliOverBare4m: ratio(cliMs(conn(4e6)), median(conn(4e6)?.bareMs ?? [])),
    cliGrowth4mOver1m: ratio(cliMs(conn(4e6)), cliMs(conn(1e6))),
    tabZeekRate1m: oneM?.tabZeekRate ?? null,
    tabPackS1m: oneM?.tabPackS ?? null,
    openFindingMs1m: oneM?.openFindingMs ?? null,
    tabOverCli1m: oneM ? ratio(oneM.tabLoadAndAnalyseS, oneM.nativeLoadAndAnalyseS) : null,
    tab10mS: at(1e7)?.tabLoadAndAnalyseS ?? null,
    tab10mState: at(1e7)?.states ?? null,
    cli100mS: (point(1e8) ?? NaN) / 1000 || null,
    curveGrowth10mOver1m: ratio(point(1e7), point(1e6)),
    pcapCliMBps,
  };
}

async function nativeDescription(): Promise<string> {
  const engine = await NativeEngine.open();
  engine.close();
  return engine.description;
}

/** Median wall time of each analysis step in the tab and natively, slowest in the tab first (the top dozen). */
function stepMedians(r: SizeResult): { step: string; tabMs: number | null; nativeMs: number | null }[] {
  const ok = r.tab.filter((t) => t.state === 'ready');
  const steps = new Set([...ok.flatMap((t) => Object.keys(t.packSteps)), ...r.native.flatMap((n) => Object.keys(n.packStages))]);
  return [...steps]
    .map((step) => ({ step, tabMs: median(ok.map((t) => t.packSteps[step])), nativeMs: median(r.native.map((n) => n.packStages[step])) }))
    .sort((a, b) => (b.tabMs ?? b.nativeMs ?? 0) - (a.tabMs ?? a.nativeMs ?? 0))
    .slice(0, 12);
}

/** Medians of one dataset's runs, with the derived rates and ratios the targets talk about. */
function summarize(r: SizeResult) {
  const ok = r.tab.filter((t) => t.state === 'ready');
  const tabIngestMs = median(ok.map((t) => t.ingestMs));
  const nativeIngestMs = median(r.native.map((n) => n.ingest.ms));
  const tabPackMs = median(ok.map((t) => t.packMs));
  const nativePackMs = median(r.native.map((n) => n.packMs));
  const records = r.manifest.events;
  const zeekRecords = r.manifest.files.filter((f) => f.format.startsWith('zeek-')).reduce((n, f) => n + f.records, 0);
  const cliZeekMs = median(r.native.map((n) => n.ingest.zeekMs));
  const handMs = median(r.handWritten.map((h) => h.ms));
  return {
    label: r.label,
    events: records,
    runs: Math.max(r.tab.length, r.native.length),
    engineStartMs: median(r.tab.map((t) => t.engineStartMs)),
    tabRate: rate(records, tabIngestMs),
    tabZeekRate: rate(median(ok.map((t) => t.zeekRecords)), median(ok.map((t) => t.zeekMs))),
    nativeRate: rate(records, nativeIngestMs),
    ingestRatio: ratio(tabIngestMs, nativeIngestMs),
    tabPackS: tabPackMs === null ? null : tabPackMs / 1000,
    nativePackS: nativePackMs === null ? null : nativePackMs / 1000,
    packRatio: ratio(tabPackMs, nativePackMs),
    tabLoadAndAnalyseS: tabIngestMs !== null && tabPackMs !== null ? (tabIngestMs + tabPackMs) / 1000 : null,
    nativeLoadAndAnalyseS: nativeIngestMs !== null && nativePackMs !== null ? (nativeIngestMs + nativePackMs) / 1000 : null,
    openFindingMs: median(ok.map((t) => t.openFindingMs)),
    peakRssBytes: median(r.tab.map((t) => t.peakRendererRssBytes)),
    duckdbBytes: median(ok.map((t) => t.duckdbMemoryBytes)),
    handZeekRate: rate(zeekRecords, handMs),
    cliZeekRate: rate(zeekRecords, cliZeekMs),
    cliVsHand: ratio(cliZeekMs, handMs),
    findingsTab: median(ok.map((t) => t.findings)),
    findingsNative: median(r.native.map((n) => n.findings)),
    states: r.tab.length ? [...new Set(r.tab.map((t) => t.state))].join('/') : 'native only',
  };
}

await main();
