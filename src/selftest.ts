/** The engine self-test page: the SqlEngine contract cases on DuckDB-WASM, one table row per case. */
import { WasmEngine } from './engine/wasm-engine.ts';
import { ENGINE_CONTRACT } from './engine/contract.ts';
import './ui/theme.css';

const status = document.getElementById('selftest-status')!;
const body = document.getElementById('selftest-cases') as HTMLTableSectionElement;

function addRow(name: string, error: string | null): void {
  const row = body.insertRow();
  row.dataset.testid = 'contract-case';
  row.dataset.result = error === null ? 'pass' : 'fail';
  row.insertCell().textContent = name;
  row.insertCell().textContent = error ?? 'pass';
}

async function main(): Promise<void> {
  const engine = await WasmEngine.start();
  let failures = 0;
  for (const c of ENGINE_CONTRACT) {
    try {
      await c.run(engine);
      addRow(c.name, null);
    } catch (error) {
      failures++;
      addRow(c.name, error instanceof Error ? error.message : String(error));
    }
  }
  await engine.close();
  status.dataset.state = failures ? 'failed' : 'passed';
  status.textContent = failures ? `${failures} of ${ENGINE_CONTRACT.length} cases failed` : `All ${ENGINE_CONTRACT.length} cases passed`;
}

main().catch((error) => {
  status.dataset.state = 'failed';
  status.textContent = `The engine could not start: ${error instanceof Error ? error.message : String(error)}`;
});
