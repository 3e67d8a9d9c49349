/**
 * Microsoft 365 unified audit log exports → 'saas' events: the Purview / compliance portal CSV
 * (`CreationDate,UserIds,Operations,AuditData`, AuditData a JSON string) and JSON (an array or NDJSON of
 * AuditData objects, or of rows carrying AuditData as a string, as `Search-UnifiedAuditLog | ConvertTo-Json` writes).
 */
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { csvHeader, eachCsvRecord, hasColumns } from './endpoint-csv.ts';
import {
  cleanDocument, extraJson, hostOf, isJsonObject, own, parseJson, scalarText, splitAddress, splitJsonObjects,
  type JsonObject,
} from './endpoint-json.ts';
import { flexibleTimeToMicros } from './endpoint-time.ts';

/** AuditData members kept in `extra` when present. */
const EXTRA_MEMBERS = [
  'Workload', 'RecordType', 'ResultStatus', 'LogonError', 'ItemType', 'SourceFileName', 'SourceFileExtension',
  'SourceRelativeUrl', 'EventSource', 'UserType', 'ClientAppId', 'ApplicationDisplayName', 'Id',
];

function member(data: JsonObject, name: string): string | null {
  return scalarText(own(data, name));
}

/** A value from AuditData's `ExtendedProperties` / `DeviceProperties` name-value lists. */
function listedProperty(data: JsonObject, list: string, name: string): string | null {
  const items = own(data, list);
  if (!Array.isArray(items)) return null;
  for (const item of items) {
    if (isJsonObject(item) && own(item, 'Name') === name) return scalarText(own(item, 'Value'));
  }
  return null;
}

/** Result status to the canonical action verb. */
function actionOf(status: string | null): string | null {
  if (!status) return null;
  if (/^(success|succeeded|true)$/i.test(status)) return 'allow';
  if (/^(fail|failed|failure|false)$/i.test(status)) return 'deny';
  return status.toLowerCase();
}

/**
 * Map one AuditData object to a canonical 'saas' event. `fallbackTime` is the export row's CreationDate,
 * used when AuditData has no CreationTime.
 */
export function emitAuditData(data: JsonObject, fallbackTime: string | null, sink: Sink): Outcome {
  const operation = member(data, 'Operation');
  if (!operation) return reject('AuditData has no Operation');
  // CreationTime is UTC without a zone.
  const ts = flexibleTimeToMicros(member(data, 'CreationTime'), 0) ?? flexibleTimeToMicros(fallbackTime, 0);
  if (ts === null) return reject('AuditData has no readable CreationTime');
  const client = splitAddress(member(data, 'ClientIP') ?? member(data, 'ClientIPAddress') ?? member(data, 'ActorIpAddress'));
  const objectId = member(data, 'ObjectId');
  const host = hostOf(member(data, 'SiteUrl'), true) ?? hostOf(objectId, true);
  const extra = new Map<string, string>();
  for (const name of EXTRA_MEMBERS) {
    const v = member(data, name);
    if (v !== null) extra.set(name, v);
  }
  sink.event({
    ts,
    kind: 'saas',
    saas_app: member(data, 'AppId') ?? member(data, 'ApplicationId') ?? member(data, 'ClientAppId') ?? member(data, 'Workload'),
    saas_operation: operation,
    saas_object: objectId,
    src_ip: client.ip,
    src_port: client.port,
    src_user: member(data, 'UserId'),
    user_agent: member(data, 'UserAgent') ?? listedProperty(data, 'ExtendedProperties', 'UserAgent'),
    dst_host: host,
    dst_host_origin: host ? 'url' : null,
    action: actionOf(member(data, 'ResultStatus')),
    extra: extraJson(extra),
  });
  return LOADED;
}

/** An export record's AuditData: the object itself, or the JSON text in its `AuditData` member. */
function auditDataOf(record: JsonObject): JsonObject | string {
  const embedded = own(record, 'AuditData');
  if (embedded === undefined) return record;
  const parsed = typeof embedded === 'string' ? parseJson(embedded) : embedded;
  return isJsonObject(parsed) ? parsed : 'AuditData is not a JSON object';
}

/** The unified audit log CSV exported from the Purview / compliance portal. */
export const m365AuditCsvAdapter: Adapter = {
  id: 'm365-audit-csv',
  title: 'Microsoft 365 unified audit log (CSV)',
  sniff(head) {
    const header = csvHeader(head);
    return hasColumns(header, ['CreationDate', 'AuditData']) ? 0.95 : 0;
  },
  open(): RecordParser {
    return {
      format: 'm365-audit-csv',
      mode: 'document',
      document(text, sink, each) {
        eachCsvRecord(text, (record) => {
          let outcome: Outcome;
          if (record.problem) outcome = reject(record.problem);
          else {
            const data = auditDataOf({ AuditData: record.values.get('AuditData') ?? '' });
            outcome = typeof data === 'string' ? reject(data) : emitAuditData(data, record.values.get('CreationDate') ?? null, sink);
          }
          each(outcome, record.recordNo, record.sample);
        });
      },
    };
  },
};

/** Unified audit log records as JSON: an array or one object per line. */
export const m365AuditJsonAdapter: Adapter = {
  id: 'm365-audit-json',
  title: 'Microsoft 365 unified audit log (JSON)',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('[') && !start.startsWith('{')) return 0;
    const auditShape = /"(?:CreationTime|CreationDate)"/.test(head) && /"(?:Operation|Operations)"/.test(head);
    return auditShape && /"(?:Workload|RecordType|AuditData)"/.test(head) ? 0.9 : 0;
  },
  open(): RecordParser {
    return {
      format: 'm365-audit-json',
      mode: 'document',
      document(text, sink, each) {
        splitJsonObjects(cleanDocument(text)).forEach((piece, index) => {
          const sample = piece.text.slice(0, 500);
          if (piece.truncated) return each(reject('truncated JSON record'), index + 1, sample);
          const parsed = parseJson(piece.text);
          if (!isJsonObject(parsed)) return each(reject('not a JSON object'), index + 1, sample);
          const data = auditDataOf(parsed);
          const fallback = scalarText(own(parsed, 'CreationDate'));
          each(typeof data === 'string' ? reject(data) : emitAuditData(data, fallback, sink), index + 1, sample);
        });
      },
    };
  },
};
