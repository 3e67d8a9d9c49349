/**
 * Streaming reader of packet capture files: classic pcap (either byte order, micro- or nanosecond stamps) and
 * pcapng (any number of sections and interfaces, either byte order; EPB, SPB and the obsolete PB carry packets).
 * Bytes are pushed in chunks of any size; only a record that straddles two chunks is copied, so memory stays
 * bounded by the largest record, which is itself capped.
 */
import { concat } from './decode.ts';

/** One packet; the reader hands the same object over again for the next packet, so keep fields, not the object. */
export interface Packet {
  /** 1-based packet number in the file (what tshark calls frame.number). */
  no: number;
  /** UTC epoch microseconds. */
  ts: number;
  /** LINKTYPE_* of the interface that captured it. */
  linkType: number;
  /** Captured bytes; a view valid only during the callback. */
  data: Uint8Array;
  /** Length on the wire (≥ data.length when the capture was cut to a snap length). */
  wireLength: number;
}

/** The bytes that start a capture file, for sniffing. */
export const CAPTURE_MAGICS: readonly (readonly number[])[] = [
  [0xd4, 0xc3, 0xb2, 0xa1], // pcap, µs, little-endian
  [0xa1, 0xb2, 0xc3, 0xd4], // pcap, µs, big-endian
  [0x4d, 0x3c, 0xb2, 0xa1], // pcap, ns, little-endian
  [0xa1, 0xb2, 0x3c, 0x4d], // pcap, ns, big-endian
  [0x0a, 0x0d, 0x0d, 0x0a], // pcapng section header block
];

/** Bytes of the next chunk copied to finish a record cut by a chunk boundary (most records are far smaller). */
const BRIDGE_BYTES = 256 * 1024;

/** Largest record accepted; a larger length means a corrupt file, which cannot be resynchronised. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export class CaptureError extends Error {}

const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const OPTION_TSRESOL = 9;
const OPTION_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second (if_tsresol); microseconds unless the interface says otherwise. */
  unitsPerSecond: number;
  offsetMicros: number;
}

export class CaptureReader {
  /** 'pcap' or 'pcapng' once the file header has been read. */
  kind: 'pcap' | 'pcapng' | null = null;
  private held: Uint8Array = new Uint8Array(0);
  private little = true;
  private nanos = false;
  private linkType = 0;
  private interfaces: Interface[] = [];
  private packets = 0;
  private view: DataView = new DataView(new ArrayBuffer(0));
  /** Reused for every packet: a capture has millions, and each new object is garbage a moment later. */
  private readonly packet: Packet = { no: 0, ts: 0, linkType: 0, data: new Uint8Array(0), wireLength: 0 };

  /** Feeds the next bytes; calls `onPacket` for each complete packet, in file order. */
  push(input: Uint8Array, onPacket: (packet: Packet) => void): void {
    // A plain view: Node's Buffer.subarray, called once per packet, is several times slower than Uint8Array's.
    const chunk = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let start = 0;
    if (this.held.length) {
      // Finish the record cut by the chunk boundary from a copy of only the bytes it needs, not the whole chunk.
      const held = this.held.length;
      const bridge = concat(this.held, chunk.subarray(0, Math.min(chunk.length, BRIDGE_BYTES)));
      const at = this.records(bridge, 0, held, onPacket);
      if (at < held) {
        // Still incomplete: keep all of it (the whole chunk too, when the record is longer than the bridge).
        this.held =
          bridge.length - held < chunk.length ? concat(bridge.subarray(at), chunk.subarray(bridge.length - held)) : bridge.slice(at);
        return;
      }
      start = at - held;
    }
    const at = this.records(chunk, start, Infinity, onPacket);
    this.held = at === chunk.length ? new Uint8Array(0) : chunk.slice(at);
  }

  /** Reads records from `at` until the input runs out or a record ends at or past `until`; returns where it stopped. */
  private records(bytes: Uint8Array, at: number, until: number, onPacket: (packet: Packet) => void): number {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (at < until) {
      const used = this.next(bytes, at, onPacket);
      if (used === 0) break;
      at += used;
    }
    return at;
  }

  /**
   * End of input. Returns null when the file ended on a record boundary, else how it was cut (the packets before
   * the cut have been delivered).
   */
  end(): string | null {
    if (this.held.length === 0) return this.kind ? null : 'the file is empty';
    if (!this.kind) return `the file ends inside its ${this.held.length}-byte header`;
    return `the capture is cut off inside the record after packet ${this.packets} (${this.held.length} bytes of it are present)`;
  }

  /** Reads one header or record at `at`; returns the bytes it used, or 0 when it needs more input. */
  private next(bytes: Uint8Array, at: number, onPacket: (packet: Packet) => void): number {
    const left = bytes.length - at;
    if (this.kind === null) return this.fileHeader(bytes, at, left);
    return this.kind === 'pcap' ? this.pcapRecord(bytes, at, left, onPacket) : this.block(bytes, at, left, onPacket);
  }

  private fileHeader(bytes: Uint8Array, at: number, left: number): number {
    if (left < 4) return 0;
    const magic = this.view.getUint32(at, false);
    if (magic === PCAPNG_SHB) {
      this.kind = 'pcapng';
      return this.block(bytes, at, left, () => undefined);
    }
    const found = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].indexOf(magic);
    if (found < 0) throw new CaptureError('not a pcap or pcapng file (unknown magic number)');
    if (left < 24) return 0;
    this.little = found % 2 === 1;
    this.nanos = found >= 2;
    this.linkType = this.u32(at + 20) & 0x0fffffff; // the top bits carry FCS information, not the link type
    this.kind = 'pcap';
    return 24;
  }

  private pcapRecord(bytes: Uint8Array, at: number, left: number, onPacket: (packet: Packet) => void): number {
    if (left < 16) return 0;
    const captured = this.u32(at + 8);
    if (captured > MAX_RECORD_BYTES) {
      throw new CaptureError(`packet ${this.packets + 1} claims ${captured} captured bytes; the file is corrupt from there on`);
    }
    if (left < 16 + captured) return 0;
    const seconds = this.u32(at);
    const fraction = this.u32(at + 4);
    this.packets += 1;
    this.deliver(
      onPacket,
      seconds * 1_000_000 + (this.nanos ? Math.floor(fraction / 1000) : fraction),
      this.linkType,
      bytes.subarray(at + 16, at + 16 + captured),
      this.u32(at + 12),
    );
    return 16 + captured;
  }

  private block(bytes: Uint8Array, at: number, left: number, onPacket: (packet: Packet) => void): number {
    if (left < 12) return 0;
    if (this.view.getUint32(at, false) === PCAPNG_SHB) {
      // A new section may switch byte order; its interfaces replace the previous section's.
      const order = this.view.getUint32(at + 8, false);
      if (order === PCAPNG_BYTE_ORDER) this.little = false;
      else if (order === 0x4d3c2b1a) this.little = true;
      else throw new CaptureError('a pcapng section header has an unknown byte-order magic; the file is corrupt');
      this.interfaces = [];
    }
    const type = this.u32(at);
    const length = this.u32(at + 4);
    if (length < 12 || length % 4 !== 0 || length > MAX_RECORD_BYTES) {
      throw new CaptureError(
        `a pcapng block after packet ${this.packets} has an impossible length (${length}); the file is corrupt from there on`,
      );
    }
    if (left < length) return 0;
    const body = at + 8;
    const bodyEnd = at + length - 4;
    if (type === BLOCK_IDB) this.interfaceBlock(body, bodyEnd);
    else if (type === BLOCK_EPB || type === BLOCK_PB) this.packetBlock(bytes, type, body, bodyEnd, onPacket);
    else if (type === BLOCK_SPB) this.simplePacketBlock(bytes, body, bodyEnd, onPacket);
    // Every other block (name resolution, statistics, secrets, custom) carries no packet.
    return length;
  }

  private interfaceBlock(body: number, end: number): void {
    const iface: Interface = { linkType: this.u16(body), snapLength: this.u32(body + 4), unitsPerSecond: 1_000_000, offsetMicros: 0 };
    for (let at = body + 8; at + 4 <= end;) {
      const code = this.u16(at);
      const length = this.u16(at + 2);
      if (code === 0) break;
      if (code === OPTION_TSRESOL && length >= 1) {
        const value = this.view.getUint8(at + 4);
        iface.unitsPerSecond = value & 0x80 ? 2 ** (value & 0x7f) : 10 ** value;
      } else if (code === OPTION_TSOFFSET && length >= 8) {
        iface.offsetMicros = this.u64(at + 4) * 1_000_000;
      }
      at += 4 + ((length + 3) & ~3);
    }
    this.interfaces.push(iface);
  }

  private packetBlock(bytes: Uint8Array, type: number, body: number, end: number, onPacket: (packet: Packet) => void): void {
    const obsolete = type === BLOCK_PB;
    const iface = this.interfaceAt(obsolete ? this.u16(body) : this.u32(body));
    const captured = this.u32(body + 12);
    if (body + 20 + captured > end)
      throw new CaptureError(`packet ${this.packets + 1} is longer than its pcapng block; the file is corrupt`);
    this.packets += 1;
    this.deliver(
      onPacket,
      toMicros(this.u32(body + 4), this.u32(body + 8), iface),
      iface.linkType,
      bytes.subarray(body + 20, body + 20 + captured),
      this.u32(body + 16),
    );
  }

  private simplePacketBlock(bytes: Uint8Array, body: number, end: number, onPacket: (packet: Packet) => void): void {
    const iface = this.interfaceAt(0);
    const wireLength = this.u32(body);
    const captured = Math.min(wireLength, iface.snapLength || wireLength, end - body - 4);
    this.packets += 1;
    // A simple packet block has no timestamp; tshark shows it at the epoch, and so do we.
    this.deliver(onPacket, iface.offsetMicros, iface.linkType, bytes.subarray(body + 4, body + 4 + captured), wireLength);
  }

  private deliver(onPacket: (packet: Packet) => void, ts: number, linkType: number, data: Uint8Array, wireLength: number): void {
    const packet = this.packet;
    packet.no = this.packets;
    packet.ts = ts;
    packet.linkType = linkType;
    packet.data = data;
    packet.wireLength = wireLength;
    onPacket(packet);
  }

  private interfaceAt(id: number): Interface {
    const iface = this.interfaces[id];
    if (!iface)
      throw new CaptureError(`packet ${this.packets + 1} names interface ${id}, which its section does not describe; the file is corrupt`);
    return iface;
  }

  private u16(at: number): number {
    return this.view.getUint16(at, this.little);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, this.little);
  }

  private u64(at: number): number {
    const [high, low] = this.little ? [this.u32(at + 4), this.u32(at)] : [this.u32(at), this.u32(at + 4)];
    return high * 2 ** 32 + low;
  }
}

/** pcapng's 64-bit timestamp in the interface's units → epoch micros, exactly (nanoseconds exceed 2^53). */
function toMicros(high: number, low: number, iface: Interface): number {
  if (iface.unitsPerSecond === 1_000_000) return high * 2 ** 32 + low + iface.offsetMicros;
  const units = (BigInt(high) << 32n) | BigInt(low);
  return Number((units * 1_000_000n) / BigInt(iface.unitsPerSecond)) + iface.offsetMicros;
}
