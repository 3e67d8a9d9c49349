/**
 * Node-only timing script (not imported by the app): `npx tsx src/generator/benchmark.ts [hosts days]...`.
 * Streams each scenario, counting bytes and lines without keeping the text, and prints a table.
 */
import { generateFiles } from './scenario.ts';

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [50, 2, 500, 7];
console.log('hosts\tdays\tseconds\tMiB\tlines\tincidents\tpeak heap MiB');
for (let i = 0; i + 1 < sizes.length; i += 2) {
  const [hosts, days] = [sizes[i], sizes[i + 1]];
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  let peakHeap = 0;
  let incidents = 0;
  for (const chunk of generateFiles({ seed: 1, hosts, days, incidents: 12 })) {
    const text = chunk.text ?? '';
    bytes += text.length;
    for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) lines++;
    if (chunk.name === 'answer-key.json') incidents = (JSON.parse(text) as { incidents: unknown[] }).incidents.length;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log([hosts, days, seconds.toFixed(1), (bytes / 1048576).toFixed(0), lines, incidents, (peakHeap / 1048576).toFixed(0)].join('\t'));
}
