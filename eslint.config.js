import { defineConfig, globalIgnores } from 'eslint/config';
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

// Non-type-checked presets: `svelte-check` already type-checks, and lint stays fast enough to run in `npm test`.
export default defineConfig(
  globalIgnores(['dist/', 'dist-*/', 'release/', 'test-results/', 'playwright-report/', 'bench-results/']),
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  // Layout is Prettier's business, not the linter's.
  prettier,
  svelte.configs.prettier,
  {
    languageOptions: {
      // The same tree holds browser code, workers and Node tools (CLI, benchmarks, tests).
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
      parserOptions: { extraFileExtensions: ['.svelte'] },
    },
  },
  {
    // `const { head: _head, ...rest } = x` is how the code drops a field from a copy.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
);
