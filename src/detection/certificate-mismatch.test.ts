import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { appendEvents, createSchema, deriveDstServices, loadContext, type FixtureEvent } from './fixtures/world.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { runDetection } from './detect.ts';

const pack = loadNodeDetectionPack();
const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

describe('certificate-mismatch: the server certificate does not name the SNI', () => {
  it('weakens a mismatch many sources share (the server\'s own certificate) and ignores bare-address SNI', async () => {
    // As in a real competition capture: a vSphere appliance answers every client with its own certificate.
    const tls = (src: number, sni: string): FixtureEvent => ({
      at: T0 + src * 1_000, kind: 'tls', src_ip: `10.47.0.${src}`, dst_ip: '10.47.9.9', dst_port: 443, dst_host: sni, dst_host_origin: 'sni',
      extra: JSON.stringify({ sni_matches_cert: false }),
    });
    const engine = await NativeEngine.open();
    try {
      await createSchema(engine);
      await appendEvents(engine, [tls(1, 'vcenter.lab.example'), tls(2, 'vcenter.lab.example'), tls(3, 'vcenter.lab.example'), tls(4, '10.47.9.9')]);
      await loadContext(engine);
      await deriveDstServices(engine);
      const result = await runDetection(engine, { pack });
      const signals = result.findings.flatMap((f) => f.signals.filter((s) => s.id === 'certificate-mismatch'));
      expect(signals).toHaveLength(3);
      for (const signal of signals) {
        expect(signal.evidence).toMatchObject({ strength: 0.3, mismatched_sources: 3 });
        expect(signal.explanation).toMatch(/; 3 sources get such a certificate for it, so it is likely the server's own$/);
      }
    } finally {
      engine.close();
    }
  });

  it('flags the handshake Zeek judged a mismatch, not the ones it judged a match or did not judge', async () => {
    // The Slips test9 shape: among a VM's browsing, one handshake for www.netflix.com answered by a Microsoft
    // certificate at an address the capture never resolved for it.
    const tls = (at: number, sni: string, dst_ip: string, matches: string | boolean | null): FixtureEvent => ({
      at, kind: 'tls', src_ip: '10.0.2.15', dst_ip, dst_port: 443, dst_host: sni, dst_host_origin: 'sni',
      extra: JSON.stringify(matches === null ? { cipher: 'x' } : { sni_matches_cert: matches }),
    });
    const events = [
      tls(T0, 'www.netflix.com', '203.0.113.11', 'F'),
      tls(T0 + 2_000, 'ssl.gstatic.com', '198.51.100.67', 'T'),
      tls(T0 + 3_000, 'ads.example.com', '198.51.100.80', null),
      // Zeek JSON writes a boolean, Zeek TSV 'F'.
      tls(T0 + 4_000, 'cdn.example.net', '198.51.100.90', false),
    ];
    const engine = await NativeEngine.open();
    try {
      await createSchema(engine);
      await appendEvents(engine, events);
      await loadContext(engine);
      await deriveDstServices(engine);
      const result = await runDetection(engine, { pack });
      const flagged = result.findings.filter((f) => f.signals.some((s) => s.id === 'certificate-mismatch'));
      expect(flagged.map((f) => f.destination.domain).sort()).toEqual(['cdn.example.net', 'www.netflix.com']);
      const signal = flagged.find((f) => f.destination.domain === 'www.netflix.com')!.signals.find((s) => s.id === 'certificate-mismatch')!;
      expect(signal.explanation).toBe('10.0.2.15 asked for www.netflix.com in 1 TLS handshake(s) and the server (203.0.113.11) answered with a certificate that does not name it');
      expect(signal.evidence).toMatchObject({ strength: 1 });
    } finally {
      engine.close();
    }
  });
});
