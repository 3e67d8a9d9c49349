import { describe, expect, it } from 'vitest';
import { decodePacket, ipv6Text, LINK, TCP_ACK, TCP_SYN, type Decoded } from './decode.ts';
import { ethernetFrame, ipv4Packet } from './write.ts';

const udp = ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5000, dstPort: 53, payload: new Uint8Array([1, 2, 3]) });
const tcp = ipv4Packet({ src: '10.0.0.1', dst: '192.0.2.9', srcPort: 40000, dstPort: 443, flags: TCP_SYN | TCP_ACK, seq: 0xfffffff0 });
const cat = (...parts: (number[] | Uint8Array)[]) => new Uint8Array(parts.flatMap((p) => [...p]));
const MACS = new Array(12).fill(0);

/** An IPv6 header (payload length from `rest`) followed by `rest`. */
function ipv6(next: number, rest: number[]): number[] {
  const src = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
  const dst = [0xfe, 0x80, ...new Array(13).fill(0), 2];
  return [0x60, 0, 0, 0, rest.length >> 8, rest.length & 0xff, next, 64, ...src, ...dst, ...rest];
}
const udpHeader = (payload: number[]) => [0x13, 0x88, 0x00, 0x35, 0, 8 + payload.length, 0, 0, ...payload];

const flat = (d: Decoded | string) => (typeof d === 'string' ? d : { ...d, payload: [...d.payload] });

describe('decodePacket', () => {
  it.each<[string, number, Uint8Array, Partial<ReturnType<typeof flat>> | string]>([
    [
      'Ethernet + IPv4 + UDP',
      LINK.ETHERNET,
      ethernetFrame(udp),
      { protocol: 'udp', src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5000, dstPort: 53, payload: [1, 2, 3], ipBytes: 31 },
    ],
    ['Ethernet padding is not payload', LINK.ETHERNET, cat(ethernetFrame(udp), [0, 0, 0, 0, 0]), { payload: [1, 2, 3] }],
    [
      'Ethernet + IPv4 + TCP',
      LINK.ETHERNET,
      ethernetFrame(tcp),
      { protocol: 'tcp', dst: '192.0.2.9', dstPort: 443, flags: TCP_SYN | TCP_ACK, seq: 0xfffffff0, payload: [] },
    ],
    ['802.1Q', LINK.ETHERNET, cat(MACS, [0x81, 0, 0, 7, 0x08, 0x00], udp), { protocol: 'udp', dstPort: 53 }],
    ['QinQ', LINK.ETHERNET, cat(MACS, [0x88, 0xa8, 0, 1, 0x81, 0, 0, 7, 0x08, 0x00], udp), { protocol: 'udp', dstPort: 53 }],
    ['Linux cooked', LINK.SLL, cat([0, 0, 0, 1, 0, 6, ...new Array(8).fill(0), 0x08, 0x00], udp), { src: '10.0.0.1' }],
    ['Linux cooked v2', LINK.SLL2, cat([0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, ...new Array(8).fill(0)], udp), { src: '10.0.0.1' }],
    ['raw IP', LINK.RAW, udp, { src: '10.0.0.1', dstPort: 53 }],
    ['BSD loopback (host order)', LINK.NULL, cat([2, 0, 0, 0], udp), { src: '10.0.0.1' }],
    [
      'OpenBSD loopback (network order) with IPv6',
      LINK.LOOP,
      cat([0, 0, 0, 24], ipv6(17, udpHeader([9]))),
      { src: '2001:db8::1', dst: 'fe80::2', payload: [9] },
    ],
    [
      'IPv6 hop-by-hop and destination options',
      LINK.RAW,
      cat(ipv6(0, [60, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, ...udpHeader([7])])),
      { protocol: 'udp', payload: [7] },
    ],
    ['IPv6 atomic fragment', LINK.RAW, cat(ipv6(44, [17, 0, 0, 0, 0, 0, 0, 1, ...udpHeader([5])])), { protocol: 'udp', payload: [5] }],
    [
      'IPv6 fragment',
      LINK.RAW,
      cat(ipv6(44, [17, 0, 0, 8, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8])),
      'IPv6 fragment (fragments are counted, not reassembled)',
    ],
    [
      'IPv4 fragment',
      LINK.RAW,
      cat(udp.subarray(0, 6), [0x20, 0], udp.subarray(8)),
      'IPv4 fragment (fragments are counted, not reassembled)',
    ],
    ['ARP', LINK.ETHERNET, cat(MACS, [0x08, 0x06], new Array(28).fill(0)), 'ethertype 0x0806 (ARP) is not IP'],
    ['802.3 LLC', LINK.ETHERNET, cat(MACS, [0x00, 0x26], new Array(38).fill(0)), 'an 802.3/LLC frame is not IP'],
    ['a cut TCP header', LINK.RAW, tcp.subarray(0, 30), 'the TCP header is cut off'],
    ['GRE', LINK.RAW, cat(udp.subarray(0, 9), [47], udp.subarray(10)), 'IP protocol 47 is not TCP, UDP or ICMP'],
    ['an unknown link type', 147, udp, 'link type 147 is not decoded'],
  ])('%s', (_name, link, bytes, expected) => {
    const decoded = flat(decodePacket(link, bytes));
    if (typeof expected === 'string') expect(decoded).toBe(expected);
    else expect(decoded).toMatchObject(expected);
  });
});

describe('ipv6Text', () => {
  it.each([
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['20010db8000000010000000000000000', '2001:db8:0:1::'],
    ['20010db8000100000001000000000001', '2001:db8:1:0:1::1'], // the longest zero run, not the first
    ['fe800000000000000000ffff0a000001', 'fe80::ffff:a00:1'],
  ])('%s → %s', (hex, text) => {
    expect(ipv6Text(Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16))), 0)).toBe(text);
  });
});
