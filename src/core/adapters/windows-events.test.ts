import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_ADAPTERS } from './index.ts';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { sysmonFlatJsonAdapter, sysmonWinlogbeatAdapter, windowsWinlogbeat6Adapter } from './sysmon-json.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/sysmon/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => Date.parse(iso) * 1000;
const best = (head: string) => [...ALL_ADAPTERS].sort((a, b) => b.sniff(head) - a.sniff(head))[0];

describe('Windows event JSON with mixed channels', () => {
  it.each([
    ['nxlog-mixed.ndjson', 'sysmon-flat-json'],
    ['timecreated.ndjson', 'sysmon-flat-json'],
    ['winlogbeat6.ndjson', 'windows-winlogbeat6-ndjson'],
    ['winlogbeat8-security.ndjson', 'sysmon-winlogbeat-ndjson'],
  ])('%s is recognised among every format as %s, whatever its first record', (file, id) => {
    expect(best(fixture(file)).id).toBe(id);
    expect(best(fixture(file)).sniff(fixture(file))).toBeGreaterThan(0.8);
  });

  it('NXLog/Mordor: Sysmon and Security network events load with their process; other events go to windows_events', () => {
    const run = runAdapter(sysmonFlatJsonAdapter, fixture('nxlog-mixed.ndjson'));
    expect(run.rejected).toEqual([]);
    expect(run.loaded).toBe(9);
    expect(run.raw.map((r) => [r.table, r.row.event_id, r.row.channel])).toEqual([
      ['windows_events', '4104', 'Microsoft-Windows-PowerShell/Operational'],
      ['windows_events', '4688', 'Security'],
      ['windows_events', '7', 'Microsoft-Windows-Sysmon/Operational'],
    ]);
    expect(JSON.parse(run.raw[1].row.data!).NewProcessName).toBe('C:\\Windows\\System32\\cmd.exe');
    const [outbound, inbound, bind, proc, conn, dns] = run.events;
    expect(outbound).toMatchObject({
      kind: 'firewall', action: 'allow', src_host: 'WS07.corp.example', src_ip: '10.20.0.7', src_port: 50112,
      dst_ip: '203.0.113.50', dst_port: 8443, protocol: 'tcp', process_id: 6120,
      process: '\\device\\harddiskvolume2\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe',
      // Security events carry no UTC field of their own in NXLog exports: the collector's UTC @timestamp, not
      // the zoneless local EventTime.
      ts: utc('2024-05-01T14:00:03.500Z'),
    });
    // Inbound: Source is the remote client (as Windows writes it), the logging computer is the destination.
    expect(inbound).toMatchObject({ src_host: null, src_ip: '10.20.0.9', src_port: 51544, dst_ip: '10.20.0.7', dst_port: 445 });
    expect(extraOf(inbound).get('Computer')).toBe('WS07.corp.example');
    expect(bind).toMatchObject({ kind: 'firewall', action: 'bind', src_ip: '0.0.0.0', src_port: 5353, dst_ip: null, protocol: 'udp' });
    // Sysmon time is its own UtcTime, never the collector's @timestamp.
    expect(proc).toMatchObject({ kind: 'process', ts: utc('2024-05-01T14:00:05.120Z'), uid: '{aa11bb22-0000-0000-0001-000000000700}' });
    expect(conn).toMatchObject({ kind: 'flow', process: '<unknown process>', process_id: 6120, ts: utc('2024-05-01T14:00:06.250Z') });
    expect(extraOf(conn).get('ProcessGuid')).toBe('{aa11bb22-0000-0000-0001-000000000700}');
    expect(dns).toMatchObject({ kind: 'dns', dns_query: 'cdn.example.net' });
  });

  it('a zoneless TimeCreated is read at the UTC offset and kept for the windows-local-time correction', () => {
    const run = runAdapter(sysmonFlatJsonAdapter, fixture('timecreated-local.ndjson'), 60);
    expect(run.rejected).toEqual([]);
    const [security, sysmon] = run.events;
    expect(security.ts).toBe(utc('2024-05-01T09:00:01.634Z'));
    expect(extraOf(security).get('EnvelopeLocalTime')).toBe('2024-05-01T09:00:01.634Z');
    // Sysmon keeps its UtcTime, and the envelope's reading that tells the computer's offset.
    expect(sysmon.ts).toBe(utc('2024-05-01T14:00:01.630Z'));
    expect(extraOf(sysmon).get('EnvelopeLocalTime')).toBe('2024-05-01T09:00:01.700Z');
  });

  it('flattened with TimeCreated: the event\'s own UTC time, not @timestamp', () => {
    const run = runAdapter(sysmonFlatJsonAdapter, fixture('timecreated.ndjson'));
    expect(run.rejected).toEqual([]);
    expect(run.events).toHaveLength(1);
    expect(run.events[0]).toMatchObject({ ts: utc('2024-05-01T14:00:01.634Z'), process_id: 3428, dst_ip: '198.51.100.20', dst_port: 443 });
    expect(run.raw[0].row).toMatchObject({ event_id: '1102', time: '2024-05-01T14:00:00.493Z' });
  });

  it('Winlogbeat 6: event_data nested, computer_name, and a record without event_data read from its message', () => {
    const run = runAdapter(windowsWinlogbeat6Adapter, fixture('winlogbeat6.ndjson'));
    expect(run.rejected).toEqual([]);
    expect(run.events.map((e) => [e.kind, e.src_host, e.dst_ip, e.dst_port, e.src_port, e.process_id, e.ts])).toEqual([
      ['firewall', 'HR01.corp.example', '198.51.100.30', 443, 53095, 7924, utc('2024-05-01T14:00:02.000Z')],
      ['flow', 'HR01.corp.example', '198.51.100.30', 443, 53095, 7924, utc('2024-05-01T14:00:01.900Z')],
      ['flow', 'HR01.corp.example', '198.51.100.30', 443, 53096, 7924, utc('2024-05-01T14:00:03.100Z')],
    ]);
    expect(run.raw.map((r) => [r.row.event_id, r.row.channel])).toEqual([['400', 'Windows PowerShell']]);
  });

  it('Winlogbeat 8: Security 5156 under winlog.event_data, PowerShell kept raw', () => {
    const run = runAdapter(sysmonWinlogbeatAdapter, fixture('winlogbeat8-security.ndjson'));
    expect(run.rejected).toEqual([]);
    expect(run.events).toEqual([
      expect.objectContaining({ kind: 'firewall', dst_ip: '192.0.2.44', dst_port: 4444, process_id: 5120, src_host: 'WS09.corp.example' }),
    ]);
    expect(run.raw.map((r) => r.row.event_id)).toEqual(['4104']);
  });
});
