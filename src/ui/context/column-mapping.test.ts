import { describe, expect, it } from 'vitest';
import {
  PRESETS_STORAGE_KEY,
  applyPreset,
  draftFromHead,
  draftProblems,
  loadPresets,
  mappingFromDraft,
  mergePresets,
  parsePresets,
  presetsToJson,
  previewDraft,
  retarget,
  sampleRows,
  savePresets,
  withTarget,
  type KeyValueStorage,
} from './column-mapping.ts';

const HEAD = [
  'When;Client;Server Name;Request Path;Agent;Sent',
  '2024-05-02 10:00:00;10.1.2.25;api.telegram.org;/bot1/getUpdates;curl/8.0;310',
  '2024-05-02 10:05:00;10.1.2.25;api.telegram.org;/bot1/getUpdates;curl/8.0;305',
  'yesterday;10.1.2.25;api.telegram.org;/x;curl/8.0;1',
  '2024-05-02 10:15:0', // cut by the 64 KiB sniff
].join('\n');

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

describe('mapping draft', () => {
  it('detects the delimiter, splits header and rows, and pre-fills suggested targets', () => {
    const draft = draftFromHead(HEAD, 'web.txt', 120);
    expect(draft.delimiter).toBe(';');
    expect(draft.header).toEqual(['When', 'Client', 'Server Name', 'Request Path', 'Agent', 'Sent']);
    expect(draft.targets).toEqual(['', 'src_ip', '', '', '', '']);
    expect(draft.utcOffsetMinutes).toBe(120);
    expect(sampleRows(HEAD, ';')).toHaveLength(3);
    expect(sampleRows(HEAD, ';')[0][2]).toBe('api.telegram.org');
    expect(draftProblems(draft)).toEqual(['Map a time column (or a date and a time column).']);
  });

  it('re-splits the header when the delimiter changes', () => {
    const draft = retarget(draftFromHead(HEAD, 'web.txt', 0), HEAD, ',');
    expect(draft.header).toEqual(['When;Client;Server Name;Request Path;Agent;Sent']);
    expect(draft.targets).toEqual(['']);
  });

  it('previews rows exactly as the ingest parses them, with zone-less times at the chosen offset', () => {
    let mutable = { ...draftFromHead(HEAD, 'web.txt', 120), name: 'Acme gateway' };
    expect(mutable.kind).toBe('flow');
    (['ts', 'src_ip', 'dst_host', 'url_path', 'user_agent', 'bytes_out'] as const).forEach((t, i) => (mutable = withTarget(mutable, i, t)));
    expect(mutable.kind).toBe('proxy');
    expect({ ...withTarget({ ...mutable, kindChosen: true, kind: 'firewall' }, 2, '') }.kind).toBe('firewall');
    expect(draftProblems(mutable)).toEqual([]);
    const mapping = mappingFromDraft(mutable);
    expect(mapping.id).toBe('csv-mapped-acme-gateway');
    expect(mapping.columns).toHaveLength(6);
    const rows = previewDraft(HEAD, mutable);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(rows[0].event).toMatchObject({ kind: 'proxy', src_ip: '10.1.2.25', dst_host: 'api.telegram.org', url_path: '/bot1/getUpdates', bytes_out: 310 });
    // 10:00 at UTC+02:00 is 08:00 UTC.
    expect(new Date(rows[0].event!.ts / 1000).toISOString()).toBe('2024-05-02T08:00:00.000Z');
    expect(rows[2]).toMatchObject({ event: null, reason: 'bad time "yesterday"' });
    expect(rows[3].reason).toMatch(/expected 6 fields/);
  });
});

describe('mapping presets', () => {
  it('saves, reloads, exports and re-imports presets as data', () => {
    const storage = new MemoryStorage();
    const draft = { ...draftFromHead(HEAD, 'web.txt', 60), name: 'Acme gateway' };
    draft.targets = ['ts', 'src_ip', 'dst_host', 'url_path', 'user_agent', 'bytes_out'];
    const presets = mergePresets([], [{ name: draft.name, mapping: mappingFromDraft(draft) }]);
    expect(savePresets(storage, presets)).toBeNull();
    expect(storage.map.has(PRESETS_STORAGE_KEY)).toBe(true);
    const reloaded = loadPresets(storage);
    expect(reloaded).toEqual(presets);
    expect(parsePresets(presetsToJson(reloaded)).presets).toEqual(presets);

    // Applied to a file whose header differs in case and spacing and has an extra column.
    const other = 'when;CLIENT;server_name;Request Path;Agent;Sent;Extra\n2024-05-02 10:00:00;10.0.0.1;x.example;/;ua;1;z\n';
    const applied = applyPreset(draftFromHead(other, 'other.txt', 0), reloaded[0], other);
    expect(applied.name).toBe('Acme gateway');
    expect(applied.utcOffsetMinutes).toBe(60);
    expect(applied.targets).toEqual(['ts', 'src_ip', 'dst_host', 'url_path', 'user_agent', 'bytes_out', '']);
  });

  it('drops unknown targets and refuses presets that are not usable data', () => {
    const text = JSON.stringify([
      { name: 'ok', mapping: { delimiter: ',', kind: 'proxy', timeFormat: 'iso', columns: [{ header: 'time', target: 'ts' }, { header: 'x', target: '__proto__' }, { header: 'y', target: 'constructor' }] } },
      { name: 'bad delimiter', mapping: { delimiter: 'x', kind: 'proxy', columns: [{ header: 'time', target: 'ts' }] } },
      { name: 'bad kind', mapping: { delimiter: ',', kind: 'toString', columns: [{ header: 'time', target: 'ts' }] } },
      { name: '', mapping: {} },
      'string',
    ]);
    const { presets, issues } = parsePresets(text);
    expect(presets).toHaveLength(1);
    expect(presets[0].mapping.columns).toEqual([{ header: 'time', target: 'ts' }]);
    expect(presets[0].mapping.timeFormat).toBe('iso');
    expect(issues).toEqual(["'bad delimiter': unknown delimiter", "'bad kind': unknown event kind", 'a preset without a name', 'not a preset object']);
    expect(parsePresets('{').issues[0]).toMatch(/^not JSON/);
    expect(parsePresets('{"a":1}').issues).toEqual(['expected a list of presets']);
  });

  it('falls back to no presets when storage throws', () => {
    const broken: KeyValueStorage = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } };
    expect(loadPresets(broken)).toEqual([]);
    expect(savePresets(broken, [])).toMatch(/quota/);
  });
});
