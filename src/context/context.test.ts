import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { EVENT_COLUMNS, type EventRecord } from '../core/canonical.ts';
import { setVariables } from '../engine/sql-engine.ts';
import { catalogFromCsv, matchService, shippedCatalog } from './catalog.ts';
import { applyContext, refreshDerived, type ContextData } from './context.ts';
import { normalizeHost } from './host.ts';
import { parseInventoryCsv } from './inventory.ts';
import { parsePolicyCsv } from './policy.ts';
import { CONTEXT_SQL } from './sql-files.ts';
import { readContextSql } from './sql-files-node.ts';

const sql = readContextSql();
const catalog = shippedCatalog();
const T0 = 1_714_564_800_000_000;

/** Appends hand-made events (ts defaults to T0 + i seconds, kind to 'flow'). */
async function addEvents(engine: NativeEngine, rows: Partial<EventRecord>[]): Promise<void> {
  const columns: Record<string, unknown[]> = {};
  const types: Record<string, string> = {};
  for (const { name, type } of EVENT_COLUMNS) {
    const values = rows.map((r, i) => (name === 'ts' ? T0 + i * 1_000_000 : name === 'kind' ? (r.kind ?? 'flow') : (r as Record<string, unknown>)[name]));
    if (values.some((v) => v !== undefined)) {
      columns[name] = values;
      types[name] = type;
    }
  }
  await engine.append('events', columns, types);
}

const empty: ContextData = { catalog, inventories: [], policy: [] };
const inventory = (text: string, source = 'inv.csv') => {
  const parsed = parseInventoryCsv(text, { source });
  expect(parsed.issues).toEqual([]);
  return parsed.entries;
};

describe('SQL files', () => {
  it('are the same texts through Vite and through the Node loader', () => {
    expect(CONTEXT_SQL).toEqual(sql);
    expect(sql.hostRoles).toContain('DELETE FROM host_roles');
  });
});

describe('dst_services', () => {
  it('matches apex, deep subdomains, case, trailing dots, ports and punycode, not look-alikes; longest pattern wins', async () => {
    const engine = await NativeEngine.open();
    const withIdn = catalogFromCsv('service_id,name,category,entry,pattern\nmuenchen-drop,München Drop,file-share,host,xn--mnchen-3ya.example', catalog);
    expect(withIdn.issues).toEqual([]);
    const hosts = [
      'dropbox.com', 'A.B.C.Dropbox.COM', 'dropbox.com.', ' content.dropboxapi.com:443', 'dropbox.com.evil.io', 'evildropbox.com',
      'raw.githubusercontent.com', 'raw.githubusercontent.com.attacker.net', 'API.TELEGRAM.ORG', 'bbuseruploads.s3.amazonaws.com',
      'files.xn--mnchen-3ya.example', 'sub.evil.github.io', '10.1.2.3', 'example.org',
    ];
    await applyContext(engine, { ...empty, catalog: withIdn.catalog }, sql);
    await addEvents(engine, hosts.map((dst_host) => ({ dst_host })));
    await refreshDerived(engine, sql);
    const rows = await engine.all<{ dst_host: string; service_id: string; pattern: string; registrable_domain: string | null }>(
      'SELECT * FROM dst_services ORDER BY dst_host',
    );
    const byHost = Object.fromEntries(rows.map((r) => [r.dst_host, r]));
    expect(Object.fromEntries(rows.map((r) => [r.dst_host, r.service_id]))).toEqual({
      'dropbox.com': 'dropbox', 'A.B.C.Dropbox.COM': 'dropbox', 'dropbox.com.': 'dropbox', ' content.dropboxapi.com:443': 'dropbox',
      'raw.githubusercontent.com': 'github', 'API.TELEGRAM.ORG': 'telegram', 'bbuseruploads.s3.amazonaws.com': 'bitbucket',
      'files.xn--mnchen-3ya.example': 'muenchen-drop', 'sub.evil.github.io': 'github-pages',
    });
    expect(byHost[' content.dropboxapi.com:443'].pattern).toBe('content.dropboxapi.com');
    expect(byHost['A.B.C.Dropbox.COM'].registrable_domain).toBe('dropbox.com');
    expect(byHost['sub.evil.github.io'].registrable_domain).toBe('evil.github.io');
    expect(normalizeHost('files.münchen.example')).toBe('files.xn--mnchen-3ya.example');
    // The TypeScript matcher agrees with the SQL join on every host.
    for (const host of hosts) expect(matchService(withIdn.catalog, normalizeHost(host) ?? '')?.service.id, host).toBe(byHost[host]?.service_id);
    engine.close();
  });
});

describe('host_roles', () => {
  it('takes the exact IP, then the host name, then the longest CIDR prefix (IPv4 /8 /16 /24 /32 and IPv6)', async () => {
    const engine = await NativeEngine.open();
    const entries = inventory([
      'ip,hostname,role,business unit,owner',
      '10.0.0.0/8,,workstation,Corp,it',
      '10.20.0.0/16,,server,Datacentre,ops',
      '10.20.30.0/24,,build-server,Engineering,devops',
      '10.20.30.40/32,,esxi,Infra,infra',
      '10.20.30.41,,kiosk,Facilities,fac',
      ',ws-77,jump-host,Infra,"\'); DROP TABLE events; --"',
      '2001:db8:10::/48,,workstation,Corp,it',
      '2001:db8:10:1::/64,,server,Datacentre,ops',
    ].join('\n'));
    await applyContext(engine, { ...empty, inventories: [entries] }, sql);
    await addEvents(engine, [
      { src_ip: '10.1.1.1' }, { src_ip: '10.20.1.1' }, { src_ip: '10.20.30.5' }, { src_ip: '10.20.30.40' }, { src_ip: '10.20.30.41' },
      { src_ip: '10.20.30.41', src_host: 'ws-77.corp.example.org' }, { src_ip: '11.0.0.1' }, { src_ip: '2001:DB8:10:0::5' },
      { src_ip: '2001:db8:10:1::9' }, { src_ip: '2001:db8:11::1' }, { src_ip: '999.1.1.1' },
    ]);
    await refreshDerived(engine, sql);
    const rows = await engine.all<{ src_ip: string; src_host: string | null; role: string | null; owner: string | null; role_origin: string }>(
      'SELECT src_ip, src_host, role, owner, role_origin FROM host_roles ORDER BY src_ip, src_host NULLS FIRST',
    );
    expect(rows.map((r) => [r.src_ip, r.src_host, r.role, r.role_origin])).toEqual([
      ['10.1.1.1', null, 'workstation', 'inventory'],
      ['10.20.1.1', null, 'server', 'inventory'],
      ['10.20.30.40', null, 'esxi', 'inventory'],
      ['10.20.30.41', null, 'kiosk', 'inventory'],
      ['10.20.30.41', 'ws-77.corp.example.org', 'kiosk', 'inventory'],
      ['10.20.30.5', null, 'build-server', 'inventory'],
      ['11.0.0.1', null, null, 'unknown'],
      ['2001:DB8:10:0::5', null, 'workstation', 'inventory'],
      ['2001:db8:10:1::9', null, 'server', 'inventory'],
      ['2001:db8:11::1', null, null, 'unknown'],
      ['999.1.1.1', null, null, 'unknown'],
    ]);
    // A host-name entry applies when the IP has no exact entry; its hostile owner value is stored as plain data.
    await engine.exec("DELETE FROM inventory WHERE match = '10.20.30.41'");
    await refreshDerived(engine, sql);
    const [ws] = await engine.all<{ role: string; owner: string }>("SELECT role, owner FROM host_roles WHERE src_host = 'ws-77.corp.example.org'");
    expect(ws).toEqual({ role: 'jump-host', owner: "'); DROP TABLE events; --" });
    const [count] = await engine.all<{ n: number }>('SELECT count(*) n FROM events');
    expect(count.n).toBe(11);
    engine.close();
  });

  it('keeps the host name an inventory row gives its IP, without renaming the pairs host_roles keys', async () => {
    const engine = await NativeEngine.open();
    const entries = inventory(['ip,hostname,role', '10.20.0.15,APP01,server', '10.20.0.16,,server', '10.20.1.0/24,lab,lab'].join('\n'));
    await applyContext(engine, { ...empty, inventories: [entries] }, sql);
    await addEvents(engine, [{ src_ip: '10.20.0.15' }, { src_ip: '10.20.0.16' }]);
    await refreshDerived(engine, sql);
    const names = await engine.all<{ match: string; match_kind: string; hostname: string | null }>(
      "SELECT match, match_kind, hostname FROM inventory WHERE match_kind <> 'host' ORDER BY match",
    );
    expect(names.map((r) => [r.match, r.hostname])).toEqual([['10.20.0.15', 'app01'], ['10.20.0.16', null], ['10.20.1.0/24', null]]);
    // host_roles stays one row per (src_ip, src_host) pair of the events, so joins on that pair keep working.
    const roles = await engine.all<{ src_ip: string; src_host: string | null }>('SELECT src_ip, src_host FROM host_roles ORDER BY src_ip');
    expect(roles).toEqual([{ src_ip: '10.20.0.15', src_host: null }, { src_ip: '10.20.0.16', src_host: null }]);
    engine.close();
  });

  it('infers roles from behaviour when the inventory is silent, with overridable thresholds', async () => {
    const engine = await NativeEngine.open();
    await applyContext(engine, empty, sql);
    const peers = Array.from({ length: 12 }, (_, i) => `10.9.1.${i + 1}`);
    const browser = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
    await addEvents(engine, [
      ...peers.slice(0, 3).flatMap((p) => [88, 389, 53].map((port) => ({ src_ip: p, dst_ip: '10.9.0.10', dst_port: port }))),
      { src_ip: '10.9.0.10', dst_ip: '8.8.8.8', dst_port: 53, kind: 'dns' as const },
      { src_ip: '10.9.0.20', kind: 'http' as const, dst_host: 'hostupdate.vmware.com', user_agent: 'esxupdate/6.0' },
      ...Array.from({ length: 25 }, () => ({ src_ip: '10.9.0.30', kind: 'http' as const, dst_host: 'registry.npmjs.org', user_agent: 'npm/10.2.0 node/v20.11.0' })),
      ...peers.map((p) => ({ src_ip: p, dst_ip: '10.9.0.40', dst_port: 443 })),
      { src_ip: '10.9.0.40', kind: 'tls' as const, dst_host: 'api.stripe.com' },
      ...Array.from({ length: 6 }, (_, i) => ({ src_ip: '10.9.0.50', kind: 'proxy' as const, dst_host: `site${i}.example`, user_agent: browser })),
      { src_ip: '10.9.0.60', dst_ip: '10.9.0.99', dst_port: 22 },
    ]);
    await refreshDerived(engine, sql);
    const roles = async () =>
      Object.fromEntries((await engine.all<{ src_ip: string; role: string | null; role_origin: string }>(
        "SELECT src_ip, role, role_origin FROM host_roles WHERE src_ip LIKE '10.9.0.%'",
      )).map((r) => [r.src_ip, `${r.role}/${r.role_origin}`]));
    expect(await roles()).toEqual({
      '10.9.0.10': 'domain-controller/inferred', '10.9.0.20': 'esxi/inferred', '10.9.0.30': 'build-server/inferred',
      '10.9.0.40': 'server/inferred', '10.9.0.50': 'workstation/inferred', '10.9.0.60': 'null/unknown',
    });
    await setVariables(engine, { rw_server_min_peers: 20, rw_workstation_min_browser_events: 7 });
    await refreshDerived(engine, sql);
    const stricter = await roles();
    expect([stricter['10.9.0.40'], stricter['10.9.0.50']]).toEqual(['null/unknown', 'null/unknown']);
    engine.close();
  });
});

describe('direction: connections from outside in', () => {
  // Public addresses scan a sensor on DNS, Kerberos and LDAP; a real domain controller serves three internal clients.
  const directory = (src_ip: string, dst_ip: string, extra?: string) =>
    [53, 88, 389].map((dst_port) => ({ src_ip, dst_ip, dst_port, ...(extra ? { extra } : {}) }));
  const scanners = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  const dc = [
    ...['10.9.1.1', '10.9.1.2', '10.9.1.3'].flatMap((client) => directory(client, '10.9.0.10')),
    { src_ip: '10.9.0.10', dst_ip: '192.0.2.53', dst_port: 53 },
  ];
  const inferred = async (engine: NativeEngine) => Object.fromEntries((await engine.all<{ src_ip: string; role: string | null }>(
    'SELECT src_ip, role FROM host_roles')).map((r) => [r.src_ip, r.role]));

  it('are nobody\'s peers in role inference, whether Zeek, fan-in or the inventory tells the direction', async () => {
    const engine = await NativeEngine.open();
    // An IPv6 range with a business unit and no role: the sensor's role is still inferred, and the range says it is ours.
    const entries = inventory(['cidr,business unit', '2001:db8:10::/48,Operations'].join('\n'));
    await applyContext(engine, { ...empty, inventories: [entries] }, sql);
    await addEvents(engine, [
      ...dc,
      // Zeek marks these scans as coming in.
      ...scanners('203.0.113.', 20).flatMap((ip) => directory(ip, '198.51.100.10', '{"local_orig":"F","local_resp":"T"}')),
      { src_ip: '198.51.100.10', dst_ip: '192.0.2.53', dst_port: 53 },
      // Unmarked scans of a host that reaches one address itself: a server by fan-in.
      ...scanners('198.18.0.', 20).flatMap((ip) => directory(ip, '198.51.100.20')),
      { src_ip: '198.51.100.20', dst_ip: '192.0.2.53', dst_port: 53 },
      // Unmarked scans of an address in the IPv6 inventory range, written in another spelling than the range's.
      ...scanners('2001:db8:ffff::', 5).flatMap((ip) => directory(ip, '2001:DB8:10:0::5')),
      { src_ip: '2001:DB8:10:0::5', dst_ip: '2001:db8:20::1', dst_port: 443 },
    ]);
    await refreshDerived(engine, sql);
    const roles = await inferred(engine);
    expect(roles['10.9.0.10']).toBe('domain-controller');
    expect([roles['198.51.100.10'], roles['198.51.100.20'], roles['2001:DB8:10:0::5']]).toEqual([null, null, null]);
    engine.close();
  });

  it('leave an IPv6 scanner of a host in an IPv6 inventory range out of the sources', async () => {
    const engine = await NativeEngine.open();
    // No role: only the range itself (not a source the inventory names) says the scanned host is ours.
    const entries = inventory(['cidr,business unit', '2001:db8:10::/48,Operations'].join('\n'));
    await applyContext(engine, { ...empty, inventories: [entries] }, sql);
    await addEvents(engine, [
      ...Array.from({ length: 5 }, () => ({ src_ip: '2001:db8:ffff::7', dst_ip: '2001:db8:10::5', dst_port: 443 })),
      { src_ip: '2001:db8:10::5', dst_ip: '2001:db8:20::1', dst_port: 443 },
      // The same scanner reaching an address outside the range is its own use: it stays a source there.
      { src_ip: '2001:db8:ffff::7', dst_ip: '2001:db8:30::1', dst_port: 443 },
    ]);
    await refreshDerived(engine, sql);
    const used = await engine.all<{ src_ip: string; dst_ip: string }>('SELECT src_ip, dst_ip FROM rw_source_events() ORDER BY ALL');
    expect(used).toEqual([{ src_ip: '2001:db8:10::5', dst_ip: '2001:db8:20::1' }, { src_ip: '2001:db8:ffff::7', dst_ip: '2001:db8:30::1' }]);
    engine.close();
  });
});

describe('applyContext and rw_service_approved()', () => {
  it('loads everything, is idempotent, and answers approval questions per host, role, business unit and process', async () => {
    const engine = await NativeEngine.open();
    const entries = inventory([
      'ip,hostname,role,business unit',
      '10.10.7.30,build01.corp.example.org,build-server,Engineering',
      '10.10.20.0/24,,workstation,Design',
      "10.10.9.9,,workstation,'); DROP TABLE events; --",
    ].join('\n'));
    const policy = parsePolicyCsv([
      'service_id,scope_kind,scope_value,note',
      'github,role,build-server,',
      'dropbox,business_unit,design,',
      'slack,process,slack.exe,',
      'ngrok,host,build01,',
      'onedrive,all,,',
      "*,business_unit,'); DROP TABLE events; --,",
    ].join('\n'), catalog);
    expect(policy.issues).toEqual([]);
    const data: ContextData = { catalog, inventories: [entries], policy: policy.rows };
    await applyContext(engine, data, sql);
    await addEvents(engine, [
      { src_ip: '10.10.7.30', src_host: 'build01.corp.example.org', dst_host: 'api.github.com' },
      { src_ip: '10.10.20.14', dst_host: 'content.dropboxapi.com' },
      { src_ip: '10.10.9.9', dst_host: 'pastebin.com' },
    ]);
    const first = await applyContext(engine, data, sql);
    const second = await applyContext(engine, data, sql);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ inventoryEntries: 4, policyRows: 6, matchedDestinations: 3, sources: 3 });
    const [tables] = await engine.all<Record<string, number>>(
      `SELECT (SELECT count(*) FROM catalog_services) s, (SELECT count(*) FROM catalog_hosts) h, (SELECT count(*) FROM approved_services) a,
              (SELECT count(*) FROM inventory) i, (SELECT count(*) FROM host_domains) d`,
    );
    expect(tables).toEqual({ s: catalog.services.length, h: first.hostPatterns, a: 6, i: 4, d: 3 });

    const approved = async (svc: string, ip: string | null, host: string | null, proc: string | null) =>
      (await engine.all<{ ok: boolean }>('SELECT rw_service_approved(?, ?, ?, ?) ok', [svc, ip, host, proc]))[0].ok;
    expect(await approved('github', '10.10.7.30', null, null)).toBe(true); // role build-server
    expect(await approved('github', '10.10.20.14', null, null)).toBe(false);
    expect(await approved('dropbox', '10.10.20.14', null, null)).toBe(true); // business unit Design, case-insensitive
    expect(await approved('dropbox', '10.10.7.30', null, null)).toBe(false);
    expect(await approved('slack', null, null, 'C:\\Users\\a\\AppData\\Local\\slack\\app-4.36\\Slack.exe')).toBe(true);
    expect(await approved('slack', null, null, 'C:\\Temp\\slack.exe.bat')).toBe(false);
    expect(await approved('ngrok', null, 'BUILD01.corp.example.org', null)).toBe(true); // short host name
    expect(await approved('ngrok', '10.10.20.14', 'ws-1', null)).toBe(false);
    expect(await approved('onedrive', null, null, null)).toBe(true);
    expect(await approved('pastebin', '10.10.9.9', null, null)).toBe(true); // the hostile business unit is just a string
    const [events] = await engine.all<{ n: number }>('SELECT count(*) n FROM events');
    expect(events.n).toBe(3);
    engine.close();
  });
});
