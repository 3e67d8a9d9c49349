import { describe, expect, it } from 'vitest';
import { countKinds, feedLines, fixture, realSample } from './fixtures/feed-lines.ts';
import { unescapeZeek, zeekTsvAdapter } from './zeek-tsv.ts';
import { zeekJsonAdapter } from './zeek-json.ts';
import { suricataEveAdapter } from './suricata-eve.ts';

const at = (iso: string) => Date.parse(iso) * 1000;

describe('unescapeZeek', () => {
  it('decodes UTF-8 byte runs and doubled backslashes, keeps invalid bytes escaped', () => {
    expect(unescapeZeek('b\\xc3\\xbccher')).toBe('bücher');
    expect(unescapeZeek('O=Example\\\\, Inc')).toBe('O=Example\\, Inc');
    expect(unescapeZeek('a\\x09b')).toBe('a\tb');
    expect(unescapeZeek('\\xff\\xfe')).toBe('\\xff\\xfe');
    expect(unescapeZeek('\\\\x41')).toBe('\\x41');
  });
});

describe('zeekTsvAdapter.sniff', () => {
  it('is sure of a #separator header and ignores other formats', () => {
    expect(zeekTsvAdapter.sniff(fixture('zeek/conn.log'))).toBe(1);
    expect(zeekTsvAdapter.sniff('#fields\tts\tuid\n#types\ttime\tstring\n1.0\tC1\n')).toBe(0.9);
    expect(zeekTsvAdapter.sniff(fixture('zeek/conn.ndjson'))).toBe(0);
    expect(zeekTsvAdapter.sniff(fixture('suricata/eve.json'))).toBe(0);
  });
});

describe('Zeek TSV conn', () => {
  const result = feedLines(zeekTsvAdapter, fixture('zeek/conn.log'));

  it('loads rows of both header blocks and rejects the truncated line by field count', () => {
    expect(result.format).toBe('zeek-conn-tsv');
    expect(result.loaded).toBe(4);
    expect(result.meta).toBe(18);
    expect(result.rejects).toEqual([{ line: 12, reason: 'expected 14 fields, found 4 (truncated or malformed line)' }]);
    expect(countKinds(result.events)).toEqual({ flow: 4 });
  });

  it('maps fields by name whatever their order', () => {
    const [first, unset, dns, ipv6] = result.events;
    expect(first).toMatchObject({
      ts: at('2024-05-01T12:00:00.123Z') + 456,
      uid: 'CAbc1x2Y3z',
      src_ip: '10.1.2.3',
      src_port: 51000,
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      app_protocol: 'tls,http',
      duration: 60.25,
      bytes_out: 1520,
      bytes_in: 48211,
      conn_state: 'SF',
    });
    expect(JSON.parse(first.extra!)).toEqual({ history: 'ShADadFf' });
    expect(unset).toMatchObject({ app_protocol: null, duration: null, bytes_out: null, bytes_in: null, conn_state: 'S0' });
    expect(JSON.parse(dns.extra!)).toEqual({ history: 'Dd', tunnel_parents: ['CTun1', 'CTun2'] });
    expect(ipv6).toMatchObject({ uid: 'CNext00001', src_ip: 'fe80::1', bytes_out: 0, bytes_in: null, ts: at('2024-05-01T13:00:00Z') });
  });
});

describe('Zeek TSV dns', () => {
  const result = feedLines(zeekTsvAdapter, fixture('zeek/dns.log'));

  it('maps queries, joins answers, decodes escapes, rejects an unreadable ts', () => {
    expect(result.format).toBe('zeek-dns-tsv');
    expect(result.loaded).toBe(4);
    expect(result.rejects).toEqual([{ line: 13, reason: 'unreadable ts "yesterday"' }]);
    const [telegram, dropbox, idn, nx] = result.events;
    expect(telegram).toMatchObject({
      kind: 'dns',
      dns_query: 'API.Telegram.org',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'dns-query',
      dns_qtype: 'A',
      dns_rcode: 'NOERROR',
      dns_answers: '149.154.167.220',
      protocol: 'udp',
      app_protocol: 'dns',
    });
    expect(dropbox.dns_answers).toBe('edge-block-www-env.dropbox-dns.com,162.125.1.15');
    expect(idn).toMatchObject({ dns_query: 'bücher.example', dns_qtype: 'TXT', dns_answers: 'v=spf1 a,b' });
    expect(nx).toMatchObject({ dns_rcode: 'NXDOMAIN', dns_answers: null });
  });
});

describe('Zeek TSV http', () => {
  const result = feedLines(zeekTsvAdapter, fixture('zeek/http.log'));

  it('maps host, path, method, status, agent and body sizes', () => {
    expect(result.rejects).toEqual([]);
    expect(result.loaded).toBe(4);
    const [upload, proxied, connect, escaped] = result.events;
    expect(upload).toMatchObject({
      kind: 'http',
      dst_host: 'content.dropboxapi.com',
      dst_host_origin: 'http-host',
      url_path: '/2/files/upload?arg=1#frag',
      method: 'POST',
      status: 200,
      user_agent: 'python-requests/2.31.0',
      bytes_out: 40960,
      bytes_in: 512,
      content_type: 'application/json',
    });
    expect(proxied).toMatchObject({ dst_host: null, url_path: '/raw/AbCd1234' });
    expect(proxied.user_agent).toBe('Mozilla/5.0 (Windows NT 10.0; Win64; x64) — 中文');
    expect(connect).toMatchObject({ dst_host: 'api.telegram.org', dst_host_origin: 'connect', url_path: null });
    expect(escaped).toMatchObject({
      dst_host: 'example.com',
      url_path: '/a\tb\\c',
      referrer: 'http://example.com/',
      user_agent: null,
      bytes_in: null,
      content_type: 'text/html',
    });
  });
});

describe('Zeek TSV ssl, notice and weird', () => {
  it('maps SNI, version and fingerprints', () => {
    const result = feedLines(zeekTsvAdapter, fixture('zeek/ssl.log'));
    expect(result.events.map((e) => [e.kind, e.dst_host, e.dst_host_origin, e.tls_version, e.tls_ja3, e.tls_ja4])).toEqual([
      ['tls', 'api.telegram.org', 'sni', 'TLSv13', 'e7d705a3286e19ea42f587b344ee6865', 't13d1516h2_8daaf6152771_b0da82dd1658'],
      ['tls', null, null, 'TLSv12', null, null],
    ]);
    expect(JSON.parse(result.events[1].extra!)).toEqual({ cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', established: 'F' });
  });

  it('keeps notices as raw rows and as alerts', () => {
    const result = feedLines(zeekTsvAdapter, fixture('zeek/notice.log'));
    expect(result.loaded).toBe(2);
    const rows = result.raw.get('zeek_notice')!;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ ts: '2024-05-01T12:00:10.000000Z', sub: 'CN=api.example,O=Example\\, Inc', uid: 'CAbc1x2Y3z' });
    expect(rows[1]).toMatchObject({ uid: null, actions: 'Notice::ACTION_LOG,Notice::ACTION_EMAIL' });
    expect(result.events.map((e) => [e.kind, e.src_ip, e.dst_ip, e.dst_port, e.alert])).toEqual([
      ['alert', '10.1.2.3', '149.154.167.220', 443, 'SSL::Invalid_Server_Cert: SSL certificate validation failed with (unable to get local issuer certificate)'],
      ['alert', '10.1.2.9', '10.1.2.3', null, 'Scan::Port_Scan: 10.1.2.9 scanned at least 15 unique ports of host 10.1.2.3 in 0m2s'],
    ]);
  });

  it('reads another separator, infers the path without #path, and treats a #-led data line as data', () => {
    const result = feedLines(zeekTsvAdapter, fixture('zeek/weird-pipe.log'));
    expect(result.format).toBe('zeek-tsv');
    expect(result.meta).toBe(6);
    const common = { 'id.orig_h': '10.1.2.3', 'id.orig_p': '51000', 'id.resp_h': '149.154.167.220', 'id.resp_p': '443', addl: null, notice: 'F', peer: 'zeek' };
    // weird needs no time: the row whose ts is unreadable loads with the ts as written.
    expect(result.raw.get('zeek_weird')).toEqual([
      { ...common, ts: '2024-05-01T12:00:30.000000Z', uid: 'CWeird0001', name: 'bad_TCP_checksum' },
      { ...common, ts: '#1714564831.000000', uid: 'CWeird0002', name: 'data_before_established' },
    ]);
    expect(result.rejects).toEqual([]);
  });

  it('reads a header whose first line is indented by stray whitespace', () => {
    const plain = feedLines(zeekTsvAdapter, fixture('zeek/conn.log'));
    const indented = feedLines(zeekTsvAdapter, '\t' + fixture('zeek/conn.log'));
    expect(indented.rejects).toEqual(plain.rejects);
    expect(indented.events).toEqual(plain.events);
    expect(indented.events.length).toBeGreaterThan(0);
  });

  it('keeps logs without a ts (loaded_scripts) as raw rows, but rejects a conn record without one', () => {
    const scripts = feedLines(zeekTsvAdapter, fixture('zeek/loaded_scripts.log'));
    expect(scripts.rejects).toEqual([]);
    expect(scripts.raw.get('zeek_loaded_scripts')).toEqual([
      { name: '/usr/local/zeek/share/zeek/base/init-bare.zeek' },
      { name: '  /usr/local/zeek/share/zeek/base/bif/const.bif.zeek' },
    ]);
    const conn = feedLines(zeekTsvAdapter, '#separator \\x09\n#path\tconn\n#fields\tuid\tid.orig_h\n#types\tstring\taddr\nC1\t10.0.0.1\n');
    expect(conn.rejects).toEqual([{ line: 5, reason: 'no ts field' }]);
  });

  it('maps open_conn like conn (RITA still-open connections), with a leading _node_name column kept in extra', () => {
    const result = feedLines(zeekTsvAdapter, fixture('zeek/open_conn.log'));
    expect(result.format).toBe('zeek-open_conn-tsv');
    expect(result.events.map((e) => [e.kind, e.src_ip, e.dst_ip, e.dst_port, e.duration, e.bytes_out])).toEqual([
      ['flow', '10.0.0.238', '34.222.122.143', 64590, 7200.5, 2715618],
    ]);
    expect(JSON.parse(result.events[0].extra!)).toMatchObject({ _node_name: 'worker-1' });
  });

  it('rejects data before any #fields header', () => {
    const result = feedLines(zeekTsvAdapter, '1714564830.0\tC1\n');
    expect(result.rejects).toEqual([{ line: 1, reason: 'data line before the #fields header' }]);
  });
});

describe('Zeek TSV real sample (wrccdc 2018)', () => {
  const expected: [string, number, string][] = [
    ['dns', 53_615, 'dns'],
    ['ssl', 49_474, 'tls'],
    ['x509', 348, ''],
    ['notice', 207, 'alert'],
    ['software', 376, ''],
    ['known_hosts', 253, ''],
    ['known_services', 1_579, ''],
    ['known_certs', 35, ''],
    ['smtp', 1_188, ''],
    ['ntp', 904, ''],
  ];
  for (const [path, count, kind] of expected) {
    const text = realSample(`zeek-wrccdc2018/zeek-tsv/${path}.log`);
    it.skipIf(text === null)(`${path}.log: ${count} loaded, none rejected (skipped without RELAYWATCH_SAMPLES)`, () => {
      const result = feedLines(zeekTsvAdapter, text!, `${path}.log`);
      expect(result.rejects.slice(0, 3)).toEqual([]);
      expect(result.loaded).toBe(count);
      expect(result.format).toBe(`zeek-${path}-tsv`);
      expect(zeekTsvAdapter.sniff(text!.slice(0, 65536))).toBe(1);
      expect(zeekJsonAdapter.sniff(text!.slice(0, 65536))).toBe(0);
      expect(suricataEveAdapter.sniff(text!.slice(0, 65536))).toBe(0);
      if (kind) expect(countKinds(result.events)).toEqual({ [kind]: count });
      else expect(result.raw.get(`zeek_${path}`)).toHaveLength(count);
    });
  }

  const dnsText = realSample('zeek-wrccdc2018/zeek-tsv/dns.log');
  it.skipIf(dnsText === null)('dns.log first record matches the Zeek JSON export of the same traffic', () => {
    const tsv = feedLines(zeekTsvAdapter, dnsText!.split('\n').slice(0, 9).join('\n')).events[0];
    const json = feedLines(zeekJsonAdapter, realSample('zeek-wrccdc2018/zeek-ndjson/dns.first10000.ndjson')!.split('\n')[0]).events[0];
    expect(tsv).toMatchObject({
      ts: at('2018-03-24T17:15:20.865Z') + 716,
      dns_query: 'ise.wrccdc.org',
      dns_answers: 'ise.wrccdc.cpp.edu,134.71.3.16',
    });
    const { extra: tsvExtra, ...tsvColumns } = tsv;
    const { extra: jsonExtra, ...jsonColumns } = json;
    expect(jsonColumns).toEqual(tsvColumns);
    expect(Object.keys(JSON.parse(jsonExtra!)).sort()).toEqual(Object.keys(JSON.parse(tsvExtra!)).sort());
  });
});
