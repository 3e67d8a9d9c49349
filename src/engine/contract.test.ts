import { describe, it } from 'vitest';
import { NativeEngine } from './native-engine.ts';
import { ENGINE_CONTRACT } from './contract.ts';

describe('SqlEngine contract on native DuckDB (the browser runs the same cases on DuckDB-WASM: e2e/engine-contract.spec.ts)', () => {
  for (const c of ENGINE_CONTRACT) {
    it(c.name, async () => {
      const engine = await NativeEngine.open();
      try {
        await c.run(engine);
      } finally {
        engine.close();
      }
    });
  }
});
