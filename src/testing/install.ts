/**
 * Dev builds and the test builds only (main.tsx imports this behind a check
 * that is the literal `false` in `vite build`, so a production build contains
 * none of src/testing): when an e2e test has put a script in localStorage,
 * every chat engine the studio makes is the scripted test double.
 */
import type * as CheckerClientModule from '../engines/CheckerClient';
import type * as LiveCheckModule from '../engines/liveCheck';
import type { EngineFactory } from '../stores/engine';
import { readEngineScript, ScriptedEngine } from './ScriptedEngine';

/** The scripted engine's factory when a test asked for it (null: real engines). */
export function testEngineFactory(): EngineFactory | null {
  const script = readEngineScript();
  return script ? () => new ScriptedEngine(script) : null;
}

/**
 * The engine modules the checker-worker e2e spec drives without the UI:
 * `window.__e2eModules` (the e2e build has no /src/*.ts to import by URL).
 */
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
