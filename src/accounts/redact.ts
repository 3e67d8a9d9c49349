/**
 * Secrets never leave the engine: every string an output carries passes through the catalog's secret patterns
 * (bot and webhook tokens, access keys, signed-URL signatures, passwords in URLs) on its way out.
 */
import { shippedCatalog } from '../context/catalog.ts';
import { redactWith, type SecretPattern } from '../context/account-patterns.ts';

/** A function that redacts every match of `secrets` (in catalog order) from a text. */
export function secretRedactor(secrets: readonly SecretPattern[]): (text: string) => string {
  return (text) => secrets.reduce((out, pattern) => redactWith(pattern, out), text);
}

let shipped: ((text: string) => string) | null = null;

/** `text` with every secret the shipped catalog knows replaced by [REDACTED]. */
export function redactSecrets(text: string): string {
  shipped ??= secretRedactor(shippedCatalog().secrets ?? []);
  return shipped(text);
}

/** A deep copy of `value` with every string (keys too) redacted: the last step before any export is written. */
export function redactDeep<T>(value: T, redact: (text: string) => string = redactSecrets): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    // Plain objects only (dates and byte arrays stay as they are); Object.fromEntries defines keys, so a hostile
    // '__proto__' key stays data.
    if (v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v)))
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [redact(k), walk(inner)]));
    return v;
  };
  return walk(value) as T;
}
