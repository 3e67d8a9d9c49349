/**
 * Telemetry classes (proxy, DNS, firewall/flow, Zeek/Suricata, endpoint, SaaS audit) as data: which
 * source_format patterns and event kinds belong to each. Coverage and readiness speak in these classes.
 */
import shipped from './data/telemetry-classes.json';

export interface TelemetryClass {
  id: string;
  label: string;
  /** Case-insensitive regular expressions over source_format. */
  formats: string[];
  /** Event kinds that fall back to this class when no format pattern matches. */
  kinds: string[];
}

const CLASS_ID = /^[a-z][a-z0-9-]*$/;

/** Checks a telemetry class list; returns one message per problem (empty when usable). */
export function validateTelemetryClasses(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) return ['telemetry classes: need a non-empty list'];
  const issues: string[] = [];
  const seen = new Set<string>();
  value.forEach((raw, i) => {
    const c = raw as Partial<TelemetryClass> | null;
    const where = `telemetry class #${i + 1}`;
    if (!c || typeof c !== 'object') return issues.push(`${where}: not an object`);
    if (typeof c.id !== 'string' || !CLASS_ID.test(c.id)) issues.push(`${where}: id must be lower-case kebab-case`);
    else if (seen.has(c.id)) issues.push(`${where}: duplicate id ${c.id}`);
    else seen.add(c.id);
    if (typeof c.label !== 'string' || !c.label.trim()) issues.push(`${where}: missing label`);
    if (!Array.isArray(c.formats) || !Array.isArray(c.kinds)) return issues.push(`${where}: formats and kinds must be lists`);
    for (const pattern of c.formats) {
      try {
        new RegExp(String(pattern), 'i');
      } catch {
        issues.push(`${where}: format pattern ${JSON.stringify(pattern)} does not compile`);
      }
    }
  });
  return issues;
}

/** The telemetry classes shipped with Relaywatch (src/readiness/data/telemetry-classes.json). */
export function shippedTelemetryClasses(): TelemetryClass[] {
  const classes = structuredClone(shipped.classes) as TelemetryClass[];
  const issues = validateTelemetryClasses(classes);
  if (issues.length) throw new Error(issues.join('\n'));
  return classes;
}

/**
 * The class of events with this source_format and kind: the first class whose format pattern matches,
 * else the first class listing the kind, else null (the event counts towards no telemetry class).
 */
export function classifyTelemetry(classes: readonly TelemetryClass[], sourceFormat: string | null, kind: string): string | null {
  const format = sourceFormat ?? '';
  for (const c of classes) if (c.formats.some((p) => new RegExp(p, 'i').test(format))) return c.id;
  for (const c of classes) if (c.kinds.includes(kind)) return c.id;
  return null;
}
