/** Turns engine failures into messages an investigator can act on. */
export function explainEngineError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/out of memory|could not allocate|allocation failure|memory_limit|failed to allocate/i.test(message)) {
    return (
      'The browser tab ran out of memory for this query (WebAssembly caps the engine near 4 GB). ' +
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
