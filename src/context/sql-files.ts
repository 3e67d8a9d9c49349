import type { ContextSql } from './context.ts';

const files = import.meta.glob<string>('./sql/*.sql', { query: '?raw', import: 'default', eager: true });

/** The context SQL files, bundled by Vite (browser and Vitest). */
export const CONTEXT_SQL: ContextSql = {
  dstServices: files['./sql/dst-services.sql'],
  hostRoles: files['./sql/host-roles.sql'],
  approvedPairs: files['./sql/approved-pairs.sql'],
};
