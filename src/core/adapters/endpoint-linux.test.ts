/** Linux auditd and osquery: network events with the process, and process attribution of wire records through them. */
import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../../engine/native-engine.ts';
import { canonicalDdl, EVENT_COLUMNS, type EventRecord } from '../canonical.ts';
import { enrichEvents } from '../enrich/enrich.ts';
import { auditdAdapter, decodeSockaddr } from './auditd.ts';
import { osqueryAdapter } from './osquery.ts';
import { feedLines, fixture } from './fixtures/feed-lines.ts';
import { ALL_ADAPTERS } from './index.ts';
import { chooseAdapter } from '../ingest/pipeline.ts';

const AUDIT = fixture('auditd/audit.log');
const OSQUERY = fixture('osquery/results.ndjson');

describe('auditd', () => {
  it('is recognised by content', () => {
    expect(chooseAdapter(AUDIT, ALL_ADAPTERS)?.adapter.id).toBe('linux-auditd');
  });

  it('joins SYSCALL, SOCKADDR and PROCTITLE by serial into flows; other events are raw rows; garbage is rejected', () => {
    const result = feedLines(auditdAdapter, AUDIT);
    expect(result.format).toBe('linux-auditd');
    expect(result.loaded).toBe(12);
    expect(result.rejects).toEqual([{ line: 11, reason: 'not an audit record (type=… msg=audit(time:serial): …)' }]);
    // Events 502 and 505 have no EOE: they are written when a later event ends them, or when the file ends.
    expect(result.events.map((e) => e.process)).toEqual(['/usr/bin/curl', '/tmp/my tool', '/usr/bin/python3.11']);
    expect(result.events[0]).toMatchObject({
      ts: 1714564800123000,
      kind: 'flow',
      process: '/usr/bin/curl',
      process_id: 4242,
      dst_ip: '149.154.167.220',
      dst_port: 443,
      command_line: 'curl -s -o /tmp/x https://api.telegram.org',
      src_host: null,
    });
    expect(JSON.parse(result.events[0].extra!)).toMatchObject({
      syscall: 'connect',
      success: 'no',
      exit: '-115',
      comm: 'curl',
      uid: '1000',
    });
    expect(result.events[1]).toMatchObject({
      kind: 'flow',
      src_host: 'web01',
      process: '/tmp/my tool',
      process_id: 733,
      src_user: 'unset',
      dst_ip: '2001:4860:4860::8888',
      dst_port: 53,
    });
    expect(result.raw.get('auditd_other')!.map((r) => r.type)).toEqual(['SYSCALL', 'SOCKADDR', 'USER_LOGIN']);
  });

  it('decodes IPv4 and IPv6 sockaddrs and ignores local ones', () => {
    expect(decodeSockaddr('020001BB959AA7DC0000000000000000')).toEqual({ ip: '149.154.167.220', port: 443 });
    expect(decodeSockaddr('0A000035000000002001486048600000000000000000888800000000')).toEqual({ ip: '2001:4860:4860::8888', port: 53 });
    expect(decodeSockaddr('01002F72756E')).toBeNull();
    expect(decodeSockaddr('zz')).toBeNull();
  });
});

describe('osquery', () => {
  it('is recognised by content', () => {
    expect(chooseAdapter(OSQUERY, ALL_ADAPTERS)?.adapter.id).toBe('osquery-results');
  });

  it('differential, snapshot and batched results: sockets become flows, DNS lookups dns events, the rest raw rows', () => {
    const result = feedLines(osqueryAdapter, OSQUERY);
    expect(result.rejects.map((r) => r.line)).toEqual([5, 6]);
    expect(result.events.map((e) => e.kind)).toEqual(['flow', 'flow', 'dns']);
    expect(result.events[0]).toMatchObject({
      ts: 1714564799000000,
      src_host: 'mac-anna',
      src_ip: '10.0.0.9',
      src_port: 53211,
      dst_ip: '162.125.1.15',
      dst_port: 443,
      protocol: 'tcp',
      process: '/Applications/Updater.app/Contents/MacOS/Updater',
      process_id: 4242,
    });
    expect(result.events[1]).toMatchObject({
      src_host: 'srv-linux-2',
      process: '/usr/bin/python3.11',
      command_line: 'python3 /opt/agent.py',
      conn_state: 'ESTABLISHED',
    });
    expect(result.events[2]).toMatchObject({
      kind: 'dns',
      src_host: 'WIN-7',
      dns_query: 'discord.com',
      dst_host: 'discord.com',
      process: 'C:\\Users\\Public\\svc.exe',
      src_user: 'CORP\\bob',
      dns_answers: '162.159.135.232;162.159.136.232',
    });
    expect(result.raw.get('osquery_other')!.map((r) => r.action)).toEqual(['added', 'snapshot', 'removed']);
  });

  it('attributes a proxy request to the process of the osquery connection, as with Sysmon', async () => {
    const flows = feedLines(osqueryAdapter, OSQUERY).events.slice(0, 1);
    const wire: EventRecord[] = [
      { ts: 1714564790000000, kind: 'dns', src_ip: '10.0.0.9', dns_query: 'content.dropboxapi.com', dns_answers: '162.125.1.15' },
      { ts: 1714564801000000, kind: 'proxy', src_ip: '10.0.0.9', dst_host: 'content.dropboxapi.com', duration: 1 },
    ];
    const engine = await NativeEngine.open();
    await engine.exec(canonicalDdl());
    const records = [...flows, ...wire];
    const columns = Object.fromEntries(
      EVENT_COLUMNS.map((c) => [c.name, records.map((r) => (r as unknown as Record<string, unknown>)[c.name] ?? null)]),
    );
    await engine.append('events', columns, Object.fromEntries(EVENT_COLUMNS.map((c) => [c.name, c.type])));
    expect(await enrichEvents(engine)).toMatchObject({ 'passive-dns': 1, 'endpoint-process': 1 });
    const [proxy] = await engine.all<{ process: string; process_origin: string }>(
      "SELECT process, process_origin FROM events WHERE kind = 'proxy'",
    );
    expect(proxy).toEqual({ process: '/Applications/Updater.app/Contents/MacOS/Updater', process_origin: 'endpoint-flow' });
    engine.close();
  });
});
