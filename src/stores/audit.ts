import { create } from 'zustand';
import type { Character } from '../domain/character';
import type { AuditProbe, AuditRun } from '../domain/audit';
import { audits, AuditInputError, type AuditHandle } from '../services/audit';
import { userName } from '../services/chat';
import { describeStorageError } from '../services/storage';
import { turnChecker } from './checker';
import { useEngine } from './engine';
import { useSession } from './session';

/** The audit in progress (one at a time: it holds the chat model). */
export interface RunningAudit {
  characterId: string;
  done: number;
  total: number;
  failed: number;
  /** ms left, estimated from the probes so far; null before the first ends. */
  etaMs: number | null;
  /** The probe being answered now. */
  current: string | null;
  cancelling: boolean;
}

interface AuditSlice {
  running: RunningAudit | null;
  /** Why the last start did not happen, or why the run could not be stored (per character). */
  problem: { characterId: string; text: string } | null;
  /** The run that just ended (the screen opens its report). */
  finished: { characterId: string; runId: string } | null;
  /** Starts an audit of the character with these probes; resolves with the run, or null when it could not start. */
  start: (character: Character, probes: AuditProbe[], maxTokens?: number) => Promise<AuditRun | null>;
  /** First press: stop after the probe in flight; a second forces the engine. */
  cancel: () => void;
  clearProblem: () => void;
}

let handle: AuditHandle | null = null;

export const useAudit = create<AuditSlice>()((set, get) => ({
  running: null,
  problem: null,
  finished: null,

  start: async (character, probes, maxTokens) => {
    const say = (text: string) => {
      set({ problem: { characterId: character.id, text } });
      return null;
    };
    if (get().running) return say('An audit is already running.');
    const { engine, status } = useEngine.getState();
    if (!engine || status.state !== 'ready') {
      return say(status.state === 'busy' || useSession.getState().streaming ? 'The chat model is busy with a reply. Wait for it or stop it, then audit.' : 'No chat model is loaded. Open Models and load one: the audit asks the character through it.');
    }
    const checker = await turnChecker();
    if (!checker.client) return say('The checker is not loaded. Open Models and load the checker: it scores every answer.');
    let started: AuditHandle;
    try {
      started = audits.start({ character, probes, maxTokens, engine, checker: { client: checker.client, threshold: checker.threshold }, userName: await userName() }, (e) => {
        const r = get().running;
        if (!r) return;
        if (e.type === 'probe') set({ running: { ...r, current: e.probe.text, etaMs: e.progress.etaMs } });
        else if (e.type === 'result') set({ running: { ...r, done: e.progress.done, failed: e.progress.failed, etaMs: e.progress.etaMs } });
        else if (e.type === 'save-failed') set({ problem: { characterId: character.id, text: `The audit could not be saved: ${describeStorageError(e.error).detail} It goes on; the results stay on screen.` } });
      });
    } catch (e) {
      return say(e instanceof AuditInputError ? e.message : `The audit could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    handle = started;
    set({ problem: null, finished: null, running: { characterId: character.id, done: 0, total: probes.length, failed: 0, etaMs: null, current: null, cancelling: false } });
    const { run, saved, error } = await started.done;
    handle = null;
    set({ running: null, finished: { characterId: character.id, runId: run.id } });
    if (!saved) set({ problem: { characterId: character.id, text: `The audit could not be saved: ${describeStorageError(error).detail}` } });
    return run;
  },

  cancel: () => {
    const r = get().running;
    if (!r || !handle) return;
    handle.cancel();
    set({ running: { ...r, cancelling: true } });
  },

  clearProblem: () => set({ problem: null }),
}));
