import { describe, expect, it } from 'vitest';
import type { FixtureEvent } from './fixtures/world.ts';
import { detectOver } from './fixtures/detect-over.ts';
import type { DetectionResult } from './detect.ts';

const T0 = Date.UTC(2022, 4, 13, 8, 54, 0);
const TOMCAT = 'C:\\Program Files\\Apache\\tomcat-9\\bin\\tomcat9.exe';
const POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';

const flow = (at: number, process: string, parent: string | null, dst_ip: string, dst_port: number, more: Partial<FixtureEvent> = {}): FixtureEvent => ({
  at, kind: 'flow', src_ip: '10.20.0.5', src_host: 'web01', process, parent_process: parent, dst_ip, dst_port, ...more,
});

/**
 * The Log4Shell case of the OTRF Security Datasets: Tomcat calls back to the attacker's LDAP server, then the
 * PowerShell it started connects to the attacker once; the same host's other PowerShell reaches the cloud metadata
 * address, and an administrator's PowerShell (started by Explorer) reaches an internal server.
 */
function exploitedServer(): FixtureEvent[] {
  return [
    flow(T0, TOMCAT, 'C:\\Windows\\System32\\services.exe', '10.66.3.5', 1389),
    flow(T0 + 3_000, POWERSHELL, TOMCAT, '10.66.3.5', 443, { duration: 2, bytes_out: 900, bytes_in: 4_000 }),
    flow(T0 + 1_000, POWERSHELL, null, '169.254.169.254', 80),
    flow(T0 + 2_000, POWERSHELL, null, '169.254.169.254', 80),
    flow(T0 + 4_000, POWERSHELL, 'C:\\Windows\\explorer.exe', '10.20.0.9', 443),
    // Sockets of the same PowerShell that go nowhere or stay on the host.
    flow(T0 + 6_000, POWERSHELL, TOMCAT, '0.0.0.0', 0),
    flow(T0 + 7_000, POWERSHELL, TOMCAT, '127.0.0.1', 8005),
    // Sysmon for Linux on another server: a reverse shell from bash under Tomcat's java.
    flow(T0 + 5_000, '/usr/bin/bash', '/usr/lib/jvm/java-11-openjdk-amd64/bin/java', '10.66.2.6', 443, { src_ip: '10.20.0.6', src_host: 'web02' }),
  ];
}

describe('launcher-from-server: a shell or download tool started by a server process reaches the network', () => {
  it('flags the shells that servers started, and ranks PowerShell from Tomcat above the same host\'s other PowerShell', async () => {
    const result = await detectOver(exploitedServer());
    const flagged = result.findings.filter((f) => f.signals.some((s) => s.id === 'launcher-from-server'));
    expect(flagged.map((f) => [f.source.hostname, f.destination.domain, f.source.process]).sort()).toEqual([
      ['web01', '10.66.3.5', POWERSHELL],
      ['web02', '10.66.2.6', '/usr/bin/bash'],
    ]);
    const shell = flagged.find((f) => f.source.hostname === 'web01')!.signals.find((s) => s.id === 'launcher-from-server')!;
    expect(shell.explanation).toMatch(/ran "powershell\.exe", started by the server process "tomcat9\.exe", and it reached 10\.66\.3\.5 \(port 443\)/);
    expect(shell.evidence).toMatchObject({ server_name: 'tomcat9.exe', launchers_between: 0 });
    const rankOf = (dst: string) => result.findings.findIndex((f) => f.destination.domain === dst);
    expect(rankOf('10.66.3.5')).toBeGreaterThanOrEqual(0);
    const metadata = rankOf('169.254.169.254');
    if (metadata >= 0) expect(rankOf('10.66.3.5')).toBeLessThan(metadata);
    // Tomcat's own connection and the administrator's PowerShell carry no such signal.
    expect(result.findings.filter((f) => f.destination.domain === '10.20.0.9').flatMap((f) => f.signals.map((s) => s.id))).not.toContain('launcher-from-server');
  });

  it('walks up through launchers to the server: Tomcat\'s java ran bash -c, which ran the bash -i that connects out', async () => {
    // Sysmon for Linux, as in the OTRF Log4Shell set: the connecting shell's parent is another shell.
    const start = (at: number, guid: string, process: string, parentGuid: string, parent: string): FixtureEvent => ({
      at, kind: 'process', src_host: 'web03', process, parent_process: parent, uid: guid, extra: JSON.stringify({ ParentProcessGuid: parentGuid }),
    });
    const shell = (guid: string, dst_ip: string): FixtureEvent => ({
      at: T0 + 9_000, kind: 'flow', src_ip: '10.20.0.7', src_host: 'web03', process: '/bin/bash', parent_process: '/bin/bash', dst_ip, dst_port: 443,
      extra: JSON.stringify({ ProcessGuid: guid }),
    });
    const result = await detectOver([
      start(T0, '{c1}', '/bin/bash', '{java}', '/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java'),
      start(T0 + 1_000, '{c2}', '/bin/bash', '{c1}', '/bin/bash'),
      shell('{c2}', '10.66.2.6'),
      // An administrator's login shell: sshd → bash → bash; sshd is no server role here.
      start(T0, '{a1}', '/bin/bash', '{sshd}', '/usr/sbin/sshd'),
      start(T0 + 1_000, '{a2}', '/bin/bash', '{a1}', '/bin/bash'),
      shell('{a2}', '10.20.0.9'),
    ]);
    const flagged = result.findings.filter((f) => f.signals.some((s) => s.id === 'launcher-from-server'));
    expect(flagged.map((f) => f.destination.domain)).toEqual(['10.66.2.6']);
    const signal = flagged[0].signals.find((s) => s.id === 'launcher-from-server')!;
    expect(signal.evidence).toMatchObject({ server_name: 'java', launchers_between: 1 });
    expect(signal.explanation).toMatch(/started by the server process "java" through bash/);
  });

  it('reads both lists from the catalog\'s process roles, not from the SQL', async () => {
    const result = await detectOver(exploitedServer(), "DELETE FROM catalog_process_roles WHERE role = 'server' AND regexp_matches('tomcat9.exe', process_regex, 'i')");
    const flagged = result.findings.filter((f) => f.signals.some((s) => s.id === 'launcher-from-server'));
    expect(flagged.map((f) => f.source.hostname)).toEqual(['web02']);
  });
});

describe('uncatalogued-channel: a binary that needs no network itself reaches an uncatalogued destination', () => {
  // The OTRF Covenant case: InstallUtil.exe runs a Grunt that connects once to a bare address; an administrator's
  // PowerShell (a launcher, but one that talks to the network by design) reaches another.
  const INSTALLUTIL = 'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\InstallUtil.exe';
  const events = [
    flow(T0, INSTALLUTIL, 'C:\\Windows\\explorer.exe', '10.66.4.5', 80, { src_ip: '10.20.0.7', src_host: 'ws07' }),
    flow(T0 + 1_000, POWERSHELL, 'C:\\Windows\\explorer.exe', '10.66.4.6', 80, { src_ip: '10.20.0.7', src_host: 'ws07' }),
  ];
  const proxyExecutors = (result: DetectionResult) =>
    result.findings.flatMap((f) => f.signals.filter((s) => s.id === 'uncatalogued-channel').map((s) => [f.destination.domain, s.evidence.proxy_executor]));

  it('reads the proxy executors from the catalog\'s process roles, not from the SQL', async () => {
    expect(proxyExecutors(await detectOver(events))).toEqual([['10.66.4.5', 'installutil.exe']]);
    expect(proxyExecutors(await detectOver(events, "DELETE FROM catalog_process_roles WHERE role = 'proxy-executor'"))).toEqual([]);
  });
});
