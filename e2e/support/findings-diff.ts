/**
 * Compares two findings exports (browser vs CLI) the way the parity specs require: the same ids in the same
 * order, scores within a tolerance, and the same severities, signal ids and ATT&CK ids. Differences come back
 * as readable lines so a failing spec says exactly which finding differs and how.
 */

export interface ExportedFinding {
  id: string;
  rank: number;
  score: number;
  severity: string;
  source: { ip: string | null; hostname: string | null; process: string | null };
  service: { id: string } | null;
  destination: { domain: string | null };
  signals: { id: string }[];
  attack: string[];
}

export interface ExportedFindings {
  format: string;
  sources: { name: string; format: string; rows_read: number; rows_loaded: number; rows_rejected: number }[];
  findings: ExportedFinding[];
}

/** Scores are rounded to one decimal when exported; a larger gap is a real difference. */
export const SCORE_TOLERANCE = 0.05;

const describeFinding = (f: ExportedFinding) =>
  `${f.id} (${f.source.hostname ?? f.source.ip} → ${f.service?.id ?? f.destination.domain})`;
const sortedIds = (items: readonly { id: string }[]) => items.map((s) => s.id).sort().join(',');

/** Every difference between the browser's and the native findings; an empty list means parity. */
export function findingsDifferences(browser: readonly ExportedFinding[], native: readonly ExportedFinding[]): string[] {
  const differences: string[] = [];
  const browserIds = browser.map((f) => f.id);
  const nativeIds = native.map((f) => f.id);
  if (browserIds.join() !== nativeIds.join()) {
    const onlyBrowser = browser.filter((f) => !nativeIds.includes(f.id)).map(describeFinding);
    const onlyNative = native.filter((f) => !browserIds.includes(f.id)).map(describeFinding);
    differences.push(
      `finding ids differ: browser ${browser.length}, native ${native.length}; only in the browser [${onlyBrowser.join('; ')}]; ` +
        `only native [${onlyNative.join('; ')}]; first position that differs: ${browserIds.findIndex((id, i) => id !== nativeIds[i])}`,
    );
  }
  const nativeById = new Map(native.map((f) => [f.id, f]));
  for (const b of browser) {
    const n = nativeById.get(b.id);
    if (!n) continue;
    const label = describeFinding(b);
    if (Math.abs(b.score - n.score) > SCORE_TOLERANCE) differences.push(`${label}: score ${b.score} in the browser, ${n.score} native`);
    if (b.severity !== n.severity) differences.push(`${label}: severity ${b.severity} in the browser, ${n.severity} native`);
    if (sortedIds(b.signals) !== sortedIds(n.signals)) {
      differences.push(`${label}: signals [${sortedIds(b.signals)}] in the browser, [${sortedIds(n.signals)}] native`);
    }
    if ([...b.attack].sort().join() !== [...n.attack].sort().join()) {
      differences.push(`${label}: ATT&CK [${b.attack.join(',')}] in the browser, [${n.attack.join(',')}] native`);
    }
  }
  return differences;
}
