/** The scenario written as a pcap tells the same story as its Zeek logs once read back by the capture reader. */
import { describe, expect, it } from 'vitest';
import { generateScenario } from './scenario.ts';
import { feedCapture } from '../core/pcap/fixtures/feed-capture.ts';
import { CaptureReader } from '../core/pcap/reader.ts';

const scenario = generateScenario({ seed: 3, hosts: 8, days: 1, incidents: 2, noise: 0.3, formats: ['pcap', 'zeek-json'] });
const capture = scenario.captures.find((c) => c.name === 'pcap/edge.pcap')!.bytes;
const zeek = (path: string) =>
  scenario.files
    .find((f) => f.name === `zeek-json/${path}.json`)!
    .text.split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const sorted = (values: unknown[]) => values.map(String).sort();

describe('pcap writer', () => {
  const read = feedCapture(capture, 65536);
  const of = (kind: string) => read.events.filter((e) => e.kind === kind);

  it('is not written unless asked for', () => {
    expect(generateScenario({ seed: 3, hosts: 8, days: 1, incidents: 2, noise: 0.3 }).captures).toEqual([]);
  });

  it('writes packets in time order, each one loading', () => {
    const times: number[] = [];
    new CaptureReader().push(capture, (p) => times.push(p.ts));
    expect(times.length).toBeGreaterThan(1000);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
    expect(read.rejects).toEqual([]);
    expect(read.loaded).toBe(times.length);
  });

  it('gives the Zeek logs’ DNS queries, SNIs, HTTP hosts and connection bytes', () => {
    expect(sorted(of('dns').map((e) => e.dns_query))).toEqual(sorted(zeek('dns').map((r) => r.query)));
    expect(sorted(of('tls').map((e) => e.dst_host))).toEqual(sorted(zeek('ssl').map((r) => r.server_name)));
    expect(sorted(of('http').map((e) => `${e.dst_host} ${e.url_path} ${e.status}`))).toEqual(
      sorted(zeek('http').map((r) => `${r.host} ${r.uri} ${r.status_code}`)),
    );
    const conn = zeek('conn');
    const bytes = (events: { src_port?: number | null; bytes_out?: number | null; bytes_in?: number | null }[]) =>
      sorted(events.map((e) => `${e.src_port} ${e.bytes_out} ${e.bytes_in}`));
    expect(bytes(of('flow').filter((e) => e.protocol === 'tcp'))).toEqual(
      bytes(
        conn
          .filter((r) => r.proto === 'tcp')
          .map((r) => ({ src_port: r['id.orig_p'] as number, bytes_out: r.orig_bytes as number, bytes_in: r.resp_bytes as number })),
      ),
    );
  });
});
