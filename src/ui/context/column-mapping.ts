/**
 * Model of the column-mapping dialog for files no adapter recognised: a draft read from the sniffed head
 * (delimiter, header, first rows, suggested targets), a preview of the first rows parsed with the draft, and
 * saved mapping presets. Presets are plain data (names and header → field pairs) checked field by field when
 * they are read back from storage or an imported file.
 */
import { EVENT_COLUMNS, type EventKind, type EventRecord } from '../../core/canonical.ts';
import {
  createMappedCsvAdapter,
  detectDelimiter,
  headerKey,
  splitDelimitedLine,
  suggestMapping,
  type ColumnMapping,
  type MappedTarget,
  type TimeFormat,
} from '../../core/adapters/csv-mapped.ts';
import { LOADED, META } from '../../core/ingest/adapter.ts';

export const DELIMITERS: readonly { value: string; label: string }[] = [
  { value: ',', label: 'comma ,' },
  { value: '\t', label: 'tab' },
  { value: ';', label: 'semicolon ;' },
  { value: '|', label: 'pipe |' },
];

/** Every event kind with a label; a Record so a new kind in canonical.ts cannot be forgotten here. */
export const KIND_LABELS: Record<EventKind, string> = {
  proxy: 'web proxy', firewall: 'firewall', flow: 'flow / connection', dns: 'DNS', http: 'HTTP', tls: 'TLS',
  alert: 'alert', process: 'process', saas: 'SaaS audit',
};

export const TIME_FORMATS: Record<TimeFormat, string> = {
  auto: 'auto-detect', iso: 'ISO 8601', 'epoch-s': 'epoch seconds', 'epoch-ms': 'epoch milliseconds',
  'epoch-us': 'epoch microseconds', ctime: 'ctime (Mon Jun 20 15:29:11 2022)', mdy: 'M/D/YYYY h:mm', dmy: 'D/M/YYYY h:mm',
};

/** Targets a column can be mapped to: the canonical fields an adapter may fill, plus date, time and url helpers. */
export const TARGETS: readonly MappedTarget[] = [
  'ts', 'date', 'time', 'url',
  ...(EVENT_COLUMNS.map((c): string => c.name).filter(
    (name) => !['ts', 'kind', 'extra', 'source_file', 'source_format', 'source_line'].includes(name),
  ) as MappedTarget[]),
];
const TARGET_SET: ReadonlySet<string> = new Set(TARGETS);
const WHERE_TARGETS: ReadonlySet<MappedTarget> = new Set(['src_ip', 'src_host', 'src_user', 'dst_ip', 'dst_host', 'url', 'dns_query']);

/** Short help per helper target shown in the select. */
export const TARGET_HINTS: Partial<Record<MappedTarget, string>> = {
  ts: 'time stamp (date and time)', date: 'date (joined with time)', time: 'time of day (joined with date)', url: 'full URL → host, port, path',
};

export const MAX_NAME_LENGTH = 80;
const MAX_PRESETS = 200;
const MAX_HEADER_LENGTH = 200;
const PREVIEW_LINES = 8;

/** What the dialog edits: one target ('' = ignored) per header column, and the other mapping fields. */
export interface MappingDraft {
  name: string;
  delimiter: string;
  kind: EventKind;
  /** False once the analyst picked the kind; until then it follows the mapped columns. */
  kindChosen: boolean;
  timeFormat: TimeFormat;
  utcOffsetMinutes: number;
  header: string[];
  /** Same length as `header`. */
  targets: (MappedTarget | '')[];
}

/** Non-empty lines of a sniffed head, without a last line the 64 KiB cut may have truncated. */
function headLines(head: string): string[] {
  const lines = head.split(/\r?\n/);
  if (lines.length > 1 && !/\r?\n$/.test(head)) lines.pop();
  return lines.filter((l) => l.trim() !== '');
}

/** Splits the head's first line with `delimiter` (the header row), [] when it cannot be split. */
export function headerFields(head: string, delimiter: string): string[] {
  const first = headLines(head)[0];
  return first ? (splitDelimitedLine(first, delimiter) ?? []).map((f) => f.trim()) : [];
}

/** The first data rows of the head, split with `delimiter` (unsplittable lines are shown whole). */
export function sampleRows(head: string, delimiter: string, count = PREVIEW_LINES): string[][] {
  return headLines(head).slice(1, count + 1).map((line) => splitDelimitedLine(line, delimiter) ?? [line]);
}

/** A draft for `head`: the detected delimiter, and suggestMapping()'s targets for the header. */
export function draftFromHead(head: string, name: string, utcOffsetMinutes: number): MappingDraft {
  const delimiter = detectDelimiter(headLines(head)[0] ?? '');
  return retarget({ name, delimiter, kind: 'proxy', kindChosen: false, timeFormat: 'auto', utcOffsetMinutes, header: [], targets: [] }, head, delimiter);
}

/** The draft with a new delimiter: the header is split again and targets suggested afresh. */
export function retarget(draft: MappingDraft, head: string, delimiter: string): MappingDraft {
  const header = headerFields(head, delimiter);
  const suggested = suggestMapping(header, delimiter);
  const byHeader = new Map(suggested.columns.map((c) => [c.header, c.target]));
  const targets = header.map((h) => byHeader.get(h) ?? '');
  return { ...draft, delimiter, header, targets, kind: draft.kindChosen ? draft.kind : kindFor(targets) };
}

/** The event kind mapped columns imply (as suggestMapping decides it): DNS, proxy, firewall, else flow. */
export function kindFor(targets: readonly (MappedTarget | '')[]): EventKind {
  const has = (...names: MappedTarget[]) => names.some((n) => targets.includes(n));
  if (has('dns_query')) return 'dns';
  if (has('url', 'url_path', 'method', 'dst_host')) return 'proxy';
  return has('action') ? 'firewall' : 'flow';
}

/** The draft with column `index` mapped to `target` (the kind follows unless the analyst chose one). */
export function withTarget(draft: MappingDraft, index: number, target: MappedTarget | ''): MappingDraft {
  const targets = draft.targets.map((t, i) => (i === index ? target : t));
  return { ...draft, targets, kind: draft.kindChosen ? draft.kind : kindFor(targets) };
}

/** Slug used in the format id, so sources read with a named mapping say which one. */
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);

/** The ColumnMapping a draft describes. */
export function mappingFromDraft(draft: MappingDraft): ColumnMapping {
  const name = draft.name.trim().slice(0, MAX_NAME_LENGTH);
  return {
    id: slug(name) ? `csv-mapped-${slug(name)}` : 'csv-mapped',
    title: name || 'Column-mapped CSV',
    delimiter: draft.delimiter,
    kind: draft.kind,
    columns: draft.header.flatMap((header, i) => (draft.targets[i] ? [{ header, target: draft.targets[i] as MappedTarget }] : [])),
    timeFormat: draft.timeFormat,
    utcOffsetMinutes: draft.utcOffsetMinutes,
  };
}

/** Why the draft cannot be loaded yet (no time, nothing saying who talked to what, a field mapped twice), or []. */
export function draftProblems(draft: MappingDraft): string[] {
  const problems: string[] = [];
  const used = draft.targets.filter((t): t is MappedTarget => t !== '');
  const hasWhole = used.includes('ts');
  if (!hasWhole && !(used.includes('date') && used.includes('time')))
    problems.push('Map a time column (or a date and a time column).');
  if (!used.some((t) => WHERE_TARGETS.has(t))) problems.push('Map at least one source or destination column (IP, host, user, URL or DNS query).');
  if (draft.header.length === 0) problems.push('The header row cannot be split with this delimiter.');
  return problems;
}

export interface PreviewRow {
  line: number;
  event: EventRecord | null;
  reason: string | null;
}

/** The head's first lines parsed with the draft's mapping, exactly as the ingest will parse them. */
export function previewDraft(head: string, draft: MappingDraft, count = PREVIEW_LINES): PreviewRow[] {
  const parser = createMappedCsvAdapter(mappingFromDraft(draft)).open({ utcOffsetMinutes: draft.utcOffsetMinutes, fileName: draft.name });
  const rows: PreviewRow[] = [];
  const lines = head.split(/\r?\n/);
  for (let i = 0; i < lines.length && rows.length < count; i++) {
    let event: EventRecord | null = null;
    const outcome = parser.line!(lines[i], i + 1, { event: (e) => (event = e), raw: () => {} });
    if (outcome === META) continue;
    rows.push({ line: i + 1, event: outcome === LOADED ? event : null, reason: outcome === LOADED ? null : outcome.reject });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------------------

export interface MappingPreset {
  name: string;
  mapping: ColumnMapping;
}

/** Minimal storage interface (window.localStorage fits), so presets can be tested without a browser. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const PRESETS_STORAGE_KEY = 'relaywatch.mapping-presets.v1';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One preset from untrusted JSON, or why it was refused. Unknown targets and extra keys are dropped. */
export function readPreset(value: unknown): MappingPreset | string {
  if (!isRecord(value) || !isRecord(value.mapping)) return 'not a preset object';
  const name = typeof value.name === 'string' ? value.name.trim().slice(0, MAX_NAME_LENGTH) : '';
  if (!name) return 'a preset without a name';
  const m = value.mapping;
  const delimiter = DELIMITERS.some((d) => d.value === m.delimiter) ? (m.delimiter as string) : null;
  if (!delimiter) return `'${name}': unknown delimiter`;
  if (typeof m.kind !== 'string' || !Object.hasOwn(KIND_LABELS, m.kind)) return `'${name}': unknown event kind`;
  const timeFormat = typeof m.timeFormat === 'string' && Object.hasOwn(TIME_FORMATS, m.timeFormat) ? (m.timeFormat as TimeFormat) : 'auto';
  const columns = (Array.isArray(m.columns) ? m.columns : []).flatMap((c) =>
    isRecord(c) && typeof c.header === 'string' && c.header.length <= MAX_HEADER_LENGTH && typeof c.target === 'string' && TARGET_SET.has(c.target)
      ? [{ header: c.header, target: c.target as MappedTarget }]
      : [],
  );
  if (!columns.length) return `'${name}': no usable columns`;
  const offset = typeof m.utcOffsetMinutes === 'number' && Number.isInteger(m.utcOffsetMinutes) && Math.abs(m.utcOffsetMinutes) <= 14 * 60 ? m.utcOffsetMinutes : null;
  const draft: MappingDraft = {
    name, delimiter, kind: m.kind as EventKind, kindChosen: true, timeFormat, utcOffsetMinutes: offset ?? 0,
    header: columns.map((c) => c.header), targets: columns.map((c) => c.target),
  };
  return { name, mapping: { ...mappingFromDraft(draft), utcOffsetMinutes: offset } };
}

/** Presets from a JSON text (an array of presets, or `{ presets: [...] }`): the usable ones and what was refused. */
export function parsePresets(text: string): { presets: MappingPreset[]; issues: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { presets: [], issues: [`not JSON: ${(error as Error).message}`] };
  }
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.presets) ? value.presets : null;
  if (!list) return { presets: [], issues: ['expected a list of presets'] };
  const presets: MappingPreset[] = [];
  const issues: string[] = [];
  for (const item of list.slice(0, MAX_PRESETS)) {
    const preset = readPreset(item);
    if (typeof preset === 'string') issues.push(preset);
    else presets.push(preset);
  }
  if (list.length > MAX_PRESETS) issues.push(`only the first ${MAX_PRESETS} presets were read`);
  return { presets, issues };
}

/** Presets as an exportable JSON file. */
export function presetsToJson(presets: readonly MappingPreset[]): string {
  return `${JSON.stringify({ presets }, null, 2)}\n`;
}

/** Adds or replaces (same name) presets, keeping the list sorted by name. */
export function mergePresets(current: readonly MappingPreset[], added: readonly MappingPreset[]): MappingPreset[] {
  const byName = new Map(current.map((p) => [p.name, p]));
  for (const p of added) byName.set(p.name, p);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_PRESETS);
}

/** Saved presets; storage that fails (private mode, quota) degrades to an in-memory list. */
export function loadPresets(storage: KeyValueStorage | null): MappingPreset[] {
  try {
    const text = storage?.getItem(PRESETS_STORAGE_KEY);
    return text ? parsePresets(text).presets : [];
  } catch {
    return [];
  }
}

/** Writes the presets; returns an error message when storage refused them. */
export function savePresets(storage: KeyValueStorage | null, presets: readonly MappingPreset[]): string | null {
  try {
    storage?.setItem(PRESETS_STORAGE_KEY, presetsToJson(presets));
    return null;
  } catch (error) {
    return `Presets could not be saved in this browser: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * A draft with a preset applied to this file: the header is split with the preset's delimiter, columns are
 * matched by header key, and columns the preset does not name are ignored.
 */
export function applyPreset(draft: MappingDraft, preset: MappingPreset, head: string): MappingDraft {
  const targetByKey = new Map(preset.mapping.columns.map((c) => [headerKey(c.header), c.target]));
  const resplit = retarget(draft, head, preset.mapping.delimiter);
  return {
    ...resplit,
    name: preset.name,
    kind: preset.mapping.kind,
    kindChosen: true,
    timeFormat: preset.mapping.timeFormat,
    utcOffsetMinutes: preset.mapping.utcOffsetMinutes ?? draft.utcOffsetMinutes,
    targets: resplit.header.map((h) => targetByKey.get(headerKey(h)) ?? ''),
  };
}
