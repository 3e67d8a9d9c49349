import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseAdapter } from '../ingest/pipeline.ts';
import { azureFlowAdapter } from './azure-flow.ts';
import { cloudflareGatewayAdapter } from './cloudflare-gateway.ts';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { gcpVpcFlowAdapter } from './gcp-vpc-flow.ts';
import { ALL_ADAPTERS } from './index.ts';
import { netskopeCsvAdapter, netskopeJsonAdapter } from './netskope.ts';
import { umbrellaAdapter, umbrellaIdentities } from './umbrella.ts';
import { w3cElffAdapter } from './w3c-elff.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/cloud/${name}`, import.meta.url), 'utf8').trimEnd();
const utc = (iso: string) => Date.parse(iso) * 1000;

describe('cloud and security-service format recognition', () => {
  it.each([
    ['azure-nsg-flow.json', 'azure-flow'],
    ['azure-vnet-flow.json', 'azure-flow'],
    ['gcp-vpc-flows.json', 'gcp-vpc-flow'],
    ['cloudflare-gateway-dns.ndjson', 'cloudflare-gateway'],
    ['cloudflare-gateway-http.ndjson', 'cloudflare-gateway'],
    ['umbrella-dns.csv', 'umbrella-csv'],
    ['umbrella-proxy.csv', 'umbrella-csv'],
    ['netskope-events.json', 'netskope-json'],
    ['netskope-transactions.csv', 'netskope-csv'],
    ['netskope-transactions.w3c.log', 'w3c-elff'],
  ])('%s is read by %s', (name, id) => {
    expect(chooseAdapter(fixture(name), ALL_ADAPTERS)?.adapter.id).toBe(id);
  });
});

describe('Azure flow logs', () => {
  it('reads NSG version-2 tuples, each one a record, and the begin and end reports of a flow as one event', () => {
    const run = runAdapter(azureFlowAdapter, fixture('azure-nsg-flow.json'));
    expect(run.format).toBe('azure-nsg-flow');
    expect(run.loaded).toBe(3);
    expect(run.rejected).toEqual([
      { recordNo: 3, reason: 'flow tuple has 4 fields, expected 8 or 13' },
      { recordNo: 4, reason: 'unreadable flow time "yesterday"' },
    ]);
    // One tuple holds both directions; the begin (B) and end (E) reports are one connection, as Zeek logs it once.
    expect(run.events).toHaveLength(2);
    const [connection, denied] = run.events;
    expect(connection).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-06T10:00:00Z'),
      src_ip: '10.8.0.4',
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      action: 'allow',
      conn_state: 'end',
      duration: 60,
      bytes_out: 1800,
      bytes_in: 5400,
    });
    expect(extraOf(connection).get('rule')).toBe('DefaultRule_AllowInternetOutBound');
    expect(extraOf(connection).get('direction')).toBe('outbound');
    expect(extraOf(connection).get('packets_in')).toBe('10');
    expect(denied).toMatchObject({ src_ip: '198.51.100.3', dst_port: 22, action: 'deny' });
  });

  it('adds up the continue reports of a flow, and loads a flow still open at the end of the file', () => {
    const tuples = [
      '1714989600,10.8.0.4,149.154.167.220,50100,443,T,O,A,B,,,,',
      '1714989900,10.8.0.4,149.154.167.220,50100,443,T,O,A,C,5,700,4,2000',
      '1714990200,10.8.0.4,149.154.167.220,50100,443,T,O,A,E,2,100,3,300',
      '1714990300,10.8.0.4,149.154.167.220,50102,443,T,O,A,B,,,,',
      '1714990400,10.8.0.4,149.154.167.220,50102,443,T,O,A,C,1,60,1,90',
    ];
    const doc = {
      records: [
        {
          category: 'NetworkSecurityGroupFlowEvent',
          resourceId: 'NSG',
          properties: { Version: 2, flows: [{ rule: 'R', flows: [{ mac: 'M', flowTuples: tuples }] }] },
        },
      ],
    };
    const run = runAdapter(azureFlowAdapter, JSON.stringify(doc));
    expect(run.loaded).toBe(5);
    expect(run.events.map((e) => [e.src_port, e.ts / 1e6, e.duration, e.conn_state, e.bytes_out, e.bytes_in])).toEqual([
      [50100, 1714989600, 600, 'end', 800, 2300],
      [50102, 1714990300, 100, 'continue', 60, 90],
    ]);
    expect(extraOf(run.events[0]).get('packets_out')).toBe('7');
  });

  it('reads VNet flow log tuples (milliseconds, protocol numbers, denied state)', () => {
    const run = runAdapter(azureFlowAdapter, fixture('azure-vnet-flow.json'));
    expect(run.format).toBe('azure-vnet-flow');
    expect(run.rejected).toEqual([]);
    expect(run.events[0]).toMatchObject({
      ts: utc('2024-05-06T10:05:00.123Z'),
      protocol: 'tcp',
      bytes_out: 1300,
      bytes_in: 7700,
      conn_state: 'end',
      action: 'allow',
    });
    expect(extraOf(run.events[0]).get('encryption')).toBe('NX');
    // An end report without its begin in this file: the flow began in an earlier one, so its time is no connection's start.
    expect(extraOf(run.events[0]).get('continued')).toBe('true');
    expect(run.events[1]).toMatchObject({ dst_port: 8443, action: 'deny', conn_state: 'denied' });
  });
});

describe('GCP VPC flow logs', () => {
  it('maps flow entries, keeps other log entries raw and rejects a bad time', () => {
    const run = runAdapter(gcpVpcFlowAdapter, fixture('gcp-vpc-flows.json'));
    expect(run.loaded).toBe(3);
    expect(run.rejected).toEqual([{ recordNo: 4, reason: 'unreadable time "not-a-time"' }]);
    expect(run.raw.map((r) => r.table)).toEqual(['gcp_log_other']);
    // The server's answer (443 → 52000, reported by the VM receiving it) is the same connection's other direction.
    expect(run.events).toHaveLength(1);
    expect(run.events[0]).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-06T10:10:00.100Z'),
      src_ip: '10.10.0.5',
      src_port: 52000,
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      bytes_out: 4200,
      bytes_in: 51000,
      duration: 5,
      src_host: 'app-1',
    });
    expect(extraOf(run.events[0]).get('packets_in')).toBe('40');
    expect(extraOf(run.events[0]).get('jsonPayload.reporter')).toBe('SRC');
  });
});

describe('Cloudflare Gateway', () => {
  it('maps DNS records with their resolved addresses and decisions', () => {
    const run = runAdapter(cloudflareGatewayAdapter, fixture('cloudflare-gateway-dns.ndjson'));
    expect(run.format).toBe('cloudflare-gateway-dns');
    expect(run.rejected).toEqual([{ recordNo: 3, reason: 'unreadable Datetime "soon"' }]);
    expect(run.events[0]).toMatchObject({
      kind: 'dns',
      src_ip: '10.11.0.7',
      dns_query: 'api.telegram.org',
      dns_answers: '149.154.167.220',
      dns_rcode: 'NOERROR',
      action: 'allow',
      src_user: 'erin@example.com',
      src_host: 'laptop-erin',
      protocol: 'udp',
    });
    // Logpush's default Unix-nanosecond time; only address answers name flows.
    expect(run.events[1]).toMatchObject({
      ts: utc('2024-05-06T10:21:00Z'),
      dns_query: 'bad.example',
      dns_rcode: 'NXDOMAIN',
      action: 'deny',
      dns_answers: '203.0.113.99',
    });
  });

  it('maps HTTP records as proxy transactions', () => {
    const run = runAdapter(cloudflareGatewayAdapter, fixture('cloudflare-gateway-http.ndjson'));
    expect(run.format).toBe('cloudflare-gateway-http');
    expect(run.events[0]).toMatchObject({
      kind: 'proxy',
      dst_host: 'discord.example',
      dst_host_origin: 'http-host',
      url_path: '/api/webhooks/42?wait=true',
      method: 'POST',
      status: 204,
      user_agent: 'python-requests/2.31',
      referrer: null,
      action: 'allow',
      uid: 'r-1',
    });
  });
});

describe('Cisco Umbrella', () => {
  it('maps DNS log lines', () => {
    const run = runAdapter(umbrellaAdapter, fixture('umbrella-dns.csv'));
    expect(run.format).toBe('umbrella-dns-csv');
    expect(run.rejected).toEqual([{ recordNo: 3, reason: 'unreadable Timestamp "2024-13-06 10:30:05"' }]);
    expect(run.events[0]).toMatchObject({
      kind: 'dns',
      ts: utc('2024-05-06T10:30:00Z'),
      src_ip: '10.12.0.8',
      src_host: 'laptop-frank',
      dns_query: 'api.telegram.org',
      dns_qtype: 'A',
      dns_rcode: 'NOERROR',
      action: 'allow',
    });
    expect(run.events[0].dns_answers ?? null).toBeNull(); // Umbrella logs no answers
    expect(extraOf(run.events[0]).get('External IP')).toBe('198.51.100.200');
    expect(run.events[1]).toMatchObject({ dns_qtype: 'AAAA', action: 'deny' });
  });

  it('maps proxy log lines, the request method wherever the schema version put it', () => {
    const run = runAdapter(umbrellaAdapter, fixture('umbrella-proxy.csv'));
    expect(run.format).toBe('umbrella-proxy-csv');
    expect(run.rejected).toEqual([{ recordNo: 2, reason: 'expected at least 21 fields, got 11' }]);
    expect(run.events[0]).toMatchObject({
      kind: 'proxy',
      src_ip: '10.12.0.8',
      dst_ip: '203.0.113.7',
      dst_host: 'pastebin.example',
      url_path: '/raw/abc?x=1',
      user_agent: 'curl/8.4.0',
      status: 200,
      bytes_out: 350,
      bytes_in: 2100,
      action: 'allow',
      method: 'POST',
      content_type: 'application/json',
      src_host: 'laptop-frank',
      src_user: 'frank@example.com',
    });
    expect(extraOf(run.events[0]).get('column24')).toBe('101');
  });

  it('names the source only by an identity typed as a computer, never by its network or site', () => {
    expect(umbrellaIdentities('frank@example.com,laptop-frank', 'AD Users,Roaming Computers')).toEqual({
      host: 'laptop-frank',
      user: 'frank@example.com',
    });
    // Every host behind one office network shares its identity: as a host name it would make them one source.
    expect(umbrellaIdentities('Main Site,HQ Network', 'Sites,Networks')).toEqual({ host: null, user: null });
    expect(umbrellaIdentities('edge-router', 'Network Devices')).toEqual({ host: null, user: null });
    expect(umbrellaIdentities('laptop-frank', undefined)).toEqual({ host: null, user: null });
  });
});

describe('Netskope', () => {
  it('maps events of the API answer and rejects one without a time', () => {
    const run = runAdapter(netskopeJsonAdapter, fixture('netskope-events.json'));
    expect(run.rejected).toEqual([{ recordNo: 2, reason: 'no timestamp' }]);
    expect(run.events[0]).toMatchObject({
      kind: 'proxy',
      ts: utc('2024-05-06T10:40:00Z'),
      src_ip: '10.13.0.9',
      dst_ip: '149.154.167.220',
      dst_host: 'api.telegram.org',
      url_path: '/bot123:abc/getUpdates',
      user_agent: 'python-requests/2.31',
      bytes_out: 700,
      bytes_in: 2300,
      src_user: 'grace@example.com',
      src_host: 'ws-grace',
      action: 'allow',
    });
    expect(extraOf(run.events[0]).get('app')).toBe('Telegram');
  });

  it('maps web transactions with W3C field names from CSV, and from W3C files through the W3C adapter', () => {
    const csv = runAdapter(netskopeCsvAdapter, fixture('netskope-transactions.csv'));
    expect(csv.rejected).toEqual([]);
    expect(csv.events[0]).toMatchObject({
      ts: utc('2024-05-06T10:40:00Z'),
      src_ip: '10.13.0.10',
      dst_host: 'graph.example.com',
      url_path: '/v1.0/me/drive?select=id',
      method: 'GET',
      status: 200,
      bytes_out: 512,
      bytes_in: 4096,
      src_host: 'ws-heidi',
      dst_ip: '203.0.113.30',
    });
    const w3c = runAdapter(w3cElffAdapter, fixture('netskope-transactions.w3c.log'));
    expect(w3c.rejected).toEqual([]);
    expect(w3c.events[0]).toMatchObject({ kind: 'proxy', dst_host: 'hooks.example.com', method: 'POST', bytes_out: 9000 });
  });
});
