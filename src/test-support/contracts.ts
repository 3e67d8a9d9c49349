/** Validators for the contracts in src/contracts/ (JSON Schema 2020-12), for tests. */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** A function returning every violation of the named contract as "path: message" (empty when the value conforms). */
export function contractValidator(file: string): (value: unknown) => string[] {
  const schema = JSON.parse(readFileSync(new URL(`../contracts/${file}`, import.meta.url), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const check = ajv.compile(schema);
  return (value) => (check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`));
}
