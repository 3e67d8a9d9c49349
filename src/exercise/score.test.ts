import { describe, expect, it } from 'vitest';
import type { AnswerKeyIncident, HardNegative } from '../generator/index.ts';
import { parseInventoryCsv } from '../context/inventory.ts';
import {
  atLeastSeverity,
  findingMatchesIncident,
  hostAddressesFromInventory,
  parseAnswerKey,
  scoreExercise,
  scoreSelection,
  shortHostName,
  topN,
  type ScorableFinding,
  type ScorableKey,
} from './score.ts';

function incident(id: string, over: Partial<AnswerKeyIncident>): AnswerKeyIncident {
  return {
    id, behaviour: 'telegram-bot-polling', title: id, technique: 'T1102.002', related_techniques: [], service_id: 'telegram',
    source: { ip: '10.0.0.1', hostname: 'FIN-WS001', user: 'ann', role: 'workstation', business_unit: 'finance', os: 'Windows 11' },
    process: 'C:\\Users\\ann\\python.exe', processes: ['C:\\Users\\ann\\python.exe'], user_agent: 'python-requests/2.31.0',
    destination_hosts: ['api.telegram.org'], destination_ips: ['149.154.167.220'], url_patterns: ['/bot{token}/getUpdates'],
    start: '2024-05-06T08:00:00Z', end: '2024-05-06T18:00:00Z', events: 100, bytes_out: 1000, beacons: [],
    signals: ['periodic', 'scripted-user-agent', 'api-endpoint'], description: '', ...over,
  };
}

let nextRank = 1;
function finding(id: string, over: Partial<ScorableFinding> & { host?: string; ip?: string; process?: string | null; serviceId?: string | null; domain?: string | null; signalIds?: string[] }): ScorableFinding {
  return {
    id, rank: over.rank ?? nextRank++, score: 50, severity: over.severity ?? 'medium',
    source: { ip: over.ip ?? null, hostname: over.host ?? null, user: null, process: over.process ?? null, role: null, role_origin: null },
    service: over.serviceId ? { id: over.serviceId, name: over.serviceId, category: 'chat' } : null,
    destination: { domain: over.domain ?? null, ips: over.destination?.ips ?? [], ports: [443], url_patterns: [] },
    signals: (over.signalIds ?? []).map((s) => ({ id: s })),
  };
}

const slackNegative: HardNegative = { reason: 'sync-client', why: 'Slack desktop', service: 'slack', process: 'slack.exe', hosts: ['FIN-WS002', 'FIN-WS003'] };
const KEY: ScorableKey = {
  incidents: [
    incident('INC-01', {}),
    incident('INC-02', { service_id: 'dropbox', source: { ...incident('x', {}).source, ip: '10.0.0.5', hostname: 'ENG-WS004' }, destination_hosts: ['content.dropboxapi.com'], destination_ips: ['162.125.66.1'], processes: ['C:\\x\\rclone.exe'], signals: ['upload-volume', 'first-seen'] }),
    incident('INC-03', { service_id: 'github', source: { ...incident('x', {}).source, hostname: 'SRV-APP01', ip: '10.0.9.9' }, events: 0 }),
  ],
  hard_negatives: [slackNegative],
};

describe('matching findings to incidents', () => {
  it('compares host names by short lower-case name and keeps IPs whole', () => {
    expect(shortHostName('FIN-WS001.corp.example')).toBe('fin-ws001');
    expect(shortHostName('10.0.0.1')).toBe('10.0.0.1');
    expect(shortHostName(null)).toBeNull();
  });

  it('needs the same source and destination, and the incident process when the finding names one', () => {
    const inc = KEY.incidents[0];
    expect(findingMatchesIncident(finding('a', { host: 'fin-ws001.corp.example', serviceId: 'telegram' }), inc)).toBe(true);
    expect(findingMatchesIncident(finding('b', { ip: '10.0.0.1', domain: 'API.telegram.org' }), inc)).toBe(true);
    expect(findingMatchesIncident(finding('c', { ip: '10.0.0.1', destination: { domain: null, ips: ['149.154.167.220'], ports: [], url_patterns: [] } }), inc)).toBe(true);
    expect(findingMatchesIncident(finding('d', { host: 'fin-ws001', serviceId: 'telegram', process: 'C:\\Program Files\\Telegram\\telegram.exe' }), inc)).toBe(false);
    expect(findingMatchesIncident(finding('e', { host: 'fin-ws001', serviceId: 'telegram', process: 'python.exe' }), inc)).toBe(true);
    expect(findingMatchesIncident(finding('f', { host: 'fin-ws002', serviceId: 'telegram' }), inc)).toBe(false);
    expect(findingMatchesIncident(finding('g', { host: 'fin-ws001', serviceId: 'discord' }), inc)).toBe(false);
  });
});

describe('scoring a selection', () => {
  const findings = [
    finding('tp-telegram', { rank: 1, severity: 'high', host: 'FIN-WS001', serviceId: 'telegram', signalIds: ['periodic-beacon', 'api-endpoint', 'off-hours'] }),
    finding('slack-sync', { rank: 2, severity: 'medium', host: 'fin-ws003', serviceId: 'slack', process: 'slack.exe' }),
    finding('fp-other', { rank: 3, severity: 'low', host: 'mkt-ws001', serviceId: 'notion' }),
    finding('tp-dropbox', { rank: 4, severity: 'low', ip: '10.0.0.5', serviceId: 'dropbox', signalIds: ['upload-volume'] }),
    finding('dup-telegram', { rank: 5, severity: 'info', ip: '10.0.0.1', domain: 'api.telegram.org' }),
  ];

  it('counts true and false positives, recall over incidents in the logs, and hard negatives marked', () => {
    const score = scoreSelection(KEY, findings, new Set(['tp-telegram', 'dup-telegram', 'slack-sync', 'fp-other']));
    expect(score.selectedCount).toBe(4);
    expect(score.truePositives).toBe(2);
    expect(score.falsePositives.map((f) => f.id)).toEqual(['slack-sync', 'fp-other']);
    expect(score.precision).toBe(0.5);
    expect(score.incidentsInLogs).toBe(2);
    expect(score.incidentsFound).toBe(1);
    expect(score.recall).toBe(0.5);
    expect(score.hardNegativesMarked).toBe(1);
    expect(score.hardNegatives[0].selected).toEqual([{ id: 'slack-sync', rank: 2 }]);
    expect(score.hardNegatives[0].bestRank).toBe(2);
  });

  it('reveals each incident: found or missed, best rank, and which expected signals the finding had', () => {
    const score = scoreSelection(KEY, findings, new Set(['tp-telegram']));
    const [telegram, dropbox, github] = score.incidents;
    expect(telegram.found).toBe(true);
    expect(telegram.selected).toEqual([{ id: 'tp-telegram', rank: 1 }]);
    expect(telegram.signalChecks.map((c) => [c.signal, c.present])).toEqual([['periodic', true], ['scripted-user-agent', false], ['api-endpoint', true]]);
    expect(telegram.extraSignals).toEqual(['off-hours']);
    expect(dropbox.found).toBe(false);
    expect(dropbox.bestRank).toBe(4);
    expect(dropbox.comparedFindingId).toBe('tp-dropbox');
    expect(dropbox.signalChecks.map((c) => [c.signal, c.present])).toEqual([['upload-volume', true], ['first-seen', false]]);
    expect(github.inLogs).toBe(false);
    expect(github.bestRank).toBeNull();
    expect(github.signalChecks.every((c) => !c.present)).toBe(true);
  });

  it('meets hard negatives on IP-only findings through the inventory', () => {
    const ipOnly = [finding('slack-by-ip', { rank: 1, ip: '10.0.0.3', serviceId: 'slack' })];
    expect(scoreSelection(KEY, ipOnly, new Set(['slack-by-ip'])).hardNegativesMarked).toBe(0);
    const inventory = parseInventoryCsv('ip,hostname,role\n10.0.0.3,FIN-WS003.corp.example,workstation\n10.0.0.4,other,server\n', { source: 'assets.csv' });
    const addresses = hostAddressesFromInventory(inventory.entries);
    expect(addresses.get('fin-ws003')).toEqual(['10.0.0.3']);
    expect(scoreSelection(KEY, ipOnly, new Set(['slack-by-ip']), addresses).hardNegativesMarked).toBe(1);
  });

  it('selects by top N and by severity for the benchmark', () => {
    expect([...topN(findings, 2)]).toEqual(['tp-telegram', 'slack-sync']);
    expect([...atLeastSeverity(findings, 'medium')]).toEqual(['tp-telegram', 'slack-sync']);
    const top4 = scoreSelection(KEY, findings, topN(findings, 4));
    expect(top4.recall).toBe(1);
    expect(top4.precision).toBe(0.5);
    expect(scoreSelection(KEY, findings, new Set()).precision).toBeNull();
  });

  it('scores a trainee from verdicts, ignoring benign ones and verdicts on findings not shown', () => {
    const verdicts = new Map([
      ['tp-telegram', 'malicious' as const],
      ['tp-dropbox', 'suspicious' as const],
      ['slack-sync', 'benign' as const],
      ['gone', 'malicious' as const],
    ]);
    const score = scoreExercise(KEY, findings, verdicts, 95_000);
    expect(score.verdicts).toEqual({ benign: 1, suspicious: 1, malicious: 1 });
    expect(score.selectedCount).toBe(2);
    expect(score.precision).toBe(1);
    expect(score.recall).toBe(1);
    expect(score.hardNegativesMarked).toBe(0);
    expect(score.elapsedMs).toBe(95_000);
    expect(score.findingsShown).toBe(5);
  });
});

describe('parsing an unsealed key', () => {
  it('accepts an answer key and rejects anything else', () => {
    expect(parseAnswerKey(JSON.stringify({ format: 'relaywatch.answer-key', version: 1, incidents: [], hard_negatives: [] })).incidents).toEqual([]);
    expect(() => parseAnswerKey('{"format":"x"}')).toThrow(/Not a Relaywatch answer key/);
  });
});
