import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { preloadLibrary } from './hooks/useLibrary';
import { deferEngineFactory } from './stores/engine';
import './index.css';

/**
 * The first render is synchronous (flushSync), during the module's own run:
 * rendered the default way it was sliced into 5 ms pieces that waited behind
 * the page's loading work, and a 1,000-character library showed ~90 ms
 * later (bench:scale cold open, medians of 7: 263–269 ms, now 172–177 ms).
 * It costs one ~15–30 ms task at start, which the slices cost anyway.
 */
function render() {
  const root = createRoot(document.getElementById('root')!);
  flushSync(() =>
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
}

// The library's read starts now and overlaps React's first render.
preloadLibrary();
// IMPORTANT: test doubles only in dev builds and in the two test builds:
// `vite build --mode e2e` (the studio the e2e suite drives) and `--mode bench`
// (bench:scale's). Both are React's production build with the scripted engine,
// so the tests and benchmarks run what users run. In `vite build` all three
// tests are the literal `false`, so this import (and src/testing) is dropped;
// the offline e2e's build step checks that no test double ships. The studio
// renders at once: the engine store makes no engine before the factory is settled.
if (import.meta.env.DEV || import.meta.env.MODE === 'e2e' || import.meta.env.MODE === 'bench') {
  deferEngineFactory(import('./testing/install').then((m) => m.testEngineFactory()));
}
if (import.meta.env.DEV || import.meta.env.MODE === 'e2e') void import('./testing/e2eModules').then((m) => m.exposeE2eModules());
render();
