/**
 * Benchmark datasets: a Zeek conn.log and ssl.log (TSV, Zeek 6 default fields) and a Squid access.log, written
 * by a streaming writer fast enough for 10 M events. Two days of office traffic from many hosts to a Zipf-weighted
 * pool of web services, with a few jittered beacons on day two so the detection pack has findings to rank.
 * Deterministic per size; generated once into a folder with a manifest and reused while the manifest matches.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../core/prng.ts';

/** Bump when the generated content changes, so stale datasets are rewritten. */
const DATASET_VERSION = 2;
const DAY_S = 86_400;
/** Monday 2024-05-06 00:00 UTC: day one is the baseline, day two the detection window. */
const START_S = 1_714_953_600;
const WRITE_CHUNK_LINES = 2_000;

/** `office`: conn + ssl + Squid lines; `conn`: the same traffic as one Zeek conn.log (every event a conn line). */
export type DatasetShape = 'office' | 'conn';

export interface DatasetManifest {
  version: number;
  shape: DatasetShape;
  events: number;
  hosts: number;
  beacons: number;
  files: { name: string; format: string; records: number; bytes: number }[];
}

/** Labels such as `100k`, `1m`, `10M` → event counts. */
export function parseSize(label: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(label.trim());
  if (!m) throw new Error(`Not a dataset size: '${label}' (use e.g. 100k, 1m, 5m)`);
  const scale = m[2].toLowerCase() === 'm' ? 1e6 : m[2].toLowerCase() === 'k' ? 1e3 : 1;
  return Math.round(Number(m[1]) * scale);
}


interface Service {
  host: string;
  ip: string;
}

/** Popular services first (they get most traffic); a long tail of ordinary sites follows. */
const NAMED_SERVICES = [
  'www.google.com', 'outlook.office365.com', 'login.microsoftonline.com', 'teams.microsoft.com', 'www.bing.com',
  'graph.microsoft.com', 'clients4.google.com', 'slack.com', 'edge.microsoft.com', 'github.com', 'www.youtube.com',
  'drive.google.com', 'docs.google.com', 'api.github.com', 'www.dropbox.com', 'zoom.us', 'www.linkedin.com',
  'onedrive.live.com', 'raw.githubusercontent.com', 'update.googleapis.com', 'www.wikipedia.org', 'www.bbc.co.uk',
  'discord.com', 'pastebin.com', 'api.telegram.org', 'content.dropboxapi.com', 'www.notion.so', 'sheets.googleapis.com',
];
const TAIL_SITES = 400;

function servicePool(): Service[] {
  const hosts = [...NAMED_SERVICES, ...Array.from({ length: TAIL_SITES }, (_, i) => `www.site-${i}.example`)];
  return hosts.map((host, i) => ({ host, ip: `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}` }));
}

/** Cumulative Zipf(1) weights, for drawing a service index with one binary search. */
function zipfCumulative(n: number): Float64Array {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / (i + 1);
  for (let i = 0; i < n; i++) cumulative[i] /= sum;
  return cumulative;
}

function pick(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Beacon {
  host: number;
  service: Service;
  path: string;
  periodS: number;
  next: number;
  end: number;
  squid: boolean;
}

const CONN_FIELDS = [
  ['ts', 'time'], ['uid', 'string'], ['id.orig_h', 'addr'], ['id.orig_p', 'port'], ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'], ['proto', 'enum'], ['service', 'string'], ['duration', 'interval'], ['orig_bytes', 'count'],
  ['resp_bytes', 'count'], ['conn_state', 'string'], ['local_orig', 'bool'], ['local_resp', 'bool'],
  ['missed_bytes', 'count'], ['history', 'string'], ['orig_pkts', 'count'], ['orig_ip_bytes', 'count'],
  ['resp_pkts', 'count'], ['resp_ip_bytes', 'count'], ['tunnel_parents', 'set[string]'],
];
const SSL_FIELDS = [
  ['ts', 'time'], ['uid', 'string'], ['id.orig_h', 'addr'], ['id.orig_p', 'port'], ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'], ['version', 'string'], ['cipher', 'string'], ['curve', 'string'], ['server_name', 'string'],
  ['resumed', 'bool'], ['last_alert', 'string'], ['next_protocol', 'string'], ['established', 'bool'],
  ['ssl_history', 'string'], ['cert_chain_fps', 'vector[string]'], ['client_cert_chain_fps', 'vector[string]'],
  ['sni_matches_cert', 'bool'],
];

function zeekHeader(path: string, fields: string[][]): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    `#path\t${path}`,
    '#open\t2024-05-06-00-00-00',
    `#fields\t${fields.map((f) => f[0]).join('\t')}`,
    `#types\t${fields.map((f) => f[1]).join('\t')}`,
  ].join('\n');
}

/** Buffers lines and writes them in large chunks, honouring back-pressure. */
class LineWriter {
  private readonly stream: WriteStream;
  private lines: string[] = [];
  records = 0;
  bytes = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path);
  }

  write(text: string): Promise<void> | null {
    this.lines.push(text);
    return this.lines.length >= WRITE_CHUNK_LINES ? this.flush() : null;
  }

  record(line: string): Promise<void> | null {
    this.records++;
    return this.write(line);
  }

  flush(): Promise<void> {
    if (this.lines.length === 0) return Promise.resolve();
    const text = this.lines.join('\n') + '\n';
    this.lines = [];
    this.bytes += Buffer.byteLength(text);
    return this.stream.write(text) ? Promise.resolve() : new Promise((done) => this.stream.once('drain', () => done()));
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((done, fail) => this.stream.end((error?: Error | null) => (error ? fail(error) : done())));
  }
}

const fixed6 = (seconds: number) => seconds.toFixed(6);
const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

/**
 * Writes `events` records into `dir`: conn + ssl + proxy lines (each TLS connection is one conn and one ssl line), or
 * for the `conn` shape only conn lines (proxied requests become their TLS connections). Returns the manifest, also
 * saved as `dir/manifest.json`.
 */
export async function writeDataset(dir: string, events: number, shape: DatasetShape = 'office', seed = 1): Promise<DatasetManifest> {
  mkdirSync(dir, { recursive: true });
  const random = mulberry32(seed);
  const services = servicePool();
  const popularity = zipfCumulative(services.length);
  const hosts = Math.max(50, Math.min(5000, Math.round(events / 400)));
  const hostIp = (h: number) => `10.${1 + (h >> 16)}.${(h >> 8) & 255}.${(h & 255) + 1}`;
  const byName = (name: string) => services.find((s) => s.host === name)!;
  const beacons: Beacon[] = [];
  const beaconTargets: [string, string][] = [
    ['api.telegram.org', '/bot6150:AAE/getUpdates?offset=1'],
    ['discord.com', '/api/webhooks/1187/Zx9?wait=true'],
    ['pastebin.com', '/raw/kd8Zm2'],
    ['raw.githubusercontent.com', '/acme/cfg/main/c.txt'],
  ];
  for (let i = 0; i < Math.max(4, Math.round(hosts / 100)); i++) {
    const [name, path] = beaconTargets[i % beaconTargets.length];
    const start = START_S + DAY_S + 3600 * (2 + (i % 8));
    beacons.push({
      host: Math.floor(random() * hosts),
      service: byName(name),
      path,
      periodS: [60, 300, 120, 600][i % 4],
      next: start,
      end: start + 3600 * (4 + (i % 6)),
      squid: i % 2 === 1,
    });
  }

  const connOnly = shape === 'conn';
  const conn = new LineWriter(join(dir, 'conn.log'));
  const ssl = connOnly ? null : new LineWriter(join(dir, 'ssl.log'));
  const squid = connOnly ? null : new LineWriter(join(dir, 'access.log'));
  conn.write(zeekHeader('conn', CONN_FIELDS));
  ssl?.write(zeekHeader('ssl', SSL_FIELDS));

  // Events arrive in time order; nights are quieter than office hours, so time steps are longer there. A step
  // writes 4/3 events on average (TLS connections write two lines); the mean step spreads them over two days.
  const [officeStep, nightStep] = [0.4, 1.43];
  const meanStep = (2 * 3600 * (10 / officeStep + 14 / nightStep)) / (0.75 * events);
  let t = START_S;
  let written = 0;
  let uidCounter = 0;
  const uid = () => 'C' + (++uidCounter).toString(36).padStart(9, 'a') + ((uidCounter * 2654435761) >>> 0).toString(36).slice(0, 6);
  const waits: Promise<void>[] = [];
  const queue = (p: Promise<void> | null) => {
    if (p) waits.push(p);
  };

  const emitTls = (h: number, service: Service, bytesOut: number, bytesIn: number, duration: number) => {
    const id = uid();
    const srcPort = 49152 + Math.floor(random() * 16000);
    const head = `${fixed6(t)}\t${id}\t${hostIp(h)}\t${srcPort}\t${service.ip}\t443`;
    const outPkts = 2 + (bytesOut >> 10);
    const inPkts = 2 + (bytesIn >> 10);
    queue(conn.record(
      `${head}\ttcp\tssl\t${duration.toFixed(6)}\t${bytesOut}\t${bytesIn}\tSF\tT\tF\t0\tShADadFf\t${outPkts}\t${bytesOut + 40 * outPkts}\t${inPkts}\t${bytesIn + 40 * inPkts}\t-`,
    ));
    if (!ssl) {
      written += 1;
      return;
    }
    queue(ssl.record(
      `${head}\tTLSv13\tTLS_AES_128_GCM_SHA256\tx25519\t${service.host}\t${(uidCounter & 3) === 0 ? 'T' : 'F'}\t-\th2\tT\tCsiI\t(empty)\t(empty)\tT`,
    ));
    written += 2;
  };
  const emitFlow = (h: number) => {
    const dns = random() < 0.7;
    const bytesOut = dns ? 40 + Math.floor(random() * 30) : 48;
    const bytesIn = dns ? 80 + Math.floor(random() * 200) : 48;
    queue(conn.record(
      `${fixed6(t)}\t${uid()}\t${hostIp(h)}\t${49152 + Math.floor(random() * 16000)}\t10.0.0.${dns ? 53 : 123}\t${dns ? 53 : 123}\tudp\t${dns ? 'dns' : 'ntp'}\t${(random() * 0.05).toFixed(6)}\t${bytesOut}\t${bytesIn}\tSF\tT\tT\t0\tDd\t1\t${bytesOut + 28}\t1\t${bytesIn + 28}\t-`,
    ));
    written += 1;
  };
  const emitSquid = (h: number, service: Service, path: string | null, bytesIn: number, method: string) => {
    if (!squid) return emitTls(h, service, 400, bytesIn, 0.5);
    const elapsed = String(1 + Math.floor(random() * 900)).padStart(6);
    const line = path === null
      ? `${t.toFixed(3)} ${elapsed} ${hostIp(h)} TCP_TUNNEL/200 ${bytesIn} CONNECT ${service.host}:443 - HIER_DIRECT/${service.ip} -`
      : `${t.toFixed(3)} ${elapsed} ${hostIp(h)} TCP_MISS/200 ${bytesIn} ${method} http://${service.host}${path} - HIER_DIRECT/${service.ip} text/html`;
    queue(squid.record(line));
    written += 1;
  };

  const nextBeaconAt = () => Math.min(...beacons.map((b) => (b.next < b.end ? b.next : Infinity)));
  let beaconAt = nextBeaconAt();
  while (written < events) {
    const hourOfDay = Math.floor((t - START_S) / 3600) % 24;
    t += meanStep * (hourOfDay >= 8 && hourOfDay < 18 ? officeStep : nightStep) * 2 * random();
    const due = t >= beaconAt ? beacons.find((b) => b.next <= t && b.next < b.end) : undefined;
    if (due) {
      if (due.squid) emitSquid(due.host, due.service, due.path, 300 + Math.floor(random() * 200), 'POST');
      else emitTls(due.host, due.service, 2000 + Math.floor(random() * 500), 400 + Math.floor(random() * 100), 0.4);
      due.next += due.periodS * (0.8 + 0.4 * random());
      beaconAt = nextBeaconAt();
    } else {
      const h = Math.floor(random() * hosts);
      const u = random();
      // Per 100 events: 25 TLS connections (conn + ssl = 50 lines), 35 other flows, 15 proxied requests.
      if (u < 1 / 3) {
        emitTls(h, services[pick(popularity, random())], 300 + Math.floor(random() * 4000), 2000 + Math.floor(random() * 90_000), random() * 30);
      } else if (u < 1 / 3 + 35 / 75) emitFlow(h);
      else {
        const service = services[pick(popularity, random())];
        const plain = random() < 0.3;
        emitSquid(h, service, plain ? `/page/${pad2(Math.floor(random() * 100))}` : null, 500 + Math.floor(random() * 60_000), 'GET');
      }
    }
    if (waits.length) await Promise.all(waits.splice(0));
  }
  conn.write('#close\t2024-05-08-00-00-00');
  ssl?.write('#close\t2024-05-08-00-00-00');
  await Promise.all([conn.close(), ssl?.close(), squid?.close()]);

  const manifest: DatasetManifest = {
    version: DATASET_VERSION,
    shape,
    events: written,
    hosts,
    beacons: beacons.length,
    files: [
      { name: 'conn.log', format: 'zeek-conn-tsv', records: conn.records, bytes: conn.bytes },
      ...(ssl ? [{ name: 'ssl.log', format: 'zeek-ssl-tsv', records: ssl.records, bytes: ssl.bytes }] : []),
      ...(squid ? [{ name: 'access.log', format: 'squid-native', records: squid.records, bytes: squid.bytes }] : []),
    ],
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/**
 * The dataset of `events` under `root/<label>` (`root/conn-<label>` for the conn shape), written only when missing
 * or from an older generator version.
 */
export async function ensureDataset(
  root: string, label: string, events: number, shape: DatasetShape = 'office',
): Promise<{ dir: string; manifest: DatasetManifest }> {
  const dir = join(root, shape === 'office' ? label : `${shape}-${label}`);
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as DatasetManifest;
    if (manifest.version === DATASET_VERSION && (manifest.shape ?? 'office') === shape && manifest.events >= events && manifest.events <= events + 1) {
      return { dir, manifest };
    }
  }
  return { dir, manifest: await writeDataset(dir, events, shape) };
}
