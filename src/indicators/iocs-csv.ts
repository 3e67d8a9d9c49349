/** The plain indicators CSV: one row per indicator, formula-safe, for tools that take no STIX. */
import { toSafeCsv } from '../core/csv-safe.ts';
import type { Indicator } from './indicators.ts';

export const INDICATOR_CSV_COLUMNS = [
  'type', 'value', 'account_kind', 'account_id', 'service', 'sources', 'first_seen', 'last_seen', 'score', 'finding_ids',
] as const;

export function indicatorsCsv(indicators: readonly Indicator[]): string {
  return toSafeCsv(
    INDICATOR_CSV_COLUMNS,
    indicators.map((i) => ({
      type: i.type, value: i.value, account_kind: i.account?.kind ?? null, account_id: i.account?.id ?? null, service: i.service,
      sources: i.sources.join('; '), first_seen: i.first_seen, last_seen: i.last_seen, score: i.score, finding_ids: i.finding_ids.join('; '),
    })),
  );
}
