/**
 * TEST DOUBLE: a chat engine that "generates" scripted replies word by word.
 * It exists so UI flows that need known reply text (the consistency checker's
 * flags on a given sentence) can run in a browser without a language model.
 * It exists only in dev builds and the test builds (`--mode e2e`, which the
 * e2e tests drive, and `--mode bench`): src/testing/install.ts puts it in when
 * localStorage holds SCRIPTED_ENGINE_KEY, and production builds never import
 * this folder (main.tsx's import is behind a check that is `false` in `vite
 * build`). The real engines have their own tests.
 */
import type { ChatEngine, EngineStatus, GenerateOptions, GenerateRequest, GenerateResult, LoadOptions } from '../engines/ChatEngine';
import { StatusCell } from '../engines/engineStatus';
import { GpuDeviceLostError, OutOfMemoryError, WorkerCrashedError } from '../engines/errors';
import { SUMMARY_INSTRUCTION_OPENING } from '../domain/memory/storySoFar';

export const SCRIPTED_ENGINE_KEY = 'in-character.scripted-engine';

export interface EngineScript {
  /** Replies in order; the last one repeats. */
  replies: string[];
  /** Delay between words, ms. */
  wordDelayMs?: number;
  /**
   * Stream fixed slices of this many characters instead of words (a long
   * reply at a realistic number of deltas: 200 KB word by word would take
   * minutes of timer ticks).
   */
  charsPerDelta?: number;
  /** Simulate a failure after this many words of reply number `failOnTurn` (0-based). */
  failAfterWords?: number;
  failOnTurn?: number;
  failWith?: 'crash' | 'oom' | 'device-lost';
  /**
   * Before word number `holdAtWord` (0-based) of every reply, wait until the
   * test calls `window.__scriptedEngine.release()` (or the reply is stopped):
   * a test decides exactly when the reply goes on (e.g. after filling storage).
   */
  holdAtWord?: number;
  /** Hold only in reply number `holdOnTurn` (0-based), e.g. the second take of a reply. */
  holdOnTurn?: number;
  /**
   * The answer to every "Story so far" summarizing call (told by its
   * instruction); such calls do not use up `replies`. Absent: they take
   * replies like any call.
   */
  summaryReply?: string;
}

/** What a test can reach in the page while a scripted reply holds. */
export interface ScriptedEngineControl {
  /** True while a reply waits at `holdAtWord`. */
  held: boolean;
  release(): void;
  /** The last request the engine received (what a one-off generation such as Suggest asked). */
  lastRequest?: GenerateRequest;
}

function control(): ScriptedEngineControl {
  return ((globalThis as { __scriptedEngine?: ScriptedEngineControl }).__scriptedEngine ??= { held: false, release: () => undefined });
}

/** The script from localStorage, or null (the normal case). */
export function readEngineScript(): EngineScript | null {
  try {
    const raw = globalThis.localStorage?.getItem(SCRIPTED_ENGINE_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as EngineScript;
    return Array.isArray(value.replies) ? value : null;
  } catch {
    return null;
  }
}

export class ScriptedEngine implements ChatEngine {
  readonly kind = 'transformers' as const;
  private readonly cell = new StatusCell();
  private turn = 0;
  private stopRequested = false;
  /** Every request the engine received (tests read it through the page). */
  readonly requests: GenerateRequest[] = [];

  constructor(private readonly script: EngineScript) {}

  get status(): EngineStatus {
    return this.cell.value;
  }

  subscribe(listener: (status: EngineStatus) => void): () => void {
    return this.cell.subscribe(listener);
  }

  async load(modelId: string, options: LoadOptions = {}): Promise<void> {
    for (const p of [0, 0.5, 1]) {
      this.cell.set({ state: 'downloading', modelId, progress: { phase: 'downloading', progress: p, text: 'scripted' } });
      options.onProgress?.({ phase: 'downloading', progress: p, text: 'scripted' });
      await new Promise((r) => setTimeout(r, 5));
    }
    this.cell.set({ state: 'ready', modelId });
  }

  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    const status = this.cell.value;
    if (status.state !== 'ready') throw new Error('No model is loaded.');
    this.requests.push(request);
    control().lastRequest = request;
    this.cell.set({ state: 'busy', modelId: status.modelId });
    this.stopRequested = false;
    const summarizing = this.script.summaryReply !== undefined && (request.messages[0]?.content.startsWith(SUMMARY_INSTRUCTION_OPENING) ?? false);
    const turn = summarizing ? -1 : this.turn++;
    const reply = summarizing ? this.script.summaryReply! : (this.script.replies[Math.min(turn, this.script.replies.length - 1)] ?? '');
    const failAt = this.script.failWith && (this.script.failOnTurn ?? 0) === turn ? (this.script.failAfterWords ?? 0) : -1;
    const size = this.script.charsPerDelta;
    const pieces = size && size > 0 ? Array.from({ length: Math.ceil(reply.length / size) }, (_, i) => reply.slice(i * size, (i + 1) * size)) : (reply.match(/\S+\s*/g) ?? []);
    let text = '';
    const started = performance.now();
    let finishReason: GenerateResult['finishReason'] = 'stop';
    for (const [i, piece] of pieces.entries()) {
      if (i === this.script.holdAtWord && (this.script.holdOnTurn === undefined || this.script.holdOnTurn === turn)) await this.hold(options.signal);
      if (i === failAt) {
        const error =
          this.script.failWith === 'oom' ? new OutOfMemoryError() : this.script.failWith === 'device-lost' ? new GpuDeviceLostError() : new WorkerCrashedError();
        // As a real engine does: the model is gone, the status says so.
        this.cell.set({ state: 'error', modelId: status.modelId, error });
        throw Object.assign(error, { partialText: text });
      }
      if (this.stopRequested || options.signal?.aborted) {
        finishReason = 'abort';
        break;
      }
      await new Promise((r) => setTimeout(r, this.script.wordDelayMs ?? 30));
      text += piece;
      options.onDelta?.(piece);
    }
    this.cell.set({ state: 'ready', modelId: status.modelId });
    return { text, finishReason, usage: { promptTokens: 0, completionTokens: pieces.length }, timings: { totalMs: performance.now() - started } };
  }

  interrupt(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  private wake: (() => void) | null = null;

  /** Waits for the test's release() or a stop. */
  private hold(signal: AbortSignal | undefined): Promise<void> {
    const shared = control();
    return new Promise<void>((resolve) => {
      const done = () => {
        shared.held = false;
        this.wake = null;
        signal?.removeEventListener('abort', done);
        resolve();
      };
      if (this.stopRequested || signal?.aborted) return done();
      this.wake = done;
      shared.release = done;
      shared.held = true;
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async unload(): Promise<void> {
    this.cell.set({ state: 'absent' });
  }

  dispose(): void {
    this.cell.set({ state: 'absent' });
  }
}
