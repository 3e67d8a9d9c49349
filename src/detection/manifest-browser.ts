import { loadDetectionPack, type DetectionPack } from './manifest.ts';

const SQL_FILES = import.meta.glob(['./baselines/*.sql', './stages/*.sql', './analytics/*.sql'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** The detection pack bundled by Vite into the browser build. */
export function loadBrowserDetectionPack(): DetectionPack {
  return loadDetectionPack(Object.entries(SQL_FILES).map(([path, text]) => ({ path: path.replace(/^\.\//, ''), text })));
}
