/**
 * The canonical event model every adapter maps onto and every analytic queries.
 * One row per observed network-relevant event, whatever produced it.
 * Shared by the browser (DuckDB-WASM) and the CLI (native DuckDB): the DDL below is the single definition.
 */
import { VOCABULARY_DDL } from './vocabulary.ts';

export type EventKind =
  | 'flow' // connection / flow record (Zeek conn, Suricata flow, NetFlow, Sysmon 3, MDE network events)
  | 'http' // HTTP transaction seen on the wire (Zeek http, Suricata http)
  | 'tls' // TLS handshake (Zeek ssl, Suricata tls)
  | 'dns' // DNS query/answer (Zeek dns, Suricata dns, Windows DNS debug, BIND, Sysmon 22)
  | 'proxy' // web proxy transaction (Squid, W3C/ELFF, Zscaler, ...)
  | 'firewall' // firewall session / traffic log (Palo Alto, FortiGate, CEF)
  | 'alert' // IDS alert or notice, kept as context (Suricata alert, Zeek notice)
  | 'process' // process creation (Sysmon 1), context for attribution
  | 'saas'; // SaaS audit event (M365 unified audit log, Google Workspace)

export type ColumnType = 'TIMESTAMP' | 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE';

export interface ColumnSpec {
  name: keyof EventRecord | PipelineColumn;
  type: ColumnType;
  doc: string;
}

type PipelineColumn = 'source_file' | 'source_format' | 'source_line';

/**
 * A canonical record as an adapter emits it. Every field is optional except `ts` and `kind`;
 * leave a field undefined (or null) when the log does not carry it, never invent a value.
 */
export interface EventRecord {
  /** UTC time as epoch microseconds (sub-second precision kept). */
  ts: number;
  kind: EventKind;
  src_ip?: string | null;
  src_port?: number | null;
  src_host?: string | null;
  src_user?: string | null;
  /** Full image path where known (C:\\Users\\x\\AppData\\...\\evil.exe), else a bare name. */
  process?: string | null;
  process_id?: number | null;
  /**
   * How `process` was learnt: null or 'log' when the record itself names it; 'endpoint-flow' when enrichment took it
   * from an endpoint connection (Sysmon 3 / Defender) of the same client to the same destination moments earlier.
   */
  process_origin?: string | null;
  parent_process?: string | null;
  command_line?: string | null;
  dst_ip?: string | null;
  dst_port?: number | null;
  /** Most specific destination host name the record carries (SNI, HTTP Host, CONNECT target, DNS query). */
  dst_host?: string | null;
  /**
   * Where dst_host came from: 'sni' | 'http-host' | 'url' | 'connect' | 'dns-query' | 'sysmon' | 'log', or after
   * enrichment 'uid-link' (the TLS/HTTP record of the same connection) or 'passive-dns' (the client's own lookup).
   */
  dst_host_origin?: string | null;
  /** Path and query of the request URL, without scheme and host ("/bot123:abc/getUpdates?offset=1"). */
  url_path?: string | null;
  method?: string | null;
  status?: number | null;
  user_agent?: string | null;
  referrer?: string | null;
  content_type?: string | null;
  /** Bytes sent by the source (client → server). */
  bytes_out?: number | null;
  /** Bytes received by the source (server → client). */
  bytes_in?: number | null;
  /** Seconds. */
  duration?: number | null;
  /** Transport: 'tcp' | 'udp' | 'icmp' | ... (lower case). */
  protocol?: string | null;
  /** Application protocol where known: 'http' | 'tls' | 'dns' | 'ssh' | ... (lower case). */
  app_protocol?: string | null;
  /** Device decision, normalised: 'allow' | 'deny' | 'drop' | 'reset' | other lower-case verb. */
  action?: string | null;
  /** Zeek conn_state, Suricata flow state, or a firewall's session end reason. */
  conn_state?: string | null;
  tls_version?: string | null;
  tls_ja3?: string | null;
  tls_ja4?: string | null;
  dns_query?: string | null;
  dns_qtype?: string | null;
  dns_rcode?: string | null;
  /** DNS answers (addresses and names), comma-separated, in answer order. */
  dns_answers?: string | null;
  /** Links records of one connection: Zeek uid, Suricata flow_id, Sysmon ProcessGuid for process rows. */
  uid?: string | null;
  /** Alert signature / notice message for kind='alert'. */
  alert?: string | null;
  /** SaaS audit: application / client id, operation, object acted on. */
  saas_app?: string | null;
  saas_operation?: string | null;
  saas_object?: string | null;
  /** Source fields the model has no column for, as a JSON object string (bounded by the pipeline). */
  extra?: string | null;
}

/** Column order of the `events` table. The pipeline adds source_file/source_format/source_line. */
export const EVENT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'ts', type: 'TIMESTAMP', doc: 'event time, UTC' },
  { name: 'kind', type: 'VARCHAR', doc: 'flow | http | tls | dns | proxy | firewall | alert | process | saas' },
  { name: 'source_file', type: 'VARCHAR', doc: 'input file name (archive members: archive.zip/member)' },
  { name: 'source_format', type: 'VARCHAR', doc: 'format id of the adapter that read it' },
  { name: 'source_line', type: 'BIGINT', doc: 'line (or record) number within the source file' },
  { name: 'src_ip', type: 'VARCHAR', doc: 'source (client) IP' },
  { name: 'src_port', type: 'INTEGER', doc: 'source port' },
  { name: 'src_host', type: 'VARCHAR', doc: 'source host name (endpoint logs, inventory)' },
  { name: 'src_user', type: 'VARCHAR', doc: 'user name where the log carries it' },
  { name: 'process', type: 'VARCHAR', doc: 'process image path or name' },
  { name: 'process_id', type: 'BIGINT', doc: 'process id' },
  { name: 'process_origin', type: 'VARCHAR', doc: "how process was learnt: 'log' or the enrichment join" },
  { name: 'parent_process', type: 'VARCHAR', doc: 'parent image path or name' },
  { name: 'command_line', type: 'VARCHAR', doc: 'process command line' },
  { name: 'dst_ip', type: 'VARCHAR', doc: 'destination IP' },
  { name: 'dst_port', type: 'INTEGER', doc: 'destination port' },
  { name: 'dst_host', type: 'VARCHAR', doc: 'destination host name (SNI, Host, CONNECT target, DNS query)' },
  { name: 'dst_host_origin', type: 'VARCHAR', doc: 'where dst_host came from' },
  { name: 'url_path', type: 'VARCHAR', doc: 'URL path and query' },
  { name: 'method', type: 'VARCHAR', doc: 'HTTP method' },
  { name: 'status', type: 'INTEGER', doc: 'HTTP status / result code' },
  { name: 'user_agent', type: 'VARCHAR', doc: 'HTTP user agent' },
  { name: 'referrer', type: 'VARCHAR', doc: 'HTTP referrer' },
  { name: 'content_type', type: 'VARCHAR', doc: 'response content type' },
  { name: 'bytes_out', type: 'BIGINT', doc: 'bytes client → server' },
  { name: 'bytes_in', type: 'BIGINT', doc: 'bytes server → client' },
  { name: 'duration', type: 'DOUBLE', doc: 'seconds' },
  { name: 'protocol', type: 'VARCHAR', doc: 'transport protocol' },
  { name: 'app_protocol', type: 'VARCHAR', doc: 'application protocol' },
  { name: 'action', type: 'VARCHAR', doc: 'allow | deny | drop | reset | ...' },
  { name: 'conn_state', type: 'VARCHAR', doc: 'connection state / end reason' },
  { name: 'tls_version', type: 'VARCHAR', doc: 'TLS version' },
  { name: 'tls_ja3', type: 'VARCHAR', doc: 'JA3 client fingerprint' },
  { name: 'tls_ja4', type: 'VARCHAR', doc: 'JA4 client fingerprint' },
  { name: 'dns_query', type: 'VARCHAR', doc: 'DNS query name' },
  { name: 'dns_qtype', type: 'VARCHAR', doc: 'DNS query type' },
  { name: 'dns_rcode', type: 'VARCHAR', doc: 'DNS response code' },
  { name: 'dns_answers', type: 'VARCHAR', doc: 'DNS answers, comma-separated' },
  { name: 'uid', type: 'VARCHAR', doc: 'connection / flow / process link id' },
  { name: 'alert', type: 'VARCHAR', doc: 'alert signature or notice message' },
  { name: 'saas_app', type: 'VARCHAR', doc: 'SaaS application / client id' },
  { name: 'saas_operation', type: 'VARCHAR', doc: 'SaaS operation' },
  { name: 'saas_object', type: 'VARCHAR', doc: 'SaaS object acted on' },
  { name: 'extra', type: 'VARCHAR', doc: 'unmapped source fields as JSON' },
];

export const EVENTS_TABLE = 'events';

/** DDL for the canonical tables and the shared SQL vocabulary; identical in DuckDB-WASM and native DuckDB. */
export function canonicalDdl(): string {
  const cols = EVENT_COLUMNS.map((c) => `  "${c.name}" ${c.type}`).join(',\n');
  return [
    `CREATE TABLE IF NOT EXISTS ${EVENTS_TABLE} (\n${cols}\n);`,
    `CREATE TABLE IF NOT EXISTS sources (
  name VARCHAR, format VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT,
  bytes BIGINT, millis DOUBLE, message VARCHAR, sha256 VARCHAR
);`,
    // Workspaces and --db files written before inputs were hashed.
    `ALTER TABLE sources ADD COLUMN IF NOT EXISTS sha256 VARCHAR;`,
    `CREATE TABLE IF NOT EXISTS rejections (source VARCHAR, line BIGINT, reason VARCHAR, sample VARCHAR);`,
    VOCABULARY_DDL,
  ].join('\n');
}
