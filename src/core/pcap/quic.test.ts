import { describe, expect, it } from 'vitest';
import { clientInitialKeys, cryptoStream, isQuicInitial, openInitial, readVarint } from './quic.ts';
import { clientHelloMessage, quicInitial } from './write.ts';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const bytes = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));

describe('QUIC Initial protection', () => {
  it('derives the client Initial keys of RFC 9001 appendix A.1', () => {
    const keys = clientInitialKeys(bytes('8394c8f03e515708'));
    expect([hex(keys.key), hex(keys.iv), hex(keys.hp)]).toEqual([
      '1f369613dd76d5467730efcbe3b1a22d',
      'fa044b2f42a3fd3b46fb255c',
      '9f50449e04a0e810283a1e9933adedd2',
    ]);
  });

  it('opens an Initial and returns its CRYPTO data; a wrong connection id does not open it', () => {
    const hello = Uint8Array.from(clientHelloMessage({ ciphers: [0x1301], sni: 'a.test' }));
    const dcid = bytes('0011223344556677');
    const datagram = quicInitial(dcid, bytes('aabb'), hello, 7, 0);
    expect(datagram.length).toBeGreaterThanOrEqual(1200);
    expect(isQuicInitial(datagram)).toBe(true);
    const opened = openInitial(datagram);
    expect(opened?.crypto.map((f) => f.offset)).toEqual([0]);
    expect(hex(cryptoStream(opened!.crypto))).toBe(hex(hello));
    expect(openInitial(datagram, bytes('ffffffffffffffff'))).toBeNull();
    expect(isQuicInitial(new TextEncoder().encode('GET / HTTP/1.1'))).toBe(false);
  });

  it('puts CRYPTO frames together by offset, stopping at a gap', () => {
    const frames = [
      { offset: 4, data: bytes('0405') },
      { offset: 0, data: bytes('00010203') },
      { offset: 3, data: bytes('03') },
      { offset: 9, data: bytes('09') },
    ];
    expect(hex(cryptoStream(frames))).toBe('000102030405');
  });

  it.each([
    ['25', 37],
    ['7bbd', 15293],
    ['9d7f3e7d', 494878333],
  ])('reads the varint %s (RFC 9000 appendix A.1)', (text, value) => {
    expect(readVarint(bytes(text), 0)).toEqual({ value, next: text.length / 2 });
  });
});
