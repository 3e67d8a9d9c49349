// `relaywatch` run by the benchmark: the CLI's own entry point in this process, then its peak resident memory on
// stderr (process.resourceUsage covers native DuckDB too: it lives in this process).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../cli/main.ts');
const code = await main(process.argv.slice(2));
process.stderr.write(`bench-peak-rss-kib ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
