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
});
