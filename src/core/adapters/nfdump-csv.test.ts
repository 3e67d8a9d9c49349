import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { nfdumpCsvAdapter } from './nfdump-csv.ts';

const text = readFileSync(new URL('./fixtures/nfdump-csv/flows.csv', import.meta.url), 'utf8');
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('nfdump CSV', () => {
  const run = runAdapter(nfdumpCsvAdapter, text, 60);

  it('sniffs the header', () => {
    expect(nfdumpCsvAdapter.sniff(text)).toBeGreaterThan(0.9);
    expect(nfdumpCsvAdapter.sniff('ts,foo\n')).toBe(0);
  });

  it('maps flows with local times, IPv6 and both byte directions', () => {
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T11:00:01Z'),
      kind: 'flow',
      src_ip: '10.0.0.5',
      src_port: 51234,
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      duration: 29.123,
      bytes_out: 1822,
      bytes_in: 0,
    });
    expect(extraOf(run.events[0]).get('flags')).toBe('.AP.SF');
    expect(run.events[1]).toMatchObject({ ts: micros('2024-05-01T11:00:02.250Z'), src_ip: '2001:db8::5', protocol: 'udp', bytes_out: 74, bytes_in: 120 });
  });

  it('treats the Summary block as META and rejects bad rows', () => {
    expect(run.loaded).toBe(2);
    expect(run.meta).toBe(5); // header, Summary, its header and totals, final newline
    expect(run.rejected).toEqual([{ recordNo: 4, reason: 'bad time "yesterday"' }]);
  });
});
