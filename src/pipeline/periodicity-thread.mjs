// A worker thread of the CLI's timing analysis: the same TypeScript the browser's analysis worker runs (via tsx).
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { analyzePeriodicity } = await import('../detection/periodicity/index.ts');

parentPort.on('message', ({ id, series, options }) => {
  try {
    parentPort.postMessage({ id, results: series.map((times) => analyzePeriodicity(Array.from(times), options)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  }
});
