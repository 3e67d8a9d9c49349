/**
 * The intermediate model between simulation and writers: one `Activity` per observable transaction
 * (a web request on its own connection, a DNS lookup, an NTP exchange, a process launch). Every writer
 * renders the same activities from its sensor's point of view, so all files tell one consistent story.
 */
import { MINUTE_US, SECOND_US } from './clock.ts';
import { accountName, type Host, type Organisation } from './organisation.ts';
import { seedFrom, type Rng } from './random.ts';
import { ipFor } from './services.ts';

export interface Proc {
  image: string;
  pid: number;
  /** Sysmon ProcessGuid. */
  guid: string;
  /** Sysmon `User` ("NORTHWIND\\anna.adler" or "NT AUTHORITY\\SYSTEM"). */
  account: string;
  /** Proxy user name (null for system processes). */
  user: string | null;
}

export type ActivityKind = 'web' | 'dns' | 'ntp' | 'process';

export interface DnsExchange {
  query: string;
  qtype: 'A';
  answers: string[];
  ttl: number;
  rcode: 'NOERROR' | 'NXDOMAIN';
  transId: number;
  resolver: Host;
}

export interface Activity {
  ts: number;
  kind: ActivityKind;
  host: Host;
  proc: Proc;
  uid: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** Server name (SNI, Host header, CONNECT target); null for a connection to a bare IP. */
  dstHost: string | null;
  tls: boolean;
  method: string;
  /** Path and query. */
  path: string;
  userAgent: string;
  status: number;
  contentType: string;
  bytesOut: number;
  bytesIn: number;
  durationUs: number;
  /** Palo Alto App-ID. */
  panApp: string;
  /** Proxy URL category. */
  category: string;
  dns: DnsExchange | null;
  launch: { commandLine: string; parentImage: string } | null;
  /** Which injected incident produced it (never written to the logs; for tests and the answer key). */
  incidentId: string | null;
  /** Why this benign traffic is expected though it looks suspicious (answer key hard negatives); else null. */
  hardNegative: string | null;
}

export interface RequestSpec {
  /** Host name; null connects to `ip` directly without a lookup. */
  domain: string | null;
  ip?: string;
  port?: number;
  tls?: boolean;
  method?: string;
  path?: string;
  ua: string;
  status?: number;
  contentType?: string;
  bytesOut: number;
  bytesIn: number;
  durationUs?: number;
  panApp: string;
  category: string;
  hardNegative?: string;
}

const DNS_TTL_US = 5 * MINUTE_US;

/** Collects the activities of one host-day or one incident, resolving names first like a real client. */
export class TrafficEmitter {
  readonly out: Activity[] = [];
  private readonly dnsCache = new Map<string, number>();

  constructor(
    readonly org: Organisation,
    readonly rng: Rng,
    readonly incidentId: string | null = null,
  ) {}

  /** A process (random pid and ProcessGuid); `{user}` in the image becomes the user name. */
  process(image: string, user: string | null): Proc {
    const rng = this.rng;
    return {
      image: image.replace('{user}', user ?? 'Public'),
      pid: rng.int(250, 9000) * 4,
      guid: `{${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}}`.toUpperCase(),
      account: accountName(this.org, user),
      user,
    };
  }

  /** One HTTP(S) request on its own connection, preceded by a DNS lookup when the name is not cached. */
  request(ts: number, host: Host, proc: Proc, spec: RequestSpec): Activity {
    const rng = this.rng;
    let dstIp = spec.ip ?? (spec.domain ? ipFor(spec.domain, rng.int(0, 1)) : '0.0.0.0');
    if (spec.domain && !spec.ip) {
      const answers = this.resolve(ts - rng.int(2_000, 40_000), host, proc, spec.domain);
      if (answers) dstIp = rng.pick(answers);
    }
    const tls = spec.tls ?? true;
    const activity = this.base(ts, 'web', host, proc, dstIp, spec.port ?? (tls ? 443 : 80));
    activity.dstHost = spec.domain;
    activity.tls = tls;
    activity.method = spec.method ?? 'GET';
    activity.path = spec.path ?? '/';
    activity.userAgent = spec.ua;
    activity.status = spec.status ?? 200;
    activity.contentType = spec.contentType ?? 'text/html';
    activity.bytesOut = Math.max(0, Math.round(spec.bytesOut));
    activity.bytesIn = Math.max(0, Math.round(spec.bytesIn));
    activity.durationUs = Math.max(1_000, Math.round(spec.durationUs ?? rng.logNormal(0.25, 0.8) * SECOND_US));
    activity.panApp = spec.panApp;
    activity.category = spec.category;
    activity.hardNegative = spec.hardNegative ?? null;
    this.out.push(activity);
    return activity;
  }

  /** An NTP exchange (UDP 123). */
  ntp(ts: number, host: Host, proc: Proc, server: string, hardNegative: string | null = null): Activity {
    const answers = this.resolve(ts - this.rng.int(2_000, 20_000), host, proc, server);
    const activity = this.base(ts, 'ntp', host, proc, answers ? answers[0] : ipFor(server), 123);
    activity.dstHost = server;
    activity.bytesOut = 48;
    activity.bytesIn = 48;
    activity.durationUs = this.rng.int(8_000, 60_000);
    activity.panApp = 'ntp';
    activity.category = 'Computer and Internet Info';
    activity.hardNegative = hardNegative;
    this.out.push(activity);
    return activity;
  }

  /** A process start (Sysmon event 1). */
  launch(ts: number, host: Host, proc: Proc, commandLine: string, parentImage: string): void {
    const activity = this.base(ts, 'process', host, proc, '', 0);
    activity.launch = { commandLine, parentImage };
    this.out.push(activity);
  }

  /** Emits a lookup unless cached; returns the answers, or null when this host does not query (a DNS server). */
  private resolve(ts: number, host: Host, proc: Proc, name: string): string[] | null {
    if (host.role === 'domain-controller' || this.org.dnsServers.length === 0) return null;
    const answers = [ipFor(name, 0), ipFor(name, 1)].filter((ip, i, all) => all.indexOf(ip) === i);
    const expiry = this.dnsCache.get(name);
    if (expiry !== undefined && expiry > ts) return answers;
    this.dnsCache.set(name, ts + DNS_TTL_US);
    const resolver = this.org.dnsServers[seedFrom(host.ip) % this.org.dnsServers.length];
    const activity = this.base(ts, 'dns', host, proc, resolver.ip, 53);
    activity.dns = { query: name, qtype: 'A', answers, ttl: 300, rcode: 'NOERROR', transId: this.rng.int(1, 65535), resolver };
    activity.dstHost = name;
    activity.bytesOut = 30 + name.length;
    activity.bytesIn = 30 + name.length + 16 * answers.length;
    activity.durationUs = this.rng.int(300, 25_000);
    activity.panApp = 'dns';
    activity.category = 'Computer and Internet Info';
    this.out.push(activity);
    return answers;
  }

  private base(ts: number, kind: ActivityKind, host: Host, proc: Proc, dstIp: string, dstPort: number): Activity {
    return {
      ts: Math.round(ts),
      kind,
      host,
      proc,
      uid: `C${this.rng.token(17)}`,
      srcPort: this.rng.int(49152, 65535),
      dstIp,
      dstPort,
      dstHost: null,
      tls: false,
      method: '',
      path: '',
      userAgent: '',
      status: 0,
      contentType: '',
      bytesOut: 0,
      bytesIn: 0,
      durationUs: 0,
      panApp: '',
      category: '',
      dns: null,
      launch: null,
      incidentId: this.incidentId,
      hardNegative: null,
    };
  }
}

/** Sorts activities by time; the sort is stable, so equal times keep their (deterministic) insertion order. */
export function byTime(a: Activity, b: Activity): number {
  return a.ts - b.ts;
}
