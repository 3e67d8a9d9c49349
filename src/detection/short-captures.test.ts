import { describe, expect, it } from 'vitest';
import type { FixtureEvent } from './fixtures/world.ts';
import { detectOver } from './fixtures/detect-over.ts';

const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

const flow = (at: number, dst_ip: string, dst_port: number, more: Partial<FixtureEvent> = {}): FixtureEvent => ({
  at, kind: 'flow', src_ip: '10.9.0.5', src_host: 'lab-ws5', dst_ip, dst_port, ...more,
});

/** A lab replay of 3 minutes: a beacon every 5 s to a bare address, a chat client's first use of its service, DNS. */
function shortCapture(): FixtureEvent[] {
  const events: FixtureEvent[] = [];
  for (let i = 0; i < 36; i++) events.push(flow(T0 + i * 5_000 + (i % 3) * 40, '10.66.0.5', 80, { conn_state: 'SF', bytes_out: 300, bytes_in: 900 }));
  for (let i = 0; i < 12; i++) {
    events.push({ at: T0 + 7_000 + i * 13_000 + (i % 4) * 2_100, kind: 'tls', src_ip: '10.9.0.5', src_host: 'lab-ws5', dst_ip: '162.159.135.232', dst_port: 443, dst_host: 'discord.com' });
  }
  // Name lookups to the resolver every 4 s, half unanswered: resolver rhythm, not a channel.
  for (let i = 0; i < 45; i++) events.push(flow(T0 + i * 4_000, '10.9.0.1', 53, { conn_state: i % 2 ? 'S0' : 'SF', protocol: 'udp' }));
  return events;
}

describe('short captures and C2 outside the catalog', () => {
  it('judges a 3-minute beacon to a bare address on its cycles, ranks it above first use of a chat service, and says there is no baseline', async () => {
    const result = await detectOver(shortCapture());
    const [top] = result.findings;
    expect(top.destination.domain).toBe('10.66.0.5');
    expect(top.signals.map((s) => s.id)).toEqual(expect.arrayContaining(['periodic-beacon', 'uncatalogued-channel']));
    expect(top.periodicity!.period_s).toBeCloseTo(5, 0);
    expect(top.signals.find((s) => s.id === 'uncatalogued-channel')!.explanation).toMatch(/uncatalogued destination \(a bare address/);
    expect(top.summary).toMatch(/the data is too short for a baseline/);
    // Nothing is "first seen after the baseline" in a capture of minutes.
    expect(result.findings.flatMap((f) => f.signals.map((s) => s.id))).not.toContain('first-seen-after-baseline');
    expect(result.window.baseline_end).toBe(result.window.baseline_start);
    // The resolver is not a finding.
    expect(result.findings.some((f) => f.destination.domain === '10.9.0.1')).toBe(false);
  });

  it('surfaces a long session carrying data on an odd port, and a reconnect loop, but not a port scan', async () => {
    const events: FixtureEvent[] = [
      flow(T0, '10.66.0.9', 6666, { duration: 280, bytes_out: 30_000, bytes_in: 400_000, conn_state: 'SF' }),
      flow(T0 + 1_000, '10.9.0.2', 445, { duration: 0.2, bytes_out: 500, bytes_in: 800, conn_state: 'SF' }),
    ];
    for (let i = 0; i < 120; i++) events.push(flow(T0 + i * 2_000, '10.66.0.7', 4444, { src_ip: '10.9.0.6', src_host: 'lab-ws6', conn_state: 'REJ' }));
    for (let i = 0; i < 120; i++) events.push(flow(T0 + i * 500, '10.9.0.30', 1000 + i, { src_ip: '10.9.0.7', src_host: 'lab-ws7', conn_state: 'REJ' }));
    const result = await detectOver(events);
    const about = (dst: string) => result.findings.find((f) => f.destination.domain === dst);
    const session = about('10.66.0.9')!.signals.find((s) => s.id === 'uncatalogued-channel')!;
    expect(session.evidence).toMatchObject({ session: true, odd_port: true, unnamed: true, port: 6666 });
    expect(session.explanation).toMatch(/a session open 280 s carrying 430 kB/);
    const loop = about('10.66.0.7')!.signals.find((s) => s.id === 'uncatalogued-channel')!;
    expect(loop.evidence).toMatchObject({ reconnect_loop: true, failures: 120 });
    // The scan touches 120 ports: not a loop. The short SMB exchange is not a session.
    expect(about('10.9.0.30')?.signals.some((s) => s.id === 'uncatalogued-channel') ?? false).toBe(false);
    expect(about('10.9.0.2')).toBeUndefined();
  });

  it('times each process on its own when several implants on one pair interleave their check-ins', async () => {
    const events: FixtureEvent[] = [];
    for (const [pid, offset] of [[5172, 0], [5452, 1_700], [7924, 3_400]] as const) {
      for (let i = 0; i < 14; i++) events.push(flow(T0 + offset + i * 5_100, '10.66.0.106', 443, { process_id: pid, process: 'C:\\Windows\\notepad.exe' }));
    }
    const result = await detectOver(events);
    const beacon = result.findings.find((f) => f.destination.domain === '10.66.0.106')!;
    expect(beacon.periodicity!.period_s).toBeCloseTo(5.1, 1);
    expect(beacon.signals.find((s) => s.id === 'periodic-beacon')!.explanation).toMatch(/every 5 s/);
  });

  it('does not take a long connection reported once per flow-log capture window for a check-in every window', async () => {
    // One connection to a bare address, reported by a flow log every 60 s for an hour (its later windows marked
    // "continued"), and a real beacon with the same rhythm to another address.
    const events: FixtureEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const extra = i === 0 ? null : '{"continued":"true"}';
      events.push(flow(T0 + i * 60_000, '10.66.0.7', 5000, { src_port: 50500, bytes_out: 2000, bytes_in: 9000, extra }));
      events.push(flow(T0 + i * 60_000 + 20_000, '10.66.0.8', 5000, { src_port: 51000 + i, bytes_out: 300, bytes_in: 900 }));
    }
    const result = await detectOver(events);
    const signals = (dst: string) => result.findings.filter((f) => f.destination.domain === dst).flatMap((f) => f.signals.map((s) => s.id));
    expect(signals('10.66.0.8')).toContain('periodic-beacon');
    expect(signals('10.66.0.7')).not.toContain('periodic-beacon');
  });
});
