/**
 * Indicators to share, cut from a findings export: the adversary's account as a URL prefix inside a legitimate
 * service (never the service's own domain or shared IPs, which would flag everyone's use of it), tunnel and other
 * account-bearing host names, and the domains and IPs of destinations the catalog does not know. Secrets are
 * already redacted in the export; a prefix stops before any redaction mark, so it still matches the real traffic.
 */
import { REDACTED } from '../context/account-patterns.ts';
import type { FindingsExport } from '../detection/export.ts';

export type IndicatorType = 'domain' | 'ipv4' | 'ipv6' | 'url-prefix';

export interface Indicator {
  type: IndicatorType;
  /** A host name, an IP, or a URL prefix such as 'github.com/evil-org/tools' (no scheme). */
  value: string;
  /** The account it stands for, when it was read from one. */
  account: { kind: string; id: string } | null;
  service: string | null;
  finding_ids: string[];
  sources: string[];
  first_seen: string;
  last_seen: string;
  /** Highest score of the findings behind it. */
  score: number;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const isIp = (value: string) => IPV4.test(value) || value.includes(':');

/** The URL prefix that names `id` inside `request` (host + path), stopping before any redacted secret. */
export function accountPrefix(request: string, id: string): { type: 'domain' | 'url-prefix'; value: string } {
  const host = request.split(/[/?#]/)[0];
  if (host.includes(id)) return { type: 'domain', value: host };
  const at = request.indexOf(id);
  const end = at >= 0 ? at + id.length : request.search(/[?#]|$/);
  const redacted = request.indexOf(REDACTED);
  return { type: 'url-prefix', value: request.slice(0, redacted >= 0 ? Math.min(redacted, end) : end) };
}

type ExportedFinding = FindingsExport['findings'][number];

/**
 * Every indicator of the export's findings, strongest first. Skips `excluded` finding ids (e.g. triaged benign) and
 * info-severity findings: too weak to ask another team to look for.
 */
export function indicatorsOf(exported: Pick<FindingsExport, 'findings'>, excluded: ReadonlySet<string> = new Set()): Indicator[] {
  const byKey = new Map<string, Indicator>();
  const add = (type: IndicatorType, value: string, finding: ExportedFinding, account: Indicator['account']) => {
    const key = `${type}\u0000${value}`;
    const source = finding.source.hostname ?? finding.source.ip ?? 'unknown';
    const known = byKey.get(key);
    if (!known) {
      byKey.set(key, {
        type, value, account, service: finding.service?.id ?? null, finding_ids: [finding.id], sources: [source],
        first_seen: finding.first_seen, last_seen: finding.last_seen, score: finding.score,
      });
      return;
    }
    if (!known.finding_ids.includes(finding.id)) known.finding_ids.push(finding.id);
    if (!known.sources.includes(source)) known.sources.push(source);
    if (finding.first_seen < known.first_seen) known.first_seen = finding.first_seen;
    if (finding.last_seen > known.last_seen) known.last_seen = finding.last_seen;
    known.score = Math.max(known.score, finding.score);
  };
  for (const finding of exported.findings) {
    if (excluded.has(finding.id) || finding.severity === 'info') continue;
    for (const account of finding.destination.accounts ?? []) {
      const { type, value } = accountPrefix(account.request, account.id);
      add(type, value, finding, { kind: account.kind, id: account.id });
    }
    if (finding.service) continue;
    const domain = finding.destination.domain;
    if (domain && !isIp(domain)) add('domain', domain.toLowerCase(), finding, null);
    for (const ip of finding.destination.ips) add(IPV4.test(ip) ? 'ipv4' : 'ipv6', ip, finding, null);
  }
  return [...byKey.values()].sort((a, b) => b.score - a.score || (a.value < b.value ? -1 : 1));
}
