import { describe, expect, it } from 'vitest';
import { campaignId, campaignsOf, type CampaignFinding } from './campaigns.ts';
import { redactDeep, redactSecrets } from './redact.ts';

const finding = (id: string, host: string, first: string, accounts: { kind: string; id: string }[]): CampaignFinding => ({
  id, source: { ip: null, hostname: host }, service: { id: 'telegram' }, destination: { accounts }, first_seen: first, last_seen: first,
});
const bot = { kind: 'telegram-bot', id: '7012345678' };

describe('campaignsOf', () => {
  it('groups findings that reach one account from several sources, first reached first, and nothing else', () => {
    const campaigns = campaignsOf([
      finding('b', 'ws02', '2024-05-02T10:00:00.000Z', [bot]),
      finding('a', 'ws01', '2024-05-01T10:00:00.000Z', [bot, { kind: 'github-repo', id: 'x/y' }]),
      finding('c', 'ws01', '2024-05-03T10:00:00.000Z', [{ kind: 'github-repo', id: 'x/y' }]),
      finding('d', 'ws03', '2024-05-03T10:00:00.000Z', [{ kind: 'telegram-bot', id: '999' }]),
    ]);
    expect(campaigns).toEqual([{
      id: campaignId('telegram-bot', '7012345678'), account: bot, service: 'telegram', finding_ids: ['a', 'b'], sources: ['ws01', 'ws02'],
      first_seen: '2024-05-01T10:00:00.000Z', last_seen: '2024-05-02T10:00:00.000Z',
    }]);
    expect(campaignId('telegram-bot', '7012345678')).toMatch(/^campaign-[0-9a-f]{16}$/);
    expect(campaignId('telegram-bot', '7012345678')).not.toBe(campaignId('telegram-bot', '7012345679'));
  });
});

describe('redaction of outputs', () => {
  it('redacts every string of a structure, keys too, and keeps hostile keys as data', () => {
    const token = '7012345678:AAF1x2y3z4A5B6C7D8E9F0g1h2i3j4k5l6m';
    const value = JSON.parse(`{"url": "/bot${token}/getUpdates", "list": ["x-api-key:sk-ant-abcdefghijklmnopqrstuvwxyz0123"], "__proto__": {"n": 1}, "when": 5}`);
    const out = redactDeep(value);
    expect(JSON.stringify(out)).not.toContain(token.split(':')[1]);
    expect(JSON.stringify(out)).not.toContain('sk-ant-');
    expect(out.url).toBe('/bot7012345678:[REDACTED]/getUpdates');
    expect(Object.keys(out)).toContain('__proto__');
    expect(({} as Record<string, unknown>).n).toBeUndefined();
    expect(out.when).toBe(5);
    expect(redactSecrets('https://github.com/evil-org/tools/raw/main/cmd.txt')).toBe('https://github.com/evil-org/tools/raw/main/cmd.txt');
  });
});
