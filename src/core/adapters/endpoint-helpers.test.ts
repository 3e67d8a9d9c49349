import { describe, expect, it } from 'vitest';
import { hostOf, splitAddress, splitJsonObjects } from './endpoint-json.ts';
import { flexibleTimeToMicros } from './endpoint-time.ts';

const utc = (iso: string) => Date.parse(iso) * 1000;

describe('flexibleTimeToMicros', () => {
  it.each([
    ['/Date(1714564801123)/', 0, '2024-05-01T12:00:01.123Z'],
    ['5/1/2024 2:00:01 PM', 120, '2024-05-01T12:00:01Z'],
    ['5/1/2024 12:30:00 AM', 0, '2024-05-01T00:30:00Z'],
    ['May 1, 2024, 2:05:00 PM GMT+2', 0, '2024-05-01T12:05:00Z'],
    ['May 1, 2024, 7:05:00 AM GMT-5:00', 0, '2024-05-01T12:05:00Z'],
    ['2024-05-01 14:00:01', 120, '2024-05-01T12:00:01Z'],
  ])('%s at offset %i', (text, offset, iso) => {
    expect(flexibleTimeToMicros(text, offset)).toBe(utc(iso));
  });

  it('answers null for text that is no date', () => {
    expect(flexibleTimeToMicros('13/45/2024 1:00:00', 0)).toBeNull();
    expect(flexibleTimeToMicros('yesterday', 0)).toBeNull();
  });
});

describe('splitAddress and hostOf', () => {
  it('splits ports off addresses', () => {
    expect(splitAddress('203.0.113.7:51234')).toEqual({ ip: '203.0.113.7', port: 51234 });
    expect(splitAddress('[2001:db8::1]:443')).toEqual({ ip: '2001:db8::1', port: 443 });
    expect(splitAddress('2001:db8::1')).toEqual({ ip: '2001:db8::1', port: null });
    expect(splitAddress('::ffff:10.0.0.1')).toEqual({ ip: '10.0.0.1', port: null });
  });

  it('finds hosts in URLs only when asked to', () => {
    expect(hostOf('https://user@X.SharePoint.com:443/sites/a', true)).toBe('x.sharepoint.com');
    expect(hostOf('report.docx', true)).toBeNull();
    expect(hostOf('api.telegram.org/bot1/getUpdates')).toBe('api.telegram.org');
    expect(hostOf('00000003-0000-0000-c000-000000000000')).toBeNull();
  });
});

describe('splitJsonObjects', () => {
  it('cuts arrays and NDJSON into objects, keeping braces inside strings', () => {
    const pieces = splitJsonObjects('[\n{"a":"}{"},\n{"b":[1,{"c":2}]}\n]');
    expect(pieces.map((p) => [p.text, p.line, p.truncated])).toEqual([
      ['{"a":"}{"}', 2, false],
      ['{"b":[1,{"c":2}]}', 3, false],
    ]);
    const ndjson = splitJsonObjects('{"a":1}\ngarbage\n{"b":"x\\"');
    expect(ndjson.map((p) => [p.text, p.truncated])).toEqual([
      ['{"a":1}', false],
      ['garbage', false],
      ['{"b":"x\\"', true],
    ]);
  });
});
