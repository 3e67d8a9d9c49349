import { describe, expect, it } from 'vitest';
import { clientHelloMessage, handshakeRecords, serverHelloRecord } from './write.ts';
import { firstHandshake, isGrease, ja3, ja3String, ja4, parseClientHello, parseServerHello, type ClientHello } from './tls.ts';

const hex = (list: string) => list.split(',').map((x) => parseInt(x, 16));

/** A browser ClientHello published with its JA3 and JA4 (raw lists in wire order), as a fingerprint reference. */
const PUBLISHED: ClientHello = {
  version: 771,
  ciphers: hex('1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035'),
  extensions: hex('002d,0033,0010,fe0d,0017,44cd,0000,000b,000a,002b,ff01,0023,0012,0005,000d,001b'),
  sni: 'tls.browserleaks.com',
  alpn: ['h2', 'http/1.1'],
  groups: [4588, 29, 23, 24],
  pointFormats: [0],
  signatureAlgorithms: hex('0403,0804,0401,0503,0805,0501,0806,0601'),
  supportedVersions: [0x0304, 0x0303],
};

describe('fingerprints', () => {
  it('match the published JA3 and JA4 of a browser hello', () => {
    expect(ja3String(PUBLISHED)).toBe(
      '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0',
    );
    expect(ja3(PUBLISHED)).toBe('98487aa16281980e7d1120d399efb6a4');
    expect(ja4(PUBLISHED)).toBe('t13d1516h2_8daaf6152771_d8a2da3f94cd');
  });

  it('leave GREASE out and do not depend on extension order (JA4) but do for JA3', () => {
    const greased = { ...PUBLISHED, ciphers: [0x1a1a, ...PUBLISHED.ciphers], extensions: [0x2a2a, ...PUBLISHED.extensions, 0xfafa] };
    expect(ja3(greased)).toBe(ja3(PUBLISHED));
    expect(ja4(greased)).toBe(ja4(PUBLISHED));
    const shuffled = { ...PUBLISHED, extensions: [...PUBLISHED.extensions].reverse() };
    expect(ja4(shuffled)).toBe(ja4(PUBLISHED));
    expect(ja3(shuffled)).not.toBe(ja3(PUBLISHED));
    expect([0x0a0a, 0xfafa, 0x1a1a].every(isGrease)).toBe(true);
    expect([0x0a0b, 0x1301, 0x1a2a].some(isGrease)).toBe(false);
  });

  it.each([
    ['no SNI, no ALPN, TLS 1.2 only', { sni: null, alpn: [], supportedVersions: [] }, /^t12i151600_/],
    ['ALPN with non-alphanumeric ends', { alpn: ['\u00abx\u00bb'] }, /^t13d1516ab_/],
    ['QUIC', {}, /^q13d1516h2_/],
  ])('JA4 part a: %s', (name, change, pattern) => {
    expect(ja4({ ...PUBLISHED, ...change } as ClientHello, name === 'QUIC' ? 'q' : 't')).toMatch(pattern);
  });
});

describe('hello parsing', () => {
  const spec = {
    ciphers: [0x0a0a, 0x1301, 0xc02f],
    sni: 'Api.Example.test',
    alpn: ['h2', 'http/1.1'],
    groups: [29, 23],
    pointFormats: [0],
    signatureAlgorithms: [0x0403],
    supportedVersions: [0x0304, 0x0303],
    others: [0xff01],
  };

  it('reads every field a fingerprint uses, from a hello split over several records', () => {
    const message = firstHandshake(handshakeRecords(clientHelloMessage(spec), 40));
    expect(message).toBeInstanceOf(Uint8Array);
    expect(parseClientHello(message as Uint8Array)).toEqual({
      version: 0x0303,
      ciphers: [0x0a0a, 0x1301, 0xc02f],
      extensions: [0, 10, 11, 13, 16, 43, 0xff01],
      sni: 'Api.Example.test',
      alpn: ['h2', 'http/1.1'],
      groups: [29, 23],
      pointFormats: [0],
      signatureAlgorithms: [0x0403],
      supportedVersions: [0x0304, 0x0303],
    });
  });

  it("waits for the rest of a hello, refuses what is not a handshake, and survives a truncated hello's fields", () => {
    const records = handshakeRecords(clientHelloMessage(spec));
    expect(firstHandshake(records.subarray(0, 30))).toBe('more');
    expect(firstHandshake(new TextEncoder().encode('GET / HTTP/1.1\r\n'))).toBeNull();
    const message = firstHandshake(records) as Uint8Array;
    expect(parseClientHello(message.subarray(0, 50))).toBeNull();
    expect(parseClientHello(Uint8Array.of(2, 0, 0, 0))).toBeNull();
  });

  it('takes the negotiated version from supported_versions when the server sends it', () => {
    const tls13 = firstHandshake(serverHelloRecord(0x0303, 0x1302, 0x0304)) as Uint8Array;
    expect(parseServerHello(tls13)).toEqual({ version: 0x0304, cipher: 0x1302 });
    const tls12 = firstHandshake(serverHelloRecord(0x0303, 0xc030)) as Uint8Array;
    expect(parseServerHello(tls12)).toEqual({ version: 0x0303, cipher: 0xc030 });
  });
});
