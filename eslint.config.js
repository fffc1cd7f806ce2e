// Lint holds the layers apart: every row of src/CONTEXT.md ("may import") is
// a rule here (ROWS below), so the table is what lint enforces.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------
// Layers: one row per folder of src/CONTEXT.md. `may` lists the src/ folders
// it may import (besides its own), `libs` the libraries among LIBRARIES it
// may use; every other folder and library is banned. Production files also
// may not import src/test/ (test kits); a folder's *.test.ts files may, and
// are free to use any library (fake-indexeddb, a Dexie instance, …).
// `new Worker(new URL('../workers/x.worker.ts', import.meta.url))` in
// engines/ is not an import: that is how workers/ is reached, by nothing else.

const FOLDERS = ['domain', 'protocol', 'db', 'workers', 'engines', 'platform', 'pwa', 'services', 'stores', 'hooks', 'components', 'app'];

const LIBRARIES = {
  react: ['react', 'react/*', 'react-dom', 'react-dom/*'],
  'dexie-react-hooks': ['dexie-react-hooks'],
  dexie: ['dexie', 'dexie/*'],
  zustand: ['zustand', 'zustand/*'],
  '@mlc-ai/web-llm': ['@mlc-ai/*'],
  '@huggingface/transformers': ['@huggingface/*'],
  'onnxruntime-web': ['onnxruntime-web', 'onnxruntime-web/*'],
  workbox: ['workbox-*'],
};

const ROWS = {
  domain: { may: [], libs: [], why: 'domain/ is pure TypeScript: no React, storage, state, engines or workers.' },
  protocol: { may: ['domain'], libs: [], why: 'protocol/ is what both sides of a worker share: plain types, errors and the wire format.' },
  db: { may: ['domain'], libs: ['dexie'], why: 'db/ owns IndexedDB and knows only the domain types it stores.' },
  workers: {
    may: ['domain', 'protocol'],
    libs: ['@huggingface/transformers', 'onnxruntime-web', '@mlc-ai/web-llm'],
    why: 'workers/ runs in the worker: it shares only domain/ and protocol/ with the main thread.',
  },
  engines: {
    may: ['domain', 'protocol'],
    libs: ['@mlc-ai/web-llm'],
    why: 'engines/ are the main-thread clients of the workers: they reach workers/ only through new Worker(new URL(...)), and know nothing of storage, state or UI.',
  },
  platform: { may: ['domain'], libs: [], why: 'platform/ wraps browser APIs; it may use pure domain/ rules (which image bytes are allowed) and nothing else of the app.' },
  pwa: { may: [], libs: ['workbox'], why: 'pwa/ (the service worker and its registration) imports nothing of the app.' },
  services: {
    may: ['domain', 'protocol', 'db', 'engines', 'platform'],
    libs: [],
    why: 'services/ know nothing of React or UI state: stores and hooks call them and pass in what they need.',
  },
  stores: {
    may: ['domain', 'protocol', 'engines', 'services'],
    libs: ['zustand'],
    why: 'stores/ hold session and UI state; storage goes through services/, and they know nothing of React.',
  },
  hooks: {
    may: ['domain', 'protocol', 'db', 'engines', 'services', 'stores', 'platform', 'pwa'],
    libs: ['react', 'dexie-react-hooks'],
    why: 'hooks/ serve components: they may use every layer below, never components/ or app/.',
  },
  components: {
    may: ['domain', 'hooks', 'stores', 'platform'],
    libs: ['react'],
    why: 'Components reach storage and engines through hooks/ and stores/ only.',
  },
  app: {
    may: ['domain', 'protocol', 'db', 'engines', 'services', 'stores', 'hooks', 'components', 'platform', 'pwa'],
    libs: ['react'],
    why: 'app/ is the shell: every layer but workers/ (entry files) and src/test/ (test kits).',
  },
};

const folderGroup = (f) => [`**/${f}/**`, `**/${f}`];

/** The no-restricted-imports patterns of one row. */
function rowPatterns(folder, { tests = false } = {}) {
  const row = ROWS[folder];
  const banned = FOLDERS.filter((f) => f !== folder && !row.may.includes(f));
  const patterns = [{ group: banned.flatMap(folderGroup), message: `${row.why} (src/CONTEXT.md)` }];
  const libs = Object.keys(LIBRARIES).filter((l) => !row.libs.includes(l));
  if (!tests && libs.length > 0) {
    patterns.push({ group: libs.flatMap((l) => LIBRARIES[l]), message: `${row.why} Libraries allowed here: ${row.libs.join(', ') || 'none'}.` });
  }
  if (!tests) patterns.push({ group: folderGroup('test'), message: 'src/test/ holds test kits: only *.test.ts files import them.' });
  return patterns;
}

const TESTS = '**/*.test.{ts,tsx}';

function layerRules(folder, { ignores = [] } = {}) {
  return [
    {
      files: [`src/${folder}/**/*.{ts,tsx}`],
      ignores: [TESTS, ...ignores],
      rules: { 'no-restricted-imports': ['error', { patterns: rowPatterns(folder) }] },
    },
    {
      files: [`src/${folder}/**/${TESTS}`],
      rules: { 'no-restricted-imports': ['error', { patterns: rowPatterns(folder, { tests: true }) }] },
    },
  ];
}

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
  ...FOLDERS.flatMap((f) => layerRules(f)),
  // The database itself stays inside db/: everyone else goes through `repos`.
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/db/**', 'src/test/**', TESTS],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "ImportSpecifier[imported.name='getDb']", message: 'Only db/ opens the database; use the repositories (`repos` from db/).' },
        { selector: "ImportSpecifier[imported.name='StudioDb']", message: 'Only db/ opens the database; use the repositories (`repos` from db/).' },
      ],
    },
  },
);
