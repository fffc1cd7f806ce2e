import { afterEach, describe, expect, it } from 'vitest';
import type { SentenceCheck } from '../engines/liveCheck';
import { currentCheckerModelId, liveCheckDeps, recheckDeps, useChecker } from './checker';

// The checker store supplies what services/checking needs; these check the wiring.

const initial = useChecker.getState();
afterEach(() => useChecker.setState(initial, true));

describe('checker deps for services/checking', () => {
  it('names the configured models while no client is loaded', () => {
    useChecker.getState().configure({ nliModelId: 'nli-x', embeddingModelId: 'emb-y' });
    expect(currentCheckerModelId()).toBe('nli-x+emb-y');
  });

  it('passes the threshold and routes live flags and checking marks into the store', () => {
    useChecker.getState().configure({ threshold: 0.7 });
    const live = liveCheckDeps();
    expect(live).toMatchObject({ client: null, threshold: 0.7 });
    const s: SentenceCheck = { sentence: { index: 0, start: 0, end: 6, text: 'Hello.' }, scores: [], flagged: false, statementIds: [], latencyMs: 1 };
    live.onSentence('m:0', s);
    expect(useChecker.getState().live['m:0']).toEqual([s]);
    live.onClear('m:0');
    expect(useChecker.getState().live['m:0']).toBeUndefined();

    const recheck = recheckDeps();
    expect(recheck).toMatchObject({ client: null, threshold: 0.7 });
    recheck.setChecking('m:0', true);
    expect(useChecker.getState().checking).toEqual({ 'm:0': true });
    recheck.setChecking('m:0', false);
    expect(useChecker.getState().checking).toEqual({});
  });
});
