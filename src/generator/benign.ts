/**
 * Benign traffic for one host on one day: people browsing (including the web UIs of services attackers
 * abuse), desktop sync clients with their keep-alive cadence, updaters, NTP, EDR telemetry, CI polling
 * and backups. The periodic, upload-heavy and API-shaped parts are the hard negatives.
 */
import { type Activity, type Proc, TrafficEmitter } from './activity.ts';
import { machineOnWindows, type TimeWindow } from './calendar.ts';
import { DAY_US, HOUR_US, MINUTE_US, SECOND_US, localDateKey } from './clock.ts';
import { beaconTimes } from './jitter.ts';
import type { Host, Organisation } from './organisation.ts';
import { rngFor, type Rng } from './random.ts';
import { BROWSER_IMAGE, BROWSER_UA, CLIENTS, SITES, fillPath, siteWeights } from './services.ts';

/** Why each hard negative is benign, keyed by the tag benign traffic carries. */
export const HARD_NEGATIVE_REASONS: Record<string, string> = {
  'sync-client': 'sanctioned desktop sync/chat client keeping its session alive on a regular cadence, with its own process and user agent',
  'edr-telemetry': 'endpoint security agent reporting to its vendor every few minutes, around the clock',
  updater: 'operating system or browser updater checking on a schedule',
  ntp: 'time synchronisation at a fixed polling interval',
  backup: 'scheduled backup agent uploading large volumes to the organisation’s cloud storage at night',
  'ci-polling': 'build server polling and cloning source repositories for CI jobs',
  'browser-web-ui': 'a person using the service’s web interface in a browser',
};

export interface BenignContext {
  seed: number;
  org: Organisation;
  /** Volume multiplier (1 = normal): scales browsing sessions and the cadence of clients and agents. */
  noise: number;
}

/** All benign activities of `host` on simulated day `day`, unsorted. */
export function benignHostDay(ctx: BenignContext, host: Host, day: number, working: (TimeWindow | null)[]): Activity[] {
  const rng = rngFor(ctx.seed, 'benign', host.name, day);
  const emitter = new TrafficEmitter(ctx.org, rng);
  const dayStart = ctx.org.dayStarts[day];
  const on = host.role === 'workstation' ? machineOnWindows(ctx.org, host, working)[day] : { start: dayStart, end: dayStart + DAY_US };
  if (on) background(ctx, emitter, host, on, day);
  const work = working[day];
  if (host.role === 'workstation' && work) userSession(ctx, emitter, host, work);
  return emitter.out;
}

/** Agents that run whenever the machine is on. */
function background(ctx: BenignContext, em: TrafficEmitter, host: Host, on: TimeWindow, day: number): void {
  const rng = em.rng;
  const linux = !host.windows && host.role !== 'esxi';
  // Long-running services: one process for the whole scenario, so pid and guid are stable across days.
  const stable = rngFor(ctx.seed, 'services', host.name);
  const service = (image: string): Proc => new TrafficEmitter(ctx.org, stable).process(image, null);

  if (host.role !== 'esxi') {
    const edr = service(linux ? CLIENTS.defenderLinux.image : CLIENTS.defender.image);
    for (const t of every(rng, on, (15 * 60) / ctx.noise, 0.1)) {
      em.request(t, host, edr, {
        domain: 'winatp-gw-weu.microsoft.com', method: 'POST', path: '/senseng/v1/telemetry', ua: CLIENTS.defender.ua,
        contentType: 'application/json', bytesOut: rng.logNormal(9000, 0.5), bytesIn: rng.int(400, 900),
        panApp: 'ms-defender', category: 'Computer and Internet Info', hardNegative: 'edr-telemetry',
      });
    }
  }
  if (host.windows) {
    const wu = service(CLIENTS.windowsUpdate.image);
    for (let i = rng.int(1, 3); i > 0; i--) {
      const t = rng.uniform(on.start, on.end);
      em.request(t, host, wu, {
        domain: 'fe3cr.delivery.mp.microsoft.com', method: 'POST', path: '/ClientWebService/client.asmx', ua: 'Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.71',
        contentType: 'application/soap+xml', bytesOut: rng.int(3000, 9000), bytesIn: rng.int(5000, 60000),
        panApp: 'ms-update', category: 'Computer and Internet Info', hardNegative: 'updater',
      });
      if (rng.chance(0.3)) {
        em.request(t + rng.int(5, 60) * SECOND_US, host, wu, {
          domain: 'download.windowsupdate.com', tls: false, path: `/c/msdownload/update/software/secu/2024/05/windows10.0-kb50${rng.int(10000, 99999)}-x64.cab`,
          ua: CLIENTS.windowsUpdate.ua, contentType: 'application/vnd.ms-cab-compressed', bytesOut: 420,
          bytesIn: rng.logNormal(8e6, 1), durationUs: rng.uniform(5, 90) * SECOND_US, panApp: 'ms-update', category: 'Computer and Internet Info',
          hardNegative: 'updater',
        });
      }
    }
  }
  if (host.role === 'domain-controller') {
    const w32time = service(CLIENTS.timeService.image);
    for (const t of every(rng, on, 3600, 0.02)) em.ntp(t, host, w32time, 'time.windows.com', 'ntp');
  }
  if (linux || host.role === 'esxi') {
    const ntpd = service(host.role === 'esxi' ? '/sbin/ntpd' : CLIENTS.timesyncd.image);
    const server = host.role === 'esxi' ? '0.pool.ntp.org' : 'ntp.ubuntu.com';
    for (const t of every(rng, on, 2048, 0.01)) em.ntp(t, host, ntpd, server, 'ntp');
  }
  if (linux) {
    const curl = service(CLIENTS.curlLinux.image);
    for (const t of every(rng, on, 12 * 3600, 0.2)) {
      em.request(t, host, curl, {
        domain: 'motd.ubuntu.com', path: '/', ua: 'curl/7.81.0-1ubuntu1.16 Ubuntu/22.04.4/LTS GNU/Linux/5.15.0-105-generic/x86_64',
        contentType: 'text/plain', bytesOut: 300, bytesIn: rng.int(300, 900), panApp: 'web-browsing', category: 'Computer and Internet Info',
        hardNegative: 'updater',
      });
    }
  }
  if (host.role === 'esxi' && ctx.org.workdays[day]) {
    em.request(rng.uniform(on.start, on.end), host, service('/bin/hostd'), {
      domain: 'hostupdate.vmware.com', path: '/software/VUM/PRODUCTION/main/vmw-depot-index.xml', ua: 'VMware-client/8.0.2',
      contentType: 'text/xml', bytesOut: 500, bytesIn: rng.int(2000, 20000), panApp: 'vmware', category: 'Computer and Internet Info',
      hardNegative: 'updater',
    });
  }
  if (host.role === 'file-server') backup(em, host, service(CLIENTS.backup.image), on.start);
  if (host.role === 'build-server') ciTraffic(ctx, em, host, on, day, service(CLIENTS.git.image));
}

/** Nightly backup at ~01:00 local: dozens of large block uploads to Azure Blob storage. */
function backup(em: TrafficEmitter, host: Host, agent: Proc, dayStart: number): void {
  const rng = em.rng;
  const account = `${em.org.tenant}backup.blob.core.windows.net`;
  const date = localDateKey(dayStart + HOUR_US, em.org.utcOffsetMinutes);
  let t = dayStart + HOUR_US + rng.uniform(0, 10) * MINUTE_US;
  for (let block = rng.int(25, 60); block > 0; block--) {
    const size = rng.int(16, 100) * 1_048_576;
    const seconds = size / rng.uniform(20e6, 60e6);
    em.request(t, host, agent, {
      domain: account, method: 'PUT', path: `/backups/${host.name}/${date}/vbk?comp=block&blockid=${rng.token(24)}`,
      ua: CLIENTS.backup.ua, status: 201, contentType: 'application/octet-stream', bytesOut: size, bytesIn: rng.int(300, 600),
      durationUs: seconds * SECOND_US, panApp: 'ms-azure-storage', category: 'Online Storage', hardNegative: 'backup',
    });
    t += (seconds + rng.uniform(1, 20)) * SECOND_US;
  }
}

/** A CI server polling Git repositories every five minutes and cloning for builds on working days. */
function ciTraffic(ctx: BenignContext, em: TrafficEmitter, host: Host, on: TimeWindow, day: number, git: Proc): void {
  const rng = em.rng;
  const repos = ['corp-platform/api', 'corp-platform/web', 'corp-platform/infra'];
  const gitRequest = (t: number, path: string, method: string, bytesIn: number, seconds: number): void => {
    em.request(t, host, git, {
      domain: 'github.com', method, path, ua: CLIENTS.git.ua, contentType: 'application/x-git-upload-pack-advertisement',
      bytesOut: method === 'POST' ? rng.int(2000, 20000) : rng.int(300, 500), bytesIn, durationUs: seconds * SECOND_US,
      panApp: 'git-base', category: 'Technology', hardNegative: 'ci-polling',
    });
  };
  for (const t of every(rng, on, 300, 0.02)) gitRequest(t, `/${rng.pick(repos)}.git/info/refs?service=git-upload-pack`, 'GET', rng.int(800, 3000), 0.3);
  if (!ctx.org.workdays[day]) return;
  for (let build = rng.int(4, 12); build > 0; build--) {
    const t = on.start + rng.uniform(8, 19) * HOUR_US;
    gitRequest(t, `/${rng.pick(repos)}.git/git-upload-pack`, 'POST', rng.logNormal(4e6, 1), rng.uniform(2, 30));
    em.request(t + rng.uniform(20, 120) * SECOND_US, host, git, {
      domain: 'objects.githubusercontent.com', path: `/github-production-release-asset-2e65be/${rng.int(1e8, 9e8)}/${rng.hex(8)}-release.tar.gz`,
      ua: CLIENTS.curlLinux.ua, contentType: 'application/octet-stream', bytesOut: 700, bytesIn: rng.logNormal(2e7, 0.8),
      durationUs: rng.uniform(2, 40) * SECOND_US, panApp: 'github-base', category: 'Technology', hardNegative: 'ci-polling',
    });
  }
}

/** A user's working day: app launches, client keep-alives and browsing. */
function userSession(ctx: BenignContext, em: TrafficEmitter, host: Host, work: TimeWindow): void {
  const rng = em.rng;
  const user = host.user;
  const explorer = 'C:\\Windows\\explorer.exe';
  const app = (image: string): Proc => {
    const proc = em.process(image, user);
    em.launch(work.start + rng.int(20, 240) * SECOND_US, host, proc, `"${proc.image}"`, explorer);
    return proc;
  };
  const sync = (t: number, proc: Proc, ua: string, domain: string, method: string, path: string, panApp: string, bytesIn = rng.int(500, 4000)): void => {
    em.request(t, host, proc, {
      domain, method, path, ua, contentType: 'application/json', bytesOut: rng.int(400, 2500), bytesIn,
      panApp, category: 'Online Storage', hardNegative: 'sync-client',
    });
  };
  const session = { start: work.start + 5 * MINUTE_US, end: work.end };

  if (host.apps.teams) {
    const teams = app(CLIENTS.teams.image);
    for (const t of every(rng, session, 240 / ctx.noise, 0.2)) {
      sync(t, teams, CLIENTS.teams.ua, 'presence.teams.microsoft.com', 'PUT', '/v1/me/endpoints/', 'ms-teams');
    }
  }
  if (host.apps.onedrive) {
    const onedrive = app(CLIENTS.onedrive.image);
    const tenantHost = `${ctx.org.tenant}-my.sharepoint.com`;
    for (const t of every(rng, session, 600 / ctx.noise, 0.15)) {
      sync(t, onedrive, CLIENTS.onedrive.ua, tenantHost, 'GET', `/personal/${tenantUser(user)}/_api/v2.1/drive/root/delta?token=${rng.token(16)}`, 'ms-onedrive-base');
    }
    for (const t of every(rng, session, 3600 / ctx.noise, 0.3)) {
      sync(t, onedrive, CLIENTS.onedrive.ua, 'graph.microsoft.com', 'GET', '/v1.0/me/drive/root/delta', 'ms-onedrive-base');
    }
  }
  if (host.apps.slack) {
    const slack = app(CLIENTS.slack.image);
    em.request(session.start, host, slack, {
      domain: 'wss-primary.slack.com', path: `/?token=${rng.token(20)}`, ua: CLIENTS.slack.ua, status: 101, contentType: '',
      bytesOut: rng.int(50_000, 400_000), bytesIn: rng.int(200_000, 2_000_000), durationUs: session.end - session.start,
      panApp: 'slack-base', category: 'Collaboration', hardNegative: 'sync-client',
    });
    for (const t of every(rng, session, 600 / ctx.noise, 0.3)) {
      sync(t, slack, CLIENTS.slack.ua, 'slack.com', 'POST', `/api/client.counts?_x_id=${rng.hex(8)}-${rng.int(1, 9999)}`, 'slack-base');
    }
  }
  if (host.apps.dropbox) {
    const dropbox = app(CLIENTS.dropbox.image);
    for (const t of every(rng, session, 300 / ctx.noise, 0.4)) {
      sync(t, dropbox, CLIENTS.dropbox.ua, 'bolt.dropbox.com', 'GET', `/2/notify/subscribe?nid=${rng.int(1e6, 9e6)}`, 'dropbox-base', rng.int(200, 600));
    }
  }
  if (host.browser) browse(ctx, em, host, session, app(BROWSER_IMAGE[host.browser]));
}

/** Browsing sessions: a site picked by the user's business unit, a few pages, each with its assets. */
function browse(ctx: BenignContext, em: TrafficEmitter, host: Host, session: TimeWindow, browser: Proc): void {
  const rng = em.rng;
  const ua = BROWSER_UA[host.browser ?? 'chrome'];
  const weights = siteWeights(host.businessUnit);
  const sessions = Math.round(rng.uniform(12, 24) * ctx.noise);
  for (let s = 0; s < sessions; s++) {
    const site = rng.weighted(SITES, weights);
    let t = rng.uniform(session.start, session.end);
    const hosts = site.hosts.map((h) => h.replace('{tenant}', ctx.org.tenant));
    const abused = site.id.endsWith('-web') || site.id === 'github-raw' || site.id === 'pastebin';
    for (let page = rng.int(1, 4); page > 0 && t < session.end; page--) {
      em.request(t, host, browser, {
        domain: hosts[0], path: fillPath(rng.pick(site.pages), rng, host, tenantUser(host.user)), ua, contentType: 'text/html',
        bytesOut: rng.int(600, 2500), bytesIn: rng.logNormal(60_000, 1), panApp: site.panApp, category: site.category,
        hardNegative: abused ? 'browser-web-ui' : undefined,
      });
      for (const asset of hosts.slice(1)) {
        em.request(t + rng.int(50, 900) * 1000, host, browser, {
          domain: asset, path: `/${rng.token(10)}.${rng.pick(['js', 'css', 'woff2', 'png'])}`, ua, contentType: 'application/javascript',
          bytesOut: rng.int(400, 1200), bytesIn: rng.logNormal(30_000, 1.2), panApp: site.panApp, category: site.category,
        });
      }
      t += rng.exponential(40) * SECOND_US;
    }
  }
}

/** Regular instants through the window with uniform jitter ±j. */
function every(rng: Rng, window: TimeWindow, periodS: number, jitter: number): number[] {
  const offset = rng.uniform(0, periodS) * SECOND_US;
  return beaconTimes(rng, { periodS, model: 'uniform', jitter, missingRate: 0 }, window.start + offset, window.end);
}

/** SharePoint personal-site form of a user name ("anna_adler_northwind_com" style, shortened). */
function tenantUser(user: string | null): string {
  return (user ?? 'user').replace(/\./g, '_');
}
