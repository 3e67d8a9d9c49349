/**
 * Zeek logs as JSON lines, in every shape seen in the field: Zeek's own writer (`"id.orig_h"`, `ts` as epoch
 * seconds or ISO-8601), json-streaming-logs and Corelight-style streams (`_path`, `_write_ts`, `@stream`,
 * `@system`), Logstash/Filebeat-flattened keys (`id_orig_h`) and `id` nested as an object.
 */
import { reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { parseJsonRecord, sniffJsonLines, type JsonRecord } from './json-record.ts';
import { emitZeekRecord, inferZeekPath, safeName } from './zeek-common.ts';

/** Keys added by shippers rather than Zeek; removed once the path is known (not kept in `extra` or raw rows). */
const SHIPPER_KEYS: ReadonlySet<string> = new Set([
  '_path', '_write_ts', '_system_name', '@stream', '@system', '@timestamp', '@version',
]);

/** Flattened endpoint keys written by Logstash/Filebeat pipelines, and the Zeek names they stand for. */
const FLAT_ALIASES: ReadonlyArray<[string, string]> = [
  ['id_orig_h', 'id.orig_h'],
  ['id_orig_p', 'id.orig_p'],
  ['id_resp_h', 'id.resp_h'],
  ['id_resp_p', 'id.resp_p'],
];

/** Rewrite shipper spellings to Zeek's own field names, in place. */
function normaliseKeys(record: JsonRecord): void {
  for (const [alias, name] of FLAT_ALIASES) {
    if (record.has(alias) && !record.has(name)) record.set(name, record.get(alias));
    record.delete(alias);
  }
  if (!record.has('ts') && record.has('@timestamp')) record.set('ts', record.get('@timestamp'));
}

function logPath(record: JsonRecord): string {
  const named = record.get('_path') ?? record.get('@stream');
  if (typeof named === 'string' && named !== '') return safeName(named);
  return inferZeekPath([...record.keys()].filter((key) => !SHIPPER_KEYS.has(key)));
}

class ZeekJsonParser implements RecordParser {
  format = 'zeek-json';
  private firstPath: string | null = null;

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    const record = parseJsonRecord(text);
    if (typeof record === 'string') return reject(record);
    normaliseKeys(record);
    const path = logPath(record);
    this.notePath(path);
    for (const key of SHIPPER_KEYS) record.delete(key);
    return emitZeekRecord(path, record, sink);
  }

  /** The file's format names its log path, or stays 'zeek-json' once two paths are mixed in one file. */
  private notePath(path: string): void {
    if (this.firstPath === null) {
      this.firstPath = path;
      this.format = `zeek-${path}-json`;
    } else if (path !== this.firstPath) {
      this.format = 'zeek-json';
    }
  }
}

/** How strongly one JSON record looks like a Zeek record (0 for Suricata EVE, which also has flow ids). */
function zeekLikeness(record: JsonRecord): number {
  if (record.has('event_type')) return 0;
  const hasTs = record.has('ts') || record.has('@timestamp');
  if ((record.has('_path') || record.has('@stream')) && hasTs) return 0.95;
  if (record.has('id.orig_h') || record.has('id_orig_h')) return 0.9;
  if (record.has('uid') && hasTs) return 0.8;
  // Logs without a connection (files, x509, software, packet_filter...) by their own field set.
  const path = inferZeekPath([...record.keys()].filter((key) => !SHIPPER_KEYS.has(key)));
  if (path === 'loaded_scripts') return /\.(zeek|bro)$/.test(String(record.get('name')).trim()) ? 0.8 : 0;
  return path !== 'unknown' && hasTs ? 0.7 : 0;
}

/** Zeek JSON logs (any path); conn/dns/http/ssl become canonical events, other paths raw `zeek_<path>` rows. */
export const zeekJsonAdapter: Adapter = {
  id: 'zeek-json',
  title: 'Zeek JSON log',
  sniff: (head: string) => sniffJsonLines(head, zeekLikeness),
  open: () => new ZeekJsonParser(),
};
