import { describe, expect, it } from 'vitest';
import { shippedCatalog, type Catalog } from '../context/catalog.ts';
import type { InventoryEntry } from '../context/inventory.ts';
import type { PolicyRow } from '../context/policy.ts';
import type { Finding } from '../detection/detect.ts';
import { CONTEXT_SQL } from '../context/sql-files.ts';
import {
  CatalogEditing,
  EMPTY_FILTER,
  InventoryEditing,
  PolicyEditing,
  approvalLabel,
  blankService,
  filterServices,
  findingsApprovedBy,
  inferenceRules,
  inventoryDraft,
  inventoryName,
  mappingIsComplete,
  normalizeService,
  upsertService,
} from './context-editing.svelte.ts';

/** A stand-in for the workbench: keeps what it is given and counts how often the analysis would re-run. */
class FakeWorkbench {
  catalog: Catalog = shippedCatalog();
  policy: PolicyRow[] = [];
  inventories: InventoryEntry[][] = [];
  reruns = 0;
  async setCatalog(catalog: Catalog) {
    this.catalog = catalog;
    this.reruns++;
  }
  async setPolicy(rows: PolicyRow[]) {
    this.policy = rows;
    this.reruns++;
  }
  async setInventories(lists: InventoryEntry[][]) {
    this.inventories = lists;
    this.reruns++;
  }
}

const shipped = shippedCatalog();

function newService(id: string, host: string) {
  return { ...blankService(), id, name: `Service ${id}`, category: shipped.services[0].category, subtechniques: ['T1102.002'], hosts: [{ pattern: host, sources: [] }] };
}

describe('catalog filtering', () => {
  it('filters by text over hosts, by category, sub-technique and consumer flag', () => {
    const telegram = filterServices(shipped.services, { ...EMPTY_FILTER, text: 'API.TELEGRAM' });
    expect(telegram.map((s) => s.id)).toContain('telegram');
    expect(telegram.every((s) => s.hosts.some((h) => h.pattern.includes('api.telegram')) || s.id.includes('telegram') || (s.description ?? '').toLowerCase().includes('api.telegram'))).toBe(true);
    const category = shipped.services.find((s) => s.id === 'telegram')!.category;
    const inCategory = filterServices(shipped.services, { ...EMPTY_FILTER, category });
    expect(inCategory.length).toBe(shipped.services.filter((s) => s.category === category).length);
    expect(inCategory.every((s) => s.category === category)).toBe(true);
    const ddr = filterServices(shipped.services, { ...EMPTY_FILTER, subtechnique: 'T1102.001' });
    expect(ddr.length).toBeGreaterThan(0);
    expect(ddr.every((s) => s.subtechniques.includes('T1102.001'))).toBe(true);
    const consumer = filterServices(shipped.services, { ...EMPTY_FILTER, consumer: 'consumer' }).length;
    const business = filterServices(shipped.services, { ...EMPTY_FILTER, consumer: 'business' }).length;
    expect(consumer + business).toBe(shipped.services.length);
    expect(consumer).toBeGreaterThan(0);
  });
});

describe('catalog edits', () => {
  it('normalises a form draft: lower-case hosts, blank rows dropped, user source filled in, regex spaces kept', () => {
    const service = normalizeService({
      ...newService(' acme-drop ', ' Files.ACME.example '),
      paths: [{ regex: '^/api/ x', use: 'api', host_pattern: '', sources: [] }, { regex: '', use: 'api', sources: [] }],
      clients: [{ process: '', user_agent: '', sources: [] }, { process: '^acme\\.exe$', user_agent: '', signer: ' ', sources: [] }],
    });
    expect(service.id).toBe('acme-drop');
    expect(service.hosts).toEqual([{ pattern: 'files.acme.example', sources: ['user'] }]);
    expect(service.paths).toEqual([{ host_pattern: null, regex: '^/api/ x', use: 'api', sources: ['user'] }]);
    expect(service.clients).toEqual([{ process: '^acme\\.exe$', user_agent: null, signer: null, sources: ['user'] }]);
  });

  it('adds a valid service and refuses a duplicate id or host without touching the catalog', async () => {
    const workbench = new FakeWorkbench();
    const editing = new CatalogEditing(workbench);
    expect(await editing.save(newService('acme-drop', 'drop.acme.example'), null)).toBe(true);
    expect(workbench.catalog.services.at(-1)!.id).toBe('acme-drop');
    expect(workbench.catalog.source_definitions?.user).toBeTruthy();
    expect(workbench.reruns).toBe(1);

    const before = workbench.catalog;
    expect(await editing.save(newService('acme-drop', 'other.acme.example'), null)).toBe(false);
    expect(editing.issues.some((i) => i.includes('already in the catalog'))).toBe(true);
    expect(await editing.save(newService('acme-two', 'api.telegram.org'), null)).toBe(false);
    expect(editing.issues.some((i) => i.includes("host 'api.telegram.org'"))).toBe(true);
    expect(workbench.catalog).toBe(before);
    expect(workbench.reruns).toBe(1);
  });

  it('refuses a regex DuckDB cannot run, and an unknown path use', () => {
    const service = { ...newService('acme-drop', 'drop.acme.example'), paths: [{ regex: '^/(?=x)', use: 'api', sources: [] }] };
    const { issues } = upsertService(shipped, service, null);
    expect(issues.join('\n')).toMatch(/look-around/);
    const badUse = { ...newService('acme-drop', 'drop.acme.example'), paths: [{ regex: '^/x', use: 'telepathy', sources: [] }] };
    expect(upsertService(shipped, badUse, null).issues.join('\n')).toMatch(/use 'telepathy'/);
  });

  it('edits, renames and deletes a service, and undoes each step in order', async () => {
    const workbench = new FakeWorkbench();
    const editing = new CatalogEditing(workbench);
    const telegram = structuredClone(workbench.catalog.services.find((s) => s.id === 'telegram')!);
    expect(await editing.save({ ...telegram, name: 'Telegram (edited)' }, 'telegram')).toBe(true);
    expect(workbench.catalog.services.find((s) => s.id === 'telegram')!.name).toBe('Telegram (edited)');
    expect(await editing.remove('telegram')).toBe(true);
    expect(workbench.catalog.services.some((s) => s.id === 'telegram')).toBe(false);
    expect(editing.undoLabel).toBe('deleting telegram');
    await editing.undo();
    expect(workbench.catalog.services.find((s) => s.id === 'telegram')!.name).toBe('Telegram (edited)');
    await editing.undo();
    expect(workbench.catalog.services.find((s) => s.id === 'telegram')!.name).toBe(telegram.name);
    expect(editing.canUndo).toBe(false);
  });

  it('imports CSV by merging, refuses an invalid CSV whole, and resets to the shipped catalog', async () => {
    const workbench = new FakeWorkbench();
    const editing = new CatalogEditing(workbench);
    const csv = 'service_id,name,category,entry,pattern\nacme-drop,Acme Drop,' + shipped.services[0].category + ',host,drop.acme.example\n';
    expect(await editing.importCsv(csv, 'extra.csv')).toBe(true);
    expect(workbench.catalog.services.length).toBe(shipped.services.length + 1);
    expect(await editing.importCsv('service_id,entry,pattern\nnew-one,host,x.example\n', 'bad.csv')).toBe(false);
    expect(editing.issues[0]).toMatch(/needs a name and a category/);
    expect(workbench.catalog.services.length).toBe(shipped.services.length + 1);
    expect(await editing.resetToShipped()).toBe(true);
    expect(workbench.catalog.services.length).toBe(shipped.services.length);
  });

  it('round-trips through the JSON export and refuses JSON that is not a catalog', async () => {
    const workbench = new FakeWorkbench();
    const editing = new CatalogEditing(workbench);
    await editing.save(newService('acme-drop', 'drop.acme.example'), null);
    const json = editing.exportJson();
    await editing.resetToShipped();
    expect(await editing.importJson(json, 'catalog.json')).toBe(true);
    expect(workbench.catalog.services.some((s) => s.id === 'acme-drop')).toBe(true);
    expect(await editing.importJson('{"version":"1","services":[]}', 'x.json')).toBe(false);
    expect(editing.issues).toEqual(['catalog: no services']);
    expect(await editing.importJson('{nope', 'x.json')).toBe(false);
    expect(editing.issues[0]).toMatch(/not JSON/);
  });
});

describe('policy edits', () => {
  it('adds canonical rows, refuses duplicates and unknown services, edits, deletes and undoes', async () => {
    const workbench = new FakeWorkbench();
    const editing = new PolicyEditing(workbench);
    expect(await editing.saveRow({ service_id: 'slack', scope_kind: 'role', scope_value: 'Build Server', note: null }, null)).toBeNull();
    expect(workbench.policy).toEqual([{ service_id: 'slack', scope_kind: 'role', scope_value: 'build-server', note: null }]);
    expect(await editing.saveRow({ service_id: 'slack', scope_kind: 'role', scope_value: 'build-server', note: 'x' }, null)).toMatch(/already in the policy/);
    expect(await editing.saveRow({ service_id: 'no-such', scope_kind: 'all', scope_value: null, note: null }, null)).toMatch(/unknown service id/);
    expect(await editing.saveRow({ service_id: 'slack', scope_kind: 'host', scope_value: '', note: null }, null)).toMatch(/needs a scope_value/);
    expect(await editing.saveRow({ service_id: 'slack', scope_kind: 'process', scope_value: 'C:\\Apps\\Slack.EXE', note: 'desktop' }, 0)).toBeNull();
    expect(workbench.policy).toEqual([{ service_id: 'slack', scope_kind: 'process', scope_value: 'slack.exe', note: 'desktop' }]);
    expect(await editing.removeRow(0)).toBeNull();
    expect(workbench.policy).toEqual([]);
    await editing.undo();
    expect(workbench.policy[0].scope_value).toBe('slack.exe');
    await editing.undo();
    expect(workbench.policy[0].scope_value).toBe('build-server');
    expect(workbench.reruns).toBe(5);
  });

  it('imports a CSV: valid new rows added, duplicates skipped, bad lines reported; exports the same rows', async () => {
    const workbench = new FakeWorkbench();
    const editing = new PolicyEditing(workbench);
    await editing.saveRow({ service_id: 'slack', scope_kind: 'all', scope_value: null, note: null }, null);
    const csv = 'service_id,scope_kind,scope_value,note\nslack,all,,\ndropbox,business_unit,Finance,sync\nnope,all,,\n';
    expect(await editing.importCsv(csv, 'approved.csv')).toBe(1);
    expect(workbench.policy.map(approvalLabel)).toEqual(['slack for all', 'dropbox for business_unit Finance']);
    expect(editing.issues).toEqual([expect.stringMatching(/^approved\.csv line 4: unknown service id 'nope'/)]);
    expect(editing.message).toBe('approved.csv: 1 row added, 1 already present');
    expect(editing.exportCsv().split(/\r?\n/)).toEqual(['service_id,scope_kind,scope_value,note', 'slack,all,,', 'dropbox,business_unit,Finance,sync']);
  });

  it('finds the findings a row approved from their approved-service signal', () => {
    const finding = (id: string, approvedBy: string | null) =>
      ({ id, signals: approvedBy ? [{ id: 'approved-service', title: '', weight: 0.5, evidence: { approved_by: approvedBy }, explanation: '' }] : [] }) as unknown as Finding;
    const findings = [finding('a', 'telegram for host ws07; * for all'), finding('b', 'telegram for host ws070'), finding('c', null)];
    const row: PolicyRow = { service_id: 'telegram', scope_kind: 'host', scope_value: 'ws07', note: null };
    expect(findingsApprovedBy(row, findings).map((f) => f.id)).toEqual(['a']);
    expect(findingsApprovedBy({ service_id: '*', scope_kind: 'all', scope_value: null, note: null }, findings).map((f) => f.id)).toEqual(['a']);
  });
});

describe('inventory import', () => {
  const first = 'IP Address,Hostname,Asset Role,Department\n10.0.0.5,ws05,Workstation,Finance\n10.0.0.6,srv06,Server,IT\n';
  const second = 'ip,role,owner\n10.0.0.5,Build Server,alice\n10.0.0.9,server,bob\n';

  it('guesses the mapping and previews the first rows', () => {
    const draft = inventoryDraft('assets.csv', first);
    expect(draft.header).toEqual(['IP Address', 'Hostname', 'Asset Role', 'Department']);
    expect(draft.rows).toEqual([['10.0.0.5', 'ws05', 'Workstation', 'Finance'], ['10.0.0.6', 'srv06', 'Server', 'IT']]);
    expect(draft.mapping).toEqual({ match: ['IP Address', 'Hostname'], role: 'Asset Role', business_unit: 'Department' });
    expect(mappingIsComplete(draft.mapping)).toBe(true);
    expect(mappingIsComplete(inventoryDraft('x.csv', 'ip,colour\n1.2.3.4,red\n').mapping)).toBe(false);
  });

  it('merges several inventories (later wins), reports the overrides, re-maps one in place and removes one', async () => {
    const workbench = new FakeWorkbench();
    const editing = new InventoryEditing(workbench);
    expect(await editing.apply(inventoryDraft('assets.csv', first))).toBe(true);
    expect(await editing.apply(inventoryDraft('cmdb.csv', second))).toBe(true);
    expect(workbench.inventories.map(inventoryName)).toEqual(['assets.csv', 'cmdb.csv']);
    expect(editing.overrides).toEqual(['10.0.0.5: role, owner from cmdb.csv:2 replace assets.csv:2']);

    // Re-mapping assets.csv without its role column keeps its position and drops its roles.
    const remapped = { ...inventoryDraft('assets.csv', first), mapping: { match: ['IP Address'], business_unit: 'Department' } };
    expect(await editing.apply(remapped)).toBe(true);
    expect(workbench.inventories.map(inventoryName)).toEqual(['assets.csv', 'cmdb.csv']);
    expect(workbench.inventories[0].map((e) => [e.match, e.role, e.business_unit])).toEqual([['10.0.0.5', null, 'Finance'], ['10.0.0.6', null, 'IT']]);

    expect(await editing.remove(0)).toBe(true);
    expect(workbench.inventories.map(inventoryName)).toEqual(['cmdb.csv']);
    expect(editing.overrides).toEqual([]);
  });

  it('applies nothing when no row has an IP, CIDR or host name', async () => {
    const workbench = new FakeWorkbench();
    const editing = new InventoryEditing(workbench);
    const draft = { ...inventoryDraft('bad.csv', 'ip,role\nnot an ip!,server\n'), mapping: { match: ['ip'], role: 'role' } };
    expect(await editing.apply(draft)).toBe(false);
    expect(editing.issues).toEqual(["bad.csv line 2: 'not an ip!' is not an IP, CIDR or host name"]);
    expect(workbench.reruns).toBe(0);
  });
});

describe('role inference rules', () => {
  it('reads one rule per inferred role from host-roles.sql, with parameter defaults filled in', () => {
    const rules = inferenceRules(CONTEXT_SQL.hostRoles);
    expect([...rules.keys()]).toEqual(['domain-controller', 'esxi', 'build-server', 'server', 'workstation']);
    expect(rules.get('domain-controller')).toBe('serves at least two of DNS 53 / Kerberos 88 / LDAP 389 to >= 3 peers');
    expect(rules.get('server')).toBe('accepts connections from >= 10 peers with little browser traffic');
  });
});
