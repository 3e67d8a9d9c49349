import { describe, expect, it } from 'vitest';
import { accountPrefix } from './indicators.ts';
import { stixId, stixPattern } from './stix.ts';
import { indicatorsCsv } from './iocs-csv.ts';

describe('indicators of an account', () => {
  it('cut the request at the account id, before any redacted secret; a host-borne account is a domain', () => {
    expect(accountPrefix('api.telegram.org/bot7012345678:[REDACTED]/getUpdates?offset=1', '7012345678')).toEqual({ type: 'url-prefix', value: 'api.telegram.org/bot7012345678' });
    expect(accountPrefix('api.telegram.org/bot7:[REDACTED]/sendMessage?chat_id=-100123', '-100123')).toEqual({ type: 'url-prefix', value: 'api.telegram.org/bot7:' });
    expect(accountPrefix('github.com/evil-org/tools/raw/main/cmd.txt', 'evil-org/tools')).toEqual({ type: 'url-prefix', value: 'github.com/evil-org/tools' });
    expect(accountPrefix('a1b2.ngrok-free.app/beacon', 'a1b2')).toEqual({ type: 'domain', value: 'a1b2.ngrok-free.app' });
  });

  it('write STIX patterns with quotes and backslashes escaped, and stable version-5 style ids', () => {
    expect(stixPattern({ type: 'domain', value: "x'.example" })).toBe("[domain-name:value = 'x\\'.example']");
    expect(stixPattern({ type: 'url-prefix', value: 'github.com/a\\b' })).toBe("[url:value LIKE '%://github.com/a\\\\b%']");
    expect(stixPattern({ type: 'ipv4', value: '203.0.113.9' })).toBe("[ipv4-addr:value = '203.0.113.9']");
    expect(stixId('indicator', 'x')).toMatch(/^indicator--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stixId('indicator', 'x')).toBe(stixId('indicator', 'x'));
    expect(stixId('indicator', 'x')).not.toBe(stixId('indicator', 'y'));
  });

  it('keep spreadsheet formulas inert in the CSV', () => {
    const csv = indicatorsCsv([{ type: 'domain', value: '=HYPERLINK("x")', account: null, service: null, finding_ids: ['rw-1'], sources: ['ws01'], first_seen: 'a', last_seen: 'b', score: 50 }]);
    expect(csv.split('\r\n')[1]).toMatch(/^domain,"'=HYPERLINK/);
  });
});
