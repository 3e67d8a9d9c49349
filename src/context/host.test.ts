import { describe, expect, it } from 'vitest';
import { hostMatchesPattern, ipv6Bits, isValidHostPattern, normalizeHost, registrableDomain } from './host.ts';

describe('normalizeHost', () => {
  it.each([
    ['Dropbox.COM', 'dropbox.com'],
    ['  api.telegram.org.  ', 'api.telegram.org'],
    ['content.dropboxapi.com:443', 'content.dropboxapi.com'],
    ['dropbox.com.:8443', 'dropbox.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['XN--BCHER-KVA.DE', 'xn--bcher-kva.de'],
    ['[2001:DB8:0:0::1]:443', '2001:db8::1'],
    ['2001:0db8::0001', '2001:db8::1'],
    ['10.0.0.5:3128', '10.0.0.5'],
    ['a.b.c.d.e.raw.githubusercontent.com', 'a.b.c.d.e.raw.githubusercontent.com'],
  ])('%s → %s', (raw, expected) => expect(normalizeHost(raw)).toBe(expected));

  it.each(['', ' ', 'http://dropbox.com', 'dropbox.com/x', 'user@dropbox.com', 'a..b', '-bad.com', 'bad-.com', 'a b.com',
    'dropbox.com:99999x', 'x'.repeat(300) + '.com', '0x7f.1', 'ex*ample.com', "x'); DROP TABLE events; --"])(
    'rejects %j', (raw) => expect(normalizeHost(raw)).toBeNull());
});

describe('host patterns', () => {
  it('accepts normalised names with two or more labels that are not a public suffix', () => {
    expect(isValidHostPattern('raw.githubusercontent.com')).toBe(true);
    expect(isValidHostPattern('github.io')).toBe(true); // a private PSL suffix: we still want its tenants
    for (const bad of ['com', 'co.uk', 'Dropbox.com', 'dropbox.com.', '10.0.0.1', '*.dropbox.com', '.dropbox.com'])
      expect(isValidHostPattern(bad), bad).toBe(false);
  });

  it('matches the apex and subdomains but not look-alikes', () => {
    expect(hostMatchesPattern('dropbox.com', 'dropbox.com')).toBe(true);
    expect(hostMatchesPattern('a.b.dropbox.com', 'dropbox.com')).toBe(true);
    expect(hostMatchesPattern('evildropbox.com', 'dropbox.com')).toBe(false);
    expect(hostMatchesPattern('dropbox.com.evil.io', 'dropbox.com')).toBe(false);
  });
});

describe('registrableDomain', () => {
  it('uses the full Public Suffix List so platform tenants stay apart', () => {
    expect(registrableDomain('a.b.dropbox.com')).toBe('dropbox.com');
    expect(registrableDomain('evil.github.io')).toBe('evil.github.io');
    expect(registrableDomain('x.y.example.co.uk')).toBe('example.co.uk');
    expect(registrableDomain('raw.githubusercontent.com.attacker.net')).toBe('attacker.net');
    expect(registrableDomain('10.1.2.3')).toBeNull();
    expect(registrableDomain('co.uk')).toBeNull();
  });
});

describe('ipv6Bits', () => {
  it('expands compressed and IPv4-tailed forms to 128 bits', () => {
    expect(ipv6Bits('::1')).toBe('0'.repeat(127) + '1');
    expect(ipv6Bits('2001:db8::')!.slice(0, 32)).toBe('00100000000000010000110110111000');
    expect(ipv6Bits('::ffff:10.0.0.1')).toBe(ipv6Bits('::ffff:a00:1'));
    expect(ipv6Bits('2001:db8::1')).toHaveLength(128);
    expect(ipv6Bits('10.0.0.1')).toBeNull();
    expect(ipv6Bits('2001:db8::g')).toBeNull();
  });
});
