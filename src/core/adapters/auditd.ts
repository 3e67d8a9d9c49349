/**
 * Linux audit logs (auditd's raw `audit.log`, plain or with `node=` names and the ENRICHED suffix): outbound
 * connections seen as `connect`/`sendto`/`sendmsg` syscalls, with the process (exe, comm, pid, uid, PROCTITLE
 * command line) and the destination from the matching SOCKADDR record. The records of one event share the serial
 * in `msg=audit(<time>:<serial>)`; they are joined when the event ends (EOE, or a later event's records arrive).
 *
 * Every line is a record: those of a network event load as one `flow` event; records of other events (logins,
 * file access, connections to local sockets) load as raw rows in `auditd_other`; unreadable lines are rejected.
 * An audit event has no local address, so the flow names the host (`node=`) but not the client IP.
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { epochSecondsToMicros } from '../ingest/time.ts';
import { ipv6Text } from '../pcap/decode.ts';

export const AUDITD_OTHER_TABLE = 'auditd_other';

const HEADER = /^(?:node=(\S+) )?type=(\S+) msg=audit\((\d+(?:\.\d+)?):(\d+)\):\s?(.*)$/;
/** key=value, key="quoted value", key='quoted'; the ENRICHED part after \x1d uses the same syntax. */
const FIELD = /([A-Za-z_][\w-]*)=("[^"]*"|'[^']*'|\S*)/g;
/** Syscall numbers of the network calls, by audit arch: x86_64 and aarch64. */
const NETWORK_SYSCALLS: Record<string, Record<string, string>> = {
  c000003e: { '42': 'connect', '44': 'sendto', '46': 'sendmsg' },
  c00000b7: { '203': 'connect', '206': 'sendto', '211': 'sendmsg' },
};
/** Events still waiting for their end; more than this means EOE records are not being written. */
const MAX_OPEN_EVENTS = 256;

interface AuditRecord {
  type: string;
  fields: Map<string, string>;
  text: string;
}

interface AuditEvent {
  ts: number;
  node: string | null;
  records: AuditRecord[];
}

class AuditdParser implements RecordParser {
  readonly format = 'linux-auditd';
  private open = new Map<string, AuditEvent>();

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    const m = HEADER.exec(text);
    if (!m) return reject('not an audit record (type=… msg=audit(time:serial): …)');
    const [, node, type, seconds, serial, body] = m;
    const ts = epochSecondsToMicros(seconds);
    if (ts === null) return reject(`unreadable audit time "${seconds}"`);
    const key = `${node ?? ''}|${serial}`;
    let event = this.open.get(key);
    if (!event) {
      event = { ts, node: node ?? null, records: [] };
      this.open.set(key, event);
      // Events are written one after the other: a new serial ends the oldest open ones beyond the window.
      if (this.open.size > MAX_OPEN_EVENTS) this.close(this.open.keys().next().value!, sink);
    }
    if (type === 'EOE') this.close(key, sink);
    else event.records.push({ type, fields: fields(body), text });
    return LOADED;
  }

  end(sink: Sink): void {
    for (const key of [...this.open.keys()]) this.close(key, sink);
  }

  private close(key: string, sink: Sink): void {
    const event = this.open.get(key)!;
    this.open.delete(key);
    const flow = networkEvent(event);
    if (flow) sink.event(flow);
    else {
      for (const r of event.records) {
        sink.raw(AUDITD_OTHER_TABLE, { type: r.type, time: String(event.ts / 1e6), node: event.node, record: r.text.slice(0, 4096) });
      }
    }
  }
}

function networkEvent(event: AuditEvent): EventRecord | null {
  const syscall = event.records.find((r) => r.type === 'SYSCALL')?.fields;
  const saddr = event.records.find((r) => r.type === 'SOCKADDR')?.fields.get('saddr');
  if (!syscall || !saddr) return null;
  const name = syscall.get('SYSCALL') ?? NETWORK_SYSCALLS[syscall.get('arch') ?? '']?.[syscall.get('syscall') ?? ''];
  if (!name || !['connect', 'sendto', 'sendmsg'].includes(name)) return null;
  const destination = decodeSockaddr(saddr);
  if (!destination) return null;
  const title = event.records.find((r) => r.type === 'PROCTITLE')?.fields.get('proctitle');
  const extra: Record<string, string> = { syscall: name };
  for (const key of ['success', 'exit', 'ppid', 'auid', 'uid', 'comm', 'ses', 'key']) {
    const value = syscall.get(key);
    if (value !== undefined) extra[key] = value;
  }
  return {
    ts: event.ts,
    kind: 'flow',
    src_host: event.node,
    src_user: syscall.get('AUID') ?? syscall.get('UID') ?? null,
    process: syscall.get('exe') ?? syscall.get('comm') ?? null,
    process_id: Number(syscall.get('pid')) || null,
    command_line: title ? proctitle(title) : null,
    dst_ip: destination.ip,
    dst_port: destination.port,
    extra: JSON.stringify(extra),
  };
}

/** Text fields audit writes as bare hex when they hold spaces or odd bytes (quoted otherwise). */
const HEX_TEXT_FIELDS = new Set(['exe', 'comm', 'cwd', 'name']);

/** Field values, unquoted, hex text decoded. */
function fields(body: string): Map<string, string> {
  const out = new Map<string, string>();
  // The ENRICHED format separates its part with GS (0x1d).
  for (const [, key, raw] of body.replaceAll(String.fromCharCode(0x1d), ' ').matchAll(FIELD)) {
    if (out.has(key)) continue;
    if (/^["']/.test(raw)) out.set(key, raw.slice(1, -1));
    else out.set(key, HEX_TEXT_FIELDS.has(key) && isHex(raw) ? hexText(raw) : raw);
  }
  return out;
}

const isHex = (text: string) => text.length >= 2 && text.length % 2 === 0 && /^[0-9A-F]+$/.test(text);

function hexText(hex: string): string {
  let text = '';
  for (let i = 0; i < hex.length; i += 2) text += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return text;
}

/** PROCTITLE is the argv, hex-encoded with NUL separators when it has any. */
function proctitle(value: string): string {
  return (isHex(value) ? hexText(value) : value).replace(/\0/g, ' ').trim();
}

/** A hex `struct sockaddr` (family in host byte order, little-endian here) → address and port; null unless IP. */
export function decodeSockaddr(hex: string): { ip: string; port: number } | null {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length < 8) return null;
  const bytes = Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));
  const family = bytes[0] | (bytes[1] << 8);
  const port = (bytes[2] << 8) | bytes[3];
  if (family === 2 && bytes.length >= 8) return { ip: `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}`, port };
  if (family === 10 && bytes.length >= 24) return { ip: ipv6Text(bytes, 8), port };
  return null;
}

function sniff(head: string): number {
  const lines = head
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 20);
  if (!lines.length) return 0;
  const audit = lines.filter((l) => HEADER.test(l.replace(/\r$/, ''))).length;
  return audit / lines.length >= 0.8 ? 0.95 : 0;
}

export const auditdAdapter: Adapter = {
  id: 'linux-auditd',
  title: 'auditd',
  sniff,
  open: () => new AuditdParser(),
};
