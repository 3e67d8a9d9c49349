import { afterEach, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import type { NativeEngine } from '../engine/native-engine.ts';
import { shippedCatalog } from '../context/catalog.ts';
import { parseInventoryCsv } from '../context/inventory.ts';
import { parsePolicyCsv } from '../context/policy.ts';
import { aclNames, buildAllowLists, minimalDomains, toAllowListCsv, toDomainList, toSquidAcl } from './allow-list.ts';
import { checkSquidAcls, isDstdomainValue, isSrcValue } from './squid-check.ts';
import { serviceUse, unapprovedUse } from './service-use.ts';
import { INVENTORY_CSV, POLICY_CSV, openWorld } from '../test-support/readiness-world.ts';

const catalog = shippedCatalog();
const inventory = parseInventoryCsv(INVENTORY_CSV, { source: 'inventory.csv' }).entries;
const policy = parsePolicyCsv(`${POLICY_CSV}*,host,10.2.0.20,break-glass\nzoom,role,workstation,"calls\nand more"\n`, catalog).rows;

let engine: NativeEngine | null = null;
afterEach(() => {
  engine?.close();
  engine = null;
});

describe('squid line checker', () => {
  it('accepts domains with an optional leading dot and rejects everything else', () => {
    expect(['.example.com', 'api.telegram.org', 'xn--bcher-kva.example'].every(isDstdomainValue)).toBe(true);
    expect(['example', '.-bad.com', 'EXAMPLE.com', 'a..b.com', 'exa mple.com', '1.2.3.4', '*.example.com'].some(isDstdomainValue)).toBe(false);
    expect(['10.0.0.0/8', '10.1.2.3', 'fd00::/8', 'all'].every(isSrcValue)).toBe(true);
    expect(['10.0.0.0/33', '300.1.1.1', '10.0.0.0/8/1', 'host.example.com'].some(isSrcValue)).toBe(false);
  });

  it('reports bad names, types, values and undefined ACLs with their line', () => {
    const result = checkSquidAcls('acl ok dstdomain .a.com\nacl bad$name src all\nacl x dst 1.2.3.4\nhttp_access allow ok missing\nhttp_access permit ok\ncache deny all\n');
    expect(result.issues).toEqual([
      'line 2: bad ACL name "bad$name"',
      'line 3: ACL type "dst" is not src or dstdomain',
      'line 4: ACL missing is used before it is defined',
      'line 5: http_access needs allow or deny',
      'line 6: not an acl or http_access line',
    ]);
  });
});

describe('allow-lists', () => {
  const lists = buildAllowLists(policy, catalog, inventory);
  const group = (kind: string, value: string) => lists.groups.find((g) => g.kind === kind && g.value === value)!;

  it('gives each group exactly the services approved for it, with inventory addresses', () => {
    expect(lists.groups.map((g) => `${g.kind}:${g.value}`)).toEqual([
      'role:server', 'role:workstation', 'business_unit:Finance', 'business_unit:Sales',
    ]);
    expect(group('role', 'workstation').services.map((s) => s.id)).toEqual(['onedrive', 'zoom']);
    expect(group('role', 'server').services.map((s) => s.id)).toEqual(['github', 'onedrive']);
    expect(group('business_unit', 'Sales').services.map((s) => s.id)).toEqual(['onedrive', 'slack']);
    expect(group('role', 'workstation').sources).toEqual(['10.1.0.0/24', '10.1.0.10', '10.1.0.11']);
    expect(group('role', 'server').sources).toEqual(['10.2.0.20', '10.2.0.21', '10.2.0.22']);
    expect(lists.skipped).toEqual([
      'dropbox for process dropbox.exe: a proxy cannot see processes; enforce it on the endpoint',
      "'*' for host 10.2.0.20: approves every service, which no allow-list can enumerate",
    ]);
  });

  it('exports Squid ACLs that pass the strict checker and allow exactly the approved services per role', () => {
    const text = toSquidAcl(lists.groups);
    const parsed = checkSquidAcls(text);
    expect(parsed.issues).toEqual([]);
    for (const g of lists.groups) {
      const names = aclNames(g);
      const allowed = parsed.rules.filter((r) => r.acls[0] === names.source).map((r) => r.acls[1]);
      expect(allowed).toEqual(g.services.map((s) => names.service(s.id)));
      expect(parsed.acls.get(names.source)!.values).toEqual(g.sources);
    }
    const slack = parsed.acls.get('rw_bu_sales_slack')!;
    expect(slack.type).toBe('dstdomain');
    expect(slack.values).toContain('.slack.com');
    expect(slack.values).not.toContain('.hooks.slack.com'); // covered by .slack.com
    expect(text).toContain('# Zoom (calls and more)');
  });

  it('comments out rules for a group without addresses instead of inventing a source', () => {
    const hostPolicy = parsePolicyCsv('service_id,scope_kind,scope_value,note\nngrok,host,build9.corp.example.org,\n', catalog).rows;
    const { groups } = buildAllowLists(hostPolicy, catalog, []);
    const text = toSquidAcl(groups);
    expect(checkSquidAcls(text).issues).toEqual([]);
    expect(text).toContain('# http_access allow rw_src_host_build9_corp_example_org rw_host_build9_corp_example_org_ngrok');
    expect(checkSquidAcls(text).rules).toEqual([]);
  });

  it('writes a domain list and a CSV with the same domains', () => {
    const workstation = [group('role', 'workstation')];
    const domains = toDomainList(workstation).trim().split('\n');
    expect(domains).toContain('onedrive.live.com');
    expect(domains).toContain('zoom.us');
    expect(domains.every(isDstdomainValue)).toBe(true);
    expect(domains).toEqual(minimalDomains(domains));
    const csv = Papa.parse<Record<string, string>>(toAllowListCsv(workstation), { header: true }).data;
    expect(new Set(csv.map((r) => r.domain))).toEqual(new Set(domains));
    expect(new Set(csv.map((r) => r.service_id))).toEqual(new Set(['onedrive', 'zoom']));
  });
});

describe('services in use but not approved', () => {
  it('splits use by business unit into approved and not approved', async () => {
    engine = await openWorld();
    const rows = await serviceUse(engine);
    const view = rows.map((r) => `${r.business_unit}/${r.service_id}/${r.approved ? 'approved' : 'unapproved'}/${r.sources}/${r.events}`);
    expect(view.sort()).toEqual(['Finance/dropbox/unapproved/1/12', 'Finance/github/approved/1/12', 'Sales/slack/approved/1/12'].sort());
    expect(unapprovedUse(rows).map((r) => [r.business_unit, r.service_id, r.service_name])).toEqual([['Finance', 'dropbox', 'Dropbox']]);
  });
});
