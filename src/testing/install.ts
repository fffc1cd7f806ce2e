/**
 * Dev builds and the test builds only (main.tsx imports this behind a check
 * that is the literal `false` in `vite build`, so a production build contains
 * none of src/testing): when an e2e test has put a script in localStorage,
 * every chat engine the studio makes is the scripted test double.
 */
import type { EngineFactory } from '../stores/engine';
import { readEngineScript, ScriptedEngine } from './ScriptedEngine';

/** The scripted engine's factory when a test asked for it (null: real engines). */
export function testEngineFactory(): EngineFactory | null {
  const script = readEngineScript();
  return script ? () => new ScriptedEngine(script) : null;
}
