/**
 * A small organisation's web proxy log (Zscaler NSS CSV), written by the views and accessibility specs:
 * 12 finance workstations browse on two working days; on day two fin-ws-06 beacons to a Discord webhook every
 * five minutes (±20 %) from a Python script, and fin-ws-08 polls a Telegram bot for three hours.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const DAY0 = Date.UTC(2024, 4, 1);
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SITES = ['www.google.com', 'outlook.office365.com', 'intranet.example.org', 'www.bbc.co.uk', 'www.dropbox.com', 'github.com', 'www.wikipedia.org'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
function zscalerTime(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** Writes the log to `path` and returns how many records it holds. */
export function writeProxyLog(path: string): number {
  const rng = random(7);
  const rows: [number, string][] = [];
  const add = (ms: number, host: number, url: string, method: string, out: number, inn: number, ua: string) => {
    const name = `fin-ws-${pad(host)}`;
    rows.push([ms, [`"${zscalerTime(ms)}"`, `${name}@example.org`, `10.1.2.${20 + host}`, name, `"https://${url}"`, method, 200, out, inn, `"${ua}"`, 'Allowed'].join(',')]);
  };
  for (let host = 1; host <= 12; host++) {
    for (let day = 0; day < 2; day++) {
      for (let i = 0; i < 40; i++) {
        const site = SITES[Math.floor(rng() * (host % 2 ? SITES.length : SITES.length - 1))];
        add(DAY0 + day * 86_400_000 + (8 + rng() * 9) * 3_600_000, host, `${site}/page/${i}`, 'GET', 400 + Math.floor(rng() * 300), 20_000 + Math.floor(rng() * 90_000), CHROME);
      }
    }
  }
  for (let t = DAY0 + 86_400_000 + 60_000; t < DAY0 + 2 * 86_400_000; t += 300_000 * (0.8 + 0.4 * rng())) {
    add(Math.round(t), 6, 'discord.com/api/webhooks/1187/Zx9?wait=true', 'POST', 900 + Math.floor(rng() * 80), 120, 'python-requests/2.31.0');
  }
  for (let t = DAY0 + 86_400_000 + 2 * 3_600_000; t < DAY0 + 86_400_000 + 5 * 3_600_000; t += 60_000) {
    add(t, 8, 'api.telegram.org/bot6150:AAE/getUpdates?offset=1', 'GET', 300, 450, 'python-requests/2.31.0');
  }
  rows.sort((a, b) => a[0] - b[0]);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, ['time,login,cip,devicehostname,eurl,reqmethod,respcode,reqsize,respsize,ua,action', ...rows.map((r) => r[1])].join('\n') + '\n');
  return rows.length;
}
