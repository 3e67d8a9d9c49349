import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../cli/native-engine.ts';
import { loadWorld } from './fixtures/world.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { runDetection } from './detect.ts';
import { buildFindingsExport } from './export.ts';

const SCHEMA_PATH = fileURLToPath(new URL('../../../shared/contracts/findings.schema.json', import.meta.url));

type Schema = {
  type?: string | string[]; const?: unknown; enum?: unknown[]; required?: string[];
  properties?: Record<string, Schema>; items?: Schema; minimum?: number; maximum?: number; pattern?: string; format?: string;
};

function typeOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value];
}

/** The subset of JSON Schema 2020-12 that findings.schema.json uses; returns every violation with its path. */
function validate(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  if (schema.type) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!typeOf(value).some((t) => allowed.includes(t))) return [`${path}: ${JSON.stringify(value)} is not ${allowed.join('|')}`];
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${path}: does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
      errors.push(`${path}: not a date-time`);
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${path}: missing ${key}`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (key in record) errors.push(...validate(sub, record[key], `${path}.${key}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => errors.push(...validate(schema.items!, item, `${path}[${i}]`)));
  return errors;
}

describe.skipIf(!existsSync(SCHEMA_PATH))('findings export', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Schema;

  it('the checker catches violations', () => {
    expect(validate(schema, { format: 'other', version: 1 })).toEqual(
      expect.arrayContaining(['$.format: must be "relaywatch.findings"', '$: missing findings']),
    );
  });

  it('matches findings.schema.json exactly, with sources, rejections and ranked findings', async () => {
    const engine = await NativeEngine.open();
    await loadWorld(engine);
    await engine.exec(`INSERT INTO sources VALUES
      ('proxy/access.log', 'squid-native', 12, 10, 2, 2048, 5.0, NULL),
      ('zeek.zip/ssl.log', 'zeek-ssl-tsv', 4, 4, 0, 1024, 1.0, NULL)`);
    await engine.exec(`INSERT INTO rejections VALUES
      ('proxy/access.log', 7, 'bad timestamp', 'x'), ('proxy/access.log', 3, 'too few fields', 'y')`);
    const result = await runDetection(engine, { pack: loadNodeDetectionPack() });
    const exported = await buildFindingsExport(engine, result, { toolVersion: '0.1.0', generatedAt: new Date(Date.UTC(2024, 4, 3)) });
    engine.close();

    expect(validate(schema, JSON.parse(JSON.stringify(exported)))).toEqual([]);
    expect(exported.generated_at).toBe('2024-05-03T00:00:00.000Z');
    expect(exported.tool.engine).toMatch(/^duckdb native /);
    expect(exported.sources).toEqual([
      { name: 'proxy/access.log', format: 'squid-native', rows_read: 12, rows_loaded: 10, rows_rejected: 2,
        rejections: [{ line: 3, reason: 'too few fields' }, { line: 7, reason: 'bad timestamp' }] },
      { name: 'zeek.zip/ssl.log', format: 'zeek-ssl-tsv', rows_read: 4, rows_loaded: 4, rows_rejected: 0, rejections: [] },
    ]);
    expect(exported.data_window.start).toBe(result.window.data_start);
    expect(exported.findings.map((f) => f.rank)).toEqual(exported.findings.map((_, i) => i + 1));
    const scores = exported.findings.map((f) => f.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(exported.findings.map((f) => f.id)).size).toBe(exported.findings.length);
  });
});
