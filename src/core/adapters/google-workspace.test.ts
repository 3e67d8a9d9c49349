import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { googleWorkspaceCsvAdapter } from './google-workspace.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/google-workspace/${name}`, import.meta.url), 'utf8');
const utc = (iso: string) => Date.parse(iso) * 1000;

describe('Google Workspace Drive log events', () => {
  const text = fixture('drive-log-events.csv');
  const run = runAdapter(googleWorkspaceCsvAdapter, text);

  it('sniffs by header and names the export', () => {
    expect(googleWorkspaceCsvAdapter.sniff(text)).toBeGreaterThan(0.8);
    expect(googleWorkspaceCsvAdapter.sniff('Date,Event name,Description\n')).toBe(0);
    expect(run.format).toBe('google-workspace-drive-csv');
  });

  it('maps rows to saas events and rejects unreadable dates', () => {
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([{ recordNo: 3, reason: 'unreadable Date "yesterday"' }]);
    expect(run.events[0]).toMatchObject({
      ts: utc('2024-05-01T12:00:01Z'),
      kind: 'saas',
      saas_app: 'google-drive',
      saas_operation: 'Download',
      saas_object: 'tasks.txt',
      src_user: 'alice@example.org',
      src_ip: '203.0.113.7',
    });
    expect(extraOf(run.events[0]).get('Owner')).toBe('mallory@gmail.com');
    expect(extraOf(run.events[0]).get('Item ID')).toBe('1AbCdEfGh');
    // "GMT+2" in the text wins over the log's configured offset.
    expect(run.events[1]).toMatchObject({ ts: utc('2024-05-01T12:05:00Z'), saas_operation: 'Edit' });
    expect(extraOf(run.events[1]).get('Prior visibility')).toBe('Private');
  });
});

describe('Google Workspace login events', () => {
  it('maps logins', () => {
    const run = runAdapter(googleWorkspaceCsvAdapter, fixture('login-events.csv'));
    expect(run.format).toBe('google-workspace-login-csv');
    expect(run.loaded).toBe(2);
    expect(run.rejected).toEqual([]);
    expect(run.events[1]).toMatchObject({
      ts: utc('2024-05-01T08:10:00Z'),
      saas_app: 'google-login',
      saas_operation: 'Failed login',
      saas_object: null,
      src_user: 'bob@example.org',
      src_ip: '2001:db8::9',
    });
    expect(extraOf(run.events[1]).get('Is suspicious')).toBe('true');
  });
});
