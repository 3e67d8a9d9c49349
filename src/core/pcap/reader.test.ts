import { describe, expect, it } from 'vitest';
import { CaptureError, CaptureReader, type Packet } from './reader.ts';

/** Packets a reader finds in `bytes` fed `step` bytes at a time, with copies of their data. */
function read(bytes: Uint8Array, step = bytes.length) {
  const reader = new CaptureReader();
  const packets: (Omit<Packet, 'data'> & { data: number[] })[] = [];
  for (let at = 0; at < bytes.length; at += step) {
    reader.push(bytes.subarray(at, at + step), (p) => packets.push({ ...p, data: [...p.data] }));
  }
  return { packets, end: reader.end(), kind: reader.kind };
}

class Bytes {
  private parts: number[] = [];
  constructor(private readonly little: boolean) {}
  u8(...values: number[]) {
    for (const v of values) this.parts.push(v);
    return this;
  }
  bytes(values: number[]) {
    for (const v of values) this.parts.push(v);
    return this;
  }
  u16(v: number) {
    return this.little ? this.u8(v & 0xff, v >> 8) : this.u8(v >> 8, v & 0xff);
  }
  u32(v: number) {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    return this.u8(...(this.little ? b.reverse() : b));
  }
  get length() {
    return this.parts.length;
  }
  done() {
    return new Uint8Array(this.parts);
  }
}

function classic(little: boolean, nanos: boolean, linkType: number, records: [number, number, number[]][]): Uint8Array {
  const b = new Bytes(little)
    .u32(nanos ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(65535)
    .u32(linkType);
  for (const [seconds, fraction, data] of records)
    b.u32(seconds)
      .u32(fraction)
      .u32(data.length)
      .u32(data.length + 10)
      .bytes(data);
  return b.done();
}

/** One pcapng block: type, length, body padded to 4 bytes, length again. */
function block(little: boolean, type: number, body: number[]): number[] {
  const padded = [...body, ...new Array((4 - (body.length % 4)) % 4).fill(0)];
  const length = 12 + padded.length;
  return [
    ...new Bytes(little)
      .u32(type)
      .u32(length)
      .u8(...padded)
      .u32(length)
      .done(),
  ];
}
const le = (f: (b: Bytes) => Bytes, little = true) => [...f(new Bytes(little)).done()];

function shb(little: boolean): number[] {
  return block(
    little,
    0x0a0d0d0a,
    le((b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff), little),
  );
}
function idb(little: boolean, linkType: number, tsresol?: number): number[] {
  const options = tsresol === undefined ? [] : le((b) => b.u16(9).u16(1).u8(tsresol, 0, 0, 0).u16(0).u16(0), little);
  return block(little, 1, [...le((b) => b.u16(linkType).u16(0).u32(0), little), ...options]);
}
function epb(little: boolean, iface: number, units: bigint, data: number[]): number[] {
  const high = Number(units >> 32n);
  const low = Number(units & 0xffffffffn);
  return block(little, 6, [...le((b) => b.u32(iface).u32(high).u32(low).u32(data.length).u32(data.length), little), ...data]);
}

describe('classic pcap', () => {
  it.each([
    ['little-endian µs', true, false, 123456],
    ['big-endian µs', false, false, 123456],
    ['little-endian ns', true, true, 123456789],
    ['big-endian ns', false, true, 123456789],
  ])('%s: timestamps, link type and bytes', (_name, little, nanos, fraction) => {
    const { packets, end, kind } = read(
      classic(little, nanos, 113, [
        [1700000000, fraction, [1, 2, 3]],
        [1700000001, 0, [4]],
      ]),
    );
    expect(kind).toBe('pcap');
    expect(end).toBeNull();
    expect(packets).toEqual([
      { no: 1, ts: 1700000000123456, linkType: 113, data: [1, 2, 3], wireLength: 13 },
      { no: 2, ts: 1700000001000000, linkType: 113, data: [4], wireLength: 11 },
    ]);
  });

  it('reads the same packets whatever the chunk size', () => {
    const file = classic(true, false, 1, [
      [1, 2, [9, 8, 7, 6, 5]],
      [3, 4, []],
      [5, 6, [1]],
    ]);
    expect(read(file, 1)).toEqual(read(file));
    expect(read(file, 7)).toEqual(read(file));
  });

  it('reads a record longer than a chunk boundary bridge', () => {
    const big = Array.from({ length: 300_000 }, (_, i) => i & 0xff);
    const file = classic(true, false, 1, [
      [1, 0, [1]],
      [2, 0, big],
      [3, 0, [3]],
    ]);
    const { packets } = read(file, 100_000);
    expect(packets.map((p) => p.data.length)).toEqual([1, 300_000, 1]);
    expect(packets[1].data.slice(0, 3)).toEqual([0, 1, 2]);
    expect(packets[1].data.at(-1)).toBe(299_999 & 0xff);
  });

  it('delivers the packets before a cut and says where the file was cut', () => {
    const file = classic(true, false, 1, [
      [1, 0, [1, 2, 3, 4]],
      [2, 0, [5, 6, 7, 8]],
    ]);
    const cut = read(file.subarray(0, file.length - 2));
    expect(cut.packets).toHaveLength(1);
    expect(cut.end).toBe('the capture is cut off inside the record after packet 1 (18 bytes of it are present)');
    expect(read(file.subarray(0, 10)).end).toBe('the file ends inside its 10-byte header');
  });

  it('refuses an impossible record length instead of reading garbage', () => {
    const file = new Bytes(true).u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1).u32(0).u32(0).u32(0x7fffffff).u32(1).done();
    expect(() => read(file)).toThrow(CaptureError);
    expect(() => read(new Uint8Array([1, 2, 3, 4, 5]))).toThrow('not a pcap or pcapng file');
  });
});

describe('pcapng', () => {
  it('reads several interfaces, resolutions and sections in either byte order', () => {
    const file = new Uint8Array([
      ...shb(true),
      ...idb(true, 1),
      ...idb(true, 101, 9), // nanosecond stamps
      ...epb(true, 0, 1700000000123456n, [1, 2]),
      ...block(true, 4, [0, 0, 0, 0]), // name resolution: no packet
      ...epb(true, 1, 1700000000123456789n, [3]),
      ...block(true, 3, le((b) => b.u32(2)).concat([7, 7])), // simple packet block: interface 0, no timestamp
      ...shb(false), // a new section, big-endian: interfaces start again
      ...idb(false, 276, 0x83), // 2^-3 s units
      ...epb(false, 0, 13600000000n, [9, 9, 9]),
    ]);
    const expected = [
      { no: 1, ts: 1700000000123456, linkType: 1, data: [1, 2], wireLength: 2 },
      { no: 2, ts: 1700000000123456, linkType: 101, data: [3], wireLength: 1 },
      { no: 3, ts: 0, linkType: 1, data: [7, 7], wireLength: 2 },
      { no: 4, ts: 1700000000000000, linkType: 276, data: [9, 9, 9], wireLength: 3 },
    ];
    const result = read(file);
    expect(result.kind).toBe('pcapng');
    expect(result.end).toBeNull();
    expect(result.packets).toEqual(expected);
    expect(read(file, 5).packets).toEqual(expected);
  });

  it('reports a cut inside a block and refuses a packet on an undescribed interface', () => {
    const file = new Uint8Array([...shb(true), ...idb(true, 1), ...epb(true, 0, 1n, [1]), ...epb(true, 0, 2n, [2, 3])]);
    const cut = read(file.subarray(0, file.length - 3));
    expect(cut.packets.map((p) => p.no)).toEqual([1]);
    expect(cut.end).toMatch(/^the capture is cut off inside the record after packet 1/);
    expect(() => read(new Uint8Array([...shb(true), ...epb(true, 0, 1n, [1])]))).toThrow('names interface 0');
  });
});
