import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { preloadLibrary } from './hooks/useLibrary';
import './index.css';

function render() {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// IMPORTANT: test doubles only in dev builds and in the benchmarks' own build
// (`vite build --mode bench`: React's production build with the scripted engine,
// so bench:scale measures what users run). In `vite build` both tests are the
// literal `false`, so this import (and src/testing) is dropped; the offline
// e2e's build step checks that no test double ships.
// The library's read starts now and overlaps React's first render.
preloadLibrary();
if (import.meta.env.DEV || import.meta.env.MODE === 'bench') {
  void import('./testing/install').then((m) => m.installTestDoubles()).finally(render);
} else {
  render();
}
