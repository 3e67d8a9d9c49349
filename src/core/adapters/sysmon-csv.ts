/**
 * Sysmon events in CSV: EvtxECmd CSV (`TimeCreated, EventId, Computer, Payload, PayloadData1..6, ...`,
 * EventData as JSON in `Payload`) and PowerShell `Get-WinEvent | Export-Csv` (`Id, TimeCreated,
 * MachineName, Message`, fields read from the Message text).
 */
import { reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { csvHeader, eachCsvRecord, hasColumns } from './endpoint-csv.ts';
import { toInteger } from './endpoint-json.ts';
import { flexibleTimeToMicros } from './endpoint-time.ts';
import { emitSysmon, parseMessageFields } from './sysmon-core.ts';
import { evtxPayloadFields } from './sysmon-json.ts';

const EVTXECMD_COLUMNS = ['TimeCreated', 'EventId', 'Computer', 'Payload'];
const POWERSHELL_COLUMNS = ['Id', 'TimeCreated', 'MachineName', 'Message'];

function emitEvtxecmdRow(row: Map<string, string>, utcOffsetMinutes: number, sink: Sink): Outcome {
  const fields = evtxPayloadFields(row.get('Payload') ?? '');
  if (!fields) return reject('EvtxECmd Payload is not {"EventData":{"Data":[...]}} JSON');
  const created = row.get('TimeCreated') ?? null;
  return emitSysmon(
    {
      eventId: toInteger(row.get('EventId')),
      provider: row.get('Provider') || null,
      computer: row.get('Computer') || null,
      // EvtxECmd writes TimeCreated in UTC without a zone.
      envelopeTime: flexibleTimeToMicros(created, 0) ?? flexibleTimeToMicros(created, utcOffsetMinutes),
      fields,
    },
    sink,
  );
}

function emitPowershellRow(row: Map<string, string>, utcOffsetMinutes: number, sink: Sink): Outcome {
  const message = row.get('Message') ?? '';
  if (!message.includes(':')) return reject('PowerShell event row has no Message fields');
  return emitSysmon(
    {
      eventId: toInteger(row.get('Id')),
      provider: row.get('ProviderName') || null,
      computer: row.get('MachineName') || null,
      // Export-Csv writes TimeCreated in the exporting machine's local time and culture.
      envelopeTime: flexibleTimeToMicros(row.get('TimeCreated') ?? null, utcOffsetMinutes),
      fields: parseMessageFields(message),
    },
    sink,
  );
}

function csvAdapter(
  id: string,
  title: string,
  columns: readonly string[],
  emitRow: (row: Map<string, string>, utcOffsetMinutes: number, sink: Sink) => Outcome,
): Adapter {
  return {
    id,
    title,
    sniff(head) {
      if (!hasColumns(csvHeader(head), columns)) return 0;
      return /Sysmon/.test(head) ? 0.95 : 0.4;
    },
    open(options): RecordParser {
      return {
        format: id,
        mode: 'document',
        document(text, sink, each) {
          eachCsvRecord(text, (record) => {
            const outcome = record.problem ? reject(record.problem) : emitRow(record.values, options.utcOffsetMinutes, sink);
            each(outcome, record.recordNo, record.sample);
          });
        },
      };
    },
  };
}

/** EvtxECmd CSV output of a Sysmon .evtx (other providers in the same export go to `windows_events`). */
export const sysmonEvtxecmdCsvAdapter = csvAdapter('sysmon-evtxecmd-csv', 'Sysmon via EvtxECmd (CSV)', EVTXECMD_COLUMNS, emitEvtxecmdRow);

/** PowerShell `Get-WinEvent … | Export-Csv` of the Sysmon channel. */
export const sysmonPowershellCsvAdapter = csvAdapter(
  'sysmon-powershell-csv',
  'Sysmon via PowerShell Export-Csv',
  POWERSHELL_COLUMNS,
  emitPowershellRow,
);
