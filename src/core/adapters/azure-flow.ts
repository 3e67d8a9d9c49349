/**
 * Azure network flow logs as the storage account keeps them (`{"records":[…]}` JSON, one file per hour):
 * NSG flow logs (category NetworkSecurityGroupFlowEvent, tuple versions 1 and 2) and VNet flow logs
 * (category FlowLogFlowEvent). Every flow tuple is a record, with the rule, interface and direction in `extra`.
 * A tuple holds both directions of its flow (bytes each way), so a connection is never logged twice. Version-2
 * and VNet tuples report the flow's begin (B), its counters while it lasts (C) and its end (E), bytes being those
 * since the previous report: the reports of one flow in one file load as one event (its first report's time, the
 * bytes of all), as a sensor logs one connection once.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { epochMillisToMicros, epochSecondsToMicros } from '../ingest/time.ts';
import { extraJson, intOrNull, ipProtocolName, portOrNull } from './csv-mapped.ts';
import { withFields } from './flow-pairs.ts';
import { cleanDocument, isJsonObject, own, parseJson, scalarText, splitJsonObjects, type JsonObject } from './endpoint-json.ts';

const IP = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;
const STATES: ReadonlyMap<string, string> = new Map([
  ['B', 'begin'],
  ['C', 'continue'],
  ['E', 'end'],
  ['D', 'denied'],
]);
const TRANSPORTS: ReadonlyMap<string, string> = new Map([
  ['T', 'tcp'],
  ['U', 'udp'],
]);
const DIRECTIONS: ReadonlyMap<string, string> = new Map([
  ['I', 'inbound'],
  ['O', 'outbound'],
]);

/** Where a tuple was logged: its record's resource, rule and interface (or VNet ACL). */
interface TupleContext {
  resource: string | null;
  rule: string | null;
  mac: string | null;
  acl: string | null;
  vnet: boolean;
}

/** One tuple: NSG "ts,src,dst,sport,dport,T|U,I|O,A|D[,B|C|E,pkts,bytes,pkts,bytes]" or VNet "ms,…,6,O,B,NX,pkts,bytes,pkts,bytes". */
export function emitFlowTuple(tuple: string, context: TupleContext, reports: FlowReports, sink: Sink): Outcome {
  const f = tuple.split(',');
  const expected = context.vnet ? [13] : [8, 13];
  if (!expected.includes(f.length)) return reject(`flow tuple has ${f.length} fields, expected ${expected.join(' or ')}`);
  const ts = context.vnet
    ? /^\d{13}$/.test(f[0])
      ? epochMillisToMicros(f[0])
      : null
    : /^\d{10}$/.test(f[0])
      ? epochSecondsToMicros(f[0])
      : null;
  if (ts === null) return reject(`unreadable flow time "${f[0].slice(0, 20)}"`);
  if (!IP.test(f[1]) || !IP.test(f[2])) return reject(`not an address: "${(IP.test(f[1]) ? f[2] : f[1]).slice(0, 40)}"`);
  const state = context.vnet ? f[7] : (f[8] ?? null);
  const denied = context.vnet ? state === 'D' : f[7] === 'D';
  const extra: [string, string | null][] = [
    ['direction', DIRECTIONS.get(f[6]) ?? f[6]],
    ['rule', context.rule],
    ['mac', context.mac],
    ['aclID', context.acl],
    ['resourceId', context.resource],
  ];
  if (context.vnet) extra.push(['encryption', f[8]]);
  const event: EventRecord = {
    ts,
    kind: 'flow',
    src_ip: f[1],
    dst_ip: f[2],
    src_port: portOrNull(f[3]),
    dst_port: portOrNull(f[4]),
    protocol: TRANSPORTS.get(f[5]) ?? ipProtocolName(f[5]),
    action: denied ? 'deny' : 'allow',
    conn_state: state ? (STATES.get(state) ?? state) : null,
    bytes_out: f.length === 13 ? intOrNull(f[10]) : null,
    bytes_in: f.length === 13 ? intOrNull(f[12]) : null,
    extra: extraJson(extra),
  };
  const counts = f.length === 13 ? [f[9], f[11]].map(intOrNull) : [null, null];
  const report = { event, packetsOut: counts[0], packetsIn: counts[1] };
  reports.add([context.resource, context.mac, context.acl, ...f.slice(1, 6)].join(' '), report, denied ? null : state, sink);
  return LOADED;
}

interface Report {
  event: EventRecord;
  packetsOut: number | null;
  packetsIn: number | null;
}

const plus = (a: number | null | undefined, b: number | null | undefined) => (a == null && b == null ? null : (a ?? 0) + (b ?? 0));

/** A report's event with its packet counts in `extra`. */
function withPackets({ event, packetsOut, packetsIn }: Report): EventRecord {
  event.extra = withFields(event.extra, [
    ['packets_out', packetsOut === null ? null : String(packetsOut)],
    ['packets_in', packetsIn === null ? null : String(packetsIn)],
  ]);
  return event;
}

/** A later report added to a flow's earlier ones: the flow from its first report, the counters of both. */
function merged(earlier: Report, later: Report): Report {
  return {
    event: {
      ...earlier.event,
      conn_state: later.event.conn_state,
      duration: (later.event.ts - earlier.event.ts) / 1e6,
      bytes_out: plus(earlier.event.bytes_out, later.event.bytes_out),
      bytes_in: plus(earlier.event.bytes_in, later.event.bytes_in),
    },
    packetsOut: plus(earlier.packetsOut, later.packetsOut),
    packetsIn: plus(earlier.packetsIn, later.packetsIn),
  };
}

/**
 * Folds the begin / continue / end reports of each flow in one file into one event. A flow still open at the end of
 * the file, or one whose begin was in an earlier file, loads with the reports this file holds.
 */
export class FlowReports {
  private open = new Map<string, Report>();

  /** `state` is the tuple's B, C or E; a denied flow, a version-1 tuple (no state) or another letter is one event. */
  add(key: string, report: Report, state: string | null, sink: Sink): void {
    if (state === null || !/^[BCE]$/.test(state)) return sink.event(withPackets(report));
    const earlier = this.open.get(key);
    this.open.delete(key);
    let current = report;
    if (earlier && state !== 'B') current = merged(earlier, report);
    else if (earlier) sink.event(withPackets(earlier)); // a new begin: the earlier flow's end was not logged
    // A flow whose begin was in an earlier file: its time here is a report's, not the connection's start.
    if (!earlier && state !== 'B') report.event.extra = withFields(report.event.extra, [['continued', 'true']]);
    if (state === 'E') sink.event(withPackets(current));
    else this.open.set(key, current);
  }

  /** Writes the flows still open (end of the file). */
  flush(sink: Sink): void {
    for (const report of this.open.values()) sink.event(withPackets(report));
    this.open.clear();
  }
}

const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const objects = (value: unknown): JsonObject[] => array(value).filter(isJsonObject);
const text = (obj: JsonObject, key: string) => scalarText(own(obj, key));

/** Every tuple of one record, with its context. */
function tuplesOf(record: JsonObject): { tuple: unknown; context: TupleContext }[] {
  const resource = text(record, 'resourceId') ?? text(record, 'targetResourceID');
  const out: { tuple: unknown; context: TupleContext }[] = [];
  const properties = own(record, 'properties');
  if (isJsonObject(properties)) {
    for (const ruleFlows of objects(own(properties, 'flows'))) {
      for (const macFlows of objects(own(ruleFlows, 'flows'))) {
        const context = { resource, rule: text(ruleFlows, 'rule'), mac: text(macFlows, 'mac'), acl: null, vnet: false };
        for (const tuple of array(own(macFlows, 'flowTuples'))) out.push({ tuple, context });
      }
    }
  }
  const flowRecords = own(record, 'flowRecords');
  if (isJsonObject(flowRecords)) {
    for (const aclFlows of objects(own(flowRecords, 'flows'))) {
      for (const group of objects(own(aclFlows, 'flowGroups'))) {
        const context = { resource, rule: text(group, 'rule'), mac: text(record, 'macAddress'), acl: text(aclFlows, 'aclID'), vnet: true };
        for (const tuple of array(own(group, 'flowTuples'))) out.push({ tuple, context });
      }
    }
  }
  return out;
}

/** NSG and VNet flow log files (`{"records":[…]}`, or records one per line as event hubs deliver them). */
export const azureFlowAdapter: Adapter = {
  id: 'azure-flow',
  title: 'Azure NSG / VNet flow logs',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('{') && !start.startsWith('[')) return 0;
    return /"(?:NetworkSecurityGroupFlowEvent|FlowLogFlowEvent)"/.test(head) && /"flowTuples"\s*:/.test(head) ? 0.95 : 0;
  },
  open(): RecordParser {
    let vnetSeen = false;
    const reports = new FlowReports();
    return {
      mode: 'document',
      get format() {
        return vnetSeen ? 'azure-vnet-flow' : 'azure-nsg-flow';
      },
      document(textDoc, sink, each) {
        let recordNo = 0;
        for (const piece of splitJsonObjects(cleanDocument(textDoc))) {
          const sample = piece.text.slice(0, 500);
          const parsed = piece.truncated ? undefined : parseJson(piece.text);
          if (!isJsonObject(parsed)) {
            each(reject(piece.truncated ? 'truncated JSON record' : 'not a JSON object'), ++recordNo, sample);
            continue;
          }
          const records = own(parsed, 'records') !== undefined ? objects(own(parsed, 'records')) : [parsed];
          for (const record of records) {
            for (const { tuple, context } of tuplesOf(record)) {
              vnetSeen ||= context.vnet;
              const outcome = typeof tuple === 'string' ? emitFlowTuple(tuple, context, reports, sink) : reject('flow tuple is not text');
              each(outcome, ++recordNo, typeof tuple === 'string' ? tuple : sample);
            }
          }
        }
        reports.flush(sink);
      },
    };
  },
};
