import { afterEach, describe, expect, it } from 'vitest';
import { buildCharacter } from '../db/characters';
import { newStatement } from '../domain/character';
import { auditReport, generateProbes, type AuditRun } from '../domain/audit';
import type { ChatEngine, EngineStatus, GenerateOptions, GenerateRequest, GenerateResult } from '../engines/ChatEngine';
import { WorkerCrashedError } from '../engines/errors';
import { loadStubCheckerClient } from '../test/stubCheckerClient';
import { AuditInputError, createAudits, type AuditEvent } from './audit';

/**
 * TEST DOUBLE: an engine that answers each call with the next scripted reply
 * (the last repeats), optionally crashing on call `crashOn` (the model is then
 * gone, as with a real crash), or holding call `holdOn` until it is aborted.
 */
function stubEngine(replies: string[], opts: { crashOn?: number; holdOn?: number } = {}) {
  const requests: GenerateRequest[] = [];
  let status: EngineStatus = { state: 'ready', modelId: 'stub-model' };
  const engine: ChatEngine & { requests: GenerateRequest[]; holding: Promise<void> } = {
    kind: 'transformers',
    get status() {
      return status;
    },
    requests,
    holding: Promise.resolve(),
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      const call = requests.push(request) - 1;
      const text = replies[Math.min(call, replies.length - 1)]!;
      if (call === opts.crashOn) {
        status = { state: 'error', modelId: 'stub-model', error: new WorkerCrashedError() };
        throw Object.assign(new WorkerCrashedError(), { partialText: 'I was say' });
      }
      if (call === opts.holdOn) {
        await new Promise<void>((resolve) => {
          if (options.signal?.aborted) resolve();
          options.signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        return { text: '', finishReason: 'abort', usage: { promptTokens: 1, completionTokens: 0 } };
      }
      options.onDelta?.(text);
      return { text, finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } };
    },
    interrupt: () => undefined,
    unload: async () => undefined,
    dispose: () => undefined,
  };
  return engine;
}

const maren = () =>
  buildCharacter({
    card: { name: 'Maren Holt', first_mes: 'Hello, {{user}}.', description: 'Keeps the lighthouse.' },
    statements: [newStatement('Maren cannot swim.', 'manual'), newStatement('Maren loves black tea.', 'manual')],
  });

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function memoryStore() {
  const saved: AuditRun[] = [];
  return { saved, save: async (run: AuditRun) => void saved.push(structuredClone(run)) };
}

describe('audit service', () => {
  it('runs every probe as a fresh single-turn chat with the card prompt and scores each answer', async () => {
    const { client, dispose } = await loadStubCheckerClient();
    cleanups.push(dispose);
    const character = maren();
    const { probes } = generateProbes(character.statements, { maxProbes: 4 });
    const engine = stubEngine(['Of course I swim every morning.', 'The storm is loud tonight.']);
    const store = memoryStore();
    const events: AuditEvent[] = [];
    const handle = createAudits(store).start({ character, probes, engine, checker: { client, threshold: 0.5 }, userName: 'Alex' }, (e) => events.push(e));
    const { run, saved } = await handle.done;

    expect(saved).toBe(true);
    expect(run.status).toBe('complete');
    expect(run.results).toHaveLength(4);
    expect(run.modelId).toBe('stub-model');
    expect(run.statements.map((s) => s.version)).toEqual([1, 1]);
    // Each request: the card's system prompt, the greeting, then the probe alone.
    for (const [i, request] of engine.requests.entries()) {
      const system = request.messages[0]!;
      expect(system.role).toBe('system');
      expect(system.content).toContain('Keeps the lighthouse.');
      expect(system.content).toContain('Maren cannot swim.');
      expect(request.messages.at(-1)).toEqual({ role: 'user', content: probes[i]!.text });
      expect(request.messages.filter((m) => m.role === 'user')).toHaveLength(1);
      expect(request.sampling.maxTokens).toBe(160);
    }
    const report = auditReport(run);
    const swim = report.statements.find((r) => r.statement.text === 'Maren cannot swim.')!;
    expect(swim.status).toBe('contradicted');
    expect(swim.worst?.flaggedSentence).toBe('Of course I swim every morning.');
    expect(report.statements.find((r) => r.statement.text === 'Maren loves black tea.')!.status).toBe('not-addressed');
    // Saved at the start, after every probe and at the end.
    expect(store.saved.length).toBe(6);
    expect(store.saved[0]!.status).toBe('running');
    const last = events.filter((e) => e.type === 'result').at(-1)!;
    expect(last.type === 'result' && last.progress).toMatchObject({ done: 4, total: 4, failed: 0, etaMs: 0 });
  });

  it('keeps the finished probes and says why when the model fails mid-audit', async () => {
    const { client, dispose } = await loadStubCheckerClient();
    cleanups.push(dispose);
    const character = maren();
    const { probes } = generateProbes(character.statements, { maxProbes: 5 });
    const store = memoryStore();
    const engine = stubEngine(['Fine words.'], { crashOn: 2 });
    const { run } = await createAudits(store).start({ character, probes, engine, checker: { client, threshold: 0.5 }, userName: 'Alex', maxTokens: 48 }).done;
    expect(run.maxTokens).toBe(48);
    expect(engine.requests.map((r) => r.sampling.maxTokens)).toEqual([48, 48, 48]);
    expect(run.status).toBe('failed');
    expect(run.results.map((r) => r.status)).toEqual(['done', 'done', 'failed']);
    expect(run.results[2]!.answer).toBe('I was say');
    expect(run.results[2]!.error).toMatch(/^The model failed: /);
    expect(run.stopReason).toMatch(/^The model stopped working: .* 2 of 5 probes had finished; they are kept\.$/);
    expect(store.saved.at(-1)).toEqual(run);
    expect(auditReport(run).notRun).toBe(2);
  });

  it('cancel keeps what finished and drops the probe in flight', async () => {
    const { client, dispose } = await loadStubCheckerClient();
    cleanups.push(dispose);
    const character = maren();
    const { probes } = generateProbes(character.statements, { maxProbes: 5 });
    let handle: ReturnType<ReturnType<typeof createAudits>['start']> | null = null;
    handle = createAudits(memoryStore()).start({ character, probes, engine: stubEngine(['Fine words.'], { holdOn: 1 }), checker: { client, threshold: 0.5 }, userName: 'Alex' }, (e) => {
      if (e.type === 'probe' && e.index === 1) queueMicrotask(() => handle!.cancel());
    });
    const { run } = await handle.done;
    expect(run.status).toBe('cancelled');
    expect(run.results.map((r) => r.probeId)).toEqual([probes[0]!.id]);
    expect(run.stopReason).toBe('Cancelled after 1 of 5 probes; the finished ones are kept.');
  });

  it('refuses a character with no enabled statements, saying what to do, and stores nothing', async () => {
    const { client, dispose } = await loadStubCheckerClient();
    cleanups.push(dispose);
    const character = { ...maren(), statements: maren().statements.map((s) => ({ ...s, enabled: false })) };
    const store = memoryStore();
    const start = () => createAudits(store).start({ character, probes: generateProbes(maren().statements).probes, engine: stubEngine(['x']), checker: { client, threshold: 0.5 }, userName: 'A' });
    expect(start).toThrow(AuditInputError);
    expect(start).toThrow(/no enabled persona statements.*Add statements/);
    expect(store.saved).toHaveLength(0);
  });

  it('goes on in memory when a write fails, and reports it', async () => {
    const { client, dispose } = await loadStubCheckerClient();
    cleanups.push(dispose);
    const character = maren();
    const store = { save: async () => Promise.reject(new Error('disk full')) };
    const events: AuditEvent[] = [];
    const { run, saved, error } = await createAudits(store).start({ character, probes: generateProbes(character.statements, { maxProbes: 2 }).probes, engine: stubEngine(['Hm.']), checker: { client, threshold: 0.5 }, userName: 'A' }, (e) => events.push(e)).done;
    expect(run.results).toHaveLength(2);
    expect(saved).toBe(false);
    expect((error as Error).message).toBe('disk full');
    expect(events.some((e) => e.type === 'save-failed')).toBe(true);
  });
});
