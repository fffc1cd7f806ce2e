// Lint holds the layers apart (see src/CONTEXT.md): domain/ is pure, components
// reach storage and engines only through hooks/ and stores/.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// A folder pattern `**/db/**` also bans the folder's own index (`../db`).
const layer = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: patterns.map((p) => ({ group: p.endsWith('/**') ? [p, p.slice(0, -3)] : [p], message })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public', 'test-results', 'playwright-report', '.bench', 'dev-dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Scripts (benchmarks, fixtures, servers) run in Node and drive pages.
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
  },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Playwright fixtures call `use`, which is not React's hook.
  { files: ['e2e/**'], rules: { 'react-hooks/rules-of-hooks': 'off' } },
  layer(
    ['src/domain/**'],
    ['react', 'react-dom', 'dexie', 'dexie-react-hooks', 'zustand', '**/db/**', '**/stores/**', '**/components/**', '**/hooks/**', '**/engines/**', '**/workers/**', '@mlc-ai/*', '@huggingface/*'],
    'domain/ is pure TypeScript: no React, storage, state or engines.',
  ),
  layer(
    ['src/components/**'],
    ['**/db/**', '**/engines/**', '**/workers/**', 'dexie', '@mlc-ai/*', '@huggingface/*'],
    'Components reach storage and engines through hooks/ and stores/ only.',
  ),
  layer(
    ['src/services/**'],
    ['react', 'react-dom', 'zustand', '**/stores/**', '**/components/**', '**/hooks/**'],
    'services/ know nothing of React or UI state: stores and hooks call them and pass in what they need.',
  ),
  layer(
    ['src/db/**', 'src/engines/**', 'src/workers/**', 'src/stores/**'],
    ['react', 'react-dom', '**/components/**', '**/hooks/**'],
    'Storage, engines, workers and stores know nothing of React.',
  ),
);
