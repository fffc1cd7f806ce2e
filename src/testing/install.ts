/**
 * Dev builds only (main.tsx imports this behind `import.meta.env.DEV`, so a
 * production build contains none of src/testing): when an e2e test has put a
 * script in localStorage, every chat engine the studio makes is the scripted
 * test double.
 */
import { setEngineFactory } from '../stores/engine';
import { readEngineScript, ScriptedEngine } from './ScriptedEngine';

export function installTestDoubles(): void {
  const script = readEngineScript();
  if (script) setEngineFactory(() => new ScriptedEngine(script));
}
