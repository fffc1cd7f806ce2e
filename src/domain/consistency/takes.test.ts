import { describe, expect, it } from 'vitest';
import { sampleVerdict } from '../../test/sampleVerdict';
import { describeGuard, failureCount, guardDecision, rankTakes, restatementsFor, takeFails, type Take } from './takes';
import type { Verdict } from './verdict';

const clean = (apcPercent: number, extra: Partial<Verdict> = {}) =>
  sampleVerdict({ apcPercent, verdict: 'consistent', contradictions: 0, flaggedSentences: [], statements: [{ ...sampleVerdict().statements[0]!, status: 'kept' }], ...extra });
const failing = (apcPercent: number, extra: Partial<Verdict> = {}) => sampleVerdict({ apcPercent, ...extra });
const take = (index: number, verdict: Verdict | null, complete = true): Take => ({ index, verdict, complete });
const order = (takes: Take[], preferClean = false) => rankTakes(takes, { preferClean }).map((t) => t.index);
const STATEMENTS = [
  { id: 's1', text: 'Maren is afraid of deep water.' },
  { id: 's2', text: 'Maren has grey eyes.' },
];

describe('takeFails', () => {
  it('fails on a flagged sentence, or on a role flag other than echo', () => {
    expect(takeFails(failing(40))).toBe(true);
    expect(takeFails(clean(90))).toBe(false);
    expect(takeFails(clean(90, { roleFlags: [{ kind: 'echo', sentenceIndex: 0, score: 0.9, evidence: 'x' }] }))).toBe(false);
    expect(takeFails(clean(90, { roleFlags: [{ kind: 'assistant-voice', sentenceIndex: 0, score: 0.9, evidence: 'x' }] }))).toBe(true);
    expect(takeFails(clean(90, { roleFlags: [{ kind: 'speaks-for-user', sentenceIndex: null, score: 0.7, evidence: 'x' }] }))).toBe(true);
  });

  it('counts flagged sentences and failing role flags', () => {
    const v = failing(40, { roleFlags: [{ kind: 'echo', sentenceIndex: 0, score: 0.9, evidence: '' }, { kind: 'assistant-voice', sentenceIndex: 0, score: 0.9, evidence: '' }] });
    expect(failureCount(v)).toBe(2);
  });
});

describe('rankTakes', () => {
  it('puts the highest APC first', () => {
    expect(order([take(0, clean(60)), take(1, clean(95)), take(2, failing(20))])).toEqual([1, 0, 2]);
  });

  it('breaks APC ties toward fewer flags, then the earlier take', () => {
    const twoFlags = failing(50, { flaggedSentences: [{ sentenceIndex: 0, statementIds: ['s1'] }, { sentenceIndex: 1, statementIds: ['s1'] }] });
    expect(order([take(0, twoFlags), take(1, failing(50)), take(2, clean(50))])).toEqual([2, 1, 0]);
    expect(order([take(3, clean(70)), take(1, clean(70)), take(2, clean(70))])).toEqual([1, 2, 3]);
  });

  it('puts stopped and unchecked takes after finished, checked ones', () => {
    expect(order([take(0, null), take(1, clean(10)), take(2, clean(99), false)])).toEqual([1, 0, 2]);
  });

  it('with preferClean a clean take beats a failing one of higher APC', () => {
    const takes = [take(0, failing(80)), take(1, clean(70))];
    expect(order(takes)).toEqual([0, 1]);
    expect(order(takes, true)).toEqual([1, 0]);
  });

  it('does not change its input', () => {
    const takes = [take(0, clean(10)), take(1, clean(90))];
    rankTakes(takes);
    expect(takes.map((t) => t.index)).toEqual([0, 1]);
  });
});

describe('guardDecision', () => {
  it('skips a reply it cannot judge, accepts a clean one', () => {
    expect(guardDecision({ verdict: null, triesMade: 0, maxTries: 2, statements: STATEMENTS })).toEqual({ action: 'skip' });
    expect(guardDecision({ verdict: clean(90), triesMade: 0, maxTries: 2, statements: STATEMENTS })).toEqual({ action: 'accept', outcome: 'clean' });
  });

  it('retries a failing reply restating what it contradicts, until the tries run out', () => {
    expect(guardDecision({ verdict: failing(40), triesMade: 1, maxTries: 2, statements: STATEMENTS })).toEqual({ action: 'retry', restate: ['Maren is afraid of deep water.'] });
    expect(guardDecision({ verdict: failing(40), triesMade: 2, maxTries: 2, statements: STATEMENTS })).toEqual({ action: 'accept', outcome: 'failing' });
  });

  it('retries a role failure with nothing to restate', () => {
    const v = clean(90, { roleFlags: [{ kind: 'assistant-voice', sentenceIndex: 0, score: 0.9, evidence: '' }] });
    expect(guardDecision({ verdict: v, triesMade: 0, maxTries: 1, statements: STATEMENTS })).toEqual({ action: 'retry', restate: [] });
  });
});

describe('restatementsFor', () => {
  it('names contradicted and flagged statements, in card order, skipping deleted ones', () => {
    const v = failing(30, { flaggedSentences: [{ sentenceIndex: 0, statementIds: ['s2', 'gone'] }] });
    expect(restatementsFor(v, STATEMENTS)).toEqual(['Maren is afraid of deep water.', 'Maren has grey eyes.']);
  });
});

describe('describeGuard', () => {
  const at = 0;
  it('says what was removed, or what is still there after how many tries', () => {
    expect(describeGuard({ tries: 2, outcome: 'clean', statements: ['Maren is afraid of deep water.'], roleKinds: [], at })).toBe('Guard: 2 tries, contradiction on “Maren is afraid of deep water” removed');
    expect(describeGuard({ tries: 3, outcome: 'failing', statements: ['Maren is afraid of deep water.'], roleKinds: [], at })).toBe('Guard: still contradicts “Maren is afraid of deep water” after 3 tries');
    expect(describeGuard({ tries: 1, outcome: 'clean', statements: [], roleKinds: ['assistant-voice'], at })).toBe('Guard: 1 try, assistant voice removed');
    expect(describeGuard({ tries: 1, outcome: 'failing', statements: [], roleKinds: ['speaks-for-user'], at })).toBe('Guard: still speaks for the user after 1 try');
    expect(describeGuard({ tries: 1, outcome: 'stopped', statements: ['x'], roleKinds: [], at })).toBe('Guard: stopped after 1 try');
  });
});
