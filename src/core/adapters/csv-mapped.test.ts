import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import {
  createMappedCsvAdapter, csvMappedAdapter, extraJson, normaliseAction, parseMappedTime, splitUrl, suggestMapping, type ColumnMapping,
} from './csv-mapped.ts';
import { CSV_PRESETS } from './csv-presets.ts';
import { paloAltoAdapter } from './palo-alto.ts';

const read = (name: string) => readFileSync(new URL(`./fixtures/csv-mapped/${name}`, import.meta.url), 'utf8');
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('CSV presets recognised by sniffing', () => {
  it('reads a Zscaler NSS web CSV, treating "None" as no value', () => {
    const text = read('zscaler-nss-web.csv');
    expect(csvMappedAdapter.sniff(text)).toBe(0.9);
    const run = runAdapter(csvMappedAdapter, text);
    expect(run.format).toBe('zscaler-nss-web-csv');
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T12:00:01Z'),
      kind: 'proxy',
      src_user: 'alice@corp.example',
      src_ip: '10.0.0.5',
      dst_ip: '149.154.167.220',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'url',
      url_path: '/bot123456:ABC-def/getUpdates?offset=1,2',
      action: 'allow',
      method: 'POST',
      status: 200,
      user_agent: 'python-requests/2.31.0',
      content_type: 'application/json',
      bytes_out: 410,
      bytes_in: 1532,
    });
    expect(run.events[0].referrer).toBeUndefined();
    expect(extraOf(run.events[0]).get('appname')).toBe('Telegram');
    expect(run.events[1]).toMatchObject({ action: 'deny', status: 403, dst_host: 'pastebin.com', url_path: '/raw/abc' });
    expect(run.rejected).toEqual([
      { recordNo: 4, reason: 'expected 17 fields, got 3' },
      { recordNo: 5, reason: 'bad time "Wed May 41 12:00:04 2024"' },
    ]);
  });

  it('reads a Forcepoint CSV with epoch times and CRLF line ends', () => {
    const run = runAdapter(csvMappedAdapter, read('forcepoint-web.csv'));
    expect(run.format).toBe('forcepoint-web-csv');
    expect(run.events).toHaveLength(2);
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T12:00:01Z'),
      src_ip: '10.0.0.5',
      src_port: 51234,
      src_user: 'alice',
      dst_ip: '162.159.128.233',
      dst_port: 443,
      dst_host: 'discord.com',
      dst_host_origin: 'url',
      url_path: '/api/webhooks/1/xyz',
      status: 204,
      action: 'allow',
      bytes_out: 1200,
      bytes_in: 310,
    });
    expect(run.events[1]).toMatchObject({ action: 'deny', user_agent: 'Mozilla/5.0 (Windows NT 10.0, Win64)' });
  });

  it('reads a Palo Alto URL CSV with field-name headers in the firewall zone, and leaves it to this adapter', () => {
    const text = read('paloalto-url.csv');
    expect(paloAltoAdapter.sniff(text)).toBe(0);
    const run = runAdapter(csvMappedAdapter, text, 120);
    expect(run.format).toBe('paloalto-url-csv');
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T10:00:01Z'),
      src_user: 'corp\\alice',
      dst_host: 'api.telegram.org',
      url_path: '/bot1/getUpdates?offset=1,2',
      method: 'GET',
      action: 'allow',
    });
    expect(run.events[0].referrer ?? run.events[1].src_user).toBeUndefined();
    expect(run.events[1]).toMatchObject({ action: 'deny', dst_host: 'discord.com', url_path: '/api/webhooks/1/x' });
  });

  it('matches each preset only on its own header', () => {
    const header = (name: string) => read(name).split(/\r?\n/)[0].split(',');
    const matching = (name: string) => CSV_PRESETS.filter((p) => p.matches(header(name))).map((p) => p.mapping.id);
    expect(matching('zscaler-nss-web.csv')).toEqual(['zscaler-nss-web-csv']);
    expect(matching('forcepoint-web.csv')).toEqual(['forcepoint-web-csv']);
    expect(matching('paloalto-url.csv')).toEqual(['paloalto-url-csv']);
    expect(csvMappedAdapter.sniff('a,b,c\n1,2,3\n')).toBe(0);
  });
});

describe('custom column mappings', () => {
  const mapping: ColumnMapping = {
    id: 'csv-mapped',
    title: 'Gateway export',
    delimiter: ';',
    kind: 'proxy',
    timeFormat: 'dmy',
    utcOffsetMinutes: 60,
    columns: [
      { header: 'Datum', target: 'date' },
      { header: 'Zeit', target: 'time' },
      { header: 'Quelle', target: 'src_ip' },
      { header: 'Adresse', target: 'url' },
      { header: 'Gesendet', target: 'bytes_out' },
      { header: 'Dauer', target: 'duration' },
    ],
  };
  const text = [
    'Datum;Zeit;Quelle;Adresse;Gesendet;Dauer;Notiz',
    '02/05/2024;13:00:00;10.0.0.5;"https://files.example/upload;v=2";4096;1.5;"a ""quoted"" note"',
    '02/05/2024;;10.0.0.5;https://files.example/;1;1;',
    '02/05/2024;13:00:01;10.0.0.5;"unterminated',
  ].join('\n');

  it('joins date and time columns, applies the mapping zone, and keeps unmapped columns in extra', () => {
    const adapter = createMappedCsvAdapter(mapping);
    expect(adapter.sniff(text)).toBe(0.6);
    expect(adapter.sniff(text.replaceAll(';', ','))).toBe(0);
    const run = runAdapter(adapter, text, 0);
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-02T12:00:00Z'),
      src_ip: '10.0.0.5',
      dst_host: 'files.example',
      url_path: '/upload;v=2',
      bytes_out: 4096,
      duration: 1.5,
    });
    expect(extraOf(run.events[0]).get('Notiz')).toBe('a "quoted" note');
    expect(run.rejected).toEqual([
      { recordNo: 3, reason: 'empty time' },
      { recordNo: 4, reason: 'unbalanced quotes' },
    ]);
  });

  it('ignores targets that are not canonical fields', () => {
    const hostile = { ...mapping, columns: [...mapping.columns, { header: 'Notiz', target: '__proto__' as never }] };
    const run = runAdapter(createMappedCsvAdapter(hostile), text, 0);
    expect(Object.getPrototypeOf(run.events[0])).toBe(Object.prototype);
    expect(extraOf(run.events[0]).get('Notiz')).toBe('a "quoted" note');
  });

  it('suggests a mapping from common header names', () => {
    const suggestion = suggestMapping(['Date', 'Time', 'Client IP', 'Server IP', 'Host', 'URL', 'Bytes Sent', 'Bytes Received', 'User Agent', 'Comment']);
    expect(suggestion.kind).toBe('proxy');
    expect(suggestion.columns).toEqual([
      { header: 'Date', target: 'date' },
      { header: 'Time', target: 'time' },
      { header: 'Client IP', target: 'src_ip' },
      { header: 'Server IP', target: 'dst_ip' },
      { header: 'Host', target: 'dst_host' },
      { header: 'URL', target: 'url' },
      { header: 'Bytes Sent', target: 'bytes_out' },
      { header: 'Bytes Received', target: 'bytes_in' },
      { header: 'User Agent', target: 'user_agent' },
    ]);
    expect(suggestMapping(['timestamp', 'qname', 'qtype', 'client']).kind).toBe('dns');
  });
});

describe('shared field helpers', () => {
  it('parses mapped time formats', () => {
    expect(parseMappedTime('1714564801.5', 'auto', 0)).toBe(micros('2024-05-01T12:00:01.500Z'));
    expect(parseMappedTime('1714564801000', 'auto', 0)).toBe(micros('2024-05-01T12:00:01Z'));
    expect(parseMappedTime('5/1/2024 1:00:01 PM', 'auto', 60)).toBe(micros('2024-05-01T12:00:01Z'));
    expect(parseMappedTime('2024/05/01 12:00:01', 'auto', 0)).toBe(micros('2024-05-01T12:00:01Z'));
    expect(parseMappedTime('12/31/2024 12:00:01 AM', 'mdy', 0)).toBe(micros('2024-12-31T00:00:01Z'));
    expect(parseMappedTime('31/12/2024 00:00:01', 'mdy', 0)).toBeNull();
  });

  it('splits URLs without normalising them', () => {
    expect(splitUrl('HTTPS://User@Api.Example:8443/A%20b?q=1#frag')).toEqual({ scheme: 'https', host: 'Api.Example', port: 8443, path: '/A%20b?q=1' });
    expect(splitUrl('api.telegram.org/bot1', true)).toEqual({ scheme: null, host: 'api.telegram.org', port: null, path: '/bot1' });
    expect(splitUrl('api.telegram.org/bot1')).toBeNull();
    expect(splitUrl('localhost/x', true)).toBeNull();
  });

  it('normalises actions and bounds extra JSON', () => {
    expect(['Allowed', 'BLOCKED', 'reset-both', 'drop-icmp', 'quarantine'].map(normaliseAction)).toEqual(['allow', 'deny', 'reset', 'drop', 'quarantine']);
    const big = extraJson(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'x'.repeat(1000)] as const));
    expect(big!.length).toBeLessThanOrEqual(4096);
    expect(JSON.parse(extraJson([['__proto__', 'x'], ['a', '-'], ['b', 'y']])!)).toEqual({ b: 'y' });
  });
});
