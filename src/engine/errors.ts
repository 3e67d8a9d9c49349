/** What each kind of DuckDB error means to someone who wrote or ran the query. */
const KINDS: Record<string, string> = {
  Parser: 'The SQL could not be read',
  Catalog: 'No such table, view or function',
  Binder: 'A name in the query does not match a column or table',
  Conversion: 'A value could not be converted',
  'Invalid Input': 'The input is not valid',
  Constraint: 'A constraint was violated',
  'Not implemented': 'DuckDB cannot do this',
};

/**
 * DuckDB-WASM reports some errors as JSON ({"exception_type":"Parser","exception_message":…}) and others as
 * "Parser Error: …"; both become one sentence, its kind said in words.
 */
function plainMessage(raw: string): string {
  let type: string | undefined;
  let text = raw;
  const json = /\{[\s\S]*"exception_message"[\s\S]*\}/.exec(raw)?.[0];
  if (json) {
    try {
      const parsed = JSON.parse(json) as { exception_type?: string; exception_message?: string };
      type = parsed.exception_type;
      text = parsed.exception_message ?? raw;
    } catch {
      // Not JSON after all: keep the text.
    }
  } else {
    const prefixed = /^(?:Error: )?([A-Z][A-Za-z ]*?) Error: ([\s\S]*)$/.exec(raw);
    if (prefixed) [, type, text] = prefixed;
  }
  const kind = type ? KINDS[type] : undefined;
  return kind ? `${kind}: ${text.trim()}` : text.trim();
}

const OUT_OF_MEMORY = 'The browser tab ran out of memory for this query';

/** Turns engine failures into messages an investigator can act on. */
export function explainEngineError(error: unknown): string {
  const message = plainMessage(error instanceof Error ? error.message : String(error));
  if (message.startsWith(OUT_OF_MEMORY)) return message;
  if (/out of memory|could not allocate|allocation failure|memory_limit|failed to allocate/i.test(message)) {
    return (
      OUT_OF_MEMORY + ' (WebAssembly caps the engine near 4 GB). ' +
      'Load fewer or smaller files, or run the same analysis with the command-line tool ' +
      '(`npx relaywatch analyze FILES…`), which uses native DuckDB and spills to disk. Details: ' +
      message
    );
  }
  if (/interrupt/i.test(message)) return 'The query was cancelled.';
  return message;
}

/** True when the browser can run the engine at all. */
export function webAssemblySupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
}
