/**
 * The detection test world's positive and negative case for every analytic (src/detection/fixtures/world.ts),
 * checked on findings as the JSON export writes them: by the native run that saves the world's workspace, and
 * by the browser after it opens that workspace.
 */

import { WORLD_ANALYTIC_CASES } from '../../src/detection/fixtures/world-cases.ts';

/** The fields of an exported finding these checks read. */
export interface ExportedFindingKey {
  source: { hostname: string | null };
  service: { id: string } | null;
  destination: { domain: string | null };
  signals: { id: string }[];
}

/**
 * Signal ids of the findings about one host and service (catalogued id, else destination name). The host is
 * compared by its first label, lower-cased, so "SRV01.corp.local" and "srv01" name the same machine.
 */
export function signalsAbout(findings: readonly ExportedFindingKey[], host: string, service: string): Set<string> {
  const shortName = (name: string | null) => (name ?? '').split('.')[0].toLowerCase();
  return new Set(
    findings
      .filter((f) => shortName(f.source.hostname) === host && (f.service?.id ?? f.destination.domain) === service)
      .flatMap((f) => f.signals.map((s) => s.id)),
  );
}

/** One line per case that does not hold (an empty list means every analytic fired and stayed quiet as planned). */
export function worldCaseFailures(findings: readonly ExportedFindingKey[]): string[] {
  const failures: string[] = [];
  for (const [analytic, [posHost, posService], [negHost, negService]] of WORLD_ANALYTIC_CASES) {
    if (!signalsAbout(findings, posHost, posService).has(analytic)) failures.push(`${analytic} did not fire on ${posHost} → ${posService}`);
    if (signalsAbout(findings, negHost, negService).has(analytic)) failures.push(`${analytic} fired on the negative ${negHost} → ${negService}`);
  }
  return failures;
}
