import { describe, expect, it } from 'vitest';
import type { Character } from '../../domain/character';
import type { LiveSentence, MessageCheck } from '../../hooks/useChecks';
import { marksFor } from './VerdictBadge';

const character = { statements: [{ id: 's-water', version: 1, text: 'Maren is afraid of deep water.', enabled: true, origin: 'manual' }] } as unknown as Character;

const sentence = (index: number, start: number, text: string, extra: Partial<LiveSentence> = {}): LiveSentence => ({
  sentence: { index, start, end: start + text.length, text },
  scores: [],
  flagged: false,
  statementIds: [],
  latencyMs: 1,
  ...extra,
});

const streaming = (live: LiveSentence[]): MessageCheck => ({ verdict: null, replyText: '', stale: false, live, streaming: true, checking: false });

describe('marksFor while a reply streams', () => {
  it('marks a sentence with a live role flag before any verdict exists', () => {
    const flag = { kind: 'assistant-voice' as const, sentenceIndex: 1, score: 0.9, evidence: 'Like: As an AI language model' };
    const marks = marksFor(streaming([sentence(0, 0, 'The lamp turns.'), sentence(1, 16, 'As an AI, I cannot swim.', { roleFlags: [flag] })]), character);
    expect(marks).toEqual([
      { start: 16, end: 40, id: 'role-1', label: 'out of character: assistant voice', contradiction: false, roleFlags: [{ kind: 'assistant-voice', label: 'out of character: assistant voice', evidence: flag.evidence }] },
    ]);
  });

  it('puts a contradiction and a role flag of one sentence in one mark', () => {
    const flag = { kind: 'echo' as const, sentenceIndex: 0, score: 0.8, evidence: 'Echoes: deep water' };
    const marks = marksFor(streaming([sentence(0, 0, 'I am not afraid of deep water.', { flagged: true, statementIds: ['s-water'], roleFlags: [flag] })]), character);
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({ start: 0, end: 30, id: 's-water', label: 'Contradicts: Maren is afraid of deep water. · echoes you' });
    expect(marks[0]!.contradiction).toBeUndefined();
    expect(marks[0]!.roleFlags?.map((f) => f.kind)).toEqual(['echo']);
  });

  it('marks nothing for sentences whose checks found nothing', () => {
    expect(marksFor(streaming([sentence(0, 0, 'The lamp turns.', { roleFlags: [] })]), character)).toEqual([]);
  });
});
