/**
 * A STIX 2.1 bundle of the indicators: the producer's identity, one indicator per indicator (STIX patterns for
 * domains, IPs and account URL prefixes), and one sighting per finding that saw it, all under one TLP marking.
 * Ids are derived from the content, so the same findings give the same bundle.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { FindingsExport } from '../detection/export.ts';
import type { Indicator } from './indicators.ts';

export type Tlp = 'white' | 'green' | 'amber' | 'red';
export const TLP_LEVELS: readonly Tlp[] = ['white', 'green', 'amber', 'red'];

/** The TLP marking definitions STIX 2.1 predefines (section 7.2.1.4), by level. */
const TLP_MARKINGS: Record<Tlp, string> = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};

export interface StixOptions {
  /** TLP:AMBER unless the user chose otherwise. */
  tlp?: Tlp;
  /** Who produced the bundle (the analyst's organisation). */
  producer?: string;
  generatedAt?: Date;
}

/** A STIX identifier whose UUID (version 5 form) is derived from `seed`. */
export function stixId(type: string, seed: string): string {
  const hex = bytesToHex(sha256(new TextEncoder().encode(`${type}\u0000${seed}`))).slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = '89ab'[parseInt(hex[16], 16) & 3];
  const h = hex.join('');
  return `${type}--${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A string literal of the STIX patterning language. */
const literal = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

export function stixPattern(indicator: Pick<Indicator, 'type' | 'value'>): string {
  switch (indicator.type) {
    case 'domain':
      return `[domain-name:value = ${literal(indicator.value)}]`;
    case 'ipv4':
      return `[ipv4-addr:value = ${literal(indicator.value)}]`;
    case 'ipv6':
      return `[ipv6-addr:value = ${literal(indicator.value)}]`;
    case 'url-prefix':
      // Any scheme, then the host and the path up to the account id; LIKE's own wildcards in the value only widen it.
      return `[url:value LIKE ${literal(`%://${indicator.value}%`)}]`;
  }
}

function describe(indicator: Indicator): string {
  const what = indicator.account
    ? `${indicator.account.kind} ${indicator.account.id}${indicator.service ? ` inside ${indicator.service}` : ''}`
    : `destination ${indicator.value}`;
  return `Relaywatch: ${what}, reached by ${indicator.sources.join(', ')} between ${indicator.first_seen} and ${indicator.last_seen}.`;
}

export function buildStixBundle(exported: Pick<FindingsExport, 'findings'>, indicators: readonly Indicator[], options: StixOptions = {}) {
  const tlp = options.tlp ?? 'amber';
  const now = (options.generatedAt ?? new Date()).toISOString();
  const producer = options.producer?.trim() || 'Relaywatch user';
  const marking = TLP_MARKINGS[tlp];
  const identity = {
    type: 'identity', spec_version: '2.1', id: stixId('identity', producer), created: now, modified: now,
    name: producer, identity_class: 'organization', object_marking_refs: [marking],
  };
  const common = { spec_version: '2.1', created: now, modified: now, created_by_ref: identity.id, object_marking_refs: [marking] };
  const findings = new Map(exported.findings.map((f) => [f.id, f]));
  const objects: object[] = [
    {
      type: 'marking-definition', spec_version: '2.1', id: marking, created: '2017-01-20T00:00:00.000Z',
      definition_type: 'tlp', name: `TLP:${tlp.toUpperCase()}`, definition: { tlp },
    },
    identity,
  ];
  for (const indicator of indicators) {
    const pattern = stixPattern(indicator);
    const id = stixId('indicator', pattern);
    objects.push({
      type: 'indicator', ...common, id,
      name: indicator.account ? `${indicator.account.kind} ${indicator.account.id}` : indicator.value,
      description: describe(indicator),
      indicator_types: ['anomalous-activity'],
      pattern, pattern_type: 'stix', valid_from: indicator.first_seen,
      ...(indicator.account ? { labels: [indicator.account.kind] } : {}),
      external_references: indicator.finding_ids.map((fid) => ({ source_name: 'relaywatch', external_id: fid })),
    });
    for (const fid of indicator.finding_ids) {
      const finding = findings.get(fid);
      if (!finding) continue;
      objects.push({
        type: 'sighting', ...common, id: stixId('sighting', `${id}\u0000${fid}`),
        sighting_of_ref: id, where_sighted_refs: [identity.id],
        first_seen: finding.first_seen, last_seen: finding.last_seen, count: Math.min(finding.events, 999_999_999),
        description: finding.summary ?? `Relaywatch finding ${fid}`,
        external_references: [{ source_name: 'relaywatch', external_id: fid }],
      });
    }
  }
  return { type: 'bundle', id: stixId('bundle', `${now}\u0000${objects.length}\u0000${indicators.map((i) => i.value).join('\u0000')}`), objects };
}
