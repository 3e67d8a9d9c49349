import { describe, expect, it } from 'vitest';
import { ALL_ADAPTERS } from '../core/adapters/index.ts';
import { LOADED, META, type Outcome } from '../core/ingest/adapter.ts';
import { ANSWER_KEY_FILE, FORMATS, INVENTORY_FILE, generateScenario } from './scenario.ts';

/** Which format id the project's adapters should report for each generated file. */
const EXPECTED_FORMAT: Record<string, RegExp> = {
  'zeek/': /^zeek-(conn|dns|http|ssl)-tsv$/,
  'zeek-json/': /^zeek-(conn|dns|http|ssl)-json$/,
  'proxy/access.log': /^squid-native$/,
  'proxy/proxysg-main.log': /^w3c-/,
  'sysmon/': /^sysmon-winlogbeat-ndjson$/,
  'windows-dns/': /^windows-dns-debug$/,
  'firewall/': /^paloalto-csv$/,
  'elastic/': /^ecs-zeek-ndjson$/,
  'aws/vpc-flow-logs.log': /^aws-vpc-flow$/,
  'aws/route53-resolver-queries.ndjson': /^aws-route53-resolver$/,
};

describe('generated logs through the ingest adapters', () => {
  const offset = 120;
  const scenario = generateScenario({ seed: 4, hosts: 20, days: 1, incidents: 5, noise: 0.3, utcOffsetMinutes: offset, formats: [...FORMATS] });
  for (const file of scenario.files.filter((f) => f.name !== ANSWER_KEY_FILE && f.name !== INVENTORY_FILE)) {
    it(`${file.name} is recognised and loads without rejections`, () => {
      const head = file.text.slice(0, 65_536);
      const best = ALL_ADAPTERS.map((a) => ({ a, score: a.sniff(head) })).sort((x, y) => y.score - x.score)[0];
      const parser = best.a.open({ utcOffsetMinutes: offset, fileName: file.name });
      const counts = { loaded: 0, rejected: 0, events: 0 };
      const sink = { event: () => void counts.events++, raw: () => undefined };
      const tally = (o: Outcome): void => {
        if (o === LOADED) counts.loaded++;
        else if (o !== META) counts.rejected++;
      };
      if (parser.mode === 'document') parser.document!(file.text, sink, (o) => tally(o));
      else file.text.split('\n').forEach((line, i) => line.replace(/\r$/, '') && tally(parser.line!(line.replace(/\r$/, ''), i + 1, sink)));
      const expected = Object.entries(EXPECTED_FORMAT).find(([prefix]) => file.name.startsWith(prefix))![1];
      expect(parser.format).toMatch(expected);
      expect(counts.rejected).toBe(0);
      expect(counts.loaded).toBeGreaterThan(0);
      expect(counts.events).toBeGreaterThan(0);
    });
  }
});
