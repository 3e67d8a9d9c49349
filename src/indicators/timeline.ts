/**
 * A Timesketch-ready timeline (JSON lines: message, datetime, timestamp_desc, plus fields) of the events of some
 * findings — one finding, a campaign's findings, or all of them — read with the same filter the detail view uses.
 */
import type { SqlEngine } from '../engine/sql-engine.ts';
import type { Finding } from '../detection/detect.ts';
import { findingEventFilter } from '../queries/finding-events.ts';
import { redactDeep } from '../accounts/redact.ts';
import { campaignsOf } from '../accounts/campaigns.ts';

/** Events per finding at most, so one chatty beacon cannot fill the file. */
export const TIMELINE_EVENTS_PER_FINDING = 10_000;

const DESCRIPTIONS: Record<string, string> = {
  proxy: 'Proxy request', http: 'HTTP request', tls: 'TLS handshake', dns: 'DNS query', flow: 'Connection start',
  firewall: 'Firewall log', process: 'Process creation', alert: 'Alert', saas: 'SaaS audit record',
};

const COLUMNS = [
  'kind', 'source_file', 'source_line', 'src_ip', 'src_host', 'src_user', 'process', 'parent_process', 'command_line', 'dst_ip',
  'dst_port', 'dst_host', 'url_path', 'method', 'status', 'user_agent', 'bytes_out', 'bytes_in', 'dns_query', 'tls_ja3', 'action',
] as const;

type Row = Record<(typeof COLUMNS)[number], string | number | null> & { datetime: string; timestamp: number };

function message(row: Row): string {
  const who = row.src_host ?? row.src_ip ?? '?';
  if (row.kind === 'process') return `${who}: ${row.process ?? '?'} started${row.command_line ? `: ${row.command_line}` : ''}`;
  const where = `${row.dst_host ?? row.dst_ip ?? '?'}${row.url_path ?? ''}`;
  const how = [row.method, row.status].filter((v) => v !== null && v !== '').join(' ');
  return `${who}${row.process ? ` (${row.process})` : ''} → ${where}${how ? ` [${how}]` : ''}`;
}

/** JSON lines of the findings' events, oldest first per finding, secrets redacted. */
export async function timelineJsonl(engine: SqlEngine, findings: readonly Finding[]): Promise<string> {
  const campaignOf = new Map<string, string>();
  for (const c of campaignsOf(findings)) for (const id of c.finding_ids) if (!campaignOf.has(id)) campaignOf.set(id, c.id);
  const lines: string[] = [];
  for (const finding of findings) {
    const filter = findingEventFilter(finding);
    const rows = await engine.all<Row>(
      `SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS datetime, epoch_us(ts) AS timestamp, ${COLUMNS.join(', ')}
       FROM events WHERE ts IS NOT NULL AND ${filter.where} ORDER BY ts, source_file, source_line LIMIT ${TIMELINE_EVENTS_PER_FINDING}`,
      filter.params,
    );
    const accounts = (finding.destination.accounts ?? []).map((a) => `${a.kind}:${a.id}`);
    for (const row of rows) {
      const fields = Object.fromEntries(COLUMNS.filter((c) => row[c] !== null && row[c] !== '').map((c) => [c, row[c]]));
      const line = {
        message: message(row), datetime: row.datetime, timestamp: Number(row.timestamp),
        timestamp_desc: DESCRIPTIONS[String(row.kind)] ?? 'Event time',
        ...fields,
        finding_id: finding.id, finding_rank: finding.rank, service: finding.service?.id ?? finding.destination.domain,
        ...(accounts.length ? { accounts: accounts.join(', ') } : {}),
        ...(campaignOf.has(finding.id) ? { campaign_id: campaignOf.get(finding.id) } : {}),
        tag: ['relaywatch', finding.severity],
      };
      lines.push(JSON.stringify(redactDeep(line)));
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
