import { describe, expect, it } from 'vitest';
import { formatRoute, parseHash, type Route } from './url-state.svelte.ts';

describe('parseHash', () => {
  it('reads every view', () => {
    expect(parseHash('#/overview')).toEqual({ view: 'overview' });
    expect(parseHash('#/data')).toEqual({ view: 'data' });
    expect(parseHash('#/console')).toEqual({ view: 'console' });
    expect(parseHash('#/assets')).toEqual({ view: 'assets' });
    expect(parseHash('#/readiness')).toEqual({ view: 'readiness' });
    expect(parseHash('#/findings')).toEqual({ view: 'findings', findingId: null });
    expect(parseHash('#/findings/rw-0123456789abcdef')).toEqual({ view: 'findings', findingId: 'rw-0123456789abcdef' });
    expect(parseHash('#/host/WS-014')).toEqual({ view: 'host', hostKey: 'ws-014' });
    expect(parseHash('#/host/10.1.2.25')).toEqual({ view: 'host', hostKey: '10.1.2.25' });
    expect(parseHash('#/host/2001%3Adb8%3A%3A5')).toEqual({ view: 'host', hostKey: '2001:db8::5' });
    expect(parseHash('#/service/google-drive')).toEqual({ view: 'service', serviceId: 'google-drive' });
    expect(parseHash('#/campaigns/campaign-0123456789abcdef')).toEqual({ view: 'campaigns', campaignId: 'campaign-0123456789abcdef' });
  });

  it('accepts a missing slash and a trailing slash', () => {
    expect(parseHash('#overview')).toEqual({ view: 'overview' });
    expect(parseHash('#/service/telegram/')).toEqual({ view: 'service', serviceId: 'telegram' });
  });

  it('returns null for empty, unknown or hostile hashes', () => {
    for (const hash of [
      '', '#', '#/', '#/nope', '#/__proto__', '#/constructor/x', '#/overview/extra', '#/findings/a/b',
      '#/host/%E0%A4%A', // malformed percent-encoding
      '#/host/%3Cscript%3E', '#/service/..%2F..%2Fetc', '#/findings/%20rw-1', '#/host/a%00b', '#/campaigns/telegram-bot',
      `#/findings/${'a'.repeat(300)}`, `#/host/${'%41'.repeat(400)}`, `#/${'x'.repeat(700)}`,
    ]) {
      expect(parseHash(hash), hash).toBeNull();
    }
  });
});

describe('formatRoute', () => {
  it('round-trips through parseHash', () => {
    const routes: Route[] = [
      { view: 'overview' }, { view: 'data' }, { view: 'console' },
      { view: 'findings', findingId: null }, { view: 'findings', findingId: 'rw-00ff00ff00ff00ff' },
      { view: 'host', hostKey: 'fin-ws-03' }, { view: 'host', hostKey: 'fe80::1' },
      { view: 'service', serviceId: 'telegram' }, { view: 'service', serviceId: null },
      { view: 'campaigns', campaignId: null }, { view: 'campaigns', campaignId: 'campaign-00ff00ff00ff00ff' },
    ];
    for (const route of routes) expect(parseHash(formatRoute(route))).toEqual(route);
  });

  it('encodes values so a host name cannot add path segments', () => {
    expect(formatRoute({ view: 'host', hostKey: 'a/b' })).toBe('#/host/a%2Fb');
    expect(parseHash(formatRoute({ view: 'host', hostKey: 'a/b' }))).toBeNull();
  });
});
