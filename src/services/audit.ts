/**
 * The character audit (issue 12 §1, after PersonaGym), end to end. Every
 * probe takes this path:
 *
 *   1. assemble  the full card prompt, exactly as a fresh chat would send it
 *                (domain/prompt: card, statements, lorebook; the greeting,
 *                then the probe as the user's only turn)
 *   2. generate  on the loaded engine; nothing is written into the chats
 *   3. check     the whole answer with the checker (checkReply: every
 *                statement × sentence, plus the role detectors)
 *   4. save      the run after every probe (audits table), so a reload or a
 *                failure keeps what finished
 *
 * Cancel keeps what finished (the probe in flight is dropped). A probe that
 * fails is recorded with its reason and shown; when the engine is left
 * unusable (a crash, lost device) or the checker unloads, the run ends there
 * as 'failed' with the reason. No React, no stores: the caller passes the
 * engine and the checker it holds and receives events.
 */
import type { Character } from '../domain/character';
import { DEFAULT_SAMPLING, type SamplingSettings } from '../domain/chat';
import { AUDIT_RUN_VERSION, DEFAULT_ANSWER_TOKENS, auditBlocker, clampAnswerTokens, type AuditProbe, type AuditRun, type ProbeResult } from '../domain/audit';
import { characterVoiceLines, toVerdict } from '../domain/consistency';
import { assemblePrompt, estimateTokens, foldForStrictTemplates, type HistoryMessage } from '../domain/prompt';
import { resolveMacros } from '../domain/text';
import type { ChatEngine } from '../engines/ChatEngine';
import { classifyEngineError } from '../engines/errors';
import { checkReply, type LiveCheckClient } from '../engines/liveCheck';
import { repos, type AuditRepository } from '../db';
import { displayName } from './chat';

/**
 * Reply budget of a probe, tokens. An answer of a few sentences shows whether
 * the character holds; a chat's 300 would double an audit's time on a CPU
 * model (BENCHMARKS.md, bench:audit) for little more evidence.
 */
export const AUDIT_MAX_TOKENS = DEFAULT_ANSWER_TOKENS;

/** Why an audit cannot start, in words the writer can act on. */
export class AuditInputError extends Error {
  override name = 'AuditInputError';
}

export interface AuditContext {
  character: Character;
  probes: AuditProbe[];
  engine: ChatEngine;
  /** The loaded checker and its flagging threshold. */
  checker: { client: LiveCheckClient; threshold: number };
  userName: string;
  /** Default AUDIT_MAX_TOKENS. */
  maxTokens?: number;
  /** Default DEFAULT_SAMPLING (a chat's defaults). */
  sampling?: SamplingSettings;
}

export interface AuditProgress {
  /** Probes answered (done or failed). */
  done: number;
  total: number;
  failed: number;
  /** Estimated ms left, from the mean time of the probes so far; null before the first. */
  etaMs: number | null;
}

export type AuditEvent =
  /** A probe starts (0-based index). */
  | { type: 'probe'; index: number; probe: AuditProbe; progress: AuditProgress }
  /** A probe ended; `run` holds every result so far. */
  | { type: 'result'; run: AuditRun; result: ProbeResult; progress: AuditProgress }
  /** A write of the run failed; the run goes on in memory (the final write retries). */
  | { type: 'save-failed'; error: unknown };

export interface AuditHandle {
  /** The run as it ended (complete, cancelled or failed). Never rejects. */
  readonly done: Promise<{ run: AuditRun; saved: boolean; error: unknown }>;
  /** First call: stop after the probe in flight is cut short (finished ones are kept). Second: force the engine to stop. */
  cancel(): void;
}

export interface AuditOptions {
  now?: () => number;
  /** Wall clock for stored times (Date.now). */
  clock?: () => number;
  newId?: () => string;
}

/** The audit use-case over the given repository. */
export function createAudits(store: Pick<AuditRepository, 'save'>, options: AuditOptions = {}) {
  const now = options.now ?? (() => performance.now());
  const clock = options.clock ?? (() => Date.now());
  const newId = options.newId ?? (() => globalThis.crypto.randomUUID());

  return {
    /**
     * Starts an audit. Events arrive through `onEvent` in order.
     * @throws {AuditInputError} when the character or the probes cannot be audited (nothing is stored).
     */
    start(ctx: AuditContext, onEvent: (e: AuditEvent) => void = () => {}): AuditHandle {
      const blocker = auditBlocker(ctx.character, ctx.probes);
      if (blocker) throw new AuditInputError(blocker);
      const { character, engine, checker, userName } = ctx;
      const controller = new AbortController();
      let presses = 0;
      const emit = (e: AuditEvent) => {
        try {
          onEvent(e);
        } catch {
          // A broken listener must not break the audit (results are still saved).
        }
      };
      const modelId = 'modelId' in engine.status && engine.status.modelId ? engine.status.modelId : 'unknown model';
      let run: AuditRun = {
        v: AUDIT_RUN_VERSION,
        id: newId(),
        characterId: character.id,
        characterName: character.card.name || displayName(character),
        createdAt: clock(),
        finishedAt: null,
        status: 'running',
        stopReason: null,
        modelId,
        checkerModelId: checker.client.modelId ?? 'unknown checker',
        threshold: checker.threshold,
        maxTokens: clampAnswerTokens(ctx.maxTokens ?? AUDIT_MAX_TOKENS),
        statements: character.statements.map((s) => ({ id: s.id, text: s.text, version: s.version, enabled: s.enabled })),
        probes: ctx.probes.map((p) => ({ ...p })),
        results: [],
      };
      let saveError: unknown = null;
      const save = async (): Promise<boolean> => {
        try {
          await store.save(run);
          saveError = null;
          return true;
        } catch (error) {
          saveError = error;
          emit({ type: 'save-failed', error });
          return false;
        }
      };

      const names = { char: displayName(character), user: userName };
      const greeting = resolveMacros(character.card.first_mes, names).trim();
      const voiceLines = characterVoiceLines(character.card, userName);
      const sampling = { ...(ctx.sampling ?? DEFAULT_SAMPLING), maxTokens: run.maxTokens };
      const total = ctx.probes.length;
      const started = now();
      const progress = (): AuditProgress => {
        const done = run.results.length;
        const failed = run.results.filter((r) => r.status === 'failed').length;
        return { done, total, failed, etaMs: done === 0 ? null : ((now() - started) / done) * (total - done) };
      };

      const runProbe = async (probe: AuditProbe): Promise<ProbeResult | 'cancelled' | { stop: string; result: ProbeResult }> => {
        const history: HistoryMessage[] = [];
        if (greeting) history.push({ role: 'assistant', name: names.char, content: greeting });
        history.push({ role: 'user', name: userName, content: probe.text });
        const prompt = assemblePrompt({
          card: character.card,
          statements: character.statements,
          history,
          userName,
          contextSize: Math.min(sampling.contextSize, engine.contextSize ?? Number.POSITIVE_INFINITY),
          maxReplyTokens: sampling.maxTokens,
          countTokens: estimateTokens,
        });
        const folded = foldForStrictTemplates(prompt.messages);
        let answer = '';
        const t0 = now();
        try {
          const result = await engine.generate(
            { messages: folded.messages, sampling, stop: prompt.stop },
            { signal: controller.signal, onDelta: (d) => (answer += d) },
          );
          if (controller.signal.aborted || result.finishReason === 'abort') return 'cancelled';
          answer = resolveMacros(result.text, names);
        } catch (e) {
          if (controller.signal.aborted) return 'cancelled';
          const error = classifyEngineError(e, 'generate');
          const partial = (e as { partialText?: string }).partialText;
          const result: ProbeResult = {
            probeId: probe.id,
            status: 'failed',
            answer: resolveMacros(partial && partial.length > answer.length ? partial : answer, names),
            verdict: null,
            error: `The model failed: ${error.userMessage}`,
            generateMs: now() - t0,
            checkMs: 0,
          };
          // An engine left without a model cannot answer the next probe either.
          if (engine.status.state !== 'ready') return { stop: `The model stopped working: ${error.userMessage}`, result };
          return result;
        }
        const generateMs = now() - t0;
        const t1 = now();
        const outcome = await checkReply(checker.client, {
          statements: character.statements,
          userTurn: probe.text,
          replyText: answer,
          threshold: checker.threshold,
          signal: controller.signal,
          roles: { userName, voiceLines },
        });
        const checkMs = now() - t1;
        if (outcome.status === 'checked') {
          return { probeId: probe.id, status: 'done', answer, verdict: toVerdict(outcome), error: null, generateMs, checkMs };
        }
        if (outcome.reason === 'cancelled' && controller.signal.aborted) return 'cancelled';
        const result: ProbeResult = { probeId: probe.id, status: 'failed', answer, verdict: null, error: `The checker failed: ${outcome.message}`, generateMs, checkMs };
        if (!checker.client.isReady) return { stop: `The checker stopped working: ${outcome.message}`, result };
        return result;
      };

      const done = (async () => {
        await save();
        let status: AuditRun['status'] = 'complete';
        let stopReason: string | null = null;
        for (let i = 0; i < total; i++) {
          if (controller.signal.aborted) {
            status = 'cancelled';
            break;
          }
          const probe = run.probes[i]!;
          emit({ type: 'probe', index: i, probe, progress: progress() });
          const outcome = await runProbe(probe);
          if (outcome === 'cancelled') {
            status = 'cancelled';
            break;
          }
          const result = 'stop' in outcome ? outcome.result : outcome;
          run = { ...run, results: [...run.results, result] };
          await save();
          emit({ type: 'result', run, result, progress: progress() });
          if ('stop' in outcome) {
            status = 'failed';
            stopReason = `${outcome.stop} ${run.results.length - 1} of ${total} probes had finished; they are kept.`;
            break;
          }
        }
        if (status === 'cancelled') stopReason = `Cancelled after ${run.results.length} of ${total} probes; the finished ones are kept.`;
        run = { ...run, status, stopReason, finishedAt: clock() };
        let saved = await save();
        // One more try for the last write: a busy database is often transient.
        if (!saved) saved = await save();
        return { run, saved, error: saved ? null : saveError };
      })();

      return {
        done,
        cancel() {
          presses++;
          if (presses === 1) controller.abort();
          else engine.interrupt();
        },
      };
    },
  };
}

export type Audits = ReturnType<typeof createAudits>;

/** The app's audits, over the app's repository. */
export const audits = createAudits({
  // A getter: the database opens on first use, not when this module loads.
  save: (run) => repos.audits.save(run),
});
