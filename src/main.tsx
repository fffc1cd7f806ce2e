import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import './index.css';

function render() {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// IMPORTANT: test doubles only in dev builds. `import.meta.env.DEV` is the
// literal `false` in `vite build`, so this import (and src/testing) is dropped.
if (import.meta.env.DEV) {
  void import('./testing/install').then((m) => m.installTestDoubles()).finally(render);
} else {
  render();
}
