/**
 * The detection test world's positive and negative case for every analytic (src/detection/fixtures/world.ts),
 * checked on findings as the JSON export writes them: by the native run that saves the world's workspace, and
 * by the browser after it opens that workspace.
 */

/** [analytic id, [host, service] where it must fire, [host, service] of a look-alike where it must not]. */
export const WORLD_ANALYTIC_CASES: readonly (readonly [string, readonly [string, string], readonly [string, string]])[] = [
  ['periodic-beacon', ['srv01', 'telegram'], ['ws01', 'dropbox']],
  ['rare-service-for-peer-group', ['srv01', 'telegram'], ['ws02', 'dropbox']],
  ['first-seen-after-baseline', ['srv02', 'dropbox'], ['ws02', 'dropbox']],
  ['approved-not-for-role', ['srv03', 'slack'], ['ws07', 'slack']],
  ['non-browser-process', ['ws03', 'onedrive'], ['ws05', 'onedrive']],
  ['scripted-user-agent', ['srv02', 'dropbox'], ['ws01', 'dropbox']],
  ['server-role-consumer-service', ['srv02', 'dropbox'], ['ws02', 'dropbox']],
  ['off-hours', ['ws08', 'github'], ['ws02', 'github']],
  ['upload-volume', ['ws09', 'dropbox'], ['ws02', 'dropbox']],
  ['api-endpoint', ['srv01', 'telegram'], ['ws01', 'github']],
  ['ddr-sequence', ['ws05', 'pastebin'], ['ws06', 'pastebin']],
  ['tunnel-long-lived', ['ws10', 'ngrok'], ['ws01', 'github']],
  ['rare-ja3-or-ua', ['srv02', 'dropbox'], ['ws01', 'dropbox']],
  ['failed-connection-retries', ['ws06', 'update.blocked.example'], ['ws01', 'www.example-news.com']],
];

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
