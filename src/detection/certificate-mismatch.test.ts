import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { appendEvents, createSchema, deriveDstServices, loadContext, type FixtureEvent } from './fixtures/world.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { runDetection } from './detect.ts';

const pack = loadNodeDetectionPack();
const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

describe('certificate-mismatch: the server certificate does not name the SNI', () => {
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
    } finally {
      engine.close();
    }
  });
});
