/**
 * Windows event XML (`wevtutil qe Microsoft-Windows-Sysmon/Operational /f:xml`, optionally wrapped in
 * `<Events>`) and Sysmon for Linux (one `<Event>` per syslog line). A strict reader for this fixed shape:
 * elements, attributes, text and the XML entities; anything malformed rejects only its own event.
 */
import { META, reject, type Adapter, type Outcome, type RecordParser, type Sink } from '../ingest/adapter.ts';
import { isoToMicros } from '../ingest/time.ts';
import { cleanDocument } from './endpoint-json.ts';
import { emitSysmon, type SysmonInput } from './sysmon-core.ts';

export interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  text: string;
}

const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"],
]);

/** Decode the five XML entities and numeric character references; throws on anything else. */
export function decodeXmlText(text: string): string {
  if (/&(?![^;&\s]{1,10};)/.test(text)) throw new Error('bare "&" in text');
  return text.replace(/&([^;&\s]{1,10});/g, (_, ref: string) => {
    const named = NAMED_ENTITIES.get(ref);
    if (named !== undefined) return named;
    const code = /^#x[0-9a-f]{1,6}$/i.test(ref)
      ? parseInt(ref.slice(2), 16)
      : /^#\d{1,7}$/.test(ref) ? Number(ref.slice(1)) : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff) throw new Error(`unknown entity &${ref};`);
    return String.fromCodePoint(code);
  });
}

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const ATTRIBUTE = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parse one element (with its children) from well-formed XML text; throws with a reason otherwise. */
export function parseXmlElement(xml: string): XmlElement {
  const root: XmlElement = { name: '', attributes: new Map(), children: [], text: '' };
  // Open elements with their qualified names, for matching close tags.
  const stack: { element: XmlElement; qualifiedName: string }[] = [{ element: root, qualifiedName: '' }];
  let pos = 0;
  while (pos < xml.length) {
    const current = stack[stack.length - 1].element;
    const lt = xml.indexOf('<', pos);
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > pos) current.text += decodeXmlText(xml.slice(pos, textEnd));
    if (lt < 0) break;
    const skip = [['<!--', '-->'], ['<?', '?>'], ['<![CDATA[', ']]>']].find(([open]) => xml.startsWith(open, lt));
    if (skip) {
      const close = xml.indexOf(skip[1], lt);
      if (close < 0) throw new Error(`unterminated ${skip[0]}`);
      if (skip[0] === '<![CDATA[') current.text += xml.slice(lt + skip[0].length, close);
      pos = close + skip[1].length;
      continue;
    }
    TAG.lastIndex = lt;
    const m = TAG.exec(xml);
    if (!m) throw new Error(`malformed tag at offset ${lt}`);
    const [whole, closing, qualifiedName, attributeText, selfClosing] = m;
    pos = lt + whole.length;
    if (closing) {
      if (stack.length === 1 || stack.pop()?.qualifiedName !== qualifiedName) {
        throw new Error(`unexpected </${qualifiedName}>`);
      }
      continue;
    }
    const element: XmlElement = { name: localName(qualifiedName), attributes: new Map(), children: [], text: '' };
    for (const a of attributeText.matchAll(ATTRIBUTE)) {
      element.attributes.set(localName(a[1]), decodeXmlText(a[2] ?? a[3] ?? ''));
    }
    current.children.push(element);
    if (!selfClosing) stack.push({ element, qualifiedName });
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].qualifiedName}>`);
  if (root.children.length !== 1) throw new Error('expected exactly one root element');
  return root.children[0];
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** A parsed `<Event>` element as Sysmon input. */
export function sysmonInputFromEventXml(event: XmlElement): SysmonInput {
  const system = child(event, 'System');
  const eventIdText = child(system, 'EventID')?.text.trim() ?? '';
  const systemTime = child(system, 'TimeCreated')?.attributes.get('SystemTime');
  const fields = new Map<string, string>();
  for (const data of child(event, 'EventData')?.children ?? []) {
    const name = data.attributes.get('Name');
    if (data.name === 'Data' && name) fields.set(name, data.text);
  }
  return {
    eventId: /^\d{1,5}$/.test(eventIdText) ? Number(eventIdText) : null,
    provider: child(system, 'Provider')?.attributes.get('Name') ?? null,
    computer: child(system, 'Computer')?.text.trim() || null,
    envelopeTime: systemTime ? isoToMicros(systemTime) : null,
    fields,
  };
}

/** Parse one `<Event>…</Event>` text and emit it. */
export function emitEventXml(xml: string, sink: Sink): Outcome {
  let event: XmlElement;
  try {
    event = parseXmlElement(xml);
  } catch (error) {
    return reject(`malformed event XML: ${(error as Error).message}`);
  }
  if (event.name !== 'Event') return reject(`expected <Event>, found <${event.name}>`);
  return emitSysmon(sysmonInputFromEventXml(event), sink);
}

const EVENT_START = /<Event[\s>/]/g;
const EVENT_END = '</Event>';

/** Windows event XML export of the Sysmon channel (document mode, one record per `<Event>`). */
export const sysmonXmlAdapter: Adapter = {
  id: 'sysmon-xml',
  title: 'Sysmon events as Windows event XML (wevtutil)',
  sniff(head) {
    const start = head.trimStart();
    if (!/^(?:<\?xml[^>]*\?>\s*)?(?:<Events>\s*)?<Event[\s>]/.test(start)) return 0;
    return /Microsoft-Windows-Sysmon|Linux-Sysmon/.test(head) ? 0.95 : 0.4;
  },
  open(): RecordParser {
    return {
      format: 'sysmon-xml',
      mode: 'document',
      document(text, sink, each) {
        const xml = cleanDocument(text);
        let pos = 0;
        for (let recordNo = 1; ; recordNo++) {
          EVENT_START.lastIndex = pos;
          const start = EVENT_START.exec(xml)?.index;
          if (start === undefined) break;
          EVENT_START.lastIndex = start + 1;
          const nextStart = EVENT_START.exec(xml)?.index ?? xml.length;
          const end = xml.indexOf(EVENT_END, start);
          if (end < 0 || end > nextStart) {
            each(reject('truncated <Event> element (no closing tag)'), recordNo, xml.slice(start, Math.min(nextStart, start + 500)));
            pos = nextStart;
            continue;
          }
          pos = end + EVENT_END.length;
          const eventText = xml.slice(start, pos);
          each(emitEventXml(eventText, sink), recordNo, eventText.slice(0, 500));
        }
      },
    };
  },
};

const SYSLOG_EVENT = /<Event[\s>][\s\S]*$/;

/** Sysmon for Linux: syslog lines each carrying one `<Event>` XML document. */
export const sysmonLinuxSyslogAdapter: Adapter = {
  id: 'sysmon-linux-syslog',
  title: 'Sysmon for Linux (syslog with event XML)',
  sniff(head) {
    const lines = head.split('\n').filter((l) => l.trim() !== '').slice(0, 20);
    if (!lines.length) return 0;
    const hits = lines.filter((l) => /^[^<]+\bsysmon\b[^<]*<Event[\s>]/i.test(l)).length;
    return hits / lines.length >= 0.5 ? 0.9 : 0;
  },
  open(): RecordParser {
    return {
      format: 'sysmon-linux-syslog',
      mode: 'line',
      line(text, _lineNo, sink) {
        const line = text.replace(/\r$/, '');
        if (line.trim() === '') return META;
        const xml = SYSLOG_EVENT.exec(line)?.[0];
        if (!xml) return reject('syslog line without an <Event> XML document');
        return emitEventXml(xml.trimEnd(), sink);
      },
    };
  },
};
