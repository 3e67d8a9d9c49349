import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { SYSMON_ADAPTERS } from './sysmon.ts';
import { parseQueryResults } from './sysmon-core.ts';
import { sysmonEvtxecmdCsvAdapter, sysmonPowershellCsvAdapter } from './sysmon-csv.ts';
import {
  sysmonEvtxecmdJsonAdapter,
  sysmonFlatJsonAdapter,
  sysmonJsonArrayAdapter,
  sysmonWinlogbeatAdapter,
} from './sysmon-json.ts';
import { decodeXmlText, sysmonLinuxSyslogAdapter, sysmonXmlAdapter } from './sysmon-xml.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/sysmon/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => Date.parse(iso) * 1000;

/** The adapter with the highest sniff score for a text. */
const bestAdapter = (head: string) =>
  [...SYSMON_ADAPTERS].sort((a, b) => b.sniff(head) - a.sniff(head))[0];

describe('sniffing picks the right Sysmon shape', () => {
  it.each([
    ['winlogbeat.ndjson', 'sysmon-winlogbeat-ndjson'],
    ['flat.ndjson', 'sysmon-flat-json'],
    ['evtxecmd.ndjson', 'sysmon-evtxecmd-json'],
    ['evtxecmd.csv', 'sysmon-evtxecmd-csv'],
    ['powershell.json', 'sysmon-powershell-json'],
    ['wevtutil.xml', 'sysmon-xml'],
    ['linux-syslog.log', 'sysmon-linux-syslog'],
  ])('%s → %s', (file, id) => {
    const head = fixture(file);
    expect(bestAdapter(head).id).toBe(id);
    expect(bestAdapter(head).sniff(head)).toBeGreaterThan(0.8);
  });

  it('scores unrelated text zero', () => {
    for (const adapter of SYSMON_ADAPTERS) expect(adapter.sniff('1521911721.411148\tCWbx1\t10.0.0.1\n')).toBe(0);
  });
});

describe('Winlogbeat NDJSON', () => {
  const run = runAdapter(sysmonWinlogbeatAdapter, fixture('winlogbeat.ndjson'));

  it('accounts for every line', () => {
    expect(run.loaded).toBe(4);
    expect(run.rejected.map((r) => r.recordNo)).toEqual([5, 6]);
    expect(run.rejected[0].reason).toMatch(/invalid JSON/);
    expect(run.rejected[1].reason).toBe('Sysmon event 3 has no DestinationIp or DestinationHostname');
    expect(run.meta).toBe(1); // the trailing newline
  });

  it('maps event 3 to a flow with the Sysmon fields', () => {
    const flow = run.events.find((e) => e.kind === 'flow')!;
    expect(flow).toMatchObject({
      ts: utc('2024-05-01T12:00:01.123Z'),
      src_host: 'WS042.corp.example',
      src_user: 'CORP\\alice',
      src_ip: '10.1.2.42',
      src_port: 51544,
      dst_ip: '162.159.135.232',
      dst_port: 443,
      dst_host: 'discord.com',
      dst_host_origin: 'sysmon',
      protocol: 'tcp',
      process: 'C:\\Users\\alice\\AppData\\Local\\Temp\\updater.exe',
      process_id: 4312,
    });
    const extra = extraOf(flow);
    expect(extra.get('ProcessGuid')).toBe('{6a1b2c3d-0001-6630-2a00-000000000700}');
    expect(extra.get('Initiated')).toBe('true');
    expect(Object.getPrototypeOf({})).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('maps event 22 to dns with a clean answer list', () => {
    const dns = run.events.find((e) => e.kind === 'dns')!;
    expect(dns).toMatchObject({
      ts: utc('2024-05-01T12:00:00.900Z'),
      dns_query: 'discord.com',
      dst_host: 'discord.com',
      dst_host_origin: 'dns-query',
      dns_rcode: 'NOERROR',
      dns_answers: 'discord.map.fastly.net,162.159.135.232,162.159.136.232',
      process: 'C:\\Users\\alice\\AppData\\Local\\Temp\\updater.exe',
      src_host: 'WS042.corp.example',
    });
  });

  it('maps event 1 to process and keeps other ids in windows_events', () => {
    const proc = run.events.find((e) => e.kind === 'process')!;
    expect(proc).toMatchObject({
      uid: '{6a1b2c3d-0001-6630-2a00-000000000700}',
      command_line: '"C:\\Users\\alice\\AppData\\Local\\Temp\\updater.exe" --silent',
      parent_process: 'C:\\Windows\\explorer.exe',
      process_id: 4312,
    });
    expect(extraOf(proc).get('ParentProcessGuid')).toBe('{6a1b2c3d-0001-6630-2900-000000000700}');
    expect(extraOf(proc).get('Hashes')).toMatch(/^SHA256=0A1B/);
    expect(run.raw).toHaveLength(1);
    expect(run.raw[0].table).toBe('windows_events');
    expect(run.raw[0].row).toMatchObject({ event_id: '7', computer: 'WS042.corp.example', image: 'C:\\Windows\\System32\\svchost.exe' });
    expect(JSON.parse(run.raw[0].row.data!).ImageLoaded).toBe('C:\\Windows\\System32\\winhttp.dll');
  });
});

describe('flattened JSON (NXLog)', () => {
  const run = runAdapter(sysmonFlatJsonAdapter, fixture('flat.ndjson'), 120);

  it('reads top-level Sysmon names and treats inbound connections as such', () => {
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([]);
    const [outbound, inbound] = run.events;
    expect(outbound).toMatchObject({
      ts: utc('2024-05-01T12:00:01.123Z'),
      src_host: 'WS042.corp.example',
      process: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      process_id: 4312,
      dst_ip: '149.154.167.220',
      dst_host: null,
      dst_host_origin: null,
    });
    // No UtcTime: the local EventTime at UTC+2 is used; the logging computer is the destination.
    expect(inbound).toMatchObject({ ts: utc('2024-05-01T12:05:00Z'), src_host: null, src_ip: '10.1.2.42', dst_port: 445 });
    expect(extraOf(inbound).get('Computer')).toBe('SRV-FILE01');
  });
});

describe('EvtxECmd', () => {
  it('CSV: Payload JSON, other providers kept raw, short rows rejected', () => {
    const run = runAdapter(sysmonEvtxecmdCsvAdapter, fixture('evtxecmd.csv'));
    expect(run.loaded).toBe(3);
    expect(run.rejected).toEqual([{ recordNo: 4, reason: 'row has 5 fields, header has 27' }]);
    expect(run.events.map((e) => e.kind)).toEqual(['flow', 'process']);
    expect(run.events[0]).toMatchObject({
      ts: utc('2024-05-01T12:00:01.123Z'),
      dst_host: 'api.telegram.org',
      dst_ip: '104.16.100.29',
      src_port: 51700,
      process: 'C:\\ProgramData\\svc\\rundll32.exe',
      src_host: 'WS042.corp.example',
    });
    expect(run.events[1]).toMatchObject({ command_line: 'rundll32.exe C:\\ProgramData\\svc\\a.dll,Start', process_id: 5100 });
    expect(run.raw[0].row).toMatchObject({ event_id: '4624', provider: 'Microsoft-Windows-Security-Auditing' });
    expect(run.raw[0].row.time).toBe('2024-05-01T12:01:00.000Z');
  });

  it('JSON lines: same mapping, damaged Payload rejected', () => {
    const run = runAdapter(sysmonEvtxecmdJsonAdapter, fixture('evtxecmd.ndjson'));
    expect(run.format).toBe('sysmon-evtxecmd-json');
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([{ recordNo: 3, reason: 'EvtxECmd Payload is not {"EventData":{"Data":[...]}} JSON' }]);
    expect(run.events[0]).toMatchObject({ dst_host: 'api.telegram.org', dst_port: 443, protocol: 'tcp' });
  });
});

describe('PowerShell exports', () => {
  it('ConvertTo-Json: Properties in documented order, Message when present, truncated tail rejected', () => {
    const run = runAdapter(sysmonJsonArrayAdapter, fixture('powershell.json'));
    expect(run.format).toBe('sysmon-powershell-json');
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([
      { recordNo: 3, reason: 'event 3 has 2 Properties, Sysmon documents 18' },
      { recordNo: 4, reason: 'truncated JSON record' },
    ]);
    const [flow, dns] = run.events;
    expect(flow).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-01T12:00:01.123Z'),
      src_host: 'WS042.corp.example',
      process: 'C:\\Users\\bob\\AppData\\Roaming\\sync\\gdrive.exe',
      process_id: 4312,
      src_user: 'CORP\\bob',
      src_ip: '10.1.2.43',
      src_port: 51800,
      dst_ip: '142.250.74.42',
      dst_host: 'www.googleapis.com',
      dst_port: 443,
    });
    expect(extraOf(flow).get('ProcessGuid')).toBe('6a1b2c3d-0001-6630-2a00-000000000700');
    expect(dns).toMatchObject({ kind: 'dns', dns_query: 'www.googleapis.com', dns_rcode: 'NXDOMAIN', dns_answers: null, src_host: 'WS043.corp.example' });
  });

  it('Export-Csv in UTF-16LE with BOM and CRLF: Message fields, multi-line quoted cells', () => {
    const bytes = readFileSync(new URL('./fixtures/sysmon/powershell-utf16.csv', import.meta.url));
    const text = new TextDecoder('utf-16le').decode(bytes);
    expect(sysmonPowershellCsvAdapter.sniff(text.replace(/^\uFEFF/, ''))).toBeGreaterThan(0.9);
    const run = runAdapter(sysmonPowershellCsvAdapter, text, 120);
    expect(run.loaded).toBe(2);
    expect(run.rejected).toHaveLength(1);
    expect(run.rejected[0]).toMatchObject({ recordNo: 3 });
    expect(run.rejected[0].reason).toMatch(/^CSV: /);
    expect(run.events[0]).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-01T12:00:01.123Z'),
      src_host: 'WS044.corp.example',
      dst_host: 'api.github.com',
      dst_ip: '140.82.112.4',
      process: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      src_user: 'CORP\\carol',
    });
    expect(run.events[1]).toMatchObject({
      kind: 'process',
      command_line: 'powershell.exe -nop -w hidden -c "iwr https://api.github.com/repos/x/y/issues"',
      parent_process: 'C:\\Windows\\explorer.exe',
    });
  });
});

describe('Windows event XML', () => {
  const run = runAdapter(sysmonXmlAdapter, fixture('wevtutil.xml'));

  it('decodes entities and counts malformed and truncated events', () => {
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([
      { recordNo: 3, reason: 'malformed event XML: unexpected </Data>' },
      { recordNo: 4, reason: 'truncated <Event> element (no closing tag)' },
    ]);
    expect(run.events[0]).toMatchObject({
      kind: 'process',
      ts: utc('2024-05-01T11:57:00.004Z'),
      src_host: 'WS045.corp.example',
      command_line: 'cmd.exe /c "curl -s https://pastebin.com/raw/AbC && echo <done> AB"',
      uid: '{6a1b2c3d-0001-6630-2d00-000000000700}',
    });
    expect(run.events[1]).toMatchObject({ kind: 'dns', dns_query: 'pastebin.com', dns_answers: '104.20.67.143,172.67.34.170' });
  });

  it('rejects unknown entities and bare ampersands', () => {
    expect(decodeXmlText('a &amp; b &#x263A;')).toBe('a & b ☺');
    expect(() => decodeXmlText('&nbsp;')).toThrow(/unknown entity/);
    expect(() => decodeXmlText('a & b')).toThrow(/bare/);
  });
});

describe('Sysmon for Linux syslog', () => {
  it('reads the XML in each line', () => {
    const run = runAdapter(sysmonLinuxSyslogAdapter, fixture('linux-syslog.log'));
    expect(run.loaded).toBe(1);
    expect(run.rejected.map((r) => r.reason)).toEqual([
      'malformed event XML: bare "&" in text',
      'syslog line without an <Event> XML document',
    ]);
    expect(run.events[0]).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-01T12:00:01.123Z'),
      src_host: 'web01',
      process: '/usr/bin/curl',
      src_user: 'www-data',
      dst_ip: '151.101.1.69',
      dst_host: null,
      src_port: 40522,
    });
  });
});

describe('parseQueryResults', () => {
  it('drops type prefixes and IPv4-mapped prefixes', () => {
    expect(parseQueryResults('type:  5 edge.example.com;::ffff:13.107.1.1;')).toBe('edge.example.com,13.107.1.1');
    expect(parseQueryResults('2606:4700::6810:1;')).toBe('2606:4700::6810:1');
    expect(parseQueryResults('-')).toBeNull();
  });
});
