import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { catalogFromCsv, shippedCatalog } from '../context/catalog.ts';
import { parseInventoryCsv } from '../context/inventory.ts';
import { parsePolicyCsv } from '../context/policy.ts';
import { buildFindingsExport } from '../detection/export.ts';
import { runAnalysis } from '../pipeline/pipeline.ts';
import { collectInputs, nodeAnalysis, nodeLoading } from '../pipeline/node.ts';
import { NativeEngine } from '../engine/native-engine.ts';
import { TOOL_VERSION } from '../core/version.ts';
import { collectReportData } from '../report/report-data.ts';
import { buildReportHtml } from '../report/report-html.ts';
import { writeWorkspaceFile } from '../workspace/write-file.ts';
import { computeCoverage } from '../readiness/coverage.ts';
import { shippedReadinessSpec } from '../readiness/readiness.ts';
import { buildReadinessExport, type ReadinessExport } from '../readiness/readiness-export.ts';
import { catalogDigest } from '../context/catalog-digest.ts';
import { indicatorsOf } from '../indicators/indicators.ts';
import { indicatorsCsv } from '../indicators/iocs-csv.ts';
import { buildStixBundle, TLP_LEVELS, type Tlp } from '../indicators/stix.ts';
import { timelineJsonl } from '../indicators/timeline.ts';
import type { Finding } from '../detection/detect.ts';
import type { FindingsExport } from '../detection/export.ts';

export const ANALYZE_USAGE = `  relaywatch analyze [--inventory assets.csv]... [--approved approved.csv] [--catalog extra.csv]
                     [--window-start ISO] [--window-end ISO] [--baseline-end ISO] [--utc-offset MINUTES]
                     [--param name=value]... [--db FILE] [--out findings.json]
                     [--report-out report.html] [--workspace-out case.rwz] [--readiness-out readiness.json]
                     [--stix-out bundle.json] [--iocs-out indicators.csv] [--timeline-out timeline.jsonl]
                     [--tlp white|green|amber|red] [--producer NAME] [--timings] FILE_OR_DIR...

  Reads every log format the browser reads (files, folders, .gz, .zip; detected by content), runs the
  detection pack on native DuckDB and writes the findings export (findings.schema.json) to --out or stdout.
  Progress and warnings go to stderr. Exit 0 on success, 2 on bad input (one line per problem on stderr).
  --db FILE keeps the database on disk, so analyses larger than memory spill there.
  --report-out writes the self-contained HTML report (charts as tables of numbers: they are drawn in the browser).
  --workspace-out writes a workspace the browser's "Open workspace…" restores (data, settings, context).
  --readiness-out writes what the data could and could not show per host (readiness.schema.json).
  --stix-out writes the indicators as a STIX 2.1 bundle marked --tlp (default amber), produced by --producer;
  --iocs-out the same indicators as CSV; --timeline-out the findings' events as Timesketch JSON lines.
  --timings prints the wall time of each analysis step (enrichment, context, each SQL file of the pack, the timing
  analysis, scoring), slowest first.
  Secrets (tokens, keys, signatures) are redacted from every output.`;

/** Width the CLI report bins its chart tables to (a handful of rows per finding). */
const CLI_REPORT_BINS_PX = 96;

const STAGE_PROGRESS = { enrich: 'enriching events', context: 'applying the context data', detect: 'running the detection pack' };

const progress = (line: string) => process.stderr.write(`relaywatch: ${line}\n`);

interface SharingOutputs {
  'readiness-out'?: string;
  'stix-out'?: string;
  'iocs-out'?: string;
  'timeline-out'?: string;
  tlp: Tlp;
  producer?: string;
}

/** The readiness export, the STIX bundle, the indicators CSV and the timeline, each when asked for. */
async function writeSharingOutputs(
  engine: NativeEngine, exported: FindingsExport, findings: Finding[], readiness: ReadinessExport, out: SharingOutputs,
): Promise<void> {
  if (out['readiness-out']) {
    await writeFile(out['readiness-out'], JSON.stringify(readiness, null, 2) + '\n');
    progress(`readiness written to ${out['readiness-out']}`);
  }
  const indicators = indicatorsOf(exported);
  if (out['stix-out']) {
    const bundle = buildStixBundle(exported, indicators, { tlp: out.tlp, producer: out.producer });
    await writeFile(out['stix-out'], JSON.stringify(bundle, null, 2) + '\n');
    progress(`STIX bundle with ${indicators.length} indicators (TLP:${out.tlp.toUpperCase()}) written to ${out['stix-out']}`);
  }
  if (out['iocs-out']) {
    await writeFile(out['iocs-out'], indicatorsCsv(indicators));
    progress(`${indicators.length} indicators written to ${out['iocs-out']}`);
  }
  if (out['timeline-out']) {
    await writeFile(out['timeline-out'], await timelineJsonl(engine, findings));
    progress(`timeline written to ${out['timeline-out']}`);
  }
}

/** The analysis steps, slowest first, as "scoped-events 2.1 s, periodicity-analysis 1.4 s, …". */
function slowestFirst(timings: Record<string, number>): string {
  return Object.entries(timings).sort((a, b) => b[1] - a[1])
    .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(ms < 100 ? 2 : 1)} s`).join(', ');
}

/** `relaywatch analyze`: the same adapters and SQL pack as the browser, on native DuckDB. */
export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      inventory: { type: 'string', multiple: true },
      approved: { type: 'string' },
      catalog: { type: 'string' },
      'window-start': { type: 'string' },
      'window-end': { type: 'string' },
      'baseline-end': { type: 'string' },
      'utc-offset': { type: 'string' },
      param: { type: 'string', multiple: true },
      db: { type: 'string' },
      out: { type: 'string' },
      'report-out': { type: 'string' },
      'workspace-out': { type: 'string' },
      'readiness-out': { type: 'string' },
      'stix-out': { type: 'string' },
      'iocs-out': { type: 'string' },
      'timeline-out': { type: 'string' },
      tlp: { type: 'string' },
      producer: { type: 'string' },
      timings: { type: 'boolean' },
    },
  });
  const problems: string[] = [];
  if (positionals.length === 0) problems.push('no input files or folders given');
  const utcOffsetMinutes = Number(values['utc-offset'] ?? 0);
  if (!Number.isFinite(utcOffsetMinutes)) problems.push(`--utc-offset must be a number of minutes, not '${values['utc-offset']}'`);
  for (const flag of ['window-start', 'window-end', 'baseline-end'] as const) {
    const v = values[flag];
    if (v !== undefined && Number.isNaN(Date.parse(v))) problems.push(`--${flag} is not an ISO-8601 date-time: '${v}'`);
  }
  const tlp = (values.tlp ?? 'amber').toLowerCase() as Tlp;
  if (!TLP_LEVELS.includes(tlp)) problems.push(`--tlp must be one of ${TLP_LEVELS.join(', ')}, not '${values.tlp}'`);
  const params: Record<string, string | number> = {};
  for (const p of values.param ?? []) {
    const m = /^([a-z_][a-z0-9_]*)=(.*)$/i.exec(p);
    if (!m) problems.push(`--param must be name=value, not '${p}'`);
    else params[m[1]] = m[2] !== '' && Number.isFinite(Number(m[2])) ? Number(m[2]) : m[2];
  }

  const { inputs, problems: missing } = await collectInputs(positionals);
  problems.push(...missing);

  // Context files: bad rows are problems, reported before any work starts.
  let catalog = shippedCatalog();
  if (values.catalog) {
    const merged = catalogFromCsv(await readFile(values.catalog, 'utf8'), catalog);
    problems.push(...merged.issues.map((i) => `${values.catalog}: ${i}`));
    catalog = merged.catalog;
  }
  const inventories = [];
  for (const path of values.inventory ?? []) {
    const parsed = parseInventoryCsv(await readFile(path, 'utf8'), { source: path });
    problems.push(...parsed.issues);
    inventories.push(parsed.entries);
  }
  let policy: ReturnType<typeof parsePolicyCsv>['rows'] = [];
  if (values.approved) {
    const parsed = parsePolicyCsv(await readFile(values.approved, 'utf8'), catalog, values.approved);
    problems.push(...parsed.issues);
    policy = parsed.rows;
  }
  if (problems.length) {
    for (const p of problems) process.stderr.write(`relaywatch: ${p}\n`);
    return 2;
  }

  const engine = await NativeEngine.open(values.db ?? ':memory:');
  try {
    const analysis = nodeAnalysis();
    const window = { detectStart: values['window-start'], detectEnd: values['window-end'], baselineEnd: values['baseline-end'] };
    const { sources: summaries, enriched, detection, timings } = await runAnalysis(engine, inputs, { catalog, inventories, policy }, {
      ...nodeLoading(engine),
      ...analysis,
      utcOffsetMinutes,
      params,
      window,
      onSources: (_input, loaded) => {
        for (const s of loaded) {
          progress(`${s.name}: ${s.format}, ${s.rows_loaded} loaded, ${s.rows_rejected} rejected (${Math.round(s.millis)} ms)`);
          if (s.message && s.status === 'loaded') progress(`${s.name}: ${s.message}`);
        }
      },
      onStage: (stage) => {
        if (stage !== 'load') progress(STAGE_PROGRESS[stage]);
      },
    });
    if (values.timings) progress(`analysis steps: ${slowestFirst(timings)}`);
    progress(`enrichment changed: ${Object.entries(enriched).map(([step, n]) => `${step} ${n}`).join(', ')}`);
    const exported = await buildFindingsExport(engine, detection, { toolVersion: TOOL_VERSION });
    const readiness = buildReadinessExport(await computeCoverage(engine), shippedReadinessSpec(), { toolVersion: TOOL_VERSION });
    const json = JSON.stringify(exported, null, 2) + '\n';
    if (values.out) await writeFile(values.out, json);
    else process.stdout.write(json);
    progress(`${detection.findings.length} findings from ${summaries.reduce((n, s) => n + s.rows_loaded, 0)} records`);
    if (values['report-out']) {
      const data = await collectReportData(engine, {
        findings: detection.findings, window: detection.window, triage: new Map(), toolVersion: TOOL_VERSION,
        chartWidthPx: CLI_REPORT_BINS_PX, analytics: analysis.pack.analytics, params, catalogDigest: catalogDigest(catalog), readiness,
      });
      await writeFile(values['report-out'], buildReportHtml(data));
      progress(`report written to ${values['report-out']}`);
    }
    await writeSharingOutputs(engine, exported, detection.findings, readiness, { ...values, tlp });
    if (values['workspace-out']) {
      const state = {
        settings: { params, window, utcOffsetMinutes },
        context: { catalog, inventories, policy },
        triage: [],
        sources: summaries.map(({ head: _head, ...summary }) => summary),
      };
      const tables = await writeWorkspaceFile(values['workspace-out'], engine, state, TOOL_VERSION);
      progress(`workspace with ${tables} tables written to ${values['workspace-out']}`);
    }

    const unread = summaries.filter((s) => s.status !== 'loaded');
    for (const s of unread) process.stderr.write(`relaywatch: ${s.name}: not read: ${s.message}\n`);
    return unread.length ? 2 : 0;
  } finally {
    engine.close();
  }
}
