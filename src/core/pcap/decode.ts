/**
 * Link, network and transport headers of one captured packet → the fields a flow needs. A packet that cannot
 * become part of a flow gets a reason instead (ARP, a fragment, a cut header...), which the adapter counts.
 */

export interface Decoded {
  src: string;
  dst: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  /** TCP/UDP ports; for ICMP the type and code, as Zeek reports them. */
  srcPort: number;
  dstPort: number;
  /** TCP flags byte (FIN 1, SYN 2, RST 4, PSH 8, ACK 16); 0 for UDP and ICMP. */
  flags: number;
  seq: number;
  /** Captured transport payload, bounded by the IP and UDP lengths (never the Ethernet padding). */
  payload: Uint8Array;
  /** Payload length as the headers state it: more than `payload.length` when the capture was cut to a snap length. */
  payloadLength: number;
  /** Bytes of the IP packet as its header states them. */
  ipBytes: number;
}

export const TCP_FIN = 1;
export const TCP_SYN = 2;
export const TCP_RST = 4;
export const TCP_ACK = 16;

/** LINKTYPE_* values this decoder reads. */
export const LINK = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, SLL: 113, IPV4: 228, IPV6: 229, SLL2: 276 } as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
const ETHERTYPE_NAMES: Record<number, string> = { 0x0806: 'ARP', 0x88cc: 'LLDP', 0x8035: 'RARP', 0x888e: 'EAPOL', 0x8864: 'PPPoE' };
/** BSD loopback address families that mean IPv6 (they differ between BSDs). */
const AF_INET6 = new Set([24, 28, 30]);

export function decodePacket(linkType: number, data: Uint8Array): Decoded | string {
  switch (linkType) {
    case LINK.ETHERNET:
      return ethernet(data);
    case LINK.RAW:
    case LINK.IPV4:
    case LINK.IPV6:
    case 12: // LINKTYPE_RAW's value on some BSDs
    case 14:
      return ipByVersion(data, 0);
    case LINK.SLL:
      return data.length < 16 ? 'the Linux cooked header is cut off' : byEthertype(data, 16, (data[14] << 8) | data[15]);
    case LINK.SLL2:
      return data.length < 20 ? 'the Linux cooked v2 header is cut off' : byEthertype(data, 20, (data[0] << 8) | data[1]);
    case LINK.NULL:
    case LINK.LOOP: {
      if (data.length < 4) return 'the loopback header is cut off';
      // NULL stores the family in the capturing host's byte order, LOOP in network order: take the non-zero end.
      const family = data[0] || data[3];
      if (family === 2) return ipv4(data, 4);
      if (AF_INET6.has(family)) return ipv6(data, 4);
      return `loopback address family ${family} is not IP`;
    }
    default:
      return `link type ${linkType} is not decoded`;
  }
}

function ethernet(data: Uint8Array): Decoded | string {
  if (data.length < 14) return 'the Ethernet header is cut off';
  let at = 12;
  let type = (data[at] << 8) | data[at + 1];
  // 802.1Q, QinQ and older double tags: skip each 4-byte tag.
  while (VLAN_TAGS.has(type)) {
    at += 4;
    if (data.length < at + 2) return 'the VLAN tag is cut off';
    type = (data[at] << 8) | data[at + 1];
  }
  if (type < 0x0600) return 'an 802.3/LLC frame is not IP';
  return byEthertype(data, at + 2, type);
}

function byEthertype(data: Uint8Array, at: number, type: number): Decoded | string {
  if (type === ETHERTYPE_IPV4) return ipv4(data, at);
  if (type === ETHERTYPE_IPV6) return ipv6(data, at);
  const name = ETHERTYPE_NAMES[type];
  return `ethertype 0x${type.toString(16).padStart(4, '0')}${name ? ` (${name})` : ''} is not IP`;
}

function ipByVersion(data: Uint8Array, at: number): Decoded | string {
  const version = data.length > at ? data[at] >> 4 : 0;
  if (version === 4) return ipv4(data, at);
  if (version === 6) return ipv6(data, at);
  return `IP version ${version} is not IPv4 or IPv6`;
}

function ipv4(data: Uint8Array, at: number): Decoded | string {
  if (data.length < at + 20 || data[at] >> 4 !== 4) return 'the IPv4 header is cut off or malformed';
  const headerLength = (data[at] & 0x0f) * 4;
  // A total length of 0 is TCP segmentation offload seen before the NIC split it: the captured bytes are the packet.
  const stated = (data[at + 2] << 8) | data[at + 3];
  const total = stated === 0 ? data.length - at : stated;
  if (headerLength < 20 || total < headerLength) return 'the IPv4 header lengths are impossible';
  const fragment = ((data[at + 6] & 0x3f) << 8) | data[at + 7]; // more-fragments flag and offset
  if (fragment !== 0) return 'IPv4 fragment (fragments are counted, not reassembled)';
  return transport(data[at + 9], ipv4Text(data, at + 12), ipv4Text(data, at + 16), data, at + headerLength, at + total, total);
}

/** Extension headers skipped on the way to the transport header. */
const IPV6_EXTENSIONS = new Set([0, 43, 60, 135, 139, 140]);

function ipv6(data: Uint8Array, at: number): Decoded | string {
  if (data.length < at + 40 || data[at] >> 4 !== 6) return 'the IPv6 header is cut off or malformed';
  const payloadLength = (data[at + 4] << 8) | data[at + 5];
  const statedEnd = payloadLength === 0 ? data.length : at + 40 + payloadLength;
  const end = Math.min(data.length, statedEnd);
  let next = data[at + 6];
  let offset = at + 40;
  for (;;) {
    if (IPV6_EXTENSIONS.has(next)) {
      if (offset + 8 > end) return 'an IPv6 extension header is cut off';
      const following = data[offset];
      offset += (data[offset + 1] + 1) * 8;
      next = following;
    } else if (next === 44) {
      if (offset + 8 > end) return 'an IPv6 extension header is cut off';
      if ((((data[offset + 2] << 8) | data[offset + 3]) & 0xfff9) !== 0) return 'IPv6 fragment (fragments are counted, not reassembled)';
      next = data[offset];
      offset += 8; // an atomic fragment: the whole packet is here
    } else if (next === 51) {
      if (offset + 8 > end) return 'an IPv6 extension header is cut off';
      const following = data[offset];
      offset += (data[offset + 1] + 2) * 4;
      next = following;
    } else break;
  }
  return transport(next, ipv6Text(data, at + 8), ipv6Text(data, at + 24), data, offset, statedEnd, statedEnd - at);
}

/** `statedEnd` is where the IP header says the packet ends; the captured bytes may stop earlier. */
function transport(
  protocol: number,
  src: string,
  dst: string,
  data: Uint8Array,
  at: number,
  statedEnd: number,
  ipBytes: number,
): Decoded | string {
  const end = Math.min(data.length, statedEnd);
  if (protocol === 6) {
    if (end < at + 20) return 'the TCP header is cut off';
    const headerLength = (data[at + 12] >> 4) * 4;
    if (headerLength < 20) return 'the TCP header length is impossible';
    return {
      src,
      dst,
      protocol: 'tcp',
      ipBytes,
      srcPort: (data[at] << 8) | data[at + 1],
      dstPort: (data[at + 2] << 8) | data[at + 3],
      seq: ((data[at + 4] << 24) | (data[at + 5] << 16) | (data[at + 6] << 8) | data[at + 7]) >>> 0,
      flags: data[at + 13],
      payload: data.subarray(Math.min(end, at + headerLength), end),
      payloadLength: Math.max(0, statedEnd - at - headerLength),
    };
  }
  if (protocol === 17) {
    if (end < at + 8) return 'the UDP header is cut off';
    const length = (data[at + 4] << 8) | data[at + 5];
    const stated = length >= 8 ? at + length : statedEnd;
    return {
      src,
      dst,
      protocol: 'udp',
      ipBytes,
      flags: 0,
      seq: 0,
      srcPort: (data[at] << 8) | data[at + 1],
      dstPort: (data[at + 2] << 8) | data[at + 3],
      payload: data.subarray(at + 8, Math.min(end, stated)),
      payloadLength: stated - at - 8,
    };
  }
  if (protocol === 1 || protocol === 58) {
    if (end < at + 2) return 'the ICMP header is cut off';
    const payload = data.subarray(Math.min(end, at + 4), end);
    return {
      src,
      dst,
      protocol: 'icmp',
      ipBytes,
      flags: 0,
      seq: 0,
      srcPort: data[at],
      dstPort: data[at + 1],
      payload,
      payloadLength: Math.max(0, statedEnd - at - 4),
    };
  }
  return `IP protocol ${protocol} is not TCP, UDP or ICMP`;
}

/** Texts of recently seen IPv4 addresses: a capture repeats a few addresses millions of times. */
const IPV4_TEXTS = new Map<number, string>();
const MAX_CACHED_ADDRESSES = 65_536;

export function ipv4Text(data: Uint8Array, at: number): string {
  const value = ((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>> 0;
  let text = IPV4_TEXTS.get(value);
  if (text === undefined) {
    if (IPV4_TEXTS.size >= MAX_CACHED_ADDRESSES) IPV4_TEXTS.clear();
    text = `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`;
    IPV4_TEXTS.set(value, text);
  }
  return text;
}

/** RFC 5952 text: lower-case hex, leading zeros dropped, the longest run of two or more zero groups as '::'. */
export function ipv6Text(data: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((data[at + 2 * i] << 8) | data[at + 2 * i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Bytes as text one character per byte: protocol names and headers are ASCII, and nothing is lost if not. */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
