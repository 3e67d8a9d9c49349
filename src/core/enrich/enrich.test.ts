import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../../engine/native-engine.ts';
import { canonicalDdl, EVENT_COLUMNS, type EventRecord } from '../canonical.ts';
import { enrichEvents } from './enrich.ts';
import { awsRoute53ResolverAdapter } from '../adapters/aws-route53-resolver.ts';
import { awsVpcFlowAdapter } from '../adapters/aws-vpc-flow.ts';
import { ecsNdjsonAdapter } from '../adapters/ecs.ts';
import { umbrellaAdapter } from '../adapters/umbrella.ts';
import { runAdapter } from '../adapters/fixtures/run-adapter.ts';
import { readFileSync } from 'node:fs';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0) * 1000;
const s = (seconds: number) => T0 + seconds * 1e6;

async function engineWith(records: (EventRecord & { source_file?: string; source_format?: string })[]): Promise<NativeEngine> {
  const engine = await NativeEngine.open();
  await engine.exec(canonicalDdl());
  const columns: Record<string, unknown[]> = {};
  const types: Record<string, string> = {};
  for (const c of EVENT_COLUMNS) {
    columns[c.name] = records.map((r) => (r as unknown as Record<string, unknown>)[c.name] ?? null);
    types[c.name] = c.type;
  }
  await engine.append('events', columns, types);
  return engine;
}

describe('enrichEvents', () => {
  it('names flows through their TLS record and the client’s own DNS answers, attributes proxy lines to processes', async () => {
    const engine = await engineWith([
      { ts: s(0), kind: 'flow', src_ip: '10.0.0.5', dst_ip: '149.154.167.220', uid: 'C1' },
      { ts: s(0.2), kind: 'tls', src_ip: '10.0.0.5', dst_ip: '149.154.167.220', dst_host: 'API.Telegram.org.', dst_host_origin: 'sni', uid: 'C1' },
      { ts: s(10), kind: 'dns', src_ip: '10.0.0.7', dns_query: 'content.dropboxapi.com', dns_answers: '162.125.1.14,162.125.1.15' },
      { ts: s(11), kind: 'flow', src_ip: '10.0.0.7', dst_ip: '162.125.1.15' },
      { ts: s(12), kind: 'flow', src_ip: '10.0.0.8', dst_ip: '162.125.1.15' },
      { ts: s(4000), kind: 'flow', src_ip: '10.0.0.7', dst_ip: '162.125.1.14' },
      { ts: s(20), kind: 'flow', src_ip: '10.0.0.9', dst_host: 'discord.com', process: 'C:\\Users\\Public\\svc.exe', process_id: 4242, src_user: 'CORP\\bob' },
      { ts: s(22.5), kind: 'proxy', src_ip: '10.0.0.9', dst_host: 'discord.com', duration: 1.5, url_path: '/api/webhooks/1/x' },
      { ts: s(22.5), kind: 'proxy', src_ip: '10.0.0.10', dst_host: 'discord.com', duration: 1.5 },
      { ts: s(60), kind: 'proxy', src_ip: '10.0.0.9', dst_host: 'discord.com', duration: 0 },
    ]);
    const changed = await enrichEvents(engine);
    expect(changed).toEqual({ 'windows-local-time': 0, 'uid-link': 1, 'passive-dns': 1, 'endpoint-process': 1, 'process-start': 0, 'sni-certificate': 0, 'sni-subject': 0, 'process-parent': 0 });
    const rows = await engine.all<{ kind: string; src_ip: string; dst_host: string | null; dst_host_origin: string | null; process: string | null; process_origin: string | null; src_user: string | null }>(
      'SELECT kind, src_ip, dst_host, dst_host_origin, process, process_origin, src_user FROM events ORDER BY ts, src_ip',
    );
    expect(rows[0]).toMatchObject({ kind: 'flow', dst_host: 'api.telegram.org', dst_host_origin: 'uid-link' });
    expect(rows.find((r) => r.src_ip === '10.0.0.7' && r.kind === 'flow')).toMatchObject({ dst_host: 'content.dropboxapi.com', dst_host_origin: 'passive-dns' });
    // Another client's connection, and one more than an hour after the lookup, stay unnamed.
    expect(rows.filter((r) => r.kind === 'flow' && r.dst_host === null)).toHaveLength(2);
    const proxy = rows.filter((r) => r.kind === 'proxy');
    // Ordered by time, then client: 10.0.0.10 sorts before 10.0.0.9 as text.
    expect(proxy[0]).toMatchObject({ src_ip: '10.0.0.10', process: null });
    expect(proxy[1]).toMatchObject({ src_ip: '10.0.0.9', process: 'C:\\Users\\Public\\svc.exe', process_origin: 'endpoint-flow', src_user: 'CORP\\bob' });
    // A request a minute after the endpoint connection is not attributed to it.
    expect(proxy[2]).toMatchObject({ src_ip: '10.0.0.9', process: null });
    // A second run finds nothing left to do.
    expect(await enrichEvents(engine)).toEqual({ 'windows-local-time': 0, 'uid-link': 0, 'passive-dns': 0, 'endpoint-process': 0, 'process-start': 0, 'sni-certificate': 0, 'sni-subject': 0, 'process-parent': 0 });
    engine.close();
  });

  it('names Sysmon events of an <unknown process> from the process start with the same ProcessGuid, else host and ProcessId', async () => {
    const guid = '{aa11bb22-0000-0000-0001-000000000700}';
    const engine = await engineWith([
      { ts: s(0), kind: 'process', src_host: 'WS07.corp.example', process: 'C:\\Tools\\agent.exe', process_id: 6120, uid: guid },
      { ts: s(5), kind: 'process', src_host: 'WS07.corp.example', process: 'C:\\Windows\\notepad.exe', process_id: 812, uid: '{other}' },
      // Same guid: named even though the ProcessId was reused by notepad.
      { ts: s(10), kind: 'flow', src_host: 'WS07.corp.example', process: '<unknown process>', process_id: 812, dst_ip: '203.0.113.50', extra: JSON.stringify({ ProcessGuid: guid }) },
      // No guid: the latest start of that ProcessId on that host.
      { ts: s(11), kind: 'dns', src_host: 'ws07.corp.example', process: '<unknown process>', process_id: 812, dns_query: 'x.example' },
      // Another host's ProcessId 812, and a ProcessId that started after the event, stay unknown.
      { ts: s(12), kind: 'flow', src_host: 'WS08.corp.example', process: '<unknown process>', process_id: 812, dst_ip: '203.0.113.50' },
      { ts: s(1), kind: 'flow', src_host: 'WS07.corp.example', process: '<unknown process>', process_id: 812, dst_ip: '203.0.113.50' },
    ]);
    expect((await enrichEvents(engine))['process-start']).toBe(2);
    const rows = await engine.all<{ ts: number; process: string; process_origin: string | null }>(
      "SELECT process, process_origin FROM events WHERE kind <> 'process' ORDER BY ts",
    );
    expect(rows.map((r) => [r.process, r.process_origin])).toEqual([
      ['<unknown process>', null],
      ['C:\\Tools\\agent.exe', 'process-start'],
      ['C:\\Windows\\notepad.exe', 'process-start'],
      ['<unknown process>', null],
    ]);
    engine.close();
  });

  it('judges whether the server certificate names the SNI from the x509 log, as newer Zeek writes sni_matches_cert', async () => {
    const tls = (at: number, sni: string, extra: Record<string, unknown>): EventRecord => ({
      ts: s(at), kind: 'tls', src_ip: '10.0.2.15', dst_ip: '198.51.100.7', dst_host: sni, dst_host_origin: 'sni', extra: JSON.stringify(extra),
    });
    const engine = await engineWith([
      // The Slips test9 shape: a Microsoft certificate served for netflix.com.
      tls(0, 'www.netflix.com', { cert_chain_fuids: ['F-ms', 'F-ca'] }),
      // A wildcard covers one label; TSV logs keep the chain as text.
      tls(1, 'ssl.gstatic.com', { cert_chain_fuids: 'F-google,F-ca' }),
      tls(2, 'a.b.gstatic.com', { cert_chain_fuids: ['F-google'] }),
      // Zeek already said so; a bare-address SNI and a certificate the x509 log lacks are not judged.
      tls(3, 'api.example.org', { cert_chain_fuids: ['F-ms'], sni_matches_cert: 'T' }),
      tls(4, '198.51.100.7', { cert_chain_fuids: ['F-ms'] }),
      tls(5, 'cdn.example.net', { cert_chain_fuids: ['F-unknown'] }),
    ]);
    await engine.exec(`CREATE TABLE raw_zeek_x509 (id VARCHAR, certificate_subject VARCHAR, san_dns VARCHAR);
      INSERT INTO raw_zeek_x509 VALUES ('F-ms', 'CN=www.microsoft.com,O=Microsoft Corporation', 'www.microsoft.com,microsoft.com'),
        ('F-google', 'CN=*.google.com,O=Google LLC', '*.google.com,*.gstatic.com'), ('F-ca', 'CN=Some CA', NULL)`);
    expect((await enrichEvents(engine))['sni-certificate']).toBe(3);
    const rows = await engine.all<{ matches: string | null }>("SELECT json_extract_string(extra, '$.sni_matches_cert') AS matches FROM events ORDER BY ts");
    expect(rows.map((r) => r.matches)).toEqual(['false', 'true', 'false', 'T', null, null]);
    engine.close();
  });

  it('gives Sysmon and Security network events their parent image from the process start of the same ProcessGuid, else ProcessId and image', async () => {
    // The Log4Shell case (OTRF Security Datasets): Tomcat starts PowerShell, whose Sysmon 3 and Security 5156 name no parent.
    const tomcat = 'C:\\ProgramData\\chocolatey\\lib\\Tomcat\\tools\\apache-tomcat-9.0.62\\bin\\tomcat9.exe';
    const powershell = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
    const guid = '{f3329a35-1cb0-627e-f916-000000000600}';
    const engine = await engineWith([
      { ts: s(0), kind: 'process', src_host: 'WORKSTATION5', process: powershell, process_id: 2084, parent_process: tomcat, uid: guid },
      { ts: s(1), kind: 'flow', src_host: 'WORKSTATION5', process: powershell, process_id: 2084, dst_ip: '192.168.3.5', extra: JSON.stringify({ ProcessGuid: guid }) },
      // Security 5156: no guid, the application as a device path; the same ProcessId and image name on the same computer.
      { ts: s(1), kind: 'firewall', src_host: 'workstation5', process: '\\device\\harddiskvolume2\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe', process_id: 2084, dst_ip: '192.168.3.5' },
      // The same ProcessId reused by another image, another computer, and a connection before the start learn nothing.
      { ts: s(2), kind: 'flow', src_host: 'WORKSTATION5', process: 'C:\\Windows\\notepad.exe', process_id: 2084, dst_ip: '192.168.3.5' },
      { ts: s(2), kind: 'flow', src_host: 'WORKSTATION6', process: powershell, process_id: 2084, dst_ip: '192.168.3.5' },
      { ts: s(-1), kind: 'flow', src_host: 'WORKSTATION5', process: powershell, process_id: 2084, dst_ip: '169.254.169.254' },
    ]);
    expect((await enrichEvents(engine))['process-parent']).toBe(2);
    const rows = await engine.all<{ kind: string; parent_process: string | null }>(
      "SELECT kind, parent_process FROM events WHERE kind <> 'process' ORDER BY ts, kind, src_host, process",
    );
    expect(rows.map((r) => [r.kind, r.parent_process])).toEqual([
      ['flow', null],
      ['firewall', tomcat],
      ['flow', tomcat],
      ['flow', null],
      ['flow', null],
    ]);
    engine.close();
  });

  it('moves Windows events that had only a zoneless local time to UTC by their computer\'s Sysmon offset', async () => {
    const local = (iso: string) => JSON.stringify({ EnvelopeLocalTime: iso });
    const at = (iso: string) => Date.parse(iso) * 1000;
    const flat = { source_format: 'sysmon-flat-json' };
    const engine = await engineWith([
      // Sysmon on WS07: UtcTime 14:00:01.630, envelope 10:00:01.700 read as UTC → the host is 4 h behind UTC.
      { ...flat, ts: at('2024-05-01T14:00:01.630Z'), kind: 'flow', src_host: 'WS07', source_file: 'a.json', extra: local('2024-05-01T10:00:01.700Z') },
      { ...flat, ts: at('2024-05-01T10:00:01.634Z'), kind: 'flow', src_host: 'WS07', source_file: 'a.json', extra: local('2024-05-01T10:00:01.634Z') },
      // WS09 has no Sysmon event: the file's offset.
      { ...flat, ts: at('2024-05-01T10:00:05.000Z'), kind: 'flow', src_host: 'WS09', source_file: 'a.json', extra: local('2024-05-01T10:00:05.000Z') },
      // Another file with nothing to learn from stays as read.
      { ...flat, ts: at('2024-05-01T10:00:09.000Z'), kind: 'flow', src_host: 'WS11', source_file: 'b.json', extra: local('2024-05-01T10:00:09.000Z') },
      // The same text in another log's attacker-controlled field is no envelope time.
      { ts: at('2024-05-01T14:00:03.000Z'), kind: 'proxy', src_host: 'WS07', source_file: 'proxy.log', source_format: 'squid-native', extra: local('2024-05-01T10:00:03.000Z') },
    ]);
    expect((await enrichEvents(engine))['windows-local-time']).toBe(2);
    const rows = await engine.all<{ ts: string }>("SELECT strftime(ts, '%H:%M:%S.%g') AS ts FROM events ORDER BY src_host, ts");
    expect(rows.map((r) => r.ts)).toEqual(['14:00:01.630', '14:00:01.634', '14:00:03.000', '14:00:05.000', '10:00:09.000']);
    expect((await enrichEvents(engine))['windows-local-time']).toBe(0);
    engine.close();
  });

  it('names cloud flows from DNS logs of the same export, and ECS flows through their session id', async () => {
    const events = (adapter: Parameters<typeof runAdapter>[0], fixture: string) =>
      runAdapter(adapter, readFileSync(new URL(`../adapters/fixtures/${fixture}`, import.meta.url), 'utf8').trimEnd()).events;
    const engine = await engineWith([
      ...events(awsVpcFlowAdapter, 'aws/vpc-flow-v2-default.log'),
      ...events(awsRoute53ResolverAdapter, 'aws/route53-resolver.ndjson'),
      ...events(ecsNdjsonAdapter, 'ecs/filebeat-zeek.ndjson'),
    ]);
    const changed = await enrichEvents(engine);
    expect(changed['passive-dns']).toBeGreaterThan(0);
    const named = await engine.all<{ source: string; dst_host: string; dst_host_origin: string }>(
      `SELECT CASE WHEN uid IS NULL THEN 'vpc' ELSE 'ecs' END AS source, dst_host, dst_host_origin FROM events
       WHERE kind = 'flow' AND dst_ip = '149.154.167.220' AND src_ip IN ('10.0.1.25', '10.1.2.3') ORDER BY source`,
    );
    expect(named).toEqual([
      { source: 'ecs', dst_host: 'api.telegram.org', dst_host_origin: 'uid-link' },
      { source: 'vpc', dst_host: 'api.telegram.org', dst_host_origin: 'passive-dns' },
    ]);
    engine.close();
  });

  it('leaves flows unnamed by Umbrella DNS logs, which hold no answers, while Route 53 answers still name theirs', async () => {
    const events = (adapter: Parameters<typeof runAdapter>[0], fixture: string) =>
      runAdapter(adapter, readFileSync(new URL(`../adapters/fixtures/${fixture}`, import.meta.url), 'utf8').trimEnd()).events;
    const engine = await engineWith([
      ...events(umbrellaAdapter, 'cloud/umbrella-dns.csv'),
      // The Umbrella client (10.12.0.8 looked up api.telegram.org) connects to an address no log ties to a name.
      { ts: Date.UTC(2024, 4, 6, 10, 30, 1) * 1000, kind: 'flow', src_ip: '10.12.0.8', dst_ip: '149.154.167.220' },
      ...events(awsVpcFlowAdapter, 'aws/vpc-flow-v2-default.log'),
      ...events(awsRoute53ResolverAdapter, 'aws/route53-resolver.ndjson'),
    ]);
    await enrichEvents(engine);
    const flows = await engine.all<{ src_ip: string; dst_host: string | null }>(
      `SELECT src_ip, dst_host FROM events WHERE kind = 'flow' AND dst_ip = '149.154.167.220' ORDER BY src_ip`,
    );
    expect(flows).toEqual([
      { src_ip: '10.0.1.25', dst_host: 'api.telegram.org' },
      { src_ip: '10.12.0.8', dst_host: null },
    ]);
    engine.close();
  });
});
