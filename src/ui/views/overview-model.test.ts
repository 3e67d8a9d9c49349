import { describe, expect, it } from 'vitest';
import type { Finding } from '../../detection/detect.ts';
import { hostKeyOf, severityCounts, techniqueCounts, topHosts, topServices } from './overview-model.ts';

let next = 0;
function finding(score: number, severity: Finding['severity'], host: string | null, ip: string, service: string | null, attack: string[]): Finding {
  return {
    id: `rw-${String(++next).padStart(16, '0')}`, rank: next, score, severity,
    source: { ip, hostname: host, user: null, process: null, role: host ? 'workstation' : null, role_origin: 'inventory' },
    service: service ? { id: service, name: service[0].toUpperCase() + service.slice(1), category: 'messaging' } : null,
    destination: { domain: service ? `api.${service}.org` : 'c2.example.net', ips: ['203.0.113.9'], ports: [443], url_patterns: [] },
    first_seen: '2024-05-02T00:00:00Z', last_seen: '2024-05-02T10:00:00Z', events: 10, bytes_out: null, bytes_in: null,
    periodicity: null, signals: [], attack, summary: '',
  };
}

const findings = [
  finding(92, 'critical', 'FIN-WS-07', '10.0.0.7', 'telegram', ['T1102.002', 'T1102']),
  finding(71, 'high', null, '10.0.0.9', 'telegram', ['T1102.002']),
  finding(55, 'medium', 'fin-ws-07', '10.0.0.7', 'dropbox', ['T1102.002', 'T1567.002']),
  finding(12, 'info', 'srv-01', '10.0.9.1', null, ['T1102']),
];

describe('overview model', () => {
  it('counts findings per severity in severity order, zeros included', () => {
    expect(severityCounts(findings).map((s) => [s.severity, s.count])).toEqual([
      ['critical', 1], ['high', 1], ['medium', 1], ['low', 0], ['info', 1],
    ]);
  });

  it('counts findings per technique once each', () => {
    expect(techniqueCounts(findings)).toEqual([
      { technique: 'T1102.002', count: 3 }, { technique: 'T1102', count: 2 }, { technique: 'T1567.002', count: 1 },
    ]);
  });

  it('ranks services and uncatalogued destinations by their top score', () => {
    expect(topServices(findings, 5).map((s) => [s.key, s.findings, s.maxScore, s.topSeverity, s.serviceId])).toEqual([
      ['service:telegram', 2, 92, 'critical', 'telegram'],
      ['service:dropbox', 1, 55, 'medium', 'dropbox'],
      ['destination:c2.example.net', 1, 12, 'info', null],
    ]);
    expect(topServices(findings, 1)).toHaveLength(1);
  });

  it('ranks hosts under the host view key (short name, else IP)', () => {
    expect(hostKeyOf(findings[0])).toBe('fin-ws-07');
    expect(hostKeyOf(findings[1])).toBe('10.0.0.9');
    expect(topHosts(findings, 5).map((h) => [h.key, h.findings, h.maxScore])).toEqual([
      ['fin-ws-07', 2, 92], ['10.0.0.9', 1, 71], ['srv-01', 1, 12],
    ]);
  });
});
