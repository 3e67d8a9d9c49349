import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { paloAltoAdapter } from './palo-alto.ts';

const read = (name: string) => readFileSync(new URL(`./fixtures/palo-alto/${name}`, import.meta.url), 'utf8');
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('Palo Alto syslog CSV (positional)', () => {
  const text = read('syslog.log');
  const run = runAdapter(paloAltoAdapter, text, 60);

  it('sniffs the syslog form', () => {
    expect(paloAltoAdapter.sniff(text)).toBeGreaterThan(0.8);
  });

  it('maps a TRAFFIC end log, timed by the session start in the firewall zone', () => {
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T11:00:01Z'),
      kind: 'firewall',
      src_ip: '10.0.0.5',
      src_port: 51234,
      src_user: 'corp\\alice',
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      app_protocol: null,
      action: 'allow',
      bytes_out: 1822,
      bytes_in: 5000,
      duration: 29,
      conn_state: 'tcp-fin',
      uid: '33760927',
    });
    expect(extraOf(run.events[0]).get('application')).toBe('telegram-base');
  });

  it('maps a URL filtering log to a proxy event with a quoted URL holding a comma', () => {
    expect(run.events[1]).toMatchObject({
      ts: micros('2024-05-01T11:00:02Z'),
      kind: 'proxy',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'url',
      url_path: '/bot123456:ABC-def/sendDocument?chat_id=1,2',
      method: 'POST',
      user_agent: 'python-requests/2.31.0',
      referrer: 'https://web.telegram.org/',
      content_type: 'application/json',
      action: 'allow',
    });
  });

  it('maps other threat subtypes to alerts and rejects other log types', () => {
    expect(run.events[2]).toMatchObject({ kind: 'alert', alert: 'Cobalt Strike Beacon C2 Traffic Detection(86445)', action: 'reset' });
    expect(run.loaded).toBe(3);
    expect(run.rejected).toEqual([
      { recordNo: 4, reason: 'PAN-OS SYSTEM log: not a traffic or threat record' },
      { recordNo: 5, reason: 'expected at least 32 fields, got 8' },
    ]);
  });
});

describe('Palo Alto Monitor export CSV (header)', () => {
  const text = read('traffic-export.csv');
  const run = runAdapter(paloAltoAdapter, text);

  it('sniffs the export header and reads columns by name', () => {
    expect(paloAltoAdapter.sniff(text)).toBeGreaterThan(0.9);
    expect(run.meta).toBe(2); // the header and the empty string after the final newline
    expect(run.loaded).toBe(2);
    expect(run.events[0]).toMatchObject({
      ts: micros('2024-05-01T14:00:00Z'),
      src_ip: '2001:db8::5',
      dst_ip: '2606:4700::6810:8567',
      app_protocol: 'tls',
      bytes_out: 1000,
      bytes_in: 8000,
      conn_state: 'tcp-rst-from-server',
      src_user: null,
    });
    expect(extraOf(run.events[0]).get('category')).toBe('computer-and-internet-info');
  });

  it('falls back to Generate Time when Start Time is empty', () => {
    expect(run.events[1]).toMatchObject({ ts: micros('2024-05-01T14:00:59Z'), action: 'deny', protocol: 'udp', app_protocol: 'dns', dst_port: 53 });
  });

  it('rejects headerless rows that are not syslog records', () => {
    expect(runAdapter(paloAltoAdapter, 'a,b,c\n').rejected[0].reason).toBe('neither a PAN-OS syslog record nor preceded by an export header');
  });
});
