import { describe, expect, it } from 'vitest';
import { explainEngineError } from './errors.ts';

describe('explainEngineError', () => {
  it('says what kind of error it is in words, without the JSON DuckDB-WASM wraps it in', () => {
    const json = new Error('{"exception_type":"Parser","exception_message":"syntax error at or near \\"SELEC\\"","position":"0"}');
    expect(explainEngineError(json)).toBe('The SQL could not be read: syntax error at or near "SELEC"');
    expect(explainEngineError(new Error('Catalog Error: Table with name nope does not exist!'))).toBe(
      'No such table, view or function: Table with name nope does not exist!',
    );
  });

  it('explains running out of memory once, however often it is asked', () => {
    const once = explainEngineError(new Error('Out of Memory Error: could not allocate block'));
    expect(once).toContain('command-line tool');
    expect(explainEngineError(new Error(once))).toBe(once);
  });

  it('keeps a message it does not recognise', () => {
    expect(explainEngineError('something odd')).toBe('something odd');
  });
});
