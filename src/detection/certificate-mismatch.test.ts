import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { appendEvents, createSchema, deriveDstServices, loadContext, type FixtureEvent } from './fixtures/world.ts';
import { detectOver } from './fixtures/detect-over.ts';
import { loadNodeDetectionPack } from './manifest-node.ts';
import { runDetection } from './detect.ts';
import { enrichEvents } from '../core/enrich/enrich.ts';
import { runAdapter } from '../core/adapters/fixtures/run-adapter.ts';
import { zeekJsonAdapter } from '../core/adapters/zeek-json.ts';
import { zeekTsvAdapter } from '../core/adapters/zeek-tsv.ts';

const pack = loadNodeDetectionPack();
const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

describe('certificate-mismatch: the server certificate does not name the SNI', () => {
  it('weakens a mismatch many sources share (the server\'s own certificate) and ignores bare-address SNI', async () => {
    // As in a real competition capture: a vSphere appliance answers every client with its own certificate.
    const tls = (src: number, sni: string): FixtureEvent => ({
      at: T0 + src * 1_000, kind: 'tls', src_ip: `10.47.0.${src}`, dst_ip: '10.47.9.9', dst_port: 443, dst_host: sni, dst_host_origin: 'sni',
      extra: JSON.stringify({ sni_matches_cert: false }),
    });
    const result = await detectOver([tls(1, 'vcenter.lab.example'), tls(2, 'vcenter.lab.example'), tls(3, 'vcenter.lab.example'), tls(4, '10.47.9.9')]);
    const signals = result.findings.flatMap((f) => f.signals.filter((s) => s.id === 'certificate-mismatch'));
    expect(signals).toHaveLength(3);
    for (const signal of signals) {
      expect(signal.evidence).toMatchObject({ strength: 0.3, mismatched_sources: 3 });
      expect(signal.explanation).toMatch(/; 3 sources get such a certificate for it, so it is likely the server's own$/);
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
    const result = await detectOver(events);
    const flagged = result.findings.filter((f) => f.signals.some((s) => s.id === 'certificate-mismatch'));
    expect(flagged.map((f) => f.destination.domain).sort()).toEqual(['cdn.example.net', 'www.netflix.com']);
    const signal = flagged.find((f) => f.destination.domain === 'www.netflix.com')!.signals.find((s) => s.id === 'certificate-mismatch')!;
    expect(signal.explanation).toBe('10.0.2.15 asked for www.netflix.com in 1 TLS handshake(s) and the server (203.0.113.11) answered with a certificate that does not name it');
    expect(signal.evidence).toMatchObject({ strength: 1 });
  });
});

/** An older Zeek's ssl.log row without an x509 log: the leaf's subject and Zeek's chain validation only. */
interface SubjectOnlyRow {
  sni: string;
  dst_ip: string;
  subject: string;
  validation: string | null;
}

const SUBJECT_ONLY_ROWS: readonly (SubjectOnlyRow & { flagged: boolean })[] = [
  // The Slips test15 shape: a CN that is no host name, which no public CA issues, and a capture whose every
  // certificate is "not yet valid" (its clock).
  { sni: 'www.shop.example', dst_ip: '203.0.113.20', subject: 'CN=whatever', validation: 'certificate is not yet valid', flagged: true },
  // No trusted CA signed the chain: a self-signed certificate, or a private root.
  { sni: 'portal.example.net', dst_ip: '203.0.113.21', subject: 'CN=relay.example.org,O=Relay', validation: 'self signed certificate', flagged: true },
  { sni: 'login.example.com', dst_ip: '203.0.113.22', subject: 'CN=mail.example.org', validation: 'self signed certificate in certificate chain', flagged: true },
  // Honest servers named in DNS names only: a chain Zeek found ok, one that failed on time alone, one whose issuer the
  // sensor's root store lacks.
  { sni: 'www.youtube.com', dst_ip: '198.51.100.30', subject: 'CN=*.google.com,O=Google LLC,C=US', validation: 'ok', flagged: false },
  { sni: 'www.media.example', dst_ip: '198.51.100.31', subject: 'CN=whatever', validation: 'ok', flagged: false },
  { sni: 'static.cdn.example', dst_ip: '198.51.100.32', subject: 'CN=a248.e.akamai.net,O=Akamai Technologies\\, Inc.', validation: 'certificate has expired', flagged: false },
  { sni: 'api.shop.example', dst_ip: '198.51.100.35', subject: 'CN=shop.example', validation: 'unable to get local issuer certificate', flagged: false },
  // The CN names the server (a wildcard covers one label); Zeek without validate-certs says nothing of the chain.
  { sni: 'files.example.com', dst_ip: '198.51.100.33', subject: 'CN=*.example.com', validation: 'self signed certificate', flagged: false },
  { sni: 'news.example.com', dst_ip: '198.51.100.34', subject: 'CN=www.example.org', validation: null, flagged: false },
];

const SSL_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'server_name', 'subject', 'issuer', 'validation_status'];

function subjectOnlyValues(row: SubjectOnlyRow, i: number): (string | number | null)[] {
  return [T0 / 1000 + i * 7, `Cuid${i}`, '10.0.2.15', 49200 + i, row.dst_ip, 443, row.sni, row.subject, 'CN=Some Issuing CA', row.validation];
}

const zeekJson = (rows: readonly SubjectOnlyRow[]) =>
  rows.map((row, i) => JSON.stringify(Object.fromEntries(SSL_FIELDS.map((f, j) => [f, subjectOnlyValues(row, i)[j]]).filter(([, v]) => v !== null)))).join('\n');

const zeekTsv = (rows: readonly SubjectOnlyRow[]) =>
  ['#separator \\x09', '#path\tssl', `#fields\t${SSL_FIELDS.join('\t')}`,
   `#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring`,
   ...rows.map((row, i) => subjectOnlyValues(row, i).map((v) => (v === null ? '-' : String(v))).join('\t'))].join('\n');

describe('certificate-mismatch from the ssl.log subject of an older Zeek (no x509 log)', () => {
  it.each([
    ['JSON', () => runAdapter(zeekJsonAdapter, zeekJson(SUBJECT_ONLY_ROWS))],
    ['TSV', () => runAdapter(zeekTsvAdapter, zeekTsv(SUBJECT_ONLY_ROWS))],
  ])('flags a CN that does not name the SNI only when nothing vouches for the certificate (Zeek %s)', async (_format, parse) => {
    const run = parse();
    expect(run.rejected).toEqual([]);
    expect(run.events).toHaveLength(SUBJECT_ONLY_ROWS.length);
    const engine = await NativeEngine.open();
    try {
      await createSchema(engine);
      await appendEvents(engine, run.events.map(({ ts, ...rest }) => ({ ...rest, at: ts / 1000 })));
      // Three judged a mismatch, one a match; the rest left unjudged.
      expect((await enrichEvents(engine))['sni-subject']).toBe(4);
      await loadContext(engine);
      await deriveDstServices(engine);
      const result = await runDetection(engine, { pack });
      const flagged = result.findings.filter((f) => f.signals.some((s) => s.id === 'certificate-mismatch'));
      expect(flagged.map((f) => f.destination.domain).sort()).toEqual(SUBJECT_ONLY_ROWS.filter((r) => r.flagged).map((r) => r.sni).sort());
      const signal = flagged.find((f) => f.destination.domain === 'www.shop.example')!.signals.find((s) => s.id === 'certificate-mismatch')!;
      expect(signal.explanation).toBe('10.0.2.15 asked for www.shop.example in 1 TLS handshake(s) and the server (203.0.113.20) answered with a certificate that does not name it');
    } finally {
      engine.close();
    }
  });
});
