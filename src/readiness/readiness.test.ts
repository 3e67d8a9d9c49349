import { afterEach, describe, expect, it } from 'vitest';
import type { NativeEngine } from '../engine/native-engine.ts';
import type { Finding } from '../detection/detect.ts';
import { computeCoverage } from './coverage.ts';
import { computeExecutiveSummary } from './executive-summary.ts';
import { collectNext, readinessMatrix, shippedReadinessSpec, validateReadinessSpec } from './readiness.ts';
import { classifyTelemetry, shippedTelemetryClasses } from './telemetry.ts';
import { appendWorldEvents, applyWorldContext, openWorld, sysmonEvents } from '../test-support/readiness-world.ts';

let engine: NativeEngine | null = null;
afterEach(() => {
  engine?.close();
  engine = null;
});

const PROXY_OPTIONS = { proxyMinDestinations: 20 };

describe('telemetry classes', () => {
  const classes = shippedTelemetryClasses();
  it.each([
    ['zeek-conn-tsv', 'flow', 'nsm'],
    ['suricata-eve-json', 'alert', 'nsm'],
    ['squid-native', 'proxy', 'proxy'],
    ['sysmon-winlogbeat-ndjson', 'dns', 'endpoint'],
    ['mde-network-csv', 'flow', 'endpoint'],
    ['paloalto-csv', 'firewall', 'firewall'],
    ['windows-dns-debug', 'dns', 'dns'],
    ['m365-audit-json', 'saas', 'saas'],
    ['my-mapped-proxy', 'proxy', 'proxy'],
    ['my-mapped-flows', 'flow', 'firewall'],
    ['ecs-zeek-ndjson', 'flow', 'nsm'],
    ['ecs-endpoint-json', 'flow', 'endpoint'],
    ['ecs-packetbeat-ndjson', 'flow', 'firewall'],
    ['ecs-ndjson', 'dns', 'dns'],
    ['aws-vpc-flow', 'flow', 'firewall'],
    ['aws-route53-resolver', 'dns', 'dns'],
    ['sentinel-vmconnection-json', 'flow', 'firewall'],
    ['sentinel-dnsevents-csv', 'dns', 'dns'],
    ['sentinel-asimwebsessionlogs-json', 'proxy', 'proxy'],
    ['sentinel-windowsevent-json', 'flow', 'endpoint'],
    ['sentinel-json', 'firewall', 'firewall'],
    ['splunk-zeek-csv', 'dns', 'nsm'],
    ['splunk-csv', 'proxy', 'proxy'],
    ['azure-vnet-flow', 'flow', 'firewall'],
    ['gcp-vpc-flow', 'flow', 'firewall'],
    ['cloudflare-gateway-dns', 'dns', 'dns'],
    ['cloudflare-gateway-http', 'proxy', 'proxy'],
    ['umbrella-dns-csv', 'dns', 'dns'],
    ['umbrella-proxy-csv', 'proxy', 'proxy'],
    ['netskope-json', 'proxy', 'proxy'],
  ])('%s (%s) is %s', (format, kind, expected) => {
    expect(classifyTelemetry(classes, format, kind)).toBe(expected);
  });

  it('rejects a spec naming an unknown capability or column', () => {
    const spec = shippedReadinessSpec();
    spec.analytics.push({ id: 'x', title: 'x', requires: ['telepathy'] });
    spec.capabilities.push({ id: 'y', label: 'y', columns: ['nope' as never], providers: [] });
    expect(validateReadinessSpec(spec)).toEqual(['capability y: unknown column nope', 'analytic x: unknown capability telepathy']);
  });
});

describe('coverage', () => {
  it('keys hosts across sources, spans days, finds gaps and a proxy hiding its clients', async () => {
    engine = await openWorld();
    const coverage = await computeCoverage(engine, PROXY_OPTIONS);
    const keys = coverage.hosts.map((h) => h.key).sort();
    expect(keys).toEqual(['10.3.0.5', '10.9.9.9', 'fin-srv1', 'fin-srv2', 'fin-srv3', 'ws10', 'ws11']);

    const ws10 = coverage.hosts.find((h) => h.key === 'ws10')!;
    expect(Object.keys(ws10.telemetry).sort()).toEqual(['endpoint', 'firewall', 'proxy']);
    expect(ws10.telemetry.proxy).toMatchObject({ events: 12, days: 2 });
    expect(ws10.telemetry.endpoint).toMatchObject({ events: 8, days: 2 });
    expect(ws10).toMatchObject({ role: 'workstation', business_unit: 'Sales', in_inventory: true, days: 3 });
    expect(ws10.capabilities.process_events).toBe(8);

    const silent = coverage.hosts.find((h) => h.key === 'fin-srv3')!;
    expect(silent).toMatchObject({ role: 'server', business_unit: 'Finance', in_inventory: true, days: 0, telemetry: {} });

    expect(coverage.data_days).toEqual(['2024-05-01', '2024-05-02', '2024-05-03']);
    const proxy = coverage.spans.find((s) => s.telemetry === 'proxy')!;
    expect(proxy).toMatchObject({ hosts: 4, events: 48, missing_days: ['2024-05-02'] });
    expect(coverage.spans.find((s) => s.telemetry === 'firewall')!.missing_days).toEqual([]);
    expect(coverage.spans.find((s) => s.telemetry === 'dns')!).toMatchObject({ hosts: 0, missing_days: [] });

    expect(coverage.missing_from.proxy.endpoint.sort()).toEqual(['fin-srv1', 'fin-srv2', 'ws11']);
    expect(coverage.missing_from.firewall.proxy.sort()).toEqual(['10.3.0.5', '10.9.9.9']);

    expect(coverage.hidden_proxies).toHaveLength(1);
    expect(coverage.hidden_proxies[0]).toMatchObject({
      ip: '10.9.9.9', destinations: 60, web_share: 1, proxy_log_overlap: 0, inbound_clients: 2, inbound_clients_in_proxy_logs: 1,
    });
    expect(coverage.hidden_proxies[0].explanation).toContain('only 0% of them appear in the loaded proxy logs');
  });

  it('does not flag a flow source with few destinations', async () => {
    engine = await openWorld();
    const coverage = await computeCoverage(engine, { proxyMinDestinations: 61 });
    expect(coverage.hidden_proxies).toEqual([]);
  });
});

describe('readiness', () => {
  const spec = shippedReadinessSpec();

  it('builds the matrix by role and ranks what to collect next', async () => {
    engine = await openWorld();
    const coverage = await computeCoverage(engine, PROXY_OPTIONS);
    const byRole = readinessMatrix(coverage, spec, 'role');
    expect(byRole.groups).toEqual([
      { key: 'server', hosts: 3 },
      { key: 'workstation', hosts: 2 },
      { key: '(no role)', hosts: 2 },
    ]);
    expect(byRole.cells['non-browser-process']).toEqual({
      server: { ready: 0, total: 3 }, workstation: { ready: 1, total: 2 }, '(no role)': { ready: 0, total: 2 },
    });
    expect(byRole.cells['scripted-user-agent'].server).toEqual({ ready: 2, total: 3 });
    // fin-srv3 has no data at all; the two unknown sources have flows but no role.
    expect(byRole.cells['periodic-beacon'].server).toEqual({ ready: 2, total: 3 });
    expect(byRole.cells['rare-service-for-peer-group']['(no role)']).toEqual({ ready: 0, total: 2 });
    expect(byRole.analytics.find((a) => a.id === 'non-browser-process')!.blockers[0]).toBe('process attribution (6)');

    const next = collectNext(coverage, spec);
    expect(next.length).toBe(5);
    expect(next[0].text).toBe('Web proxy for 2 hosts with no known role: enables API endpoint use on 2 more hosts (29% of all 7) and 8 more analytics.');
    expect(next.map((r) => r.unlocked)).toEqual([...next.map((r) => r.unlocked)].sort((a, b) => b - a));
    const endpointForFinance = next.find((r) => r.telemetry === 'endpoint' && r.role === 'server')!;
    expect(endpointForFinance.hosts.sort()).toEqual(['fin-srv1', 'fin-srv2', 'fin-srv3']);
    expect(endpointForFinance.enables[0]).toEqual({ id: 'non-browser-process', title: 'Unexpected process', hosts: 3 });
    // fin-srv3's other gaps are credited to an earlier pick, so only process attribution is left here.
    expect(endpointForFinance.text).toBe('Endpoint process (Sysmon / MDE / auditd / osquery) for 3 servers in Finance: enables Unexpected process on 3 more hosts (43% of all 7).');
    expect(new Set(next.map((r) => JSON.stringify([r.telemetry, r.role, r.business_unit]))).size).toBe(next.length);
  });

  it('changes when the missing endpoint source is loaded', async () => {
    engine = await openWorld();
    const before = readinessMatrix(await computeCoverage(engine, PROXY_OPTIONS), spec, 'business_unit');
    expect(before.cells['non-browser-process'].Finance).toEqual({ ready: 0, total: 3 });
    expect(before.cells['off-hours'].Finance).toEqual({ ready: 2, total: 3 });

    await appendWorldEvents(engine, sysmonEvents([
      { name: 'fin-srv1', ip: '10.2.0.20' }, { name: 'fin-srv2', ip: '10.2.0.21' }, { name: 'fin-srv3', ip: '10.2.0.22' },
    ]));
    await applyWorldContext(engine);
    const after = await computeCoverage(engine, PROXY_OPTIONS);
    const matrix = readinessMatrix(after, spec, 'business_unit');
    expect(matrix.cells['non-browser-process'].Finance).toEqual({ ready: 3, total: 3 });
    expect(matrix.cells['off-hours'].Finance).toEqual({ ready: 3, total: 3 });
    expect(collectNext(after, spec).some((r) => r.telemetry === 'endpoint' && r.business_unit === 'Finance')).toBe(false);
  });
});

describe('executive summary', () => {
  it('adds up coverage, readiness, service use by business unit and findings', async () => {
    engine = await openWorld();
    const base = { rank: 1, score: 80, source: { ip: null, hostname: null, user: null, process: null, role: null, role_origin: null }, service: null,
      destination: { domain: null, ips: [], ports: [], url_patterns: [] }, first_seen: '', last_seen: '', events: 1, bytes_out: null, bytes_in: null,
      periodicity: null, signals: [], summary: '' };
    const findings: Finding[] = [
      { ...base, id: 'a', severity: 'critical', attack: ['T1102', 'T1102.002'] },
      { ...base, id: 'b', severity: 'low', attack: ['T1102'] },
    ];
    const summary = await computeExecutiveSummary(engine, findings, PROXY_OPTIONS);
    expect(summary).toMatchObject({ hosts: 7, silent_hosts: 1 });
    expect(summary.coverage.find((c) => c.telemetry === 'proxy')).toMatchObject({ hosts: 4 });
    expect(summary.readiness.find((r) => r.id === 'non-browser-process')).toMatchObject({ ready: 1, total: 7 });
    expect(summary.service_use).toEqual([
      { business_unit: 'Finance', approved_services: 1, unapproved_services: 1, approved_events: 12, unapproved_events: 12, top_unapproved: ['Dropbox'] },
      { business_unit: 'Sales', approved_services: 1, unapproved_services: 0, approved_events: 12, unapproved_events: 0, top_unapproved: [] },
    ]);
    expect(summary.findings.by_severity).toEqual({ critical: 1, high: 0, medium: 0, low: 1, info: 0 });
    expect(summary.findings.by_technique).toEqual([{ technique: 'T1102', findings: 2 }, { technique: 'T1102.002', findings: 1 }]);
    expect(summary.headlines[0]).toBe('2 findings, 1 critical or high.');
    expect(summary.headlines[1]).toBe('7 hosts; the best-covered telemetry (Firewall / flow) sees 71% of them, and 1 inventory asset sends no telemetry at all.');
    expect(summary.headlines[3]).toBe('1 business unit uses web services the policy does not approve (most: Finance, 1).');
  });
});
