/**
 * Web proxy logs: Squid native access.log (HTTPS as CONNECT host:443, no inspection) and a Blue Coat
 * ProxySG-style W3C extended log with SSL inspection (full URLs for HTTPS too).
 */
import { squidTime, w3cDateTime } from '../clock.ts';
import type { LogFile, WriterContext } from './log-file.ts';

/** Proxy server address (the sensor's own IP in W3C `s-ip`). */
export const PROXY_IP = '10.20.0.5';

/** Squid's default `squid` logformat: time elapsed client code/status bytes method URL user hierarchy/peer type. */
export function squidAccessLog(dir = 'proxy'): LogFile {
  return {
    name: `${dir}/access.log`,
    header: () => '',
    write: (a, lines) => {
      if (a.kind !== 'web') return;
      const elapsedMs = Math.max(1, Math.round(a.durationUs / 1000));
      const target = a.dstHost ?? a.dstIp;
      const connect = a.tls;
      const code = connect ? 'TCP_TUNNEL/200' : `TCP_MISS/${String(a.status).padStart(3, '0')}`;
      const bytes = connect ? a.bytesIn : a.bytesIn + 250;
      const url = connect ? `${target}:${a.dstPort}` : `http://${target}${a.dstPort === 80 ? '' : `:${a.dstPort}`}${a.path}`;
      const type = connect || !a.contentType ? '-' : a.contentType;
      lines.push(
        `${squidTime(a.ts)} ${String(elapsedMs).padStart(6)} ${a.host.ip} ${code} ${bytes} ${connect ? 'CONNECT' : a.method} ${url} ${a.proc.user ?? '-'} HIER_DIRECT/${a.dstIp} ${type}`,
      );
    },
    footer: () => '',
  };
}

const W3C_FIELDS = [
  'date', 'time', 'time-taken', 'c-ip', 'cs-username', 'cs-auth-group', 's-exception-id', 'sc-filter-result',
  'cs-categories', 'cs(Referer)', 'sc-status', 's-action', 'cs-method', 'rs(Content-Type)', 'cs-uri-scheme',
  'cs-host', 'cs-uri-port', 'cs-uri-path', 'cs-uri-query', 'cs-uri-extension', 'cs(User-Agent)', 's-ip',
  'sc-bytes', 'cs-bytes', 'x-virus-id',
];

/** W3C field value: '-' when empty, double-quoted when it contains spaces (quotes inside are percent-encoded). */
function w3c(value: string | number): string {
  const text = String(value);
  if (text === '') return '-';
  return /[\s"]/.test(text) ? `"${text.replace(/"/g, '%22')}"` : text;
}

/** ProxySG-style W3C extended log (UTC date/time, SSL interception assumed). */
export function w3cProxyLog(ctx: WriterContext, dir = 'proxy'): LogFile {
  return {
    name: `${dir}/proxysg-main.log`,
    header: () => {
      const [date, time] = w3cDateTime(ctx.startUs);
      return [
        '#Software: SGOS 7.3.16.1',
        '#Version: 1.0',
        `#Start-Date: ${date} ${time}`,
        `#Date: ${date} ${time}`,
        `#Fields: ${W3C_FIELDS.join(' ')}`,
      ].join('\n') + '\n';
    },
    write: (a, lines) => {
      if (a.kind !== 'web') return;
      const [date, time] = w3cDateTime(a.ts);
      const q = a.path.indexOf('?');
      const path = q < 0 ? a.path : a.path.slice(0, q);
      const query = q < 0 ? '' : a.path.slice(q);
      const ext = /\.([A-Za-z0-9]{1,8})$/.exec(path)?.[1] ?? '';
      const values: (string | number)[] = [
        date, time, Math.max(1, Math.round(a.durationUs / 1000)), a.host.ip, a.proc.user ?? '', '', '', 'OBSERVED',
        a.category, '', a.status, 'TCP_NC_MISS', a.method, a.contentType, a.tls ? 'https' : 'http',
        a.dstHost ?? a.dstIp, a.dstPort, path, query, ext, a.userAgent, PROXY_IP,
        a.bytesIn + 300, a.bytesOut + 400, '',
      ];
      lines.push(values.map(w3c).join(' '));
    },
    footer: () => '',
  };
}

