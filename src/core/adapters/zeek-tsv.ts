/**
 * Zeek's default ASCII (TSV) logs: `#separator`, `#set_separator`, `#empty_field`, `#unset_field`, `#path`,
 * `#open`, `#fields`, `#types` headers (fields in any order, header blocks may repeat in concatenated
 * files), a `#close` footer, `-` for unset, `(empty)` for empty strings and containers, and `\xNN` escapes.
 */
import { META, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import type { JsonRecord } from './json-record.ts';
import { emitZeekRecord, inferZeekPath, safeName } from './zeek-common.ts';

/** A header line: `#` + directive word, then the separator, a space or the end of the line. */
const DIRECTIVE = /^#([A-Za-z_]+)/;

const ESCAPES = /(?:\\x[0-9a-fA-F]{2})+|\\\\/g;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undo Zeek's value escaping: runs of `\xNN` bytes decode as UTF-8 (left escaped when they are not valid
 * UTF-8, so binary junk stays visible) and `\\` becomes `\`.
 */
export function unescapeZeek(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(ESCAPES, (run) => {
    if (run === '\\\\') return '\\';
    const bytes = new Uint8Array(run.length / 4);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 4 + 2, i * 4 + 4), 16);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return run;
    }
  });
}

/**
 * The header state of a Zeek TSV log: separators, empty/unset markers, path, fields and types, updated one
 * `#` line at a time. Shared by the line parser and the SQL load plan, so both read headers the same way.
 */
export class ZeekTsvHeader {
  separator = '\t';
  setSeparator = ',';
  emptyField = '(empty)';
  unsetField = '-';
  path: string | null = null;
  fields: string[] | null = null;
  types: string[] = [];
  containerColumns: boolean[] = [];

  /** Apply a header line to the state; false when the line is data whose first value starts with '#'. */
  read(text: string): boolean {
    const directive = DIRECTIVE.exec(text);
    if (!directive) return false;
    const name = directive[1];
    const after = text.slice(directive[0].length);
    if (name === 'separator') {
      this.separator = unescapeZeek(after.trimStart()) || '\t';
      return true;
    }
    if (after !== '' && !after.startsWith(this.separator) && !after.startsWith(' ')) return false;
    const value = after.slice(1);
    switch (name) {
      case 'set_separator':
        this.setSeparator = unescapeZeek(value) || ',';
        break;
      case 'empty_field':
        this.emptyField = value;
        break;
      case 'unset_field':
        this.unsetField = value;
        break;
      case 'path':
        this.path = safeName(value);
        break;
      case 'fields':
        this.fields = value.split(this.separator);
        break;
      case 'types':
        this.types = value.split(this.separator);
        break;
      // #open, #close and any other comment carry nothing a record needs.
    }
    // Either order of #fields and #types works: container flags follow the latest of both.
    this.containerColumns = (this.fields ?? []).map((_, i) => /^(set|vector)\[/.test(this.types[i] ?? ''));
    return true;
  }
}

class ZeekTsvParser implements RecordParser {
  private readonly header = new ZeekTsvHeader();

  get format(): string {
    return this.header.path === null ? 'zeek-tsv' : `zeek-${this.header.path}-tsv`;
  }

  line(text: string, _lineNo: number, sink: Sink): Outcome {
    const header = this.header;
    if (text.startsWith('#') && header.read(text)) return META;
    const fields = header.fields;
    // Before any #fields, a header line indented by stray whitespace (seen in the field) is still the header.
    if (!fields && /^\s+#/.test(text) && header.read(text.trimStart())) return META;
    if (!fields) return reject('data line before the #fields header');
    const values = text.split(header.separator);
    if (values.length !== fields.length) {
      return reject(`expected ${fields.length} fields, found ${values.length} (truncated or malformed line)`);
    }
    const record: JsonRecord = new Map();
    for (let i = 0; i < fields.length; i++) record.set(fields[i], this.decodeValue(values[i], header.containerColumns[i]));
    return emitZeekRecord(header.path ?? inferZeekPath(fields), record, sink);
  }

  private decodeValue(raw: string, container: boolean): string | string[] | null {
    const header = this.header;
    if (raw === header.unsetField) return null;
    if (raw === header.emptyField) return container ? [] : '';
    return container ? raw.split(header.setSeparator).map(unescapeZeek) : unescapeZeek(raw);
  }
}

/** Zeek TSV logs (any path); conn/dns/http/ssl become canonical events, other paths raw `zeek_<path>` rows. */
export const zeekTsvAdapter: Adapter = {
  id: 'zeek-tsv',
  title: 'Zeek TSV log',
  sniff(head: string): number {
    if (/^#separator /.test(head)) return 1;
    return /^#fields\t/m.test(head) && /^#types\t/m.test(head) ? 0.9 : 0;
  },
  open: () => new ZeekTsvParser(),
};
