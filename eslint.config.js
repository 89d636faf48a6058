// ESLint flat config (npm run lint): @eslint/js recommended + typescript-eslint recommended over
// src/, tests/, bin/ and bench/. Checks for mistakes only; layout is left to Prettier (.prettierrc.json), and the
// layer rules and import cycles to dependency-cruiser (.dependency-cruiser.cjs, npm run deps).
// No type-aware rules (recommendedTypeChecked): they more than doubled the run (about 37 s against
// 15 s on a 2-core machine) and, on this code, found only `any` flowing from parsed JSON, Parquet and
// spreadsheet records (checked at run time), redundant assertions and the like; nothing to fix.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Node globals the plain JavaScript files use (bin/, bench/). Listed here rather than taken from
// the `globals` package, which is not a dependency of this project.
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'Buffer',
    'URL',
    'TextDecoder',
    'TextEncoder',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'performance',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    ignores: ['dist/', 'coverage/', 'node_modules/', '**/node_modules/', 'bench/results/', '.bench-tmp/', 'schema/', 'data/'],
  },
  {
    files: ['src/**/*.ts', 'tests/**/*.ts', 'tests/**/*.mjs', 'bin/**/*.js', 'bench/**/*.mjs', '*.config.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: nodeGlobals,
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // Unused names are errors, except the deliberate `const { dropped: _x, ...rest } = value` that
      // copies an object without some keys (src/cli/common.ts, tests, bench/run.mjs) and a parameter
      // named with a leading underscore, kept for its position in a callback.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
    },
  },
  {
    // These modules strip or replace control characters (C0, C1, DEL, U+2028/9) and ANSI escape
    // sequences before text from data files reaches a terminal, a message or a Graphviz/Mermaid
    // picture: the control characters in their regular expressions are the point, not a typo.
    files: ['src/domain/problems.ts', 'src/report/fit.ts', 'src/report/text.ts', 'src/report/trace-render.ts'],
    rules: { 'no-control-regex': 'off' },
  },
);
