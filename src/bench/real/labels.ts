/**
 * Labels of the real captures (`labels.json`: dataset → malicious source → destination items) and the rule that
 * matches a label to a finding of that dataset's analysis.
 *
 * Matching rule: the finding's source is the label's source (its IP, or its host name when the label names one), and
 * its destination is the label's destination — one of the finding's destination IPs, or its destination name equal
 * to the label's IP or domain — and, when the label gives a port and the finding lists ports, that port is among them.
 * A label without a destination (scans, sweeps) cannot be matched and gets no rank.
 */
import type { Finding } from '../../detection/detect.ts';

export interface LabelItem {
  src: string;
  dst_ip?: string | null;
  domain?: string | null;
  port?: number | null;
  kind: string;
  what: string;
  file?: string;
}

export interface DatasetLabels {
  files?: string[];
  malicious: LabelItem[];
}

export type LabelsFile = Record<string, DatasetLabels>;

const same = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

/** Whether `finding` is the finding for `label` (see the module comment). */
export function findingMatches(label: LabelItem, finding: Finding): boolean {
  const source = finding.source;
  if (!same(source.ip, label.src) && !same(source.hostname, label.src)) return false;
  const dst = finding.destination;
  const addresses = [label.dst_ip, label.domain].filter((a): a is string => !!a);
  if (addresses.length === 0) return false;
  const hit = addresses.some((a) => same(dst.domain, a) || dst.ips.some((ip) => same(ip, a)));
  if (!hit) return false;
  return label.port == null || dst.ports.length === 0 || dst.ports.includes(label.port);
}

/** The best (lowest) rank of a finding matching `label`, or null when none does. */
export function labelRank(label: LabelItem, findings: readonly Finding[]): number | null {
  const ranks = findings.filter((f) => findingMatches(label, f)).map((f) => f.rank);
  return ranks.length ? Math.min(...ranks) : null;
}
