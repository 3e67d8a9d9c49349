import { describe, expect, it } from 'vitest';
import { countKinds, feedLines, fixture, realSample } from './fixtures/feed-lines.ts';
import { zeekJsonAdapter } from './zeek-json.ts';
import { zeekTsvAdapter } from './zeek-tsv.ts';
import { suricataEveAdapter } from './suricata-eve.ts';
import { inferZeekPath, microsToIsoMicros, zeekTimeToMicros } from './zeek-common.ts';

const at = (iso: string) => Date.parse(iso) * 1000;

describe('zeek-common helpers', () => {
  it('reads epoch seconds (number or text) and ISO text to exact micros', () => {
    expect(zeekTimeToMicros(1521911720.865716)).toBe(1521911720865716);
    expect(zeekTimeToMicros('1521911720.865716')).toBe(1521911720865716);
    expect(zeekTimeToMicros('2018-03-24T17:15:20.865716Z')).toBe(1521911720865716);
    expect(zeekTimeToMicros('soon')).toBeNull();
    expect(microsToIsoMicros(1521911720865716)).toBe('2018-03-24T17:15:20.865716Z');
  });

  it('infers log paths from field sets', () => {
    expect(inferZeekPath(['ts', 'uid', 'conn_state'])).toBe('conn');
    expect(inferZeekPath(['ts', 'uid', 'query', 'qtype_name'])).toBe('dns');
    expect(inferZeekPath(['ts', 'uid', 'version', 'cipher'])).toBe('ssl');
    expect(inferZeekPath(['ts', 'uid', 'method', 'uri'])).toBe('http');
    expect(inferZeekPath(['ts', 'host'])).toBe('known_hosts');
    expect(inferZeekPath(['ts', 'something'])).toBe('unknown');
    expect(inferZeekPath(['ts', 'uid', 'tunnel_type', 'action'])).toBe('tunnel');
    expect(inferZeekPath(['name'])).toBe('loaded_scripts');
  });
});

describe('zeekJsonAdapter.sniff', () => {
  it('scores Zeek shapes high and Suricata or TSV at zero', () => {
    expect(zeekJsonAdapter.sniff(fixture('zeek/streaming-mixed.ndjson'))).toBeGreaterThan(0.9);
    // two Zeek-shaped lines (0.9 each) and one broken line (0)
    expect(zeekJsonAdapter.sniff(fixture('zeek/conn.ndjson'))).toBeCloseTo(0.6, 10);
    expect(zeekJsonAdapter.sniff(fixture('suricata/eve.json'))).toBe(0);
    expect(zeekJsonAdapter.sniff(fixture('zeek/conn.log'))).toBe(0);
  });
});

describe('Zeek JSON, Zeek writer shape', () => {
  const result = feedLines(zeekJsonAdapter, fixture('zeek/conn.ndjson'));

  it('reads epoch and ISO ts, nested id objects, and rejects a truncated line', () => {
    expect(result.format).toBe('zeek-conn-json');
    expect(result.loaded).toBe(2);
    expect(result.rejects).toHaveLength(1);
    expect(result.rejects[0].line).toBe(3);
    expect(result.rejects[0].reason).toMatch(/^invalid JSON: /);
    expect(result.events[0]).toMatchObject({
      kind: 'flow', ts: at('2024-05-01T12:00:00.123Z') + 456, src_ip: '10.1.2.3', dst_port: 443,
      app_protocol: 'tls', duration: 60.25, bytes_out: 1520, bytes_in: 48211, conn_state: 'SF',
    });
    expect(result.events[1]).toMatchObject({
      ts: at('2024-05-01T12:01:00Z') + 1, src_ip: '10.1.2.3', src_port: 51001, dst_ip: '149.154.167.220', dst_port: 443,
    });
  });

  it('keeps a __proto__ key as plain data', () => {
    expect(JSON.parse(result.events[1].extra!)).toEqual({ '__proto__.polluted': true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('Zeek JSON, streaming logs with several paths', () => {
  const result = feedLines(zeekJsonAdapter, fixture('zeek/streaming-mixed.ndjson'));

  it('routes each record by _path / @stream and drops shipper keys', () => {
    expect(result.format).toBe('zeek-json');
    expect(result.loaded).toBe(5);
    expect(result.rejects).toEqual([{ line: 6, reason: 'unreadable ts "not a time"' }]);
    expect(countKinds(result.events)).toEqual({ dns: 1, tls: 1, http: 1, alert: 1 });
    const [dns, tls, http, alert] = result.events;
    expect(dns).toMatchObject({ dns_query: 'api.telegram.org', dns_answers: '149.154.167.220', ts: at('2024-05-01T12:00:00.5Z') });
    expect(JSON.parse(dns.extra!)).toEqual({ TTLs: [300], rejected: false });
    expect(tls).toMatchObject({ dst_host: 'api.telegram.org', dst_host_origin: 'sni', tls_version: 'TLSv13', tls_ja4: 't13d1516h2_8daaf6152771_b0da82dd1658' });
    expect(http).toMatchObject({ dst_host: 'content.dropboxapi.com', url_path: '/2/files/upload#x', bytes_out: 40960, content_type: 'application/json' });
    expect(alert).toMatchObject({ kind: 'alert', src_ip: '10.1.2.3', dst_ip: '149.154.167.220', dst_port: 443, alert: 'SSL::Invalid_Server_Cert: cert failed' });
  });

  it('flattens nested x509 fields into a raw row with Zeek names', () => {
    expect(result.raw.get('zeek_x509')).toEqual([
      {
        ts: '2024-05-01T12:00:00.250000Z', fingerprint: 'ab12', 'certificate.version': '3',
        'certificate.subject': 'CN=api.telegram.org', 'certificate.issuer': 'CN=Go Daddy',
        'san.dns': 'api.telegram.org,telegram.org', 'basic_constraints.ca': 'F',
      },
    ]);
    expect(result.raw.get('zeek_notice')).toHaveLength(1);
  });
});

describe('Zeek JSON, Logstash-flattened and path-less records', () => {
  const result = feedLines(zeekJsonAdapter, fixture('zeek/logstash-flat.ndjson'));

  it('maps id_orig_h keys and @timestamp, infers files and known_hosts, rejects a non-object', () => {
    expect(result.format).toBe('zeek-json');
    expect(result.loaded).toBe(3);
    expect(result.rejects).toEqual([{ line: 4, reason: 'not a JSON object' }]);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      kind: 'dns', ts: at('2024-05-01T12:00:01Z'), src_ip: '10.1.2.3', src_port: 53124, dst_ip: '10.0.0.53', dst_port: 53,
      dns_qtype: 'A', dns_rcode: 'NOERROR', dns_answers: 'edge-block-www-env.dropbox-dns.com,162.125.1.15',
    });
    expect(result.events[0].extra).toBeNull();
    expect(result.raw.get('zeek_files')![0]).toMatchObject({ fuid: 'FAbc123', mime_type: 'application/x-dosexec', tx_hosts: '162.125.1.18' });
    expect(result.raw.get('zeek_known_hosts')).toEqual([{ ts: '2024-05-01T12:00:03.000000Z', host: '10.1.2.3' }]);
  });
});

describe('Zeek JSON real sample (wrccdc 2018, json-streaming-logs)', () => {
  for (const [path, kind] of [['dns', 'dns'], ['ssl', 'tls']] as const) {
    const text = realSample(`zeek-wrccdc2018/zeek-ndjson/${path}.first10000.ndjson`);
    it.skipIf(text === null)(`${path}: 10,000 loaded, none rejected (skipped without RELAYWATCH_SAMPLES)`, () => {
      const head = text!.slice(0, 65536);
      expect(zeekJsonAdapter.sniff(head)).toBeCloseTo(0.95, 10);
      expect(suricataEveAdapter.sniff(head)).toBe(0);
      expect(zeekTsvAdapter.sniff(head)).toBe(0);
      const result = feedLines(zeekJsonAdapter, text!);
      expect(result.rejects.slice(0, 3)).toEqual([]);
      expect(result.loaded).toBe(10_000);
      expect(result.format).toBe(`zeek-${path}-json`);
      expect(countKinds(result.events)).toEqual({ [kind]: 10_000 });
    });
  }
});

describe('Zeek JSON logs without connection fields', () => {
  it('recognises files, software, pe and packet_filter logs by their field sets and loads every record', () => {
    const text = fixture('zeek/no-conn.ndjson');
    expect(zeekJsonAdapter.sniff(text)).toBeGreaterThanOrEqual(0.7);
    expect(zeekJsonAdapter.sniff('{"name":"Alice"}\n{"name":"Bob"}\n')).toBe(0);
    const result = feedLines(zeekJsonAdapter, text);
    expect(result.rejects).toEqual([]);
    expect([...result.raw.keys()].sort()).toEqual(['zeek_files', 'zeek_packet_filter', 'zeek_pe', 'zeek_software']);
    // A double's shortest text is rounded to the microsecond it stands for.
    expect(result.raw.get('zeek_pe')![0].ts).toBe('1970-01-01T00:01:21.357920Z');
  });

  it('splits a combined json-streaming log by _path / @stream, loading logs without ts as raw rows', () => {
    const result = feedLines(zeekJsonAdapter, fixture('zeek/streaming.ndjson'));
    expect(result.rejects).toEqual([]);
    expect(result.loaded).toBe(6);
    expect(countKinds(result.events)).toEqual({ flow: 1, dns: 1 });
    expect(result.raw.get('zeek_loaded_scripts')).toEqual([{ name: '/usr/local/zeek/share/zeek/base/init-bare.zeek' }]);
    expect([...result.raw.keys()].sort()).toEqual(['zeek_capture_loss', 'zeek_loaded_scripts', 'zeek_packet_filter', 'zeek_stats']);
  });
});
