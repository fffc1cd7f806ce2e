import { describe, expect, it } from 'vitest';
import { emptyCardData, newStatement, type Character } from '../domain/character';
import { FULL_PAIRING_MAX, CONFLICT_CANDIDATES } from '../domain/persona/conflicts';
import type { PairRequest } from '../engines/CheckerClient';
import { cardSources, checkUnchecked, checkWholeCard, findConflicts, statementSources, type ConflictChecker } from './statementConflicts';

/**
 * Test double of the checker client (named as such): the fixture NLI's word
 * rule — contradiction when the two share a word of 4+ letters and exactly one
 * holds "never"/"not"/"cannot" — and one-hot "embeddings" by first content word.
 */
function ruleChecker(): ConflictChecker & { pairs: number; embedded: number } {
  const negative = (t: string) => /\b(?:never|not|cannot)\b/i.test(t);
  const words = (t: string) => new Set(t.toLowerCase().match(/[a-z]{4,}/g) ?? []);
  const double = {
    pairs: 0,
    embedded: 0,
    async scorePairs(pairs: readonly PairRequest[]) {
      double.pairs += pairs.length;
      return pairs.map((p) => {
        const shared = [...words(p.statement.text)].some((w) => words(p.sentence).has(w) && !['maren', 'never', 'cannot'].includes(w));
        const c = shared && negative(p.statement.text) !== negative(p.sentence) ? 0.99 : 0.01;
        return { contradiction: c, entailment: 0, neutral: 1 - c, cached: false };
      });
    },
    async embed(texts: readonly string[]) {
      double.embedded += texts.length;
      return texts.map((t) => {
        const v = new Float32Array(64);
        for (const w of words(t)) v[[...w].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 64, 7)] += 1;
        return v;
      });
    },
  };
  return double;
}

function character(statements: string[], description = ''): Character {
  return { id: 'c', card: { ...emptyCardData('Maren'), description }, avatar: null, statements: statements.map((t) => newStatement(t, 'manual')), createdAt: 0, updatedAt: 0 };
}

describe('findConflicts', () => {
  it('finds the statement a new one contradicts, and nothing for an unrelated one', async () => {
    const c = character(['Maren is afraid of deep water.', 'Maren cannot swim.', 'Maren keeps the lighthouse.']);
    const all = statementSources(c);
    const checker = ruleChecker();
    const added = { ref: 'new', text: 'Maren loves to swim at dawn.', kind: 'statement' as const };
    const found = await findConflicts(checker, [added], [...all, added]);
    expect(found.map((f) => [f.a.text, f.b.text].sort())).toEqual([['Maren cannot swim.', 'Maren loves to swim at dawn.']]);
    expect(checker.pairs).toBe(2 * 3); // both directions, each other statement
    const unrelated = { ref: 'u', text: 'Maren has a garden.', kind: 'statement' as const };
    expect(await findConflicts(checker, [unrelated], [...all, unrelated])).toEqual([]);
  });

  it('with 200 statements, embeds once and scores only the candidates', async () => {
    const texts = Array.from({ length: 199 }, (_, i) => `Maren owns lantern number ${'x'.repeat(4 + (i % 50))}${i}.`);
    const c = character([...texts, 'Maren cannot swim.']);
    const all = statementSources(c);
    const checker = ruleChecker();
    const added = { ref: 'new', text: 'Maren loves to swim.', kind: 'statement' as const };
    expect(all.length).toBeGreaterThan(FULL_PAIRING_MAX);
    const found = await findConflicts(checker, [added], [...all, added]);
    expect(found).toHaveLength(1);
    expect(checker.pairs).toBe(2 * CONFLICT_CANDIDATES);
    expect(checker.embedded).toBe(201);
  });
});

describe('checkWholeCard', () => {
  it('checks statements against description sentences that are not statements yet', async () => {
    const c = character(['Maren loves coffee.'], 'Maren never drinks coffee; she drinks strong black tea.');
    expect(cardSources(c, 'Alex').map((s) => s.text)).toEqual(['Maren never drinks coffee.', 'Maren drinks strong black tea.']);
    const found = await checkWholeCard(ruleChecker(), c, 'Alex');
    expect(found.map((f) => [f.a.text, f.b.text].sort())).toEqual([['Maren loves coffee.', 'Maren never drinks coffee.']]);
    expect([found[0]!.a.kind, found[0]!.b.kind].sort()).toEqual(['card', 'statement']);
  });

  it('leaves out a pair the writer kept, until one side changes', async () => {
    const c = character(['Maren loves coffee.'], 'Maren never drinks coffee.');
    const [conflict] = await checkWholeCard(ruleChecker(), c, 'Alex');
    const kept = { ...c, keptConflicts: [{ a: { ref: conflict!.a.ref, text: conflict!.a.text }, b: { ref: conflict!.b.ref, text: conflict!.b.text } }] };
    expect(await checkWholeCard(ruleChecker(), kept, 'Alex')).toEqual([]);
    const edited = { ...kept, statements: kept.statements.map((s) => ({ ...s, text: 'Maren loves iced coffee.' })) };
    expect(await checkWholeCard(ruleChecker(), edited, 'Alex')).toHaveLength(1);
  });
});

describe('checkUnchecked', () => {
  it('checks an imported character once: the contradiction is found and recorded, a second run calls nothing', async () => {
    const c = character(['Maren loves to swim in the sea.', 'Maren has a garden.', 'Maren cannot swim.']);
    const checker = ruleChecker();
    const first = await checkUnchecked(checker, c);
    expect(first?.found.map((f) => [f.a.text, f.b.text].sort())).toEqual([['Maren cannot swim.', 'Maren loves to swim in the sea.']]);
    expect(checker.pairs).toBe(2 * 3); // three statements: three unordered pairs, both directions
    const stored = { ...c, conflictChecks: first!.record };
    expect(await checkUnchecked(checker, stored)).toBeNull();
    expect(checker.pairs).toBe(6);
  });

  it('checks only the statements added since, against all the others', async () => {
    const c = character(['Maren cannot swim.', 'Maren has a garden.']);
    const checker = ruleChecker();
    const first = await checkUnchecked(checker, c);
    expect(first?.found).toEqual([]);
    const later = { ...c, conflictChecks: first!.record, statements: [...c.statements, newStatement('Maren loves to swim.', 'imported')] };
    const before = checker.pairs;
    const second = await checkUnchecked(checker, later);
    expect(second?.checked.map((s) => s.text)).toEqual(['Maren loves to swim.']);
    expect(checker.pairs - before).toBe(2 * 2);
    expect(second?.found.map((f) => [f.a.text, f.b.text].sort())).toEqual([['Maren cannot swim.', 'Maren loves to swim.']]);
    expect(second?.record.found).toHaveLength(1);
    expect(second?.record.checked).toHaveLength(3);
  });

  it('leaves out a kept pair and skips disabled statements', async () => {
    const c = character(['Maren loves to swim in the sea.', 'Maren cannot swim.']);
    const [loves, cannot] = c.statements;
    const kept = { ...c, keptConflicts: [{ a: { ref: loves!.id, text: loves!.text }, b: { ref: cannot!.id, text: cannot!.text } }] };
    expect((await checkUnchecked(ruleChecker(), kept))?.found).toEqual([]);
    const disabled = { ...c, statements: [loves!, { ...cannot!, enabled: false }] };
    const checker = ruleChecker();
    expect((await checkUnchecked(checker, disabled))?.checked.map((s) => s.text)).toEqual(['Maren loves to swim in the sea.']);
    expect(checker.pairs).toBe(0);
  });
});
