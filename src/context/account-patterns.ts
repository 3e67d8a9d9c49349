/**
 * Account and secret patterns of the web-service catalog (catalog.json `accounts` and `secrets`): their types, their
 * linter, and the JavaScript reading of them. The SQL pack applies the same regexes with DuckDB (RE2); the catalog
 * test checks both engines agree on every example.
 */
import { regexProblem } from '../context/regex.ts';

export interface AccountPattern {
  /** The catalog service whose host the pattern addresses. */
  service_id: string;
  /** Service-scoped kind, e.g. 'telegram-bot', 'github-repo'. */
  kind: string;
  /** One capture group: the account id. Runs over host + path and query, case-sensitively. */
  regex: string;
  example: string;
  expect: string;
  note?: string;
  sources: string[];
}

export interface SecretPattern {
  name: string;
  /** Exactly three capture groups, (kept)(secret)(kept), that together make the whole match. */
  regex: string;
  example: string;
  expect: string;
  note?: string;
  sources: string[];
}

export const REDACTED = '[REDACTED]';

const KIND = /^[a-z0-9][a-z0-9-]*$/;

/** Capture groups of a regex (it matches the empty string through the added alternative). */
const groupCount = (source: string) => new RegExp(`${source}|`).exec('')!.length - 1;

/** The account id `pattern` reads from a request (host + path), or null. */
export function readAccount(pattern: Pick<AccountPattern, 'regex'>, request: string): string | null {
  return new RegExp(pattern.regex).exec(request)?.[1] ?? null;
}

/** `text` with every match of one secret pattern's middle group replaced by [REDACTED]. */
export function redactWith(pattern: Pick<SecretPattern, 'regex'>, text: string): string {
  return text.replace(new RegExp(pattern.regex, 'g'), (_m, before: string, _secret: string, after: string) => before + REDACTED + after);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Lints the catalog's `accounts` and `secrets`: shape, a known service, RE2-compatible regexes with the right number
 * of capture groups, and each example giving its expected result. `checkSources` reports unknown or missing sources.
 */
export function validatePatterns(
  catalog: Record<string, unknown>,
  serviceIds: ReadonlySet<string>,
  checkSources: (where: string, sources: unknown) => void,
): string[] {
  const issues: string[] = [];
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const regexOk = (where: string, source: string, groups: number) => {
    const problem = source ? regexProblem(source) : 'missing';
    if (problem) return !issues.push(`${where}: regex ${JSON.stringify(source)} ${problem}`);
    if (groupCount(source) !== groups) return !issues.push(`${where}: regex needs exactly ${groups} capture group(s)`);
    return true;
  };
  const list = (name: string) => (Array.isArray(catalog[name]) ? (catalog[name] as unknown[]) : catalog[name] === undefined ? [] : null);
  const accounts = list('accounts');
  const secrets = list('secrets');
  if (!accounts) issues.push('catalog: accounts must be a list');
  if (!secrets) issues.push('catalog: secrets must be a list');
  (accounts ?? []).forEach((raw, i) => {
    const where = `account pattern #${i + 1}`;
    if (!isObject(raw)) return issues.push(`${where}: not an object`);
    if (!serviceIds.has(text(raw.service_id))) issues.push(`${where}: service '${text(raw.service_id)}' is not in the catalog`);
    if (!KIND.test(text(raw.kind))) issues.push(`${where}: kind must be lower-case kebab-case`);
    checkSources(where, raw.sources);
    if (!regexOk(where, text(raw.regex), 1)) return;
    const got = readAccount({ regex: text(raw.regex) }, text(raw.example));
    if (got !== text(raw.expect)) issues.push(`${where}: example reads ${JSON.stringify(got)}, not ${JSON.stringify(text(raw.expect))}`);
  });
  const names = new Set<string>();
  (secrets ?? []).forEach((raw, i) => {
    const where = `secret pattern '${isObject(raw) ? text(raw.name) : `#${i + 1}`}'`;
    if (!isObject(raw)) return issues.push(`${where}: not an object`);
    if (!KIND.test(text(raw.name))) issues.push(`${where}: name must be lower-case kebab-case`);
    else if (names.has(text(raw.name))) issues.push(`${where}: duplicate name`);
    names.add(text(raw.name));
    checkSources(where, raw.sources);
    if (!regexOk(where, text(raw.regex), 3)) return;
    const got = redactWith({ regex: text(raw.regex) }, text(raw.example));
    if (got !== text(raw.expect)) issues.push(`${where}: example redacts to ${JSON.stringify(got)}, not ${JSON.stringify(text(raw.expect))}`);
    if (got === text(raw.example)) issues.push(`${where}: example holds no secret`);
  });
  return issues;
}

const sqlText = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * SQL for the macro rw_redact(text): the catalog's secret patterns applied in order with DuckDB's regexp_replace,
 * for views and queries whose rows leave the engine (the SQL console's default views, the events of a finding).
 */
export function redactMacroSql(secrets: readonly Pick<SecretPattern, 'regex'>[]): string {
  const body = secrets.reduce((inner, s) => `regexp_replace(${inner}, ${sqlText(s.regex)}, '\\1${REDACTED}\\3', 'g')`, 'CAST(text AS VARCHAR)');
  return `CREATE OR REPLACE TEMP MACRO rw_redact(text) AS ${body};`;
}
