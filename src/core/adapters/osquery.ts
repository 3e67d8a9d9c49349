/**
 * osquery result logs (JSON lines from the filesystem or a log shipper), differential (`columns` + `action`,
 * or batched `diffResults`) and snapshot (`snapshot: [...]`), from Linux, macOS and Windows hosts:
 * - socket rows (socket_events, bpf_socket_events, process_open_sockets, queries joining them to processes) with a
 *   remote address → `flow` events with the process (path, pid, cmdline where the query selects them);
 * - dns_lookup_events rows → `dns` events with the process that looked the name up;
 * - any other row (other tables, `removed` rows, listening or local sockets) → raw rows in `osquery_other`.
 * The query name is the user's, so the table is recognised by its columns, not by name.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { epochSecondsToMicros } from '../ingest/time.ts';
import { clipText, getString, parseJsonRecord, sniffJsonLines, type JsonRecord } from './json-record.ts';

export const OSQUERY_OTHER_TABLE = 'osquery_other';

type Row = Map<string, string>;

const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmp' };
const UNSPECIFIED = new Set(['', '0.0.0.0', '::', '0']);

class OsqueryParser implements RecordParser {
  readonly format = 'osquery-results';

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    const record = parseJsonRecord(text);
    if (typeof record === 'string') return reject(record);
    const rows = resultRows(record);
    if (!rows) return reject('an osquery result has columns, snapshot or diffResults; this line has none');
    const ts = epochSecondsToMicros(String(record.get('unixTime') ?? record.get('epoch') ?? ''));
    if (ts === null) return reject('osquery result without unixTime');
    const host = getString(record, 'hostIdentifier', 'decorations.hostname');
    const query = getString(record, 'name') ?? '';
    for (const { row, action } of rows) emitRow(row, action, ts, host, query, sink);
    return LOADED;
  }
}

/** Every row of a result line with its action; null when the line carries none. */
function resultRows(record: JsonRecord): { row: Row; action: string }[] | null {
  const columns = [...record.keys()].filter((key) => key.startsWith('columns.'));
  if (columns.length) {
    const row: Row = new Map(columns.map((key) => [key.slice('columns.'.length), text(record.get(key))]));
    return [{ row, action: String(record.get('action') ?? 'added') }];
  }
  const listed: [unknown, string][] = [
    [record.get('snapshot'), 'snapshot'],
    [record.get('diffResults.added'), 'added'],
    [record.get('diffResults.removed'), 'removed'],
  ];
  if (listed.every(([list]) => !Array.isArray(list))) return null;
  return listed.flatMap(([list, action]) =>
    Array.isArray(list)
      ? list
          .filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object' && !Array.isArray(item))
          .map((item) => ({ row: new Map(Object.keys(item).map((key) => [key, text(item[key])])), action }))
      : [],
  );
}

function emitRow(row: Row, action: string, logTs: number, host: string | null, query: string, sink: Sink): void {
  const value = (key: string) => {
    const v = row.get(key);
    return v === undefined || v === '' ? null : clipText(v);
  };
  const ts = epochSecondsToMicros(value('time') ?? '') ?? logTs;
  const process = {
    src_host: host,
    process: value('path') ?? value('exe') ?? value('name'),
    process_id: Number(value('pid')) || null,
    command_line: value('cmdline'),
    src_user: value('username'),
  };
  const remote = value('remote_address');
  const socketAction = value('action') ?? value('syscall');
  const outbound = socketAction === null || socketAction === 'connect';
  if (action !== 'removed' && remote !== null && !UNSPECIFIED.has(remote) && Number(value('remote_port')) > 0 && outbound) {
    const local = value('local_address');
    const event: EventRecord = {
      ts,
      kind: 'flow',
      ...process,
      // A socket row's path is the socket file for local sockets; for an IP socket it is the process (when joined).
      src_ip: local !== null && !UNSPECIFIED.has(local) ? local : null,
      src_port: Number(value('local_port')) || null,
      dst_ip: remote,
      dst_port: Number(value('remote_port')),
      protocol: PROTOCOLS[value('protocol') ?? ''] ?? null,
      conn_state: value('state'),
      extra: JSON.stringify({ query, action }),
    };
    sink.event(event);
    return;
  }
  const name = value('name');
  if (
    action !== 'removed' &&
    name !== null &&
    (row.has('response') || row.has('type_id') || row.has('status')) &&
    !row.has('remote_address')
  ) {
    sink.event({
      ts,
      kind: 'dns',
      ...process,
      process: value('path'),
      app_protocol: 'dns',
      dns_query: name,
      dst_host: name.replace(/\.$/, '').toLowerCase(),
      dst_host_origin: 'dns-query',
      dns_qtype: value('type'),
      dns_rcode: value('status'),
      dns_answers: value('response'),
      extra: JSON.stringify({ query, action }),
    });
    return;
  }
  sink.raw(OSQUERY_OTHER_TABLE, { query, action, time: String(ts / 1e6), host, row: clipText(JSON.stringify(Object.fromEntries(row))) });
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function osqueryLikeness(record: JsonRecord): number {
  if (!record.has('hostIdentifier') || !record.has('name')) return 0;
  const hasRows = [...record.keys()].some((key) => key.startsWith('columns.') || key === 'snapshot' || key.startsWith('diffResults.'));
  return hasRows ? 0.95 : 0;
}

export const osqueryAdapter: Adapter = {
  id: 'osquery-results',
  title: 'osquery',
  sniff: (head: string) => sniffJsonLines(head, osqueryLikeness),
  open: () => new OsqueryParser(),
};
