/**
 * The generated organisation's Zeek logs re-expressed as a SIEM or cloud export must tell the analysis the same
 * story: the same incidents, found in the same order, with every record loaded. Runs the analysis pipeline
 * (adapters, enrichment, context, detection pack) on native DuckDB.
 */
import { describe, expect, it } from 'vitest';
import type { SourceSummary } from '../core/ingest/pipeline.ts';
import { NativeEngine } from '../engine/native-engine.ts';
import { shippedCatalog } from '../context/catalog.ts';
import { parseInventoryCsv } from '../context/inventory.ts';
import type { Finding } from '../detection/detect.ts';
import { findingMatchesIncident } from '../exercise/score.ts';
import { inProcessLoader, runAnalysis, textInput } from '../pipeline/pipeline.ts';
import { nodeAnalysis } from '../pipeline/node.ts';
import { INVENTORY_FILE, generateScenario, type AnswerKey, type Scenario } from './scenario.ts';

type TextFile = Scenario['files'][number];

interface Analysis {
  summaries: SourceSummary[];
  findings: Finding[];
}

/** Load `files` as `relaywatch analyze` would (inventory applied) and run the detection pack. */
async function analyse(files: readonly TextFile[], key: AnswerKey, inventoryCsv: string): Promise<Analysis> {
  const engine = await NativeEngine.open(':memory:');
  try {
    const inventory = parseInventoryCsv(inventoryCsv, { source: INVENTORY_FILE });
    const { sources: summaries, detection } = await runAnalysis(
      engine,
      files.map((file) => textInput(file.name, file.text)),
      { catalog: shippedCatalog(), inventories: [inventory.entries], policy: [] },
      { ...nodeAnalysis(), loader: inProcessLoader(engine), utcOffsetMinutes: key.options.utcOffsetMinutes },
    );
    return { summaries, findings: detection.findings };
  } finally {
    engine.close();
  }
}

/** The incidents the ranked findings point at, each once, in the order of its best-ranked finding. */
function incidentOrder(findings: readonly Finding[], key: AnswerKey): string[] {
  const order: string[] = [];
  for (const finding of findings) {
    for (const incident of key.incidents) {
      if (!order.includes(incident.id) && findingMatchesIncident(finding, incident)) order.push(incident.id);
    }
  }
  return order;
}

function expectEveryRecordLoaded(analysis: Analysis, formats: RegExp): void {
  for (const s of analysis.summaries) {
    expect(s.format, s.name).toMatch(formats);
    expect(s.rows_rejected, `${s.name}: ${JSON.stringify(s.rejections.slice(0, 2))}`).toBe(0);
    expect(s.rows_loaded, s.name).toBe(s.rows_read);
    expect(s.rows_loaded, s.name).toBeGreaterThan(0);
  }
}

describe('the generated organisation re-expressed as SIEM and cloud exports', () => {
  const scenario = generateScenario({
    seed: 11,
    hosts: 24,
    days: 2,
    incidents: 6,
    noise: 0.4,
    difficulty: 'easy',
    formats: ['zeek-json', 'ecs', 'aws'],
  });
  const files = (prefix: string) => scenario.files.filter((f) => f.name.startsWith(prefix));
  const zeekLogs = (...paths: string[]) => files('zeek-json/').filter((f) => paths.some((p) => f.name === `zeek-json/${p}.json`));
  const analyseFiles = (chosen: TextFile[]) => analyse(chosen, scenario.answerKey, scenario.inventoryCsv);

  it('an Elastic (ECS) export of the Zeek logs gives the same incidents in the same order', { timeout: 120_000 }, async () => {
    const zeek = await analyseFiles(zeekLogs('conn', 'dns', 'http', 'ssl'));
    const ecs = await analyseFiles(files('elastic/'));
    expectEveryRecordLoaded(ecs, /^ecs-zeek-ndjson$/);
    const expected = incidentOrder(zeek.findings, scenario.answerKey);
    expect(expected.length).toBeGreaterThan(1);
    expect(incidentOrder(ecs.findings, scenario.answerKey)).toEqual(expected);
    expect(ecs.summaries.reduce((n, s) => n + s.rows_loaded, 0)).toBe(zeek.summaries.reduce((n, s) => n + s.rows_loaded, 0));
  });

  // VPC writes one record per direction and keeps whole seconds: the server's reply must not become a source of its
  // own, and whole-second times must not make the upload burst read as a beacon.
  it('VPC Flow Logs + Route 53 Resolver give the incidents that Zeek conn + dns give, in the same order', { timeout: 120_000 }, async () => {
    const zeek = await analyseFiles(zeekLogs('conn', 'dns'));
    const aws = await analyseFiles(files('aws/'));
    expectEveryRecordLoaded(aws, /^aws-(vpc-flow|route53-resolver)$/);
    const expected = incidentOrder(zeek.findings, scenario.answerKey);
    expect(expected.length).toBeGreaterThan(1);
    expect(incidentOrder(aws.findings, scenario.answerKey)).toEqual(expected);
    expect(aws.findings.filter((f) => f.signals.some((s) => s.id === 'external-source')).map((f) => f.source.ip)).toEqual([]);
  });
});
