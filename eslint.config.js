// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'crypto', 'net', 'stream'];

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test/fixtures/**', 'bench/**/*.mjs'] },
  js.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The hub is plain Node: the same code runs in Electron, in `procdock serve` and in tests.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron', 'react'], patterns: ['**/renderer/**', '**/electron/**'] }],
    },
  },
  {
    // The API contract the renderer imports: no Node, no React, nothing else of the hub.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'better-sqlite3', 'dockerode', 'express'],
          patterns: [...nodeBuiltins, '../*/**', '!../shared/**'],
        },
      ],
    },
  },
  {
    // The renderer talks to the hub only over HTTP, through its one client.
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'better-sqlite3', 'dockerode', 'express'],
          patterns: [...nodeBuiltins, '**/src/!(shared)/**'],
        },
      ],
    },
  },
);
