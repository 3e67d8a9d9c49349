import { describe, expect, it } from 'vitest';
import {
  MAX_FIELD_CHARS,
  extraJson,
  get,
  getInteger,
  getNumber,
  getString,
  parseJsonRecord,
  rawText,
  sniffJsonLines,
  type JsonRecord,
} from './json-record.ts';

function parsed(line: string): JsonRecord {
  const record = parseJsonRecord(line);
  if (typeof record === 'string') throw new Error(record);
  return record;
}

describe('parseJsonRecord', () => {
  it('flattens nested objects to dotted keys and keeps arrays', () => {
    const record = parsed('{"id":{"orig_h":"10.0.0.1","orig_p":5},"answers":["a","b"],"flow":{"x":{"y":1}}}');
    expect([...record]).toEqual([
      ['id.orig_h', '10.0.0.1'],
      ['id.orig_p', 5],
      ['answers', ['a', 'b']],
      ['flow.x.y', 1],
    ]);
  });

  it('answers an error string for non-JSON and non-objects', () => {
    expect(parseJsonRecord('{"a":')).toMatch(/^invalid JSON: /);
    expect(parseJsonRecord('[1,2]')).toBe('not a JSON object');
    expect(parseJsonRecord('null')).toBe('not a JSON object');
  });

  it('keeps __proto__ and constructor as ordinary keys without polluting prototypes', () => {
    const record = parsed('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}');
    expect(record.get('__proto__.admin')).toBe(true);
    expect(record.get('constructor.prototype.x')).toBe(1);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(get(record, 'toString')).toBeUndefined();
  });

  it('keeps integers beyond 2^53 exact as text, leaves strings and floats alone', () => {
    const record = parsed(
      '{"flow_id":1234567890123456789,"neg":-9007199254740993,"s":"1234567890123456789","f":1234567890123456.5,"ok":42}',
    );
    expect(record.get('flow_id')).toBe('1234567890123456789');
    expect(record.get('neg')).toBe('-9007199254740993');
    expect(record.get('s')).toBe('1234567890123456789');
    expect(record.get('f')).toBe(1234567890123456.5);
    expect(record.get('ok')).toBe(42);
  });

  it('does not mistake digits inside escaped strings for numbers', () => {
    const record = parsed('{"a":"x\\"12345678901234567890","b":12345678901234567890}');
    expect(record.get('a')).toBe('x"12345678901234567890');
    expect(record.get('b')).toBe('12345678901234567890');
  });

  it('stops flattening very deep nesting and keeps the rest as JSON text', () => {
    const deep = '{"a":'.repeat(20) + '1' + '}'.repeat(20);
    const record = parsed(deep);
    const [key, value] = [...record][0];
    expect(key.split('.')).toHaveLength(17);
    expect(value).toBe('{"a":{"a":{"a":1}}}');
  });
});

describe('getters', () => {
  const record = parsed('{"a":null,"b":"text","n":"12","f":1.5,"t":true,"arr":[1,"x"],"long":"' + 'x'.repeat(9000) + '"}');

  it('take the first present alias', () => {
    expect(get(record, 'missing', 'a', 'b')).toBe('text');
    expect(getString(record, 'f')).toBe('1.5');
    expect(getString(record, 't')).toBe('true');
    expect(getString(record, 'arr')).toBeNull();
    expect(getString(record, 'long')).toHaveLength(MAX_FIELD_CHARS);
  });

  it('read numbers and integers from numbers or numeric text', () => {
    expect(getNumber(record, 'n')).toBe(12);
    expect(getNumber(record, 'b')).toBeNull();
    expect(getInteger(record, 'f')).toBeNull();
    expect(getInteger(record, 'n')).toBe(12);
  });

  it('turn values into raw-table text and leftovers into extra JSON', () => {
    expect(rawText([1, 'x', null])).toBe('1,x,');
    expect(rawText([{ rdata: '1.2.3.4' }])).toBe('[{"rdata":"1.2.3.4"}]');
    expect(rawText(false)).toBe('false');
    expect(rawText(undefined)).toBeNull();
    expect(extraJson(record, new Set(['b', 'n', 'f', 't', 'long']))).toBe('{"arr":[1,"x"]}');
    expect(extraJson(record, new Set(['b', 'n', 'f', 't', 'long', 'arr']))).toBeNull();
  });
});

describe('sniffJsonLines', () => {
  it('averages the score over complete lines and skips the cut-off tail', () => {
    const score = (r: JsonRecord) => (r.has('k') ? 1 : 0);
    expect(sniffJsonLines('{"k":1}\n{"k":2}\nnot json\n{"k":3}\n{"k', score)).toBe(0.75);
    expect(sniffJsonLines('{"k":1}', score)).toBe(1);
    expect(sniffJsonLines('', score)).toBe(0);
  });
});
