/**
 * The "done when", end to end on a generated organisation: a TLS-inspecting proxy (W3C, full HTTPS URLs),
 * Sysmon and Zeek, one bot/webhook/repository incident run on four hosts. Analysed as `relaywatch analyze` does, every
 * output must name each campaign host's account, group the hosts into one campaign, carry a SHA-256 per source, hold
 * no secret from the logs, and state what the data could not show; the STIX bundle must pass the OASIS schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { generateScenario, ANSWER_KEY_FILE, INVENTORY_FILE } from '../generator/index.ts';
import { ingestTexts, detect } from '../report/fixtures/analyze-native.ts';
import { shippedCatalog } from '../context/catalog.ts';
import { parseInventoryCsv } from '../context/inventory.ts';
import { applyContext } from '../context/context.ts';
import { readContextSql } from '../context/sql-files-node.ts';
import { buildFindingsExport } from '../detection/export.ts';
import { loadNodeDetectionPack } from '../detection/manifest-node.ts';
import { computeCoverage } from '../readiness/coverage.ts';
import { shippedReadinessSpec } from '../readiness/readiness.ts';
import { buildReadinessExport } from '../readiness/readiness-export.ts';
import { collectReportData } from '../report/report-data.ts';
import { buildReportHtml } from '../report/report-html.ts';
import { catalogDigest } from '../context/catalog-digest.ts';
import { contractValidator } from '../test-support/contracts.ts';
import { sampleDir } from '../test-support/sample-data.ts';
import { indicatorsOf } from './indicators.ts';
import { indicatorsCsv } from './iocs-csv.ts';
import { buildStixBundle } from './stix.ts';
import { timelineJsonl } from './timeline.ts';

const scenario = generateScenario({
  seed: 4242, hosts: 16, days: 2, incidents: 3, noise: 0.2, difficulty: 'easy', campaignHosts: 3,
  mix: ['telegram-bot-polling', 'discord-webhook', 'github-dead-drop'], formats: ['w3c', 'sysmon', 'zeek-tsv'],
});
/**
 * A Squid log with more real-shaped secrets than the generator plants: a Slack webhook secret on requests that make a
 * finding (so its events reach the timeline), and a rejected line with a URL password, an AWS key and a signature
 * (so it reaches the report's rejected-records sample).
 */
function secretsLog(ip: string): { name: string; text: string } {
  const base = Date.UTC(2024, 4, 7, 9) / 1000;
  const lines = Array.from({ length: 12 }, (_, k) =>
    `${(base + k * 600).toFixed(3)}    120 ${ip} TCP_MISS/200 310 POST http://hooks.slack.com/services/T01ABCDEF/B02GHIJKL/Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2 - HIER_DIRECT/34.1.2.3 application/json`);
  lines.splice(5, 0, 'garbled https://svc:Pa55w0rdSecret@files.example.org/get?X-Amz-Credential=AKIAQWERTYUIOPASDFGH&X-Amz-Signature=9f8e7d6c5b4a39281706');
  return { name: 'proxy/extra-access.log', text: lines.join('\n') + '\n' };
}
const logs = [
  ...scenario.files.filter((f) => f.name !== ANSWER_KEY_FILE && f.name !== INVENTORY_FILE),
  secretsLog(scenario.answerKey.incidents[0].source.ip),
];
const inventory = parseInventoryCsv(scenario.inventoryCsv, { source: INVENTORY_FILE });
const context = { catalog: shippedCatalog(), inventories: [inventory.entries], policy: [] };
const short = (name: string | null) => (name ?? '').split('.')[0].toLowerCase();

/** Every secret the catalog's patterns find in the logs (the middle group of each match). */
function secretsIn(texts: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const s of shippedCatalog().secrets ?? [])
    for (const text of texts) for (const m of text.matchAll(new RegExp(s.regex, 'g'))) if (m[2].length >= 8) found.add(m[2]);
  return found;
}

async function analyse(files: typeof logs) {
  const engine = await NativeEngine.open();
  const summaries = await ingestTexts(engine, Object.fromEntries(files.map((f) => [f.name, f.text])));
  return { engine, summaries };
}

describe('a multi-host campaign behind a TLS-inspecting proxy', () => {
  it('names each account, groups the hosts into one campaign, hashes every source and leaks no secret', async () => {
    const campaign = scenario.answerKey.incidents.filter((i) => i.campaign);
    expect(campaign.length).toBe(4);
    const { engine, summaries } = await analyse(logs);
    try {
      const detection = await detect(engine, context);
      const exported = await buildFindingsExport(engine, detection, { toolVersion: 'test' });
      expect(contractValidator('findings.schema.json')(JSON.parse(JSON.stringify(exported)))).toEqual([]);

      // Every source (one per log file) carries the SHA-256 of its bytes.
      expect(exported.sources.length).toBe(summaries.length);
      for (const s of exported.sources) expect(s.sha256, s.name).toMatch(/^[0-9a-f]{64}$/);

      // Each campaign host's finding names the account; all of them name the same one.
      const accountsOf = campaign.map((incident) => {
        const findings = exported.findings.filter((f) => short(f.source.hostname) === short(incident.source.hostname) && f.service?.id === incident.service_id);
        expect(findings.length, incident.source.hostname).toBeGreaterThan(0);
        return new Set(findings.flatMap((f) => (f.destination.accounts ?? []).map((a) => `${a.kind}:${a.id}`)));
      });
      const shared = [...accountsOf[0]].filter((a) => accountsOf.every((set) => set.has(a)));
      expect(shared.length).toBeGreaterThan(0);
      const [kind, ...id] = shared[0].split(':');
      const grouped = exported.campaigns.find((c) => c.account.kind === kind && c.account.id === id.join(':'));
      expect(grouped?.sources.map(short).sort()).toEqual(campaign.map((i) => short(i.source.hostname)).sort());

      // No secret from the logs in any output.
      const secrets = secretsIn(logs.map((f) => f.text));
      for (const planted of ['Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2', 'Pa55w0rdSecret', 'AKIAQWERTYUIOPASDFGH', '9f8e7d6c5b4a39281706']) expect(secrets).toContain(planted);
      const slack = exported.findings.find((f) => f.destination.accounts?.some((a) => a.kind === 'slack-webhook' && a.id === 'T01ABCDEF/B02GHIJKL'));
      expect(slack?.destination.accounts?.find((a) => a.kind === 'slack-webhook')?.evidence).toContain('[REDACTED]');
      const indicators = indicatorsOf(exported);
      expect(indicators.some((i) => i.account && `${i.account.kind}:${i.account.id}` === shared[0])).toBe(true);
      const readiness = buildReadinessExport(await computeCoverage(engine), shippedReadinessSpec());
      const pack = loadNodeDetectionPack();
      const report = buildReportHtml(await collectReportData(engine, {
        findings: detection.findings, window: detection.window, triage: new Map(), toolVersion: 'test', chartWidthPx: 96,
        analytics: pack.analytics, catalogDigest: catalogDigest(context.catalog), readiness,
      }));
      const outputs: Record<string, string> = {
        findings: JSON.stringify(exported),
        stix: JSON.stringify(buildStixBundle(exported, indicators)),
        iocs: indicatorsCsv(indicators),
        timeline: await timelineJsonl(engine, detection.findings),
        readiness: JSON.stringify(readiness),
        report,
      };
      expect(outputs.timeline.split('\n').length).toBeGreaterThan(10);
      // The planted secrets did reach the outputs' inputs: the Slack events are in the timeline, the bad line in the report.
      expect(outputs.timeline).toContain('hooks.slack.com');
      expect(report).toContain('files.example.org');
      for (const [name, text] of Object.entries(outputs)) {
        const leaked = [...secrets].filter((s) => text.includes(s));
        expect(leaked, name).toEqual([]);
      }
      // The report states what produced it and how to replay a finding.
      expect(report).toContain(catalogDigest(context.catalog));
      expect(report).toContain('SET VARIABLE');
      for (const s of exported.sources) expect(report).toContain(s.sha256!);
    } finally {
      engine.close();
    }
  }, 120_000);

  it('shows no endpoint coverage and blocked process analytics without the Sysmon logs, and the opposite with them', async () => {
    const readinessOf = async (files: typeof logs) => {
      const { engine } = await analyse(files);
      try {
        await applyContext(engine, context, readContextSql());
        const readiness = buildReadinessExport(await computeCoverage(engine), shippedReadinessSpec());
        expect(contractValidator('readiness.schema.json')(JSON.parse(JSON.stringify(readiness)))).toEqual([]);
        return readiness;
      } finally {
        engine.close();
      }
    };
    const without = await readinessOf(logs.filter((f) => !f.name.includes('sysmon')));
    expect(without.hosts.length).toBeGreaterThan(5);
    for (const host of without.hosts) {
      expect(host.telemetry.endpoint ?? 0, host.key).toBe(0);
      expect(host.analytics_blocked.map((b) => b.id), host.key).toContain('non-browser-process');
    }
    expect(without.collect_next.slice(0, 2).map((n) => n.telemetry)).toContain('endpoint');

    const withIt = await readinessOf(logs);
    const covered = withIt.hosts.filter((h) => (h.telemetry.endpoint ?? 0) > 0);
    expect(covered.length).toBeGreaterThan(withIt.hosts.length / 2);
    for (const host of covered) expect(host.analytics_ready, host.key).toContain('non-browser-process');
    // Only the hosts Sysmon does not run on (Linux, appliances) can still gain from endpoint telemetry.
    const endpointHosts = (r: typeof without) => r.collect_next.find((n) => n.telemetry === 'endpoint')?.hosts ?? 0;
    expect(endpointHosts(withIt)).toBeLessThanOrEqual(withIt.hosts.length - covered.length);
    expect(endpointHosts(withIt)).toBeLessThan(endpointHosts(without) / 2);
  }, 120_000);

  const schemas = sampleDir('stix2-json-schemas/schemas');
  it.skipIf(!schemas)('writes a STIX 2.1 bundle that the OASIS JSON schemas accept, TLP:AMBER unless chosen', async () => {
    const { engine } = await analyse(logs);
    try {
      const detection = await detect(engine, context);
      const exported = await buildFindingsExport(engine, detection, { toolVersion: 'test' });
      // The OASIS patterns escape '-' outside classes, which Unicode-mode regexes refuse.
      const ajv = new Ajv2020({ allErrors: true, strict: false, unicodeRegExp: false });
      addFormats(ajv);
      for (const file of readdirSync(schemas!, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')))
        ajv.addSchema(JSON.parse(readFileSync(join(schemas!, file), 'utf8')));
      const validate = ajv.getSchema('http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle.json')!;
      const indicators = indicatorsOf(exported);
      expect(indicators.length).toBeGreaterThan(0);
      for (const tlp of ['amber', 'red'] as const) {
        const bundle = buildStixBundle(exported, indicators, { tlp: tlp === 'amber' ? undefined : tlp, producer: 'Test CSIRT' });
        const ok = validate(JSON.parse(JSON.stringify(bundle)));
        expect(ok ? [] : validate.errors?.slice(0, 5)).toEqual([]);
        const marking = bundle.objects.find((o) => (o as { type: string }).type === 'marking-definition') as { name: string };
        expect(marking.name).toBe(`TLP:${tlp.toUpperCase()}`);
        const types = new Set(bundle.objects.map((o) => (o as { type: string }).type));
        for (const type of ['identity', 'indicator', 'sighting']) expect(types).toContain(type);
      }
      // A broken object fails, so the check can fail.
      const broken = buildStixBundle(exported, indicators);
      (broken.objects[2] as Record<string, unknown>).pattern_type = 42;
      expect(validate(JSON.parse(JSON.stringify(broken)))).toBe(false);
    } finally {
      engine.close();
    }
  }, 120_000);
});
