import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { m365AuditCsvAdapter, m365AuditJsonAdapter } from './m365-audit.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/m365-audit/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => Date.parse(iso) * 1000;

describe('M365 unified audit log CSV', () => {
  const text = fixture('audit-export.csv');
  const run = runAdapter(m365AuditCsvAdapter, text);

  it('sniffs the portal header', () => {
    expect(m365AuditCsvAdapter.sniff(text)).toBeGreaterThan(0.9);
    expect(m365AuditJsonAdapter.sniff(text)).toBe(0);
  });

  it('maps file operations and sign-ins, rejecting a truncated row', () => {
    expect(run.loaded).toBe(2);
    expect(run.rejected).toHaveLength(1);
    expect(run.rejected[0].recordNo).toBe(3);
    expect(run.events[0]).toMatchObject({
      ts: utc('2024-05-01T12:00:01Z'),
      kind: 'saas',
      saas_app: 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
      saas_operation: 'FileUploaded',
      saas_object: 'https://contoso-my.sharepoint.com/personal/alice_contoso_com/Documents/out/c2.txt',
      src_ip: '203.0.113.7',
      src_port: 51234,
      src_user: 'alice@contoso.com',
      user_agent: 'python-requests/2.31.0',
      dst_host: 'contoso-my.sharepoint.com',
      dst_host_origin: 'url',
    });
    expect(extraOf(run.events[0]).get('Workload')).toBe('OneDrive');
    expect(run.events[1]).toMatchObject({
      saas_operation: 'UserLoggedIn',
      src_ip: '2001:db8::7',
      src_port: 443,
      user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      action: 'allow',
      dst_host: null,
      saas_object: '00000003-0000-0000-c000-000000000000',
    });
  });
});

describe('M365 unified audit log JSON', () => {
  const text = fixture('audit-data.ndjson');

  it('reads AuditData objects and rows carrying AuditData text', () => {
    expect(m365AuditJsonAdapter.sniff(text)).toBeGreaterThan(0.8);
    const run = runAdapter(m365AuditJsonAdapter, text);
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([{ recordNo: 2, reason: 'AuditData has no Operation' }]);
    expect(run.events[0]).toMatchObject({
      ts: utc('2024-05-01T12:10:00Z'),
      saas_app: 'SharePoint',
      saas_operation: 'FileAccessed',
      dst_host: 'contoso.sharepoint.com',
      user_agent: 'curl/8.4.0',
      src_ip: '198.51.100.9',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(run.events[1]).toMatchObject({ ts: utc('2024-05-01T12:11:00Z'), saas_operation: 'FileDownloaded', dst_host: 'contoso-my.sharepoint.com' });
  });
});
