#!/usr/bin/env node
// The `relaywatch` command: runs the TypeScript CLI (the same adapters and SQL as the browser) through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
