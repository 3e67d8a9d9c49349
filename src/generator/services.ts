/**
 * The outside world the organisation talks to: address ranges per domain, client software (images and
 * user agents) and the web sites people browse, weighted per business unit.
 */
import type { Browser, BusinessUnit, Host } from './organisation.ts';
import { seedFrom, type Rng } from './random.ts';

/** Address prefixes per registrable domain (longest suffix wins), so each service has stable, plausible IPs. */
const PREFIXES: [string, string[]][] = [
  ['telegram.org', ['149.154.167.']],
  ['discord.com', ['162.159.135.', '162.159.136.']],
  ['discordapp.com', ['162.159.129.']],
  ['github.com', ['140.82.121.', '140.82.112.']],
  ['githubusercontent.com', ['185.199.108.', '185.199.110.']],
  ['githubassets.com', ['185.199.109.']],
  ['pastebin.com', ['104.20.67.', '172.67.34.']],
  ['dropbox.com', ['162.125.64.', '162.125.2.']],
  ['dropboxapi.com', ['162.125.66.']],
  ['dropboxstatic.com', ['162.125.8.']],
  ['google.com', ['142.250.185.', '142.250.74.']],
  ['googleapis.com', ['172.217.16.', '142.250.186.']],
  ['gstatic.com', ['142.250.181.']],
  ['microsoft.com', ['52.113.194.', '20.190.159.']],
  ['microsoftonline.com', ['20.190.160.']],
  ['sharepoint.com', ['13.107.136.', '13.107.138.']],
  ['office.com', ['52.98.152.']],
  ['windowsupdate.com', ['13.107.4.']],
  ['core.windows.net', ['20.60.13.']],
  ['slack.com', ['3.66.140.', '18.159.197.']],
  ['slack-edge.com', ['99.86.4.']],
  ['notion.so', ['104.18.22.']],
  ['notion.com', ['104.18.23.']],
  ['ngrok-free.app', ['3.125.102.', '18.192.31.']],
  ['trycloudflare.com', ['104.16.230.']],
  ['devtunnels.ms', ['20.42.6.']],
  ['ubuntu.com', ['185.125.190.']],
  ['vmware.com', ['23.54.120.']],
];
const GENERIC_PREFIXES = ['151.101.1.', '104.16.85.', '23.54.112.', '13.32.99.', '34.120.208.', '95.101.72.'];
/** Ranges typical of rented VPS hosting, for never-seen C2 servers. */
export const VPS_PREFIXES = ['45.77.', '185.243.', '91.215.', '194.87.', '146.70.', '5.252.'];

/** Stable public IP for a domain (variant `k` gives the domain's other addresses). */
export function ipFor(domain: string, k = 0): string {
  const prefixes = PREFIXES.find(([suffix]) => domain === suffix || domain.endsWith(`.${suffix}`))?.[1] ?? GENERIC_PREFIXES;
  const h = seedFrom('ip', domain, k);
  return `${prefixes[h % prefixes.length]}${1 + ((h >>> 8) % 253)}`;
}

/** A fresh VPS-looking address. */
export function vpsIp(rng: Rng): string {
  return `${rng.pick(VPS_PREFIXES)}${rng.int(1, 254)}.${rng.int(1, 254)}`;
}

/** Catalog service id of a domain, for the answer key (null: not a catalogued web service). */
export function serviceIdOf(domain: string): string | null {
  const rules: [RegExp, string][] = [
    [/(^|\.)telegram\.org$/, 'telegram'],
    [/(^|\.)(discord\.com|discordapp\.com|discord\.gg)$/, 'discord'],
    [/(^|\.)(github\.com|githubusercontent\.com|githubassets\.com)$/, 'github'],
    [/(^|\.)pastebin\.com$/, 'pastebin'],
    [/(^|\.)(dropbox\.com|dropboxapi\.com|dropboxstatic\.com)$/, 'dropbox'],
    [/^sheets\.googleapis\.com$/, 'google-sheets'],
    [/^docs\.google\.com$/, 'google-docs'],
    [/^(drive\.google\.com|www\.googleapis\.com)$/, 'google-drive'],
    [/(^|\.)(sharepoint\.com|onedrive\.live\.com)$|^graph\.microsoft\.com$/, 'onedrive'],
    [/(^|\.)teams\.microsoft\.com$/, 'teams'],
    [/(^|\.)(slack\.com|slack-edge\.com)$/, 'slack'],
    [/(^|\.)(notion\.so|notion\.com)$/, 'notion'],
    [/(^|\.)ngrok-free\.app$/, 'ngrok'],
    [/(^|\.)trycloudflare\.com$/, 'cloudflare-tunnel'],
    [/(^|\.)devtunnels\.ms$/, 'devtunnels'],
    [/(^|\.)blob\.core\.windows\.net$/, 'azure-blob'],
  ];
  return rules.find(([re]) => re.test(domain))?.[1] ?? null;
}

export const BROWSER_UA: Record<Browser, string> = {
  chrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80',
  firefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
};
export const BROWSER_IMAGE: Record<Browser, string> = {
  chrome: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  edge: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  firefox: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
};

/** Desktop clients and background agents: image, user agent. `{user}` is replaced by the account name. */
export const CLIENTS = {
  teams: {
    image: 'C:\\Program Files\\WindowsApps\\MSTeams_24091.214.2846.1452_x64__8wekyb3d8bbwe\\ms-teams.exe',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0 Teams/24091.214.2846.1452/49',
  },
  onedrive: {
    image: 'C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe',
    ua: 'Microsoft SkyDriveSync 24.076.0414.0005 ship; Windows NT 10.0 (22631)',
  },
  slack: {
    image: 'C:\\Users\\{user}\\AppData\\Local\\slack\\app-4.37.101\\slack.exe',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.37.101 Chrome/122.0.6261.156 Electron/29.4.0 Safari/537.36 Sonic Slack_SSB/4.37.101',
  },
  dropbox: {
    image: 'C:\\Program Files (x86)\\Dropbox\\Client\\Dropbox.exe',
    ua: 'DropboxDesktopClient/198.4.7615 (Windows; 10; PC; en_US; Train-stable)',
  },
  defender: {
    image: 'C:\\Program Files\\Windows Defender Advanced Threat Protection\\MsSense.exe',
    ua: 'MSDW',
  },
  defenderLinux: { image: '/opt/microsoft/mdatp/sbin/wdavdaemon', ua: 'MSDW' },
  windowsUpdate: {
    image: 'C:\\Windows\\System32\\svchost.exe',
    ua: 'Microsoft-Delivery-Optimization/10.0',
  },
  googleUpdate: {
    image: 'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe',
    ua: 'Google Update/1.3.36.372;winhttp',
  },
  timeService: { image: 'C:\\Windows\\System32\\svchost.exe', ua: '' },
  backup: {
    image: 'C:\\Program Files\\Veeam\\Endpoint Backup\\Veeam.EndPoint.Service.exe',
    ua: 'Azure-Storage/12.19.1 (.NET 6.0.25; Microsoft Windows 10.0.20348)',
  },
  git: { image: '/usr/lib/git-core/git-remote-https', ua: 'git/2.43.0' },
  curlLinux: { image: '/usr/bin/curl', ua: 'curl/7.81.0' },
  timesyncd: { image: '/usr/lib/systemd/systemd-timesyncd', ua: '' },
} as const;

/** A web site as a browser sees it: its page host, asset hosts, and page paths. */
export interface Site {
  id: string;
  hosts: string[];
  pages: string[];
  /** Baseline weight, and multipliers per business unit. */
  weight: number;
  bu?: Partial<Record<BusinessUnit, number>>;
  category: string;
  panApp: string;
}

/** Browsing targets; `{tenant}` is the organisation's Microsoft 365 tenant, `{id}` a random document id. */
export const SITES: Site[] = [
  { id: 'google', hosts: ['www.google.com', 'www.gstatic.com', 'fonts.gstatic.com'], pages: ['/search?q={q}', '/'], weight: 30, category: 'Search Engines', panApp: 'google-base' },
  { id: 'bing', hosts: ['www.bing.com', 'th.bing.com'], pages: ['/search?q={q}'], weight: 6, category: 'Search Engines', panApp: 'bing' },
  { id: 'news', hosts: ['www.bbc.co.uk', 'static.files.bbci.co.uk'], pages: ['/news', '/news/business', '/sport'], weight: 8, category: 'News', panApp: 'web-browsing' },
  { id: 'reuters', hosts: ['www.reuters.com', 'cdn.cookielaw.org'], pages: ['/world/', '/markets/'], weight: 5, bu: { finance: 3 }, category: 'News', panApp: 'web-browsing' },
  { id: 'wikipedia', hosts: ['en.wikipedia.org', 'upload.wikimedia.org'], pages: ['/wiki/{q}'], weight: 6, category: 'Reference', panApp: 'wikipedia-base' },
  { id: 'stackoverflow', hosts: ['stackoverflow.com', 'cdn.sstatic.net', 'ajax.aspnetcdn.com'], pages: ['/questions/{n}', '/search?q={q}'], weight: 2, bu: { engineering: 8, 'it-ops': 5 }, category: 'Technology', panApp: 'web-browsing' },
  { id: 'linkedin', hosts: ['www.linkedin.com', 'static.licdn.com'], pages: ['/feed/', '/in/{q}'], weight: 3, bu: { sales: 4, hr: 5, marketing: 3 }, category: 'Social Networking', panApp: 'linkedin-base' },
  { id: 'outlook', hosts: ['outlook.office.com', 'res.cdn.office.net'], pages: ['/mail/', '/calendar/view/week'], weight: 12, category: 'Web-based Email', panApp: 'outlook-web-online' },
  { id: 'sharepoint', hosts: ['{tenant}.sharepoint.com', 'login.microsoftonline.com', 'res-1.cdn.office.net'], pages: ['/sites/intranet/SitePages/Home.aspx', '/sites/{bu}/Shared%20Documents/Forms/AllItems.aspx'], weight: 8, category: 'Online Storage', panApp: 'sharepoint-online' },
  { id: 'onedrive-web', hosts: ['{tenant}-my.sharepoint.com', 'login.microsoftonline.com'], pages: ['/personal/{user}/_layouts/15/onedrive.aspx'], weight: 3, category: 'Online Storage', panApp: 'ms-onedrive-base' },
  { id: 'teams-web', hosts: ['teams.microsoft.com', 'statics.teams.cdn.office.net'], pages: ['/v2/'], weight: 2, category: 'Collaboration', panApp: 'ms-teams' },
  { id: 'github-web', hosts: ['github.com', 'github.githubassets.com', 'avatars.githubusercontent.com'], pages: ['/{org}/{repo}', '/{org}/{repo}/issues/{n}', '/{org}/{repo}/pull/{n}'], weight: 0.3, bu: { engineering: 25, 'it-ops': 10 }, category: 'Technology', panApp: 'github-base' },
  { id: 'github-raw', hosts: ['raw.githubusercontent.com'], pages: ['/{org}/{repo}/main/README.md', '/{org}/{repo}/main/install.sh'], weight: 0.1, bu: { engineering: 20, 'it-ops': 15 }, category: 'Technology', panApp: 'github-base' },
  { id: 'pastebin', hosts: ['pastebin.com'], pages: ['/{id}', '/raw/{id}'], weight: 0.1, bu: { engineering: 10, 'it-ops': 12 }, category: 'Personal Sites and Blogs', panApp: 'pastebin' },
  { id: 'telegram-web', hosts: ['web.telegram.org', 'telegram.org'], pages: ['/a/', '/k/'], weight: 0.2, bu: { marketing: 15, sales: 4 }, category: 'Internet Communications', panApp: 'telegram-base' },
  { id: 'discord-web', hosts: ['discord.com', 'cdn.discordapp.com'], pages: ['/channels/@me', '/channels/{n}/{n}'], weight: 0.2, bu: { marketing: 12, engineering: 3 }, category: 'Internet Communications', panApp: 'discord' },
  { id: 'dropbox-web', hosts: ['www.dropbox.com', 'cfl.dropboxstatic.com'], pages: ['/home', '/scl/fi/{id}/report.pdf?dl=0'], weight: 0.5, bu: { marketing: 10, sales: 8 }, category: 'Online Storage', panApp: 'dropbox-base' },
  { id: 'google-drive-web', hosts: ['drive.google.com', 'www.gstatic.com'], pages: ['/drive/my-drive', '/file/d/{id}/view'], weight: 1, bu: { marketing: 6, sales: 6 }, category: 'Online Storage', panApp: 'google-drive-web' },
  { id: 'google-docs-web', hosts: ['docs.google.com', 'www.gstatic.com'], pages: ['/document/d/{id}/edit', '/spreadsheets/d/{id}/edit#gid=0'], weight: 1, bu: { finance: 8, sales: 6, marketing: 6 }, category: 'Online Storage', panApp: 'google-docs-base' },
  { id: 'slack-web', hosts: ['app.slack.com', 'a.slack-edge.com'], pages: ['/client/T0{ID}/C0{ID}'], weight: 0.3, bu: { engineering: 4 }, category: 'Collaboration', panApp: 'slack-base' },
  { id: 'notion-web', hosts: ['www.notion.so'], pages: ['/{org}/{id}'], weight: 0.2, bu: { engineering: 6, marketing: 5 }, category: 'Collaboration', panApp: 'notion-base' },
];

/** Per-BU weight of each site. */
export function siteWeights(bu: BusinessUnit): number[] {
  return SITES.map((s) => s.weight * (s.bu?.[bu] ?? 1));
}

const QUERY_WORDS = ['quarterly', 'report', 'invoice', 'kubernetes', 'python', 'excel', 'pivot', 'travel', 'policy', 'weather', 'budget', 'regex', 'vpn', 'printer', 'holiday'];
const ORGS = ['torvalds', 'microsoft', 'golang', 'rust-lang', 'nodejs', 'sveltejs', 'duckdb', 'openssl', 'kubernetes'];
const REPOS = ['linux', 'vscode', 'go', 'rust', 'node', 'svelte', 'duckdb', 'openssl', 'kubernetes', 'docs'];

/** Fills a site's path template with plausible values. */
export function fillPath(template: string, rng: Rng, host: Host, tenantUser: string): string {
  return template
    .replace(/\{q\}/g, () => `${rng.pick(QUERY_WORDS)}+${rng.pick(QUERY_WORDS)}`)
    .replace(/\{n\}/g, () => String(rng.int(1000, 99999)))
    .replace(/\{org\}/g, () => rng.pick(ORGS))
    .replace(/\{repo\}/g, () => rng.pick(REPOS))
    .replace(/\{id\}/g, () => rng.token(12))
    .replace(/\{ID\}/g, () => rng.token(9, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'))
    .replace(/\{bu\}/g, host.businessUnit)
    .replace(/\{user\}/g, tenantUser);
}
