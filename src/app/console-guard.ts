/**
 * The SQL console may read every table but must not change the ones the app depends on: a `DROP TABLE events`
 * would break the next click. Statements are split outside quotes and their target names compared, so
 * `CREATE TABLE mine AS SELECT * FROM events` stays allowed.
 */

/** Statement forms that change their target, with the target's position (the last capture group). */
const NAME = String.raw`((?:"(?:[^"]|"")+"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[\w$]+))*)`;
const CHANGES: RegExp[] = [
  new RegExp(String.raw`^drop\s+(?:table|view|macro(?:\s+table)?|function|sequence|index|type)\s+(?:if\s+exists\s+)?${NAME}`, 'i'),
  new RegExp(String.raw`^delete\s+from\s+${NAME}`, 'i'),
  new RegExp(String.raw`^update\s+${NAME}`, 'i'),
  new RegExp(String.raw`^insert\s+(?:or\s+(?:replace|ignore)\s+)?into\s+${NAME}`, 'i'),
  new RegExp(String.raw`^alter\s+(?:table|view)\s+(?:if\s+exists\s+)?${NAME}`, 'i'),
  new RegExp(String.raw`^truncate\s+(?:table\s+)?${NAME}`, 'i'),
  new RegExp(String.raw`^create\s+(?:or\s+replace\s+)?(?:(?:temp|temporary)\s+)?(?:table|view|macro|function|sequence)\s+(?:if\s+not\s+exists\s+)?${NAME}`, 'i'),
  new RegExp(String.raw`^copy\s+${NAME}\s+from\b`, 'i'),
  new RegExp(String.raw`^comment\s+on\s+(?:table|view|column)\s+${NAME}`, 'i'),
];
/** Statements that would move the app off its database or tear it down, whatever they name. */
const NEVER = /^(?:use\b|detach\b|set\s+(?:search_path|schema)\b|reset\s+(?:search_path|schema)\b|drop\s+schema\b|checkpoint\b|vacuum\b)/i;

/** The statements of `sql`, split at semicolons outside quotes and comments, trimmed, empty ones dropped. */
export function statements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === ';') {
      out.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  out.push(sql.slice(start));
  return out.map(stripComments).filter(Boolean);
}

const stripComments = (s: string) => s.replace(/^(?:\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '').trim();

/** The bare lower-case name a possibly qualified, possibly quoted reference ends in. */
const lastPart = (name: string) => name.split(/\s*\.\s*(?=(?:"|[\w$]))/).pop()!.replace(/^"|"$/g, '').replaceAll('""', '"').toLowerCase();

/** Why `sql` may not run in the console (a sentence), or null when it leaves the app's tables alone. */
export function refusal(sql: string, protectedTables: readonly string[]): string | null {
  const names = new Set(protectedTables.map((t) => t.toLowerCase()));
  for (const statement of statements(sql)) {
    if (NEVER.test(statement)) {
      return `"${statement.split(/\s+/).slice(0, 2).join(' ')}" is not allowed in the console: the app needs its database as it is. Read anything with SELECT, or create tables of your own.`;
    }
    for (const form of CHANGES) {
      const match = form.exec(statement);
      if (match && names.has(lastPart(match[1]))) {
        return `The table ${lastPart(match[1])} belongs to the app and is read-only here: query it with SELECT, or copy what you need (CREATE TABLE my_copy AS SELECT … FROM ${lastPart(match[1])}) and change the copy.`;
      }
    }
  }
  return null;
}
