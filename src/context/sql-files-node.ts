import { readFileSync } from 'node:fs';
import type { ContextSql } from './context.ts';

const read = (name: string) => readFileSync(new URL(`./sql/${name}`, import.meta.url), 'utf8');

/** The context SQL files read from disk (CLI on Node, where Vite's ?raw imports are not available). */
export function readContextSql(): ContextSql {
  return { dstServices: read('dst-services.sql'), hostRoles: read('host-roles.sql'), approvedPairs: read('approved-pairs.sql') };
}
