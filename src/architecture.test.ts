/**
 * The shape of the code base, checked: the top-level folders of src/ import each other without cycles, only the
 * engine folder talks to DuckDB, and shipped code never imports test support. Tests and fixtures may reach
 * across folders (they exercise them); shipped modules may not loop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const isTestOnly = (path: string) => /\.test\.ts$|[/\\]fixtures?[/\\]|\.fixture\.ts$|[/\\]test-support[/\\]|[/\\]bench[/\\]/.test(path);

function modules(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|svelte|mjs)$/.test(f))
    .map((f) => join(ROOT, folder, f));
}

/** Import specifiers of a module (static, dynamic, and worker URLs). */
function specifiers(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

/** 'src/<folder>' for files under src/, else the top-level folder ('workers'). */
function home(path: string): string {
  const parts = relative(ROOT, path).split(sep);
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : parts[0];
}

const shipped = [...modules('src'), ...modules('workers')].filter((p) => !isTestOnly(p));

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const path of shipped) {
    for (const spec of specifiers(path)) {
      if (!spec.startsWith('.')) continue;
      const [from, to] = [home(path), home(resolve(dirname(path), spec))];
      if (from !== to && from.startsWith('src/') && to.startsWith('src/')) {
        if (!graph.has(from)) graph.set(from, new Set());
        graph.get(from)!.add(to);
      }
    }
  }
  return graph;
}

/** Every folder cycle as 'a -> b -> a' (depth-first search; the graph has a dozen nodes). */
function cycles(graph: Map<string, Set<string>>): string[] {
  const found = new Set<string>();
  const walk = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.add([...path.slice(at), next].join(' -> '));
      else walk(next, [...path, next]);
    }
  };
  for (const start of graph.keys()) walk(start, [start]);
  return [...found];
}

describe('architecture', () => {
  it('the top-level folders of src/ import each other without a cycle', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(cycles(graph)).toEqual([]);
  });

  it('the cycle check finds a cycle when there is one', () => {
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['a'])]]))).toContain('a -> b -> a');
  });

  it('only src/engine imports DuckDB, and shipped code never imports tests, fixtures or e2e support', () => {
    const offenders: string[] = [];
    for (const path of shipped) {
      for (const spec of specifiers(path)) {
        if (spec.startsWith('@duckdb/') && home(path) !== 'src/engine') offenders.push(`${relative(ROOT, path)} imports ${spec}`);
        if (spec.startsWith('.') && (isTestOnly(resolve(dirname(path), spec)) || resolve(dirname(path), spec).startsWith(join(ROOT, 'e2e')))) {
          offenders.push(`${relative(ROOT, path)} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
