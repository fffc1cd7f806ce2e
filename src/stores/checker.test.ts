import { afterEach, describe, expect, it } from 'vitest';
import type { CheckerClient } from '../engines/CheckerClient';
import { saveCheckerSettings } from '../services/checkerSettings';
import type { SentenceCheck } from '../engines/liveCheck';
import { turnChecker, useChecker } from './checker';

const initial = useChecker.getState();
afterEach(() => useChecker.setState(initial, true));

describe('the checker store', () => {
  it('reads the threshold for a turn from the settings, not from a copy of its own', async () => {
    expect(await turnChecker()).toEqual({ client: null, threshold: 0.5 });
    await saveCheckerSettings({ threshold: 0.7 });
    expect(await turnChecker()).toEqual({ client: null, threshold: 0.7 });
  });

  it('keeps live flags per reply and clears them', () => {
    const s: SentenceCheck = { sentence: { index: 0, start: 0, end: 6, text: 'Hello.' }, scores: [], flagged: false, statementIds: [], latencyMs: 1 };
    useChecker.getState().pushSentence('m:0', s);
    expect(useChecker.getState().live['m:0']).toEqual([s]);
    useChecker.getState().clearLive('m:0');
    expect(useChecker.getState().live['m:0']).toBeUndefined();
  });

  it('attaches a sentence’s live role flags to its entry, and ignores flags for a sentence it does not hold', () => {
    const sentence = (index: number, text: string) => ({ sentence: { index, start: index * 10, end: index * 10 + text.length, text }, scores: [], flagged: false, statementIds: [], latencyMs: 1 });
    const first: SentenceCheck = sentence(0, 'Hello.');
    const second: SentenceCheck = sentence(1, 'As an AI, I cannot.');
    useChecker.getState().pushSentence('m:0', first);
    useChecker.getState().pushSentence('m:0', second);
    const flag = { kind: 'assistant-voice' as const, sentenceIndex: 1, score: 0.9, evidence: 'As an AI language model' };
    useChecker.getState().pushRoleFlags('m:0', { sentence: second.sentence, flags: [flag] });
    expect(useChecker.getState().live['m:0']).toEqual([first, { ...second, roleFlags: [flag] }]);
    useChecker.getState().pushRoleFlags('m:0', { sentence: { index: 5, start: 60, end: 61, text: 'x' }, flags: [flag] });
    useChecker.getState().pushRoleFlags('other:0', { sentence: second.sentence, flags: [flag] });
    expect(useChecker.getState().live['m:0']).toHaveLength(2);
    expect(useChecker.getState().live['other:0']).toBeUndefined();
  });
  it('a second load of the same models joins the one under way instead of cancelling it (start-up load meets a Load press)', async () => {
    // TEST DOUBLE: a checker client whose load finishes when the test says so.
    const calls: AbortSignal[] = [];
    let finish: () => void = () => undefined;
    const fake = {
      load: (_config: unknown, options: { signal: AbortSignal }) => {
        calls.push(options.signal);
        return new Promise<void>((resolve, reject) => {
          finish = resolve;
          options.signal.addEventListener('abort', () => reject(Object.assign(new Error('cancelled'), { name: 'ModelDownloadCancelledError' })));
        });
      },
    };
    useChecker.setState({ client: fake as unknown as CheckerClient });
    const source = { kind: 'huggingface' as const };
    const first = useChecker.getState().load(source);
    const second = useChecker.getState().load(source);
    await expect.poll(() => calls.length).toBe(1);
    finish();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.aborted).toBe(false);
    // Another source is another load: the first is cancelled for it.
    const third = useChecker.getState().load(source);
    await expect.poll(() => calls.length).toBe(2);
    const fourth = useChecker.getState().load({ kind: 'self-hosted', baseUrl: './models/' });
    await expect.poll(() => calls.length).toBe(3);
    expect(calls[1]!.aborted).toBe(true);
    finish();
    expect(await fourth).toBe(true);
    expect(await third).toBe(false);
  });
});
