import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import {
  catalogFromCsv, catalogToCsv, catalogToRows, loadCatalog, matchService, regexProblem, shippedCatalog, validateCatalog,
  type Catalog, type CatalogService,
} from './catalog.ts';

const catalog = shippedCatalog();

function service(overrides: Partial<CatalogService> = {}): CatalogService {
  return {
    id: 'demo', name: 'Demo', category: 'paste', subtechniques: ['T1102.001'], consumer: true, sources: ['misp-lots'],
    hosts: [{ pattern: 'demo.example.com', sources: ['misp-lots'] }], paths: [], clients: [], ...overrides,
  };
}
const tiny = (...services: CatalogService[]): Catalog => ({ version: 't', source_definitions: { 'misp-lots': 'x' }, services });

describe('shipped catalog', () => {
  it('passes the linter', () => {
    expect(validateCatalog(catalog)).toEqual([]);
  });

  it('has at least 100 services, 300 host patterns and 150 path patterns, each with a source', () => {
    const rows = catalogToRows(catalog);
    expect(rows.catalog_services.columns.service_id.length).toBeGreaterThanOrEqual(100);
    expect(rows.catalog_hosts.columns.pattern.length).toBeGreaterThanOrEqual(300);
    expect(rows.catalog_paths.columns.path_regex.length).toBeGreaterThanOrEqual(150);
    expect(new Set(rows.catalog_hosts.columns.pattern).size).toBe(rows.catalog_hosts.columns.pattern.length);
    expect(rows.catalog_services.columns.sources.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
  });

  it('covers the key C2 endpoints named in ATT&CK and LOLC2', () => {
    const uses = (id: string, path: string) =>
      catalog.services.find((s) => s.id === id)!.paths.filter((p) => new RegExp(p.regex, 'i').test(path)).map((p) => p.use);
    expect(uses('telegram', '/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getUpdates?offset=1')).toContain('bot-api');
    expect(uses('telegram', '/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendDocument')).toContain('file-upload');
    expect(uses('discord', '/api/webhooks/1122334455/abcDEF_-ghi')).toContain('webhook');
    expect(uses('discord', '/api/v10/channels/998877/messages')).toContain('message-read');
    expect(uses('pastebin', '/raw/XyZ12345')).toContain('raw-content');
    expect(uses('dropbox', '/2/files/upload')).toContain('file-upload');
    expect(uses('microsoft-graph', '/v1.0/me/drive/root:/c2/cmd.txt:/content')).toContain('file-upload');
    expect(uses('google-drive', '/upload/drive/v3/files?uploadType=multipart')).toContain('file-upload');
    expect(uses('google-docs', '/v4/spreadsheets/1AbC_d-E/values/A1:B2')).toContain('api');
    expect(uses('slack', '/api/conversations.history?channel=C1')).toContain('message-read');
    expect(uses('notion', '/v1/blocks/0f3c2a10-1111-2222-3333-444455556666/children')).toContain('message-read');
    expect(uses('github', '/repos/acme/tools/issues/7/comments')).toContain('message-send');
    expect(uses('telegram', '/')).toEqual([]);
  });

  it('compiles every regex in DuckDB too (RE2), case-insensitively', async () => {
    const engine = await NativeEngine.open();
    const rows = catalogToRows(catalog);
    const regexes = [
      ...rows.catalog_paths.columns.path_regex,
      ...rows.catalog_clients.columns.process_regex,
      ...rows.catalog_clients.columns.ua_regex,
      ...rows.catalog_process_roles.columns.process_regex,
    ].filter((r): r is string => typeof r === 'string');
    await engine.exec('CREATE TABLE regexes (re VARCHAR)');
    await engine.append('regexes', { re: regexes }, { re: 'VARCHAR' });
    const [row] = await engine.all<{ n: number; hits: number }>(
      "SELECT count(*) n, count(*) FILTER (WHERE regexp_matches('/bot1:' || repeat('a', 30) || '/getUpdates', re, 'i')) hits FROM regexes",
    );
    expect(row.n).toBe(regexes.length);
    expect(row.hits).toBeGreaterThanOrEqual(1);
    engine.close();
  });
});

describe('validateCatalog', () => {
  it('reports duplicate ids, clashing hosts, bad patterns, regexes, sources, categories and ATT&CK ids', () => {
    const issues = validateCatalog(tiny(
      service(),
      service({ hosts: [{ pattern: 'demo.example.com', sources: ['misp-lots'] }] }),
      service({
        id: 'bad', category: 'gaming', subtechniques: ['T1102.4'], sources: ['nowhere'],
        hosts: [{ pattern: 'Upper.Example.com', sources: ['misp-lots'] }, { pattern: 'co.uk', sources: ['misp-lots'] }, { pattern: 'ok.example.net', sources: [] }],
        paths: [
          { regex: '^/(?=x)', use: 'api', sources: ['misp-lots'] },
          { regex: '^/(', use: 'api', sources: ['misp-lots'] },
          { regex: '^/ok', use: 'teleport', host_pattern: 'not-in.catalog.com', sources: ['misp-lots'] },
        ],
        clients: [{ sources: ['misp-lots'] }],
      }),
    ));
    const expected = [
      "service 'demo': duplicate id",
      "host 'demo.example.com' appears in demo, demo",
      "service 'bad': category 'gaming'",
      "malformed ATT&CK id 'T1102.4'",
      "unknown source 'nowhere'",
      "host 'Upper.Example.com': not a valid",
      "host 'co.uk': not a valid",
      "host 'ok.example.net': needs at least one source",
      'look-around is not supported',
      'does not compile',
      "use 'teleport'",
      "host_pattern 'not-in.catalog.com' is not a catalog host pattern",
      'needs a process or user_agent regex',
    ];
    for (const text of expected) expect(issues.some((i) => i.includes(text)), text).toBe(true);
    expect(issues).toHaveLength(expected.length);
  });

  it('checks process roles: a known role, a regex that compiles, a known source', () => {
    const roles = (process_roles: unknown[]) => validateCatalog({ ...tiny(service()), process_roles });
    expect(roles([{ role: 'server', process: '^w3wp\\.exe$', sources: ['misp-lots'] }])).toEqual([]);
    expect(roles([{ role: 'parent', process: '^(', sources: ['nowhere'] }])).toEqual([
      "process_roles[0]: role 'parent' is not one of server, launcher, proxy-executor",
      expect.stringMatching(/^process_roles\[0\] process: regex "\^\(" does not compile/),
      "process_roles[0]: unknown source 'nowhere'",
    ]);
  });

  it('allows a host pattern in several services only when every occurrence is shared', () => {
    const shared = { pattern: 'apis.example.com', shared: true, sources: ['misp-lots'] };
    expect(validateCatalog(tiny(service({ id: 'a', hosts: [shared] }), service({ id: 'b', hosts: [shared] })))).toEqual([]);
    expect(validateCatalog(tiny(service({ id: 'a', hosts: [shared] }), service({ id: 'b', hosts: [{ ...shared, shared: false }] })))).toHaveLength(1);
  });

  it('flags back-references and throws from loadCatalog', () => {
    expect(regexProblem('(a)\\1')).toMatch(/back-references/);
    expect(regexProblem('\\\\1')).toBeNull();
    expect(() => loadCatalog({ version: 'x', services: [] })).toThrow(/no services/);
  });
});

describe('matchService', () => {
  it('prefers the longest pattern and ignores look-alikes', () => {
    expect(matchService(catalog, 'bbuseruploads.s3.amazonaws.com')?.service.id).toBe('bitbucket');
    expect(matchService(catalog, 'my-bucket.s3.amazonaws.com')?.service.id).toBe('aws-s3');
    expect(matchService(catalog, 'ec2-1-2-3-4.compute-1.amazonaws.com')?.service.id).toBe('aws-generic');
    expect(matchService(catalog, 'raw.githubusercontent.com.attacker.net')).toBeNull();
    expect(matchService(catalog, 'evildropbox.com')).toBeNull();
  });
});

describe('catalog CSV', () => {
  it('round-trips the shipped catalog', () => {
    const empty: Catalog = { version: catalog.version, description: catalog.description, source_definitions: catalog.source_definitions, services: [] };
    const { catalog: back, issues } = catalogFromCsv(catalogToCsv(catalog), empty);
    expect(issues).toEqual([]);
    expect(back.services).toEqual(catalog.services);
    expect(back.common_clients).toEqual(catalog.common_clients);
    expect(back.process_roles).toEqual(catalog.process_roles);
  });

  it('merges extra rows into the shipped catalog without touching it', () => {
    const csv = [
      'service_id,name,category,entry,pattern,host_pattern,use,note',
      'acme-drop,Acme Drop,file-share,host,Files.Acme-Drop.example,,,seen in case 42',
      'acme-drop,,,path,^/u/[0-9]+,files.acme-drop.example,file-upload,',
      'telegram,,,host,tg.example.net,,,mirror',
      'telegram,,,host,api.telegram.org,,,duplicate is ignored',
    ].join('\n');
    const { catalog: merged, issues } = catalogFromCsv(csv, catalog);
    expect(issues).toEqual([]);
    expect(merged.services).toHaveLength(catalog.services.length + 1);
    const acme = merged.services.find((s) => s.id === 'acme-drop')!;
    expect(acme.hosts.map((h) => h.pattern)).toEqual(['files.acme-drop.example']);
    expect(acme.paths[0]).toMatchObject({ host_pattern: 'files.acme-drop.example', regex: '^/u/[0-9]+', use: 'file-upload', sources: ['user'] });
    const telegramHosts = merged.services.find((s) => s.id === 'telegram')!.hosts.map((h) => h.pattern);
    expect(telegramHosts.filter((h) => h === 'api.telegram.org')).toHaveLength(1);
    expect(telegramHosts).toContain('tg.example.net');
    expect(shippedCatalog().services.find((s) => s.id === 'telegram')!.hosts.map((h) => h.pattern)).not.toContain('tg.example.net');
  });

  it('names the CSV line of each problem and keeps hostile values as data', () => {
    const csv = [
      'service_id,name,category,entry,pattern,use',
      "x'); DROP TABLE events; --,Evil,paste,host,evil.example.com,",
      'newsvc,,,host,new.example.com,',
      'telegram,,,path,^/(?!x),api',
      'telegram,,,widget,foo,',
      '__proto__,Proto,paste,host,proto.example.com,',
    ].join('\n');
    const { issues, catalog: merged } = catalogFromCsv(csv, catalog);
    expect(issues.some((i) => i.includes("service 'x'); DROP TABLE events; --': id must be lower-case"))).toBe(true);
    expect(issues).toContain("CSV line 3: new service 'newsvc' needs a name and a category");
    expect(issues.some((i) => i.includes('look-around'))).toBe(true);
    expect(issues).toContain("CSV line 5: entry must be host, path or client, not 'widget'");
    expect(issues.some((i) => i.includes("service '__proto__': id must be"))).toBe(true);
    expect(({} as Record<string, unknown>).name).toBeUndefined();
    expect(merged.services.some((s) => s.id === '__proto__')).toBe(true);
  });

  it('escapes spreadsheet formulas on export and restores them on import', () => {
    const evil = tiny(service({ name: '=HYPERLINK("http://x")', paths: [{ regex: '-x', use: 'api', sources: ['misp-lots'] }] }));
    const csv = catalogToCsv(evil);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    const { catalog: back } = catalogFromCsv(csv, { ...evil, services: [] });
    expect(back.services[0].name).toBe('=HYPERLINK("http://x")');
    expect(back.services[0].paths[0].regex).toBe('-x');
  });
});
