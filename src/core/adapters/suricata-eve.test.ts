import { describe, expect, it } from 'vitest';
import { countKinds, feedLines, fixture, realSample } from './fixtures/feed-lines.ts';
import { suricataEveAdapter } from './suricata-eve.ts';
import { zeekJsonAdapter } from './zeek-json.ts';
import { zeekTsvAdapter } from './zeek-tsv.ts';

const at = (iso: string) => Date.parse(iso) * 1000;

describe('suricataEveAdapter.sniff', () => {
  it('recognises EVE lines and nothing else', () => {
    const head = fixture('suricata/eve.json').split('\n').slice(0, 12).join('\n') + '\n';
    expect(suricataEveAdapter.sniff(head)).toBeCloseTo(0.95, 10);
    expect(suricataEveAdapter.sniff(fixture('zeek/streaming-mixed.ndjson'))).toBe(0);
    expect(suricataEveAdapter.sniff(fixture('zeek/dns.log'))).toBe(0);
  });
});

describe('Suricata EVE fixture', () => {
  const result = feedLines(suricataEveAdapter, fixture('suricata/eve.json'), 'eve.json');
  const byType = (type: string) => result.events.filter((e) => e.extra?.includes(`"dns.type":"${type}"`));

  it('loads every event type and rejects broken records with reasons', () => {
    expect(result.format).toBe('suricata-eve-json');
    expect(result.loaded).toBe(13);
    expect(result.rejects.map((r) => [r.line, r.reason.replace(/:.*/, ':')])).toEqual([
      [14, 'unreadable timestamp "yesterday"'],
      [15, 'no timestamp'],
      [16, 'no event_type'],
      [17, 'invalid JSON:'],
    ]);
    expect(countKinds(result.events)).toEqual({ flow: 1, dns: 5, http: 1, tls: 2, alert: 1 });
    expect([...result.raw.keys()].sort()).toEqual(['suricata_anomaly', 'suricata_fileinfo', 'suricata_stats']);
  });

  it('maps a flow from its start time, with an exact 64-bit flow_id', () => {
    expect(result.events[0]).toMatchObject({
      kind: 'flow',
      ts: at('2024-05-01T12:00:00.123Z') + 456,
      uid: '1234567890123456789',
      src_ip: '10.1.2.3',
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      app_protocol: 'tls',
      bytes_out: 1520,
      bytes_in: 48211,
      duration: 60.25,
      conn_state: 'closed',
    });
    expect(JSON.parse(result.events[0].extra!)).toMatchObject({ 'flow.reason': 'timeout', 'tcp.syn': true });
  });

  it('reads DNS v1, v2 and v3 queries and answers', () => {
    const dns = result.events.filter((e) => e.kind === 'dns');
    expect(dns.map((e) => [e.dns_query, e.dst_host, e.dns_qtype, e.dns_rcode, e.dns_answers])).toEqual([
      ['API.telegram.org', 'api.telegram.org', 'A', null, null],
      ['api.telegram.org', 'api.telegram.org', 'A', 'NOERROR', '149.154.167.220'],
      ['dl.dropboxusercontent.com', 'dl.dropboxusercontent.com', 'A', 'NOERROR', 'edge-block-www-env.dropbox-dns.com,162.125.1.15'],
      ['gist.github.com', 'gist.github.com', 'A', 'NOERROR', '140.82.121.4'],
      ['discord.com', 'discord.com', 'AAAA', null, null],
    ]);
    expect(byType('query')).toHaveLength(1);
    expect(byType('answer')).toHaveLength(3);
    expect(dns[1]).toMatchObject({ uid: '42', src_ip: '10.0.0.53', dst_host_origin: 'dns-query', protocol: 'udp' });
  });

  it('maps http, tls and quic', () => {
    const http = result.events.find((e) => e.kind === 'http')!;
    expect(http).toMatchObject({
      dst_host: 'content.dropboxapi.com',
      dst_host_origin: 'http-host',
      url_path: '/2/files/upload?arg=%7B%7D#frag',
      method: 'POST',
      status: 200,
      user_agent: 'python-requests/2.31.0',
      referrer: 'https://www.dropbox.com/',
      content_type: 'application/json',
      bytes_in: 512,
    });
    expect(http.bytes_out).toBeUndefined(); // EVE http records carry no request body size
    const [tls, quic] = result.events.filter((e) => e.kind === 'tls');
    expect(tls).toMatchObject({
      uid: '1234567890123456789', dst_host: 'api.telegram.org', dst_host_origin: 'sni', tls_version: 'TLS 1.3',
      tls_ja3: 'e7d705a3286e19ea42f587b344ee6865', tls_ja4: 't13d1516h2_8daaf6152771_b0da82dd1658', app_protocol: 'tls',
    });
    expect(quic).toMatchObject({ dst_host: 'docs.google.com', app_protocol: 'quic', protocol: 'udp', tls_ja3: null });
  });

  it('maps alerts with signature, action and the destination host they carry', () => {
    const alert = result.events.find((e) => e.kind === 'alert')!;
    expect(alert).toMatchObject({
      alert: 'ET POLICY Dropbox API upload by scripted client',
      action: 'drop',
      dst_host: 'content.dropboxapi.com',
      url_path: '/2/files/upload',
      app_protocol: 'http',
      uid: '46',
    });
    expect(JSON.parse(alert.extra!)).toMatchObject({ 'alert.signature_id': 2000001, 'alert.severity': 2 });
  });

  it('keeps other event types as raw rows with UTC timestamps and harmless __proto__ keys', () => {
    expect(result.raw.get('suricata_stats')).toEqual([
      { timestamp: '2024-05-01T12:00:07.000000Z', event_type: 'stats', 'stats.uptime': '60', 'stats.capture.kernel_packets': '1000', 'stats.capture.kernel_drops': '0' },
    ]);
    const anomaly = result.raw.get('suricata_anomaly')![0];
    expect(anomaly['anomaly.event']).toBe('APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION');
    expect(anomaly['__proto__.isAdmin']).toBe('true');
    expect(Object.getPrototypeOf(anomaly)).toBeNull();
    expect(result.raw.get('suricata_fileinfo')![0]).toMatchObject({ 'fileinfo.size': '512', 'fileinfo.sid': '', 'flow_id': '46' });
  });
});

describe('Suricata EVE real sample (Stratosphere slips test6)', () => {
  const text = realSample('suricata-eve-slips-test6/test6-malicious.suricata.json');
  it.skipIf(text === null)('loads all 5,000 records with exact per-type counts (skipped without RELAYWATCH_SAMPLES)', () => {
    const head = text!.slice(0, 65536);
    expect(suricataEveAdapter.sniff(head)).toBeCloseTo(0.95, 10);
    expect(zeekJsonAdapter.sniff(head)).toBe(0);
    expect(zeekTsvAdapter.sniff(head)).toBe(0);
    const result = feedLines(suricataEveAdapter, text!);
    expect(result.rejects.slice(0, 3)).toEqual([]);
    expect(result.loaded).toBe(5_000);
    expect(countKinds(result.events)).toEqual({ flow: 3_512, alert: 745, dns: 680, http: 56, tls: 1 });
    expect(result.raw.get('suricata_anomaly')).toHaveLength(3);
    expect(result.raw.get('suricata_fileinfo')).toHaveLength(3);
    const dns = result.events.filter((e) => e.kind === 'dns');
    expect(dns.filter((e) => e.dns_answers !== null)).toHaveLength(340);
    expect(dns.find((e) => e.dns_query === 'www.myedimax.com' && e.dns_answers)?.dns_answers).toBe(
      'ddns.myedimax.com,ns.myedimax.com,122.248.252.67',
    );
    const tls = result.events.find((e) => e.kind === 'tls')!;
    expect(tls).toMatchObject({ dst_host: 'www.myedimax.com', tls_version: 'TLS 1.1', tls_ja3: 'b7202231ff2db28363c109cedc6d1642' });
    expect(result.events.every((e) => Number.isFinite(e.ts) && typeof e.uid === 'string')).toBe(true);
  });
});
