import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseAdapter } from '../ingest/pipeline.ts';
import { awsRoute53ResolverAdapter } from './aws-route53-resolver.ts';
import { awsVpcFlowAdapter, VPC_STATUS_TABLE } from './aws-vpc-flow.ts';
import { extraOf, runAdapter } from './fixtures/run-adapter.ts';
import { ALL_ADAPTERS } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/aws/${name}`, import.meta.url), 'utf8').trimEnd();
const utc = (iso: string) => Date.parse(iso) * 1000;

describe('AWS format recognition', () => {
  it.each([
    ['vpc-flow-v2-default.log', 'aws-vpc-flow'],
    ['vpc-flow-v5-custom.log', 'aws-vpc-flow'],
    ['vpc-flow-cloudwatch.log', 'aws-vpc-flow'],
    ['route53-resolver.ndjson', 'aws-route53-resolver'],
  ])('%s is read by %s', (name, id) => {
    expect(chooseAdapter(fixture(name), ALL_ADAPTERS)?.adapter.id).toBe(id);
  });

  it('does not take other space-separated logs for headerless flow logs', () => {
    const squid = '1715000000.123    250 10.0.0.1 TCP_MISS/200 512 GET http://example.com/ - HIER_DIRECT/93.184.216.34 text/html';
    expect(awsVpcFlowAdapter.sniff(squid)).toBe(0);
  });
});

describe('VPC Flow Logs', () => {
  it('reads the default layout with its header and accounts for every line', () => {
    const run = runAdapter(awsVpcFlowAdapter, fixture('vpc-flow-v2-default.log'));
    expect(run.meta).toBe(1);
    expect(run.loaded).toBe(4);
    expect(run.rejected).toEqual([
      { recordNo: 6, reason: 'expected 14 fields, got 11' },
      { recordNo: 7, reason: 'not an address: "not-an-ip"' },
    ]);
    // The client's record and the server's reply (443 → 51544) are one connection: one event in the client's view.
    expect(run.events).toHaveLength(2);
    expect(run.events[0]).toMatchObject({
      kind: 'flow',
      ts: utc('2024-05-06T12:53:20Z'),
      src_ip: '10.0.1.25',
      src_port: 51544,
      dst_ip: '149.154.167.220',
      dst_port: 443,
      protocol: 'tcp',
      bytes_out: 1820,
      bytes_in: 5400,
      duration: 60,
      action: 'allow',
    });
    expect(extraOf(run.events[0]).get('interface-id')).toBe('eni-0a1b2c3d4e5f60001');
    expect(extraOf(run.events[0]).get('packets')).toBe('12');
    expect(extraOf(run.events[0]).get('packets_in')).toBe('10');
    // An outside scanner's connection attempt is its own: from an ephemeral port to a service port.
    expect(run.events[1]).toMatchObject({ src_ip: '198.51.100.7', dst_port: 22, action: 'deny', bytes_out: 40 });
    expect(run.events[1].bytes_in ?? null).toBeNull();
    expect(run.raw).toEqual([{ table: VPC_STATUS_TABLE, row: expect.objectContaining({ 'log-status': 'NODATA', srcaddr: null }) }]);
  });

  it('reads a version-5 custom field list by its header, and tells the reply by its SYN-ACK', () => {
    const run = runAdapter(awsVpcFlowAdapter, fixture('vpc-flow-v5-custom.log'));
    expect(run.rejected).toEqual([]);
    expect(run.loaded).toBe(2);
    expect(run.events).toHaveLength(1);
    expect(run.events[0]).toMatchObject({
      src_ip: '10.0.2.40',
      dst_ip: '162.159.135.232',
      dst_port: 443,
      bytes_out: 2048,
      bytes_in: 6120,
      protocol: 'tcp',
    });
    expect(extraOf(run.events[0]).get('flow-direction')).toBe('egress');
    expect(extraOf(run.events[0]).get('instance-id')).toBe('i-0123456789abcdef0');
  });

  it('reads headerless default lines exported from CloudWatch, and refuses a headerless custom layout', () => {
    const run = runAdapter(awsVpcFlowAdapter, fixture('vpc-flow-cloudwatch.log'));
    expect(run.rejected).toEqual([]);
    expect(run.events.map((e) => [e.dst_ip, e.protocol])).toEqual([
      ['93.184.216.34', 'tcp'],
      ['10.0.0.2', 'udp'],
    ]);
    const custom = runAdapter(awsVpcFlowAdapter, '5 vpc-1 10.0.0.1 10.0.0.2 443 6');
    expect(custom.rejected[0].reason).toMatch(/^no header line/);
  });
});

describe('Route 53 Resolver query logs', () => {
  const run = runAdapter(awsRoute53ResolverAdapter, fixture('route53-resolver.ndjson'));

  it('maps queries to DNS events and counts bad records', () => {
    expect(run.loaded).toBe(3);
    expect(run.rejected).toEqual([
      { recordNo: 4, reason: 'unreadable query_timestamp "yesterday"' },
      { recordNo: 5, reason: 'no query_name' },
    ]);
    expect(run.events[0]).toMatchObject({
      kind: 'dns',
      ts: utc('2024-05-06T12:53:10Z'),
      src_ip: '10.0.1.25',
      src_port: 60211,
      protocol: 'udp',
      dns_query: 'api.telegram.org',
      dst_host: 'api.telegram.org',
      dst_host_origin: 'dns-query',
      dns_qtype: 'A',
      dns_rcode: 'NOERROR',
      dns_answers: '149.154.167.220',
    });
    expect(run.events[1]).toMatchObject({ dns_answers: 'edge.example.net,192.0.2.44', action: 'allow' }); // ALERT lets the query through
    expect(extraOf(run.events[1]).get('srcids.instance')).toBe('i-0123456789abcdef1');
    expect(run.events[2]).toMatchObject({ dns_rcode: 'NXDOMAIN', dns_answers: null, dns_qtype: 'AAAA' });
  });
});
