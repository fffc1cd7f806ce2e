import { describe, expect, it } from 'vitest';
import type { PersonaStatement } from '../character';
import { checkStaleness, checkerModelId, makeFingerprint, verdictStalenessOf, type CheckContext } from './staleness';

const st = (id: string, version = 1, enabled = true): Pick<PersonaStatement, 'id' | 'version' | 'enabled'> => ({ id, version, enabled });

const context: CheckContext = {
  modelId: checkerModelId('Xenova/nli-deberta-v3-xsmall', 'Xenova/all-MiniLM-L6-v2'),
  statements: [st('a'), st('b', 2), st('c', 1, false)],
  replyText: '*smiles* I never touch the sea.',
  userTurnText: 'Want to go swimming?',
};
const stored = makeFingerprint(context);

describe('makeFingerprint', () => {
  it('records the enabled statements with their versions and hashes the texts', () => {
    expect(stored.modelId).toBe('Xenova/nli-deberta-v3-xsmall+Xenova/all-MiniLM-L6-v2');
    expect(stored.statements).toEqual([
      { statementId: 'a', statementVersion: 1 },
      { statementId: 'b', statementVersion: 2 },
    ]);
    expect(stored.replyTextHash).toMatch(/^[0-9a-f]{16}$/);
    expect(stored.userTurnHash).not.toBe(stored.replyTextHash);
  });
});

describe('checkStaleness', () => {
  it('is fresh when nothing changed, whatever the statement order', () => {
    expect(checkStaleness(stored, context)).toEqual({ stale: false, reasons: [], changedStatementIds: [] });
    const reordered = { ...context, statements: [...context.statements].reverse() };
    expect(checkStaleness(stored, reordered).stale).toBe(false);
  });

  it('ignores changes to disabled statements', () => {
    const r = checkStaleness(stored, { ...context, statements: [st('a'), st('b', 2), st('c', 5, false)] });
    expect(r.stale).toBe(false);
  });

  it('detects an added statement', () => {
    const r = checkStaleness(stored, { ...context, statements: [...context.statements, st('d')] });
    expect(r).toEqual({ stale: true, reasons: ['statement-added'], changedStatementIds: ['d'] });
  });

  it('detects a re-enabled statement as added', () => {
    const r = checkStaleness(stored, { ...context, statements: [st('a'), st('b', 2), st('c')] });
    expect(r).toEqual({ stale: true, reasons: ['statement-added'], changedStatementIds: ['c'] });
  });

  it('detects a removed statement', () => {
    const r = checkStaleness(stored, { ...context, statements: [st('a'), st('c', 1, false)] });
    expect(r).toEqual({ stale: true, reasons: ['statement-removed'], changedStatementIds: ['b'] });
  });

  it('detects a disabled statement', () => {
    const r = checkStaleness(stored, { ...context, statements: [st('a', 1, false), st('b', 2), st('c', 1, false)] });
    expect(r).toEqual({ stale: true, reasons: ['statement-disabled'], changedStatementIds: ['a'] });
  });

  it('detects an edited statement (version bump)', () => {
    const r = checkStaleness(stored, { ...context, statements: [st('a', 2), st('b', 2), st('c', 1, false)] });
    expect(r).toEqual({ stale: true, reasons: ['statement-edited'], changedStatementIds: ['a'] });
  });

  it('detects an edited or swiped reply, a changed user turn and a changed model', () => {
    expect(checkStaleness(stored, { ...context, replyText: context.replyText + ' ' }).reasons).toEqual(['reply-changed']);
    expect(checkStaleness(stored, { ...context, userTurnText: 'Want to go sailing?' }).reasons).toEqual(['user-turn-changed']);
    expect(
      checkStaleness(stored, { ...context, modelId: checkerModelId('Xenova/nli-deberta-v3-small', 'Xenova/all-MiniLM-L6-v2') }).reasons,
    ).toEqual(['model-changed']);
    expect(
      checkStaleness(stored, { ...context, modelId: checkerModelId('Xenova/nli-deberta-v3-xsmall', 'Xenova/bge-small-en-v1.5') }).reasons,
    ).toEqual(['model-changed']);
  });

  it('reports every reason once, in a fixed order', () => {
    const r = checkStaleness(stored, {
      modelId: 'other',
      statements: [st('a', 3), st('d'), st('e')],
      replyText: 'changed',
      userTurnText: 'changed too',
    });
    expect(r.reasons).toEqual(['model-changed', 'statement-added', 'statement-removed', 'statement-edited', 'reply-changed', 'user-turn-changed']);
    expect(r.changedStatementIds.sort()).toEqual(['a', 'b', 'd', 'e']);
  });

  it('accepts a stored ReplyVerdict-shaped record', () => {
    const record = {
      modelId: context.modelId,
      statements: [
        { statementId: 'a', statementVersion: 1, r: 0.1, pc: 0, pe: 0, apc: 0.9, status: 'not-addressed' as const, sentenceIndex: null, pruned: false },
        { statementId: 'b', statementVersion: 2, r: 0.1, pc: 0, pe: 0, apc: 0.9, status: 'not-addressed' as const, sentenceIndex: null, pruned: false },
      ],
      replyTextHash: stored.replyTextHash,
      userTurnHash: stored.userTurnHash,
    };
    expect(checkStaleness(record, context).stale).toBe(false);
  });
});

describe('verdictStalenessOf', () => {
  it('marks a verdict stored before the role detectors (no roleFlags) stale, so it is re-checked', () => {
    expect(verdictStalenessOf({ fingerprint: stored }, context)).toEqual({ stale: true, reasons: ['roles-unchecked'], changedStatementIds: [] });
  });

  it('keeps a verdict whose role check found nothing (empty roleFlags) fresh', () => {
    expect(verdictStalenessOf({ fingerprint: stored, roleFlags: [] }, context)).toEqual({ stale: false, reasons: [], changedStatementIds: [] });
  });

  it('keeps a verdict with role flags fresh, and adds roles-unchecked after the fingerprint reasons', () => {
    const flagged = { fingerprint: stored, roleFlags: [{ kind: 'echo' as const, sentenceIndex: 0, score: 0.9, evidence: 'echo' }] };
    expect(verdictStalenessOf(flagged, context).stale).toBe(false);
    const old = verdictStalenessOf({ fingerprint: stored }, { ...context, replyText: 'edited', statements: [...context.statements, st('d')] });
    expect(old).toEqual({ stale: true, reasons: ['statement-added', 'reply-changed', 'roles-unchecked'], changedStatementIds: ['d'] });
  });
});
