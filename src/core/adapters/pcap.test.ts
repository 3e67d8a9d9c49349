/** Packet captures through the whole ingest pipeline: recognised by magic number, plain, gzip or zip, cut or corrupt. */
import fc from 'fast-check';
import { gzipSync, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_ADAPTERS, BINARY_ADAPTERS } from './index.ts';
import { assertCountsBalance, CheckingSink, chunked, FUZZ_RUNS } from '../ingest/fuzz-support.ts';
import { ingestFile, type SourceSummary } from '../ingest/pipeline.ts';

const CAPTURE = readFileSync(new URL('../pcap/fixtures/loopback.pcap', import.meta.url));
const CAPTURE_NG = readFileSync(new URL('../pcap/fixtures/loopback.pcapng', import.meta.url));

async function ingest(name: string, bytes: Uint8Array): Promise<{ summaries: SourceSummary[]; sink: CheckingSink }> {
  const sink = new CheckingSink();
  const summaries = await ingestFile(name, chunked(bytes), sink, {
    adapters: ALL_ADAPTERS,
    binaryAdapters: BINARY_ADAPTERS,
    utcOffsetMinutes: 0,
  });
  assertCountsBalance(summaries);
  return { summaries, sink };
}

describe('packet captures in the ingest pipeline', () => {
  it('reads a pcap and a pcapng by content, whatever the name, one record per packet', async () => {
    const plain = await ingest('capture.log', CAPTURE);
    expect(plain.summaries).toMatchObject([
      { name: 'capture.log', format: 'pcap', status: 'loaded', rows_read: 105, rows_loaded: 105, rows_rejected: 0, message: null },
    ]);
    expect(plain.sink.rows.get('events')).toBe(20); // 10 connections, 4 DNS, 3 TLS and 3 HTTP records
    const ng = await ingest('capture.pcapng', CAPTURE_NG);
    expect(ng.summaries[0]).toMatchObject({ format: 'pcapng', rows_loaded: 105 });
    expect(ng.sink.rows.get('events')).toBe(20);
  });

  it('reads captures inside gzip and zip', async () => {
    const gz = await ingest('capture.pcap.gz', gzipSync(CAPTURE));
    expect(gz.summaries).toMatchObject([{ name: 'capture.pcap', format: 'pcap', rows_loaded: 105 }]);
    const zip = await ingest('captures.zip', zipSync({ 'a.pcap': CAPTURE, 'b.pcapng': CAPTURE_NG }));
    expect(zip.summaries.map((s) => [s.name, s.format, s.rows_loaded])).toEqual([
      ['captures.zip/a.pcap', 'pcap', 105],
      ['captures.zip/b.pcapng', 'pcapng', 105],
    ]);
  });

  it('loads the packets before a cut, counts the cut one, and says so', async () => {
    const { summaries, sink } = await ingest('cut.pcap', CAPTURE.subarray(0, CAPTURE.length - 10));
    expect(summaries[0]).toMatchObject({ status: 'loaded', rows_read: 105, rows_loaded: 104, rows_rejected: 1 });
    expect(summaries[0].rejections[0]).toMatchObject({ line: 105, reason: 'the packet is cut off where the file ends' });
    expect(summaries[0].message).toMatch(
      /^cut\.pcap: the capture is cut off inside the record after packet 104 .*: the 104 packets before the cut were read\.$/,
    );
    expect(sink.rows.get('events')).toBeGreaterThan(10);
  });

  it('stops at a corrupt record with the packets before it loaded', async () => {
    const corrupt = new Uint8Array(CAPTURE);
    const second = 24 + 16 + new DataView(corrupt.buffer).getUint32(24 + 8, true);
    new DataView(corrupt.buffer).setUint32(second + 8, 0x7fffffff, true);
    const { summaries } = await ingest('corrupt.pcap', corrupt);
    expect(summaries[0]).toMatchObject({ status: 'loaded', rows_read: 1, rows_loaded: 1 });
    expect(summaries[0].message).toBe(
      'corrupt.pcap: packet 2 claims 2147483647 captured bytes; the file is corrupt from there on; the 1 packets before it were read.',
    );
  });

  it('a capture with only non-IP packets fails with the reasons kept, and one with no packets says so', async () => {
    const arp = new Uint8Array([
      ...CAPTURE.subarray(0, 24),
      ...[1, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 42, 0, 0, 0],
      ...new Array(12).fill(0),
      8,
      6,
      ...new Array(28).fill(0),
    ]);
    const only = await ingest('arp.pcap', arp);
    expect(only.summaries[0]).toMatchObject({ status: 'failed', rows_read: 1, rows_rejected: 1 });
    expect(only.summaries[0].rejections[0].reason).toBe('ethertype 0x0806 (ARP) is not IP');
    expect(only.summaries[0].rejections[0].sample).toMatch(/^packet 1, 42 bytes: 0{24}0806/);
    const empty = await ingest('empty.pcap', CAPTURE.subarray(0, 24));
    expect(empty.summaries[0]).toMatchObject({ status: 'failed', rows_read: 0, message: 'The capture holds no packets.' });
  });

  it('other binary files still get the binary-file message', async () => {
    const { summaries } = await ingest('picture.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0]));
    expect(summaries[0]).toMatchObject({ format: 'binary', status: 'failed' });
  });
});

describe('hostile captures', () => {
  it('mutated and cut captures never throw: every packet is loaded or rejected, and the rest is reported', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(CAPTURE, CAPTURE_NG),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
        fc.nat(),
        async (capture, edits, cut) => {
          const bytes = new Uint8Array(capture);
          // The file header stays intact (else it is simply not a capture); everything after it is fair game.
          for (const [at, value] of edits) bytes[24 + (at % (bytes.length - 24))] = value;
          const { summaries } = await ingest('fuzz.pcap', bytes.subarray(0, 24 + (cut % (bytes.length - 23))));
          expect(summaries).toHaveLength(1);
          expect(['pcap', 'pcapng']).toContain(summaries[0].format);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
