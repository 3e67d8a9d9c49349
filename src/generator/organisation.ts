/**
 * The simulated organisation: hosts with roles, business units, users and operating systems, and a
 * calendar (time-zone offset, weekends, holidays, office hours). Everything is drawn from one seeded stream.
 */
import { DAY_US, localDateKey, localMidnight, localParts, pad } from './clock.ts';
import { rngFor, type Rng } from './random.ts';

export type Role = 'workstation' | 'server' | 'domain-controller' | 'esxi' | 'build-server' | 'file-server';
export type BusinessUnit = 'finance' | 'engineering' | 'sales' | 'hr' | 'it-ops' | 'marketing' | 'legal';
export type Browser = 'chrome' | 'edge' | 'firefox';

export interface Host {
  name: string;
  ip: string;
  role: Role;
  os: string;
  /** Windows hosts run Sysmon and resolve through the domain controllers. */
  windows: boolean;
  businessUnit: BusinessUnit;
  /** Primary user's account name (workstations), else null. */
  user: string | null;
  owner: string;
  criticality: 'low' | 'medium' | 'high' | 'critical';
  browser: Browser | null;
  apps: { teams: boolean; onedrive: boolean; slack: boolean; dropbox: boolean };
  /** Stays on overnight and at weekends (desktops, servers); laptops sleep outside working hours. */
  alwaysOn: boolean;
  /** Usual local arrival and departure, hours since midnight. */
  arrivalHour: number;
  departureHour: number;
  /** Listed in the asset inventory CSV (false leaves work for role inference). */
  inInventory: boolean;
}

export interface Organisation {
  name: string;
  /** NetBIOS domain used in Sysmon user names ("NORTHWIND\\j.smith"). */
  domain: string;
  /** Microsoft 365 tenant name used for SharePoint / OneDrive host names. */
  tenant: string;
  utcOffsetMinutes: number;
  /** UTC instant of local midnight of each simulated day. */
  dayStarts: number[];
  /** Per simulated day: a working day (not weekend, not holiday). */
  workdays: boolean[];
  hosts: Host[];
  /** Domain controllers, which are also the DNS servers. */
  dnsServers: Host[];
}

export interface OrganisationOptions {
  seed: number;
  hosts: number;
  days: number;
  startDate: string;
  utcOffsetMinutes: number;
  holidays: readonly string[];
  /** Share of hosts listed in the inventory, 0..1. */
  inventoryCoverage: number;
}

const COMPANIES = [
  ['Northwind Traders', 'NORTHWIND', 'northwind'],
  ['Fabrikam Engineering', 'FABRIKAM', 'fabrikam'],
  ['Tailspin Logistics', 'TAILSPIN', 'tailspin'],
  ['Woodgrove Finance', 'WOODGROVE', 'woodgrove'],
] as const;

const FIRST_NAMES = [
  'anna', 'ben', 'carla', 'david', 'elena', 'farid', 'grace', 'hugo', 'ines', 'jonas', 'kira', 'liam', 'maya',
  'nils', 'olga', 'pavel', 'quinn', 'rosa', 'sami', 'tara', 'umar', 'vera', 'wei', 'yusuf', 'zoe',
];
const LAST_NAMES = [
  'adler', 'brandt', 'costa', 'dubois', 'eriksen', 'fischer', 'garcia', 'horvat', 'ivanova', 'jensen', 'kowalski',
  'lindqvist', 'moreau', 'novak', 'okafor', 'petrov', 'quintero', 'rossi', 'schmidt', 'tanaka', 'urban', 'varga',
  'weber', 'young', 'zimmer',
];

const BU_WEIGHTS: Record<BusinessUnit, number> = {
  engineering: 30, sales: 18, finance: 14, marketing: 10, hr: 8, 'it-ops': 12, legal: 8,
};
const BU_CODES: Record<BusinessUnit, string> = {
  engineering: 'ENG', sales: 'SAL', finance: 'FIN', marketing: 'MKT', hr: 'HR', 'it-ops': 'ITO', legal: 'LEG',
};
const BUSINESS_UNITS = Object.keys(BU_WEIGHTS) as BusinessUnit[];

/** How many hosts of each non-workstation role an organisation of `n` hosts has. */
function serverCounts(n: number): [Role, number][] {
  return [
    ['domain-controller', n >= 10 ? 2 : 1],
    ['file-server', n >= 8 ? 1 + Math.floor(n / 200) : 0],
    ['esxi', n >= 15 ? 1 + Math.floor(n / 100) : 0],
    ['build-server', n >= 12 ? 1 + Math.floor(n / 250) : 0],
    ['server', Math.floor(n * 0.06)],
  ];
}

/** Builds the organisation for the given options. */
export function buildOrganisation(options: OrganisationOptions): Organisation {
  if (!Number.isInteger(options.hosts) || options.hosts < 5) throw new Error('hosts must be an integer ≥ 5');
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error('days must be an integer ≥ 1');
  const rng = rngFor(options.seed, 'organisation');
  const [name, domain, tenant] = rng.pick(COMPANIES);
  const first = localMidnight(options.startDate, options.utcOffsetMinutes);
  const dayStarts: number[] = [];
  const workdays: boolean[] = [];
  const holidays = new Set(options.holidays);
  for (let d = 0; d < options.days; d++) {
    const start = first + d * DAY_US;
    const weekday = localParts(start, options.utcOffsetMinutes).weekday;
    dayStarts.push(start);
    workdays.push(weekday !== 0 && weekday !== 6 && !holidays.has(localDateKey(start, options.utcOffsetMinutes)));
  }

  const hosts: Host[] = [];
  const usedUsers = new Set<string>();
  const roleCounters = new Map<string, number>();
  const nextNumber = (key: string): number => {
    const n = (roleCounters.get(key) ?? 0) + 1;
    roleCounters.set(key, n);
    return n;
  };
  let serverCount = 0;
  for (const [role, count] of serverCounts(options.hosts)) {
    for (let i = 0; i < count; i++) {
      hosts.push(makeServer(rng, role, nextNumber(role), serverCount++, options.inventoryCoverage));
    }
  }
  const workstationCount = options.hosts - hosts.length;
  for (let i = 0; i < workstationCount; i++) {
    const bu = rng.weighted(BUSINESS_UNITS, BUSINESS_UNITS.map((b) => BU_WEIGHTS[b]));
    const user = uniqueUser(rng, usedUsers);
    const n = nextNumber(bu);
    const block = BUSINESS_UNITS.indexOf(bu) * 4 + Math.floor((n - 1) / 240);
    const browser = rng.weighted<Browser>(['chrome', 'edge', 'firefox'], [55, 35, 10]);
    hosts.push({
      name: `${BU_CODES[bu]}-WS${pad(n, 3)}`,
      ip: `10.10.${block}.${((n - 1) % 240) + 10}`,
      role: 'workstation',
      os: rng.chance(0.7) ? 'Windows 11 Enterprise' : 'Windows 10 Enterprise',
      windows: true,
      businessUnit: bu,
      user,
      owner: user,
      criticality: bu === 'finance' || bu === 'it-ops' ? 'medium' : 'low',
      browser,
      apps: {
        teams: rng.chance(0.9),
        onedrive: rng.chance(0.85),
        slack: rng.chance(bu === 'engineering' || bu === 'marketing' ? 0.7 : 0.2),
        dropbox: rng.chance(bu === 'marketing' || bu === 'sales' ? 0.35 : 0.1),
      },
      alwaysOn: rng.chance(0.35),
      arrivalHour: rng.uniform(7.5, 9.5),
      departureHour: rng.uniform(16.5, 18.5),
      inInventory: rng.next() < options.inventoryCoverage,
    });
  }
  return {
    name,
    domain,
    tenant,
    utcOffsetMinutes: options.utcOffsetMinutes,
    dayStarts,
    workdays,
    hosts,
    dnsServers: hosts.filter((h) => h.role === 'domain-controller'),
  };
}

function makeServer(rng: Rng, role: Role, n: number, index: number, coverage: number): Host {
  const linux = role === 'build-server' || (role === 'server' && rng.chance(0.5));
  const esxi = role === 'esxi';
  const prefix: Record<Role, string> = {
    'domain-controller': 'DC', 'file-server': 'FS', esxi: 'esx', 'build-server': 'build', server: linux ? 'app' : 'APP',
    workstation: 'WS',
  };
  const os = esxi ? 'VMware ESXi 8.0' : linux ? 'Ubuntu 22.04 LTS' : 'Windows Server 2022';
  return {
    name: `${prefix[role]}${pad(n, 2)}`,
    ip: esxi ? `10.20.1.${10 + n}` : `10.20.0.${10 + index}`,
    role,
    os,
    windows: !esxi && !linux,
    businessUnit: role === 'build-server' ? 'engineering' : 'it-ops',
    user: null,
    owner: role === 'build-server' ? 'devops-team' : 'infrastructure-team',
    criticality: role === 'domain-controller' || esxi ? 'critical' : 'high',
    browser: null,
    apps: { teams: false, onedrive: false, slack: false, dropbox: false },
    alwaysOn: true,
    arrivalHour: 0,
    departureHour: 24,
    // Domain controllers are always inventoried: role inference has the rest to work on.
    inInventory: role === 'domain-controller' || rng.next() < coverage,
  };
}

function uniqueUser(rng: Rng, used: Set<string>): string {
  const base = `${rng.pick(FIRST_NAMES)}.${rng.pick(LAST_NAMES)}`;
  let candidate = base;
  for (let k = 2; used.has(candidate); k++) candidate = `${base}${k}`;
  used.add(candidate);
  return candidate;
}

/** Windows-style account for Sysmon's `User` field. */
export function accountName(org: Organisation, user: string | null): string {
  return user ? `${org.domain}\\${user}` : 'NT AUTHORITY\\SYSTEM';
}
