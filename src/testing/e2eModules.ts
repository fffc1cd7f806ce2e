/**
 * Dev builds and the e2e build only (main.tsx imports this behind a check that
 * is the literal `false` in `vite build` and in the bench build, whose chunks
 * stay as users get them): the engine modules the checker-worker e2e spec
 * drives without the UI, as `window.__e2eModules` (a build has no /src/*.ts
 * to import by URL).
 */
import type * as CheckerClientModule from '../engines/CheckerClient';
import type * as LiveCheckModule from '../engines/liveCheck';

export interface E2eModules {
  checkerClient(): Promise<typeof CheckerClientModule>;
  liveCheck(): Promise<typeof LiveCheckModule>;
}

export function exposeE2eModules(): void {
  const modules: E2eModules = {
    checkerClient: () => import('../engines/CheckerClient'),
    liveCheck: () => import('../engines/liveCheck'),
  };
  (globalThis as { __e2eModules?: E2eModules }).__e2eModules = modules;
}
