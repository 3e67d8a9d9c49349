/**
 * W3C extended log format / ELFF: `#Fields:` names the space-separated columns (any order, any subset);
 * `-` is null; values with spaces are double-quoted (Blue Coat / Symantec ProxySG) or have spaces as `+` (IIS).
 * Times are UTC per the W3C draft. A file is reported as 'w3c-proxysg' (proxy fields such as cs-host,
 * s-action, sc-filter-result) or 'w3c-iis' (cs-uri-stem, s-ip), else 'w3c-elff'.
 * ProxySG rows are kind 'proxy'; IIS rows are web-server transactions, kind 'http' (dst = the IIS server).
 */
import type { EventRecord } from '../canonical.ts';
import { LOADED, META, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import { extraJson, intOrNull, normaliseAction, numberOrNull, portOrNull, splitDelimitedLine, splitUrl, textOrNull } from './csv-mapped.ts';

type Flavour = 'w3c-proxysg' | 'w3c-iis' | 'w3c-elff';

const PROXY_FIELDS = ['cs-host', 's-action', 'sc-filter-result', 'cs-uri-scheme', 'r-ip', 'cs-categories'];

/** Field names this adapter maps; everything else goes to `extra`. */
const MAPPED = new Set([
  'date', 'time', 'time-taken', 'c-ip', 'c-port', 's-ip', 's-port', 'r-ip', 's-supplier-ip', 'r-dns', 'r-port', 'cs-host', 'cs-uri-port',
  'cs-uri-path', 'cs-uri-stem', 'cs-uri-query', 'cs-uri', 'cs-uri-scheme', 'cs-method', 'cs-username', 'cs(user-agent)',
  'cs(referer)', 'sc-status', 'sc-bytes', 'cs-bytes', 'rs(content-type)', 'sc(content-type)', 's-action', 'sc-filter-result',
]);

function flavourOf(fields: readonly string[]): Flavour {
  if (PROXY_FIELDS.some((f) => fields.includes(f))) return 'w3c-proxysg';
  if (fields.includes('cs-uri-stem')) return 'w3c-iis';
  return 'w3c-elff';
}

/** ProxySG's decision: sc-filter-result (OBSERVED / PROXIED / DENIED), else whether s-action says DENIED. */
function proxyAction(filterResult: string | null, sAction: string | null): string | null {
  if (filterResult) return normaliseAction(filterResult);
  if (sAction) return sAction.includes('DENIED') ? 'deny' : 'allow';
  return null;
}

function joinQuery(path: string | null, query: string | null): string | null {
  if (!query) return path;
  const q = query.startsWith('?') ? query : `?${query}`;
  return (path ?? '') + q;
}

class W3cParser implements RecordParser {
  private fields: string[] | null = null;
  private index = new Map<string, number>();
  private flavour: Flavour = 'w3c-elff';

  get format(): string {
    return this.flavour;
  }

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    if (text.trim() === '') return META;
    if (text.startsWith('#')) {
      const m = /^#Fields:\s*(.*)$/i.exec(text);
      if (m) this.setFields(m[1].trim().split(/\s+/));
      return META;
    }
    if (!this.fields) return reject('data before any #Fields: line');
    const values = splitDelimitedLine(text, text.includes('\t') ? '\t' : ' ');
    if (!values) return reject('unbalanced quotes');
    if (values.length !== this.fields.length) return reject(`expected ${this.fields.length} fields, got ${values.length}`);
    return this.emit(values, sink);
  }

  private setFields(names: string[]): void {
    this.fields = names.map((n) => n.toLowerCase());
    this.index = new Map(this.fields.map((n, i) => [n, i]));
    this.flavour = flavourOf(this.fields);
  }

  private get(values: string[], name: string): string | null {
    const i = this.index.get(name);
    return i === undefined ? null : textOrNull(values[i]);
  }

  private emit(v: string[], sink: Sink): Outcome {
    const date = this.get(v, 'date');
    const time = this.get(v, 'time');
    if (!date || !time) return reject('missing date or time');
    const ts = isoToMicros(`${date}T${time}Z`);
    if (ts === null) return reject(`bad date/time "${date} ${time}"`.slice(0, 60));

    const iis = this.flavour === 'w3c-iis';
    const plusToSpace = (s: string | null) => (iis && s ? s.replaceAll('+', ' ') : s);
    const method = this.get(v, 'cs-method');
    const timeTaken = numberOrNull(this.get(v, 'time-taken'));
    const rec: EventRecord = {
      ts,
      kind: this.flavour === 'w3c-proxysg' || (this.flavour === 'w3c-elff' && this.index.has('cs-host')) ? 'proxy' : 'http',
      src_ip: this.get(v, 'c-ip'),
      src_port: portOrNull(this.get(v, 'c-port')),
      src_user: this.get(v, 'cs-username'),
      method,
      status: intOrNull(this.get(v, 'sc-status')),
      user_agent: plusToSpace(this.get(v, 'cs(user-agent)')),
      referrer: this.get(v, 'cs(referer)'),
      content_type: this.get(v, 'rs(content-type)') ?? this.get(v, 'sc(content-type)'),
      bytes_in: intOrNull(this.get(v, 'sc-bytes')),
      bytes_out: intOrNull(this.get(v, 'cs-bytes')),
      duration: timeTaken === null ? null : timeTaken / 1000,
      action: proxyAction(this.get(v, 'sc-filter-result'), this.get(v, 's-action')),
    };
    if (iis) {
      rec.dst_ip = this.get(v, 's-ip');
      rec.dst_port = portOrNull(this.get(v, 's-port'));
    } else {
      rec.dst_ip = this.get(v, 'r-ip') ?? this.get(v, 's-supplier-ip');
      rec.dst_port = portOrNull(this.get(v, 'cs-uri-port')) ?? portOrNull(this.get(v, 'r-port'));
    }
    const fullUrl = this.get(v, 'cs-uri');
    const urlParts = fullUrl ? splitUrl(fullUrl) : null;
    const host = this.get(v, 'cs-host') ?? urlParts?.host ?? this.get(v, 'r-dns');
    if (host) {
      rec.dst_host = host;
      rec.dst_host_origin = method === 'CONNECT' ? 'connect' : iis ? 'http-host' : this.get(v, 'cs-host') || urlParts ? 'url' : 'log';
    }
    const path = this.get(v, 'cs-uri-path') ?? this.get(v, 'cs-uri-stem') ?? urlParts?.path ?? null;
    rec.url_path = joinQuery(path, this.get(v, 'cs-uri-query'));
    rec.dst_port ??= urlParts?.port ?? null;
    rec.extra = extraJson(this.fields!.flatMap((name, i): [string, string][] => (MAPPED.has(name) ? [] : [[name, v[i]]])));
    sink.event(rec);
    return LOADED;
  }
}

export const w3cElffAdapter: Adapter = {
  id: 'w3c-elff',
  title: 'W3C extended / ELFF (Blue Coat ProxySG, IIS)',
  sniff(head) {
    const m = /^#Fields:[ \t]*(.*)$/im.exec(head);
    if (!m) return 0;
    const fields = m[1].trim().toLowerCase().split(/\s+/);
    return fields.includes('date') && fields.includes('time') ? 0.95 : 0.5;
  },
  open: () => new W3cParser(),
};
