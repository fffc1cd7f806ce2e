import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { preloadLibrary } from './hooks/useLibrary';
import { deferEngineFactory } from './stores/engine';
import './index.css';

function render() {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// The library's read starts now and overlaps React's first render.
preloadLibrary();
// IMPORTANT: test doubles only in dev builds and in the benchmarks' own build
// (`vite build --mode bench`: React's production build with the scripted engine,
// so bench:scale measures what users run). In `vite build` both tests are the
// literal `false`, so this import (and src/testing) is dropped; the offline
// e2e's build step checks that no test double ships. The studio renders at
// once: the engine store makes no engine before the factory is settled.
if (import.meta.env.DEV || import.meta.env.MODE === 'bench') {
  deferEngineFactory(import('./testing/install').then((m) => m.testEngineFactory()));
}
render();
