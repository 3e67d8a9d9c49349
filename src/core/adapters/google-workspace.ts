/**
 * Google Workspace admin console "Audit and investigation" CSV exports → 'saas' events: Drive log events
 * (`Date, Event name, Description, Actor, IP address, Item name, Owner, Visibility, Type, Item ID, ...`) and
 * login events (`Date, Event name, Description, User, IP address, Login type, ...`). Columns are matched by
 * header name, so reordered or extra columns do not matter.
 */
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { csvHeader, eachCsvRecord } from './endpoint-csv.ts';
import { bound, extraJson, splitAddress } from './endpoint-json.ts';
import { flexibleTimeToMicros } from './endpoint-time.ts';

/** Canonical role → accepted header names (compared case-insensitively). */
const COLUMNS = {
  time: ['Date', 'Time', 'Event time'],
  operation: ['Event name', 'Event', 'Event Name'],
  user: ['Actor', 'User', 'Actor email', 'User email'],
  ip: ['IP address', 'IP Address', 'Actor IP address'],
  object: ['Item name', 'Document name', 'Title', 'Item ID', 'Document ID'],
} as const;

const DRIVE_MARKERS = ['item name', 'document name', 'item id', 'document id', 'owner', 'visibility'];
const LOGIN_MARKERS = ['login type', 'login failure type', 'login challenge method'];

type Kind = 'drive' | 'login';

function lowerHeader(header: readonly string[] | null): Set<string> {
  return new Set((header ?? []).map((h) => h.toLowerCase()));
}

/** Which Workspace export a header belongs to, or null. */
export function workspaceKind(header: readonly string[] | null): Kind | null {
  const names = lowerHeader(header);
  const has = (aliases: readonly string[]) => aliases.some((a) => names.has(a.toLowerCase()));
  if (!has(COLUMNS.time) || !has(COLUMNS.operation) || !has(COLUMNS.user)) return null;
  if (LOGIN_MARKERS.some((m) => names.has(m))) return 'login';
  if (DRIVE_MARKERS.some((m) => names.has(m))) return 'drive';
  return null;
}

/** The first non-empty column among `aliases` (in alias order): its header name and bounded value. */
function pickColumn(row: Map<string, string>, aliases: readonly string[]): [string, string] | null {
  for (const alias of aliases) {
    for (const [name, value] of row) {
      if (alias.toLowerCase() === name.toLowerCase() && value.trim() !== '') return [name, bound(value.trim())];
    }
  }
  return null;
}

function pick(row: Map<string, string>, aliases: readonly string[]): string | null {
  return pickColumn(row, aliases)?.[1] ?? null;
}

/** Columns mapped to canonical fields; the object columns not chosen as saas_object stay in `extra`. */
const MAPPED = new Set([COLUMNS.time, COLUMNS.operation, COLUMNS.user, COLUMNS.ip].flat().map((n) => n.toLowerCase()));

function emitRow(row: Map<string, string>, kind: Kind, utcOffsetMinutes: number, sink: Sink): Outcome {
  const when = pick(row, COLUMNS.time);
  const ts = flexibleTimeToMicros(when, utcOffsetMinutes);
  if (ts === null) return reject(when ? `unreadable Date "${when.slice(0, 40)}"` : 'row has no Date');
  const operation = pick(row, COLUMNS.operation);
  if (!operation) return reject('row has no Event name');
  const client = splitAddress(pick(row, COLUMNS.ip));
  const object = kind === 'drive' ? pickColumn(row, COLUMNS.object) : null;
  const extra = new Map<string, string>();
  for (const [name, value] of row) {
    if (!MAPPED.has(name.toLowerCase()) && name !== object?.[0] && value.trim() !== '') extra.set(name, bound(value.trim()));
  }
  sink.event({
    ts,
    kind: 'saas',
    saas_app: kind === 'drive' ? 'google-drive' : 'google-login',
    saas_operation: operation,
    saas_object: object?.[1] ?? null,
    src_user: pick(row, COLUMNS.user),
    src_ip: client.ip,
    src_port: client.port,
    extra: extraJson(extra),
  });
  return LOADED;
}

/** Google Workspace Drive and login audit CSV exports. */
export const googleWorkspaceCsvAdapter: Adapter = {
  id: 'google-workspace-csv',
  title: 'Google Workspace audit log export (Drive, login)',
  sniff(head) {
    return workspaceKind(csvHeader(head)) ? 0.85 : 0;
  },
  open(options): RecordParser {
    const parser = {
      format: 'google-workspace-csv',
      mode: 'document' as const,
      document(text: string, sink: Sink, each: (outcome: Outcome, recordNo: number, sample: string) => void) {
        const kind = workspaceKind(csvHeader(text));
        if (kind) parser.format = `google-workspace-${kind}-csv`;
        eachCsvRecord(text, (record) => {
          const outcome = record.problem
            ? reject(record.problem)
            : kind ? emitRow(record.values, kind, options.utcOffsetMinutes, sink)
            : reject('header is not a Google Workspace Drive or login export');
          each(outcome, record.recordNo, record.sample);
        });
      },
    };
    return parser;
  },
};
