/**
 * Campaigns: findings that address the same adversary account (same kind and id) from more than one source.
 * Several hosts polling one Telegram bot or one GitHub repository are one operator's reach into the organisation.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** The fields of a finding a campaign is built from (a findings export's findings, or the app's). */
export interface CampaignFinding {
  id: string;
  source: { ip: string | null; hostname: string | null };
  service: { id: string } | null;
  destination: { accounts?: { kind: string; id: string }[] };
  first_seen: string;
  last_seen: string;
}

/** One campaign, in the shape of findings.schema.json `campaigns[]`. */
export interface Campaign {
  id: string;
  account: { kind: string; id: string };
  service: string | null;
  finding_ids: string[];
  /** Source host names (else IPs), first reached first. */
  sources: string[];
  first_seen: string;
  last_seen: string;
}

/** How the export names a source: its host name, else its IP. */
export const sourceName = (f: Pick<CampaignFinding, 'source'>): string => f.source.hostname ?? f.source.ip ?? 'unknown';

/** Stable for the same account, whatever else the data holds. */
export function campaignId(kind: string, id: string): string {
  return `campaign-${bytesToHex(sha256(new TextEncoder().encode(`${kind}\u0000${id}`))).slice(0, 16)}`;
}

/** Every account reached from two or more sources, most sources first, then earliest. */
export function campaignsOf(findings: readonly CampaignFinding[]): Campaign[] {
  const groups = new Map<string, { account: { kind: string; id: string }; findings: CampaignFinding[] }>();
  for (const finding of findings)
    for (const { kind, id } of finding.destination.accounts ?? []) {
      const key = `${kind}\u0000${id}`;
      const group = groups.get(key) ?? { account: { kind, id }, findings: [] };
      if (!group.findings.includes(finding)) group.findings.push(finding);
      groups.set(key, group);
    }
  const campaigns: Campaign[] = [];
  for (const { account, findings: members } of groups.values()) {
    const byTime = [...members].sort((a, b) => (a.first_seen < b.first_seen ? -1 : a.first_seen > b.first_seen ? 1 : 0));
    const sources = [...new Set(byTime.map(sourceName))];
    if (sources.length < 2) continue;
    campaigns.push({
      id: campaignId(account.kind, account.id),
      account,
      service: byTime.find((f) => f.service)?.service?.id ?? null,
      finding_ids: byTime.map((f) => f.id),
      sources,
      first_seen: byTime[0].first_seen,
      last_seen: byTime.map((f) => f.last_seen).reduce((a, b) => (a > b ? a : b)),
    });
  }
  return campaigns.sort((a, b) => b.sources.length - a.sources.length || (a.first_seen < b.first_seen ? -1 : a.first_seen > b.first_seen ? 1 : 0) || (a.id < b.id ? -1 : 1));
}
