import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyMatch, guessInventoryMapping, inventoryToRows, mergeInventories, parseInventoryCsv } from './inventory.ts';

describe('classifyMatch', () => {
  it('canonicalises IPs, CIDRs and host names', () => {
    expect(classifyMatch('10.1.2.3')).toEqual({ match: '10.1.2.3', match_kind: 'ip', ip_bits: null });
    expect(classifyMatch('10.1.2.3/16')).toEqual({ match: '10.1.0.0/16', match_kind: 'cidr', ip_bits: null });
    expect(classifyMatch('0.0.0.0/0')?.match).toBe('0.0.0.0/0');
    expect(classifyMatch('2001:DB8::1')).toMatchObject({ match: '2001:db8::1', match_kind: 'ip' });
    expect(classifyMatch('2001:db8:10::/48')).toMatchObject({ match: '2001:db8:10::/48', match_kind: 'cidr' });
    expect(classifyMatch('2001:db8:10::/48')?.ip_bits).toHaveLength(48);
    expect(classifyMatch('WS-01.Corp.Example.org.')).toEqual({ match: 'ws-01.corp.example.org', match_kind: 'host', ip_bits: null });
    for (const bad of ['10.1.2.3/33', '300.1.1.1/8', '::1/129', 'not a host', "'); DROP TABLE events; --"]) expect(classifyMatch(bad), bad).toBeNull();
  });
});

describe('parseInventoryCsv', () => {
  it('guesses the mapping from header names and emits one entry per IP and host column', () => {
    const text = readFileSync(new URL('./data/example-inventory.csv', import.meta.url), 'utf8');
    const { entries, issues, mapping } = parseInventoryCsv(text, { source: 'example-inventory.csv' });
    expect(issues).toEqual([]);
    expect(mapping).toEqual({ match: ['IP Address', 'Hostname'], role: 'Role', os: 'Operating System', business_unit: 'Business Unit', owner: 'Owner', criticality: 'Criticality' });
    expect(entries).toHaveLength(15); // 5 rows with IP and host name, 5 with one key
    const dc = entries.filter((e) => e.source === 'example-inventory.csv:4');
    expect(dc.map((e) => [e.match_kind, e.match])).toEqual([['ip', '10.10.5.10'], ['host', 'dc01.corp.example.org']]);
    expect(dc[0]).toMatchObject({ role: 'domain-controller', business_unit: 'IT Infrastructure', criticality: 'critical' });
    // The IP entry carries the row's host name, so sources seen only by IP can be named.
    expect(dc[0].hostname).toBe('dc01.corp.example.org');
    expect(dc[1].hostname).toBeUndefined();
  });

  it('names IP entries only from a host name on the same row', () => {
    const { entries } = parseInventoryCsv('ip,hostname,role\n10.0.0.5,WS05,workstation\n10.0.0.6,,server\n10.0.1.0/24,LAB,lab\n', { source: 'a.csv' });
    expect(entries.map((e) => [e.match_kind, e.match, e.hostname === undefined ? '-' : e.hostname])).toEqual([
      ['ip', '10.0.0.5', 'ws05'], ['host', 'ws05', '-'], ['ip', '10.0.0.6', null], ['cidr', '10.0.1.0/24', '-'], ['host', 'lab', '-'],
    ]);
  });

  it('takes an explicit mapping, reports unusable rows by line and bounds long values', () => {
    const text = 'Asset,Kind,Dept\n10.0.0.9,Server,Ops\nnot/an/ip,Server,Ops\n,Server,Ops\n10.0.0.10,' + 'x'.repeat(5000) + ',Ops\n';
    const { entries, issues } = parseInventoryCsv(text, { source: 'cmdb.csv', mapping: { match: ['Asset'], role: 'Kind', business_unit: 'Dept' } });
    expect(entries.map((e) => e.match)).toEqual(['10.0.0.9', '10.0.0.10']);
    expect(entries[1].role).toHaveLength(256);
    expect(issues).toEqual(["cmdb.csv line 3: 'not/an/ip' is not an IP, CIDR or host name", 'cmdb.csv line 4: no IP, CIDR or host name']);
    expect(guessInventoryMapping(['foo', 'bar']).match).toEqual([]);
    expect(parseInventoryCsv('foo,bar\n1,2', { source: 'x.csv' }).issues[0]).toMatch(/no IP\/CIDR\/host column/);
  });
});

describe('mergeInventories', () => {
  it('lets later inventories win per key, field by field, and says what changed', () => {
    const first = parseInventoryCsv('ip,role,owner,bu\n10.0.0.5,workstation,alice,Sales\n10.0.0.6,server,bob,IT', { source: 'a.csv' }).entries;
    const second = parseInventoryCsv('ip,role,owner\n10.0.0.5,kiosk,\n10.0.0.7,printer,carol', { source: 'b.csv' }).entries;
    const { entries, overrides } = mergeInventories([first, second]);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ match: '10.0.0.5', role: 'kiosk', owner: 'alice', business_unit: 'Sales', source: 'b.csv:2' });
    expect(overrides).toEqual(['10.0.0.5: role from b.csv:2 replace a.csv:2']);
  });

  it('lets a later inventory rename an IP and keeps the earlier name when it gives none', () => {
    const first = parseInventoryCsv('ip,hostname,role\n10.0.0.5,ws05,workstation\n10.0.0.6,srv06,server', { source: 'a.csv' }).entries;
    const second = parseInventoryCsv('ip,hostname,role\n10.0.0.5,ws05-new,\n10.0.0.6,,kiosk', { source: 'b.csv' }).entries;
    const { entries, overrides } = mergeInventories([first, second]);
    const ips = entries.filter((e) => e.match_kind === 'ip');
    expect(ips.map((e) => [e.match, e.hostname, e.role])).toEqual([['10.0.0.5', 'ws05-new', 'workstation'], ['10.0.0.6', 'srv06', 'kiosk']]);
    expect(overrides).toContain('10.0.0.5: hostname from b.csv:2 replace a.csv:2');
  });
});

describe('inventoryToRows', () => {
  it('writes the host name of IP entries, taking it from the same row when an entry lacks the field', () => {
    const { entries } = parseInventoryCsv('ip,hostname,role\n10.0.0.5,ws05,workstation\n10.0.0.6,,server', { source: 'a.csv' });
    const restored = entries.map(({ hostname: _hostname, ...rest }) => rest);
    for (const list of [entries, restored]) {
      const rows = inventoryToRows(list);
      expect(rows.columns.hostname).toEqual(['ws05', null, null]);
      expect(rows.types.hostname).toBe('VARCHAR');
    }
  });
});
