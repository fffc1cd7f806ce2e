import { afterEach, describe, expect, it } from 'vitest';
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
});
