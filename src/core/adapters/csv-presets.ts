/**
 * Column layouts of web-proxy CSV exports, as data: each preset is a `ColumnMapping` using the product's
 * documented field names plus a `matches(headerFields)` test, so a file whose header fits is read without
 * asking the user. Header names are compared by `headerKey` (case, spaces and punctuation ignored).
 */
import type { ColumnMapping } from './csv-mapped.ts';

export interface CsvPreset {
  mapping: ColumnMapping;
  /** True when a header row (already split into fields) has this layout. */
  matches(headerFields: readonly string[]): boolean;
}

const keysOf = (fields: readonly string[]) => new Set(fields.map((f) => f.toLowerCase().replace(/[^a-z0-9]/g, '')));
const anyOf = (keys: Set<string>, ...names: string[]) => names.some((n) => keys.has(n));

/**
 * Zscaler Internet Access NSS web-log feed written as CSV with the feed's field names as the header row
 * (`time`, `login`, `cip`, `sip`, `eurl`, `reqmethod`, `respcode`, `reqsize`, `respsize`, `ua`, ...).
 * `time` is ctime ("Mon Jun 20 15:29:11 2022") in the feed's configured zone (GMT by default);
 * `epochtime` is UTC seconds.
 */
const zscalerNssWeb: CsvPreset = {
  mapping: {
    id: 'zscaler-nss-web-csv',
    title: 'Zscaler NSS web log (CSV)',
    delimiter: ',',
    kind: 'proxy',
    timeFormat: 'auto',
    nullValues: ['None', 'NA', 'N/A'],
    columns: [
      { header: 'epochtime', target: 'ts' },
      { header: 'time', target: 'ts' },
      { header: 'login', target: 'src_user' },
      { header: 'cip', target: 'src_ip' },
      { header: 'cintip', target: 'src_ip' },
      { header: 'devicehostname', target: 'src_host' },
      { header: 'sip', target: 'dst_ip' },
      { header: 'eurl', target: 'url' },
      { header: 'url', target: 'url' },
      { header: 'ehost', target: 'dst_host' },
      { header: 'host', target: 'dst_host' },
      { header: 'action', target: 'action' },
      { header: 'reqmethod', target: 'method' },
      { header: 'respcode', target: 'status' },
      { header: 'ua', target: 'user_agent' },
      { header: 'useragent', target: 'user_agent' },
      { header: 'ereferer', target: 'referrer' },
      { header: 'referer', target: 'referrer' },
      { header: 'contenttype', target: 'content_type' },
      { header: 'reqsize', target: 'bytes_out' },
      { header: 'respsize', target: 'bytes_in' },
    ],
  },
  matches(fields) {
    const keys = keysOf(fields);
    return anyOf(keys, 'time', 'epochtime') && anyOf(keys, 'url', 'eurl') && anyOf(keys, 'login', 'cip') &&
      anyOf(keys, 'reqsize', 'respsize', 'reqmethod');
  },
};

/**
 * Forcepoint Web Security records written as CSV with the SIEM-integration key names as the header row
 * (`time`, `source`, `clientSourcePort`, `destination`, `port`, `urlHost`, `url`, `method`, `userAgent`,
 * `loginID`, `dispositionString`, `bytesSent`, `bytesReceived`, `contentType`). `bytesSent` is the request,
 * `bytesReceived` the response.
 */
const forcepointWeb: CsvPreset = {
  mapping: {
    id: 'forcepoint-web-csv',
    title: 'Forcepoint Web Security (CSV)',
    delimiter: ',',
    kind: 'proxy',
    timeFormat: 'auto',
    columns: [
      { header: 'time', target: 'ts' },
      { header: 'source', target: 'src_ip' },
      { header: 'clientSourcePort', target: 'src_port' },
      { header: 'loginID', target: 'src_user' },
      { header: 'userPath', target: 'src_user' },
      { header: 'destination', target: 'dst_ip' },
      { header: 'port', target: 'dst_port' },
      { header: 'url', target: 'url' },
      { header: 'urlHost', target: 'dst_host' },
      { header: 'method', target: 'method' },
      { header: 'httpStatusCode', target: 'status' },
      { header: 'userAgent', target: 'user_agent' },
      { header: 'contentType', target: 'content_type' },
      { header: 'dispositionString', target: 'action' },
      { header: 'bytesSent', target: 'bytes_out' },
      { header: 'bytesReceived', target: 'bytes_in' },
    ],
  },
  matches(fields) {
    const keys = keysOf(fields);
    return keys.has('time') && keys.has('url') && keys.has('source') && anyOf(keys, 'dispositionstring', 'dispositionnumber');
  },
};

/**
 * Palo Alto Networks URL Filtering log as CSV with the syslog field variable names as the header row
 * (`receive_time`, `src`, `dst`, `sport`, `dport`, `srcuser`, `misc` = URL, `http_method`, `user_agent`,
 * `referer`, `contenttype`, `action`), as custom log formats and SIEM exports write it. Times are the
 * firewall's local "yyyy/MM/dd HH:mm:ss". The Monitor-tab export (Title Case headers) and the positional
 * syslog form are read by palo-alto.ts instead.
 */
const paloAltoUrl: CsvPreset = {
  mapping: {
    id: 'paloalto-url-csv',
    title: 'Palo Alto URL Filtering log (CSV, field names)',
    delimiter: ',',
    kind: 'proxy',
    timeFormat: 'auto',
    columns: [
      { header: 'time_generated', target: 'ts' },
      { header: 'receive_time', target: 'ts' },
      { header: 'src', target: 'src_ip' },
      { header: 'sport', target: 'src_port' },
      { header: 'srcuser', target: 'src_user' },
      { header: 'dst', target: 'dst_ip' },
      { header: 'dport', target: 'dst_port' },
      { header: 'misc', target: 'url' },
      { header: 'url', target: 'url' },
      { header: 'http_method', target: 'method' },
      { header: 'user_agent', target: 'user_agent' },
      { header: 'referer', target: 'referrer' },
      { header: 'contenttype', target: 'content_type' },
      { header: 'action', target: 'action' },
      { header: 'proto', target: 'protocol' },
    ],
  },
  matches(fields) {
    const keys = keysOf(fields);
    return anyOf(keys, 'receivetime', 'timegenerated') && keys.has('src') && keys.has('dst') && anyOf(keys, 'misc', 'url');
  },
};

/** Every preset, most specific first. */
export const CSV_PRESETS: readonly CsvPreset[] = [zscalerNssWeb, forcepointWeb, paloAltoUrl];
