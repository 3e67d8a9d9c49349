/**
 * One number per fact: for every finding of the demo and of another generated organisation, the header (events, first and last seen)
 * agrees with what its log-record table and charts are queried from (src/queries), so an investigator can quote
 * the header without the table below contradicting it.
 */
import { describe, expect, it } from 'vitest';
import { eventCountQuery, pairSpanQuery } from '../queries/finding-charts.ts';
import { PRESETS } from '../generator/index.ts';
import { SMALL_ORGANISATION, analyse, generateOrganisation, loadLogs } from './fixtures/generated-org.ts';

describe('a finding agrees with its own log records', () => {
  it.each([
    ['the demo', { ...PRESETS.demo, utcOffsetMinutes: 0 }],
    ['a small organisation', SMALL_ORGANISATION],
  ])('%s: every header states as many events as its log records are, counted the same way, over the same span', async (_, options) => {
    const org = generateOrganisation(options);
    const { engine } = await loadLogs(org.logs);
    const result = await analyse(engine, org.inventory);
    expect(result.findings.length).toBeGreaterThan(20);
    const disagreements: string[] = [];
    for (const f of result.findings) {
      const count = eventCountQuery(f);
      const [{ n, events }] = await engine.all<{ n: number; events: number }>(count.sql, count.params);
      const span = pairSpanQuery(f);
      const [{ start_ms, end_ms }] = await engine.all<{ start_ms: number; end_ms: number }>(span.sql, span.params);
      const header = { events: f.events, first: Date.parse(f.first_seen), last: Date.parse(f.last_seen) };
      // A kept copy may carry a time up to a second from the other copies' (ProxySG logs whole seconds).
      const near = (a: number, b: number) => Math.abs(a - b) < 1000;
      if (events !== header.events || !near(start_ms, header.first) || !near(end_ms, header.last) || n < events) {
        disagreements.push(`${f.id} ${f.source.hostname ?? f.source.ip} → ${f.service?.id ?? f.destination.domain} ${f.source.process ?? ''}: ` +
          `header ${header.events} events ${f.first_seen}..${f.last_seen}; records ${n} = ${events} events ${new Date(start_ms).toISOString()}..${new Date(end_ms).toISOString()}`);
      }
    }
    engine.close();
    expect(disagreements).toEqual([]);
    expect(result.findings.some((f) => f.source.process), 'no process-level finding was checked').toBe(true);
  }, 300_000);
});
