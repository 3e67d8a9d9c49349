import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedCatalog } from './catalog.ts';
import { parsePolicyCsv, policyToCsv } from './policy.ts';

const catalog = shippedCatalog();

describe('approved-service policy CSV', () => {
  it('parses the example policy and round-trips it', () => {
    const text = readFileSync(new URL('./data/example-policy.csv', import.meta.url), 'utf8');
    const { rows, issues } = parsePolicyCsv(text, catalog);
    expect(issues).toEqual([]);
    expect(rows).toHaveLength(12);
    expect(rows.find((r) => r.service_id === 'ngrok')).toEqual({
      service_id: 'ngrok', scope_kind: 'host', scope_value: 'build01.corp.example.org', note: 'webhook testing on the build server only',
    });
    expect(parsePolicyCsv(policyToCsv(rows), catalog)).toEqual({ rows, issues: [] });
  });

  it('canonicalises values and names the line of every bad row', () => {
    const text = [
      'service_id,scope_kind,scope_value,note',
      'dropbx,all,,typo',
      'dropbox,planet,earth,',
      'dropbox,role,,',
      'dropbox,host,not a host,',
      'dropbox,process,C:\\Program Files\\Dropbox\\Client\\Dropbox.exe,',
      'slack,role,Build Server,',
      "*,business_unit,'); DROP TABLE events; --,hostile value stays data",
    ].join('\n');
    const { rows, issues } = parsePolicyCsv(text, catalog, 'approved.csv');
    expect(issues).toEqual([
      "approved.csv line 2: unknown service id 'dropbx' (use a catalog id or '*')",
      "approved.csv line 3: scope_kind 'planet' is not one of all, role, business_unit, host, process",
      "approved.csv line 4: scope 'role' needs a scope_value",
      "approved.csv line 5: 'not a host' is not a host name or IP",
    ]);
    expect(rows.map((r) => r.scope_value)).toEqual(['dropbox.exe', 'build-server', "'); DROP TABLE events; --"]);
    expect(policyToCsv(rows)).toContain(`*,business_unit,'); DROP TABLE events; --,hostile value stays data`);
  });
});
