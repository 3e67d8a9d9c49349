import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { panTime, squidTime, sysmonUtcTime, windowsDnsTime, zeekTime } from './clock.ts';
import { generateScenario } from './scenario.ts';
import { INVENTORY_COLUMNS } from './writers/inventory.ts';
import { PAN_COLUMNS } from './writers/paloalto.ts';
import { wireName } from './writers/windows-dns.ts';

const scenario = generateScenario({ seed: 11, hosts: 20, days: 1, incidents: 4, noise: 0.3 });
const file = (name: string): string => {
  const f = scenario.files.find((x) => x.name === name);
  if (!f) throw new Error(`missing ${name}`);
  return f.text;
};
const dataLines = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('time formats', () => {
  const us = Date.UTC(2024, 4, 1, 11, 0, 1, 234) * 1000 + 567;
  it('render explicitly, without locale', () => {
    expect(zeekTime(us)).toBe('1714561201.234567');
    expect(squidTime(us)).toBe('1714561201.234');
    expect(sysmonUtcTime(us)).toBe('2024-05-01 11:00:01.234');
    expect(windowsDnsTime(us, 120)).toBe('5/1/2024 1:00:01 PM');
    expect(windowsDnsTime(us - 11 * 3600e6, 0)).toBe('5/1/2024 12:00:01 AM');
    expect(panTime(us, -300)).toBe('2024/05/01 06:00:01');
  });
  it('encodes DNS names in wire form', () => {
    expect(wireName('api.telegram.org')).toBe('(3)api(8)telegram(3)org(0)');
  });
});

describe('Zeek TSV', () => {
  for (const path of ['conn', 'dns', 'http', 'ssl']) {
    it(`${path}.log has the header block, matching field counts and #close`, () => {
      const text = file(`zeek/${path}.log`);
      const lines = text.split('\n');
      expect(lines[0]).toBe('#separator \\x09');
      expect(lines[4]).toBe(`#path\t${path}`);
      const fields = lines.find((l) => l.startsWith('#fields\t'))!.split('\t').slice(1);
      const types = lines.find((l) => l.startsWith('#types\t'))!.split('\t').slice(1);
      expect(fields.length).toBe(types.length);
      expect(fields.slice(0, 6)).toEqual(['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p']);
      expect(lines.at(-2)).toMatch(/^#close\t\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/);
      const rows = dataLines(text);
      expect(rows.length).toBeGreaterThan(0);
      let previous = 0;
      for (const row of rows) {
        const cells = row.split('\t');
        expect(cells.length).toBe(fields.length);
        expect(cells[0]).toMatch(/^\d{10}\.\d{6}$/);
        expect(Number(cells[0])).toBeGreaterThanOrEqual(previous);
        previous = Number(cells[0]);
      }
    });
  }

  it('ssl rows carry the SNI and conn rows the byte counts', () => {
    const ssl = dataLines(file('zeek/ssl.log')).map((l) => l.split('\t'));
    expect(ssl.filter((c) => c[9] === 'presence.teams.microsoft.com').length).toBeGreaterThan(0);
    const conn = dataLines(file('zeek/conn.log')).map((l) => l.split('\t'));
    expect(conn.every((c) => /^\d+$/.test(c[9]) && /^\d+$/.test(c[10]))).toBe(true);
  });
});

describe('Zeek JSON', () => {
  it('has one object per line with dotted id keys and a numeric ts', () => {
    const tsv = dataLines(file('zeek/dns.log'));
    const json = file('zeek-json/dns.json').trim().split('\n').map((l) => JSON.parse(l));
    expect(json.length).toBe(tsv.length);
    expect(typeof json[0].ts).toBe('number');
    expect(json[0]['id.orig_h']).toMatch(/^10\./);
    expect(json[0].id).toBeUndefined();
    expect(Array.isArray(json[0].answers)).toBe(true);
  });
});

describe('proxy logs', () => {
  it('Squid native lines have 10 fields and HTTPS appears as CONNECT host:443', () => {
    const lines = dataLines(file('proxy/access.log'));
    for (const l of lines) expect(l.trim().split(/\s+/).length).toBe(10);
    const connect = lines.filter((l) => l.includes(' CONNECT '));
    expect(connect.length).toBeGreaterThan(lines.length / 2);
    expect(connect[0]).toMatch(/^\d{10}\.\d{3} +\d+ 10\.\S+ TCP_TUNNEL\/200 \d+ CONNECT \S+:443 \S+ HIER_DIRECT\/\S+ -$/);
  });

  it('W3C log declares its fields and every row has that many values', () => {
    const text = file('proxy/proxysg-main.log');
    expect(text.startsWith('#Software: SGOS')).toBe(true);
    const fields = text.split('\n').find((l) => l.startsWith('#Fields: '))!.slice(9).split(' ');
    expect(fields).toContain('cs-host');
    expect(fields).toContain('cs(User-Agent)');
    for (const row of dataLines(text)) {
      const values = row.match(/"[^"]*"|\S+/g)!;
      expect(values.length).toBe(fields.length);
    }
    const https = dataLines(text).find((l) => l.includes(' https presence.teams.microsoft.com 443 /v1/me/endpoints/ '));
    expect(https).toBeDefined();
  });
});

describe('Sysmon (Winlogbeat ECS NDJSON)', () => {
  it('has events 1, 3 and 22 with event_data strings and host.name', () => {
    const events = file('sysmon/winlogbeat-sysmon.ndjson').trim().split('\n').map((l) => JSON.parse(l));
    const ids = new Set(events.map((e) => e.winlog.event_id));
    expect([...ids].sort()).toEqual(['1', '22', '3']);
    for (const e of events) {
      expect(e['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(typeof e.host.name).toBe('string');
      expect(typeof e.winlog.event_data.Image).toBe('string');
    }
    const net = events.find((e) => e.winlog.event_id === '3');
    expect(net.winlog.event_data.DestinationPort).toMatch(/^\d+$/);
    const dns = events.find((e) => e.winlog.event_id === '22');
    expect(dns.winlog.event_data.QueryResults).toMatch(/^(::ffff:[\d.]+;)+$/);
  });
});

describe('Windows DNS debug log', () => {
  it('has the key header and Rcv/Snd packet lines with local 12-hour times', () => {
    const name = scenario.files.find((f) => f.name.startsWith('windows-dns/'))!.name;
    const text = file(name);
    expect(text.startsWith('DNS Server log file creation at ')).toBe(true);
    expect(text).toContain('Message logging key');
    const packets = text.split('\r\n').filter((l) => l.includes(' PACKET '));
    expect(packets.length).toBeGreaterThan(0);
    for (const l of packets) {
      expect(l).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M [0-9A-F]{4} PACKET {2}[0-9A-F]{16} UDP (Rcv|Snd) 10\.[\d.]+ +[0-9a-f]{4} [ R] Q \[[0-9A-F]{4} +[DR]+ +NOERROR\] A +(\(\d+\)[a-z0-9-]+)+\(0\)$/);
    }
  });
});

describe('Palo Alto traffic CSV', () => {
  it('has the export header and full rows', () => {
    const parsed = Papa.parse<string[]>(file('firewall/paloalto-traffic.csv').trim());
    const [header, ...rows] = parsed.data;
    expect(header).toEqual(PAN_COLUMNS);
    expect(rows.length).toBeGreaterThan(0);
    const col = (name: string): number => header.indexOf(name);
    for (const r of rows) {
      expect(r.length).toBe(header.length);
      expect(r[col('Receive Time')]).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(Number(r[col('Bytes')])).toBe(Number(r[col('Bytes Sent')]) + Number(r[col('Bytes Received')]));
    }
  });
});

describe('asset inventory', () => {
  it('has the inventory columns and one row per listed host', () => {
    const [header, ...rows] = Papa.parse<string[]>(scenario.inventoryCsv.trim()).data;
    expect(header).toEqual(INVENTORY_COLUMNS);
    expect(rows.length).toBe(20 - scenario.answerKey.organisation.hosts_missing_from_inventory.length);
    expect(rows.some((r) => r[2] === 'domain-controller')).toBe(true);
  });
});
