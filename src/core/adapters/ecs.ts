/**
 * Elastic / ECS exports, the three shapes a consultant is handed: NDJSON of `_source` documents (or of whole
 * hits, as dump tools write them), Elasticsearch `_search` / scroll responses (`hits.hits[]._source`, one or
 * several responses, or a JSON array of documents), and Kibana Discover CSV exports (ECS field names as the
 * header). All three map through ecs-map.ts. The format id names the shipper when one file holds one
 * (`ecs-zeek-ndjson`, `ecs-endpoint-json`), so readiness can tell sensor data from endpoint data.
 */
import { reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { csvHeader, eachCsvRecord } from './endpoint-csv.ts';
import { cleanDocument, splitJsonObjects } from './endpoint-json.ts';
import { ecsFamily, emitEcsDocument } from './ecs-map.ts';
import { FamilyFormat } from './family-format.ts';
import { flattenJson, parseJsonRecord, sniffJsonLines, type JsonRecord } from './json-record.ts';

/** Fields that say a JSON document or CSV header is ECS (with `@timestamp`). */
const ECS_MARKERS = [
  'ecs.version',
  'event.dataset',
  'event.module',
  'event.category',
  'source.ip',
  'destination.ip',
  'network.transport',
  'dns.question.name',
  'url.original',
  'tls.client.server_name',
  'network.community_id',
];

/** A dump tool's hit (`{"_index":…, "_source":{…}}`) as its document; `_index` and `_id` are kept. */
function unwrapHit(record: JsonRecord): JsonRecord {
  if (!record.has('_index') && !record.has('_id')) return record;
  const document: JsonRecord = new Map();
  for (const [key, value] of record) {
    if (key.startsWith('_source.')) document.set(key.slice(8), value);
    else if (key === '_index' || key === '_id') document.set(key, value);
  }
  return document;
}

/** The shipper family for the format id; plain ECS has none. */
function familyOf(record: JsonRecord): string | null {
  const family = ecsFamily(record);
  return family === 'ecs' ? null : family;
}

function looksEcs(record: JsonRecord): number {
  if (!record.has('@timestamp') || [...record.keys()].some((key) => key.startsWith('winlog.'))) return 0;
  return ECS_MARKERS.some((key) => record.has(key)) ? 0.92 : 0;
}

/** ECS documents one per line: `_source` objects or whole hits. */
export const ecsNdjsonAdapter: Adapter = {
  id: 'ecs-ndjson',
  title: 'Elastic / ECS documents (NDJSON)',
  // Winlogbeat's Sysmon documents are ECS too; the Sysmon adapter reads them (they carry `winlog.*`).
  sniff: (head) => sniffJsonLines(head, (record) => looksEcs(unwrapHit(record))),
  open(options): RecordParser {
    const name = new FamilyFormat('ecs', 'ndjson');
    return {
      get format() {
        return name.format;
      },
      line(text: string, _lineNo: number, sink: Sink): Outcome {
        const parsed = parseJsonRecord(text);
        if (typeof parsed === 'string') return reject(parsed);
        const record = unwrapHit(parsed);
        name.note(familyOf(record));
        return emitEcsDocument(record, sink, options.utcOffsetMinutes);
      },
    };
  },
};

/** The documents of one top-level JSON value: a search response's hits, a hit, or a plain document. */
function documentsOf(record: JsonRecord): (JsonRecord | string)[] {
  const hits = record.get('hits.hits');
  if (!Array.isArray(hits)) return [unwrapHit(record)];
  return hits.map((hit: unknown) => {
    if (hit === null || typeof hit !== 'object' || Array.isArray(hit)) return 'a hit that is not a JSON object';
    const source = Object.hasOwn(hit, '_source') ? (hit as { _source: unknown })._source : undefined;
    if (source === null || typeof source !== 'object' || Array.isArray(source)) {
      return 'hit has no _source (the search asked for fields only, or _source was disabled)';
    }
    return flattenJson(source);
  });
}

/** Elasticsearch `_search` / scroll responses, or a JSON array of ECS documents or hits. */
export const ecsSearchJsonAdapter: Adapter = {
  id: 'ecs-search-json',
  title: 'Elasticsearch search response / ECS JSON array',
  sniff(head) {
    const start = head.trimStart();
    if (!start.startsWith('{') && !start.startsWith('[')) return 0;
    if (/"hits"\s*:\s*\{/.test(head) && /"_source"\s*:/.test(head)) return 0.96;
    const ecsShape = /"(?:ecs|event|source|destination)"\s*:\s*\{|"(?:event\.dataset|source\.ip)"\s*:/.test(head);
    return start.startsWith('[') && /"@timestamp"\s*:/.test(head) && ecsShape ? 0.88 : 0;
  },
  open(options): RecordParser {
    const name = new FamilyFormat('ecs', 'json');
    return {
      mode: 'document',
      get format() {
        return name.format;
      },
      document(text, sink, each) {
        let recordNo = 0;
        for (const piece of splitJsonObjects(cleanDocument(text))) {
          const sample = piece.text.slice(0, 500);
          if (piece.truncated) {
            each(reject('truncated JSON record'), ++recordNo, sample);
            continue;
          }
          const parsed = parseJsonRecord(piece.text);
          if (typeof parsed === 'string') {
            each(reject(parsed), ++recordNo, sample);
            continue;
          }
          for (const document of documentsOf(parsed)) {
            if (typeof document === 'string') {
              each(reject(document), ++recordNo, sample);
              continue;
            }
            name.note(familyOf(document));
            each(emitEcsDocument(document, sink, options.utcOffsetMinutes), ++recordNo, sample);
          }
        }
      },
    };
  },
};

/** One Kibana CSV row as a document: empty cells dropped, a `_source` column's JSON merged in. */
function csvDocument(values: Map<string, string>): JsonRecord {
  const record: JsonRecord = new Map();
  for (const [key, raw] of values) {
    const value = raw.trim();
    if (value === '' || value === '-') continue;
    const source = key === '_source' && value.startsWith('{') ? parseJsonRecord(value) : null;
    if (source !== null && typeof source !== 'string') for (const [k, v] of source) record.set(k, v);
    else record.set(key, value);
  }
  return record;
}

/** Kibana Discover "Generate CSV" exports: ECS field names as the header, times in Kibana's date format. */
export const ecsKibanaCsvAdapter: Adapter = {
  id: 'ecs-kibana-csv',
  title: 'Kibana Discover CSV export (ECS)',
  sniff(head) {
    const header = csvHeader(head);
    if (!header?.includes('@timestamp')) return 0;
    return header.includes('_source') || header.filter((h) => ECS_MARKERS.includes(h)).length >= 2 ? 0.9 : 0;
  },
  open(options): RecordParser {
    const name = new FamilyFormat('ecs', 'kibana-csv');
    return {
      mode: 'document',
      get format() {
        return name.format;
      },
      document(text, sink, each) {
        eachCsvRecord(text, (row) => {
          if (row.problem) return each(reject(row.problem), row.recordNo, row.sample);
          const record = csvDocument(row.values);
          name.note(familyOf(record));
          each(emitEcsDocument(record, sink, options.utcOffsetMinutes), row.recordNo, row.sample);
        });
      },
    };
  },
};
