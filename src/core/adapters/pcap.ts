/**
 * Packet captures (classic pcap and pcapng): each packet is a record. Packets that join a connection are loaded
 * (the connection, and its DNS, TLS and HTTP records, become canonical events as Zeek would log them); packets
 * that cannot (not IP, fragments, cut headers) are rejected with the reason.
 */
import { LOADED, reject, type BinaryAdapter, type BinaryParser, type RecordOutcome, type RecordSink } from '../ingest/adapter.ts';
import { CAPTURE_MAGICS, CaptureError, CaptureReader } from '../pcap/reader.ts';
import { decodePacket } from '../pcap/decode.ts';
import { FlowTracker } from '../pcap/flows.ts';

/** Bytes of a rejected packet shown as its sample. */
const SAMPLE_BYTES = 64;

class PcapParser implements BinaryParser {
  format = 'pcap';
  private readonly reader = new CaptureReader();
  private readonly tracker = new FlowTracker((event, no) => {
    this.sink!.line = no;
    this.sink!.event(event);
  });
  private sink: RecordSink | null = null;
  private packets = 0;
  /** Why reading stopped early (a corrupt record cannot be skipped: nothing says where the next one starts). */
  private stopped: string | null = null;

  push(bytes: Uint8Array, sink: RecordSink, each: RecordOutcome): void {
    if (this.stopped) return;
    this.sink = sink;
    try {
      this.reader.push(bytes, (packet) => {
        this.packets = packet.no;
        const decoded = decodePacket(packet.linkType, packet.data);
        if (typeof decoded === 'string') {
          each(reject(decoded), packet.no, sample(packet.no, packet.data));
          return;
        }
        this.tracker.packet(decoded, packet.ts, packet.no);
        each(LOADED, packet.no, '');
      });
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      this.stopped = `${error.message}; the ${this.packets} packets before it were read.`;
    }
    this.format = this.reader.kind ?? this.format;
  }

  end(sink: RecordSink, each: RecordOutcome): string | null {
    this.sink = sink;
    this.tracker.end();
    if (this.stopped) return this.stopped;
    const cut = this.reader.end();
    if (cut === null) return null;
    if (this.reader.kind) {
      each(reject('the packet is cut off where the file ends'), this.packets + 1, '');
      return `${cut}: the ${this.packets} packets before the cut were read.`;
    }
    return `${cut}.`;
  }
}

function sample(no: number, data: Uint8Array): string {
  const hex = Array.from(data.subarray(0, SAMPLE_BYTES), (b) => b.toString(16).padStart(2, '0')).join('');
  return `packet ${no}, ${data.length} bytes: ${hex}${data.length > SAMPLE_BYTES ? '…' : ''}`;
}

export const pcapAdapter: BinaryAdapter = {
  id: 'pcap',
  title: 'Packet capture (pcap, pcapng)',
  sniffBytes: (head) => (CAPTURE_MAGICS.some((magic) => magic.every((b, i) => head[i] === b)) ? 1 : 0),
  open: () => new PcapParser(),
};
