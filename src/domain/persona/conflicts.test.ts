import { describe, expect, it } from 'vitest';
import {
  CONFLICT_CANDIDATES,
  FULL_PAIRING_MAX,
  conflictsFromScores,
  currentConflicts,
  keepConflict,
  liveKeptConflicts,
  mergeConflicts,
  planConflictPairs,
  recordChecks,
  rememberedConflicts,
  uncheckedSources,
  type Conflict,
  type ConflictSource,
} from './conflicts';

const st = (ref: string, text = `${ref} text`): ConflictSource => ({ ref, text, kind: 'statement' });
const card = (n: number, text = `card ${n}`): ConflictSource => ({ ref: `card:${n}`, text, kind: 'card' });

describe('planConflictPairs', () => {
  it('pairs a changed statement with every other one, both directions, up to FULL_PAIRING_MAX', () => {
    const others = Array.from({ length: FULL_PAIRING_MAX }, (_, i) => st(`s${i}`));
    const pairs = planConflictPairs([st('new')], others);
    expect(pairs).toHaveLength(2 * FULL_PAIRING_MAX);
    expect(pairs[0]).toEqual({ premise: st('new'), hypothesis: st('s0') });
    expect(pairs[1]).toEqual({ premise: st('s0'), hypothesis: st('new') });
  });

  it('past FULL_PAIRING_MAX, only the most similar candidates by embedding', () => {
    const others = Array.from({ length: 200 }, (_, i) => st(`s${i}`));
    // s7 and s150 point the same way as the new statement; the rest are orthogonal.
    const vectors = new Map<string, number[]>(others.map((o) => [o.ref, [0, 1]]));
    vectors.set('s7', [1, 0.1]);
    vectors.set('s150', [1, 0]);
    vectors.set('new', [1, 0]);
    const pairs = planConflictPairs([st('new')], others, vectors);
    expect(pairs).toHaveLength(2 * CONFLICT_CANDIDATES);
    expect(pairs[0]!.hypothesis.ref).toBe('s150');
    expect(pairs[2]!.hypothesis.ref).toBe('s7');
  });

  it('throws when candidates are needed and an embedding is missing', () => {
    const others = Array.from({ length: FULL_PAIRING_MAX + 1 }, (_, i) => st(`s${i}`));
    expect(() => planConflictPairs([st('new')], others)).toThrow(/No embedding for new/);
  });

  it('never pairs a source with itself, two card sentences, or one pair twice', () => {
    const pairs = planConflictPairs([st('a'), card(0)], [st('a'), st('b'), card(1)]);
    const keys = pairs.map((p) => `${p.premise.ref}>${p.hypothesis.ref}`);
    expect(keys).toEqual(['a>b', 'b>a', 'a>card:1', 'card:1>a', 'a>card:0', 'card:0>a', 'card:0>b', 'b>card:0']);
  });
});

describe('conflictsFromScores', () => {
  const pairs = planConflictPairs([st('new', 'Maren loves deep water.')], [st('old', 'Maren never swims in deep water.'), st('x', 'Maren has a cat.')]);

  it('reports a pair when either direction contradicts, with the larger score, once', () => {
    // new>old, old>new, new>x, x>new
    const conflicts = conflictsFromScores(pairs, [0.2, 0.9, 0.1, 0.1]);
    expect(conflicts).toEqual([{ a: st('new', 'Maren loves deep water.'), b: st('old', 'Maren never swims in deep water.'), contradiction: 0.9 }]);
  });

  it('leaves out pairs below the threshold', () => {
    expect(conflictsFromScores(pairs, [0.49, 0.3, 0.1, 0.1])).toEqual([]);
  });

  it('leaves out kept pairs until one side changes', () => {
    const [conflict] = conflictsFromScores(pairs, [0.9, 0.9, 0, 0]);
    const kept = [keepConflict(conflict!)];
    expect(conflictsFromScores(pairs, [0.9, 0.9, 0, 0], kept)).toEqual([]);
    const edited = planConflictPairs([st('new', 'Maren adores deep water.')], [st('old', 'Maren never swims in deep water.')]);
    expect(conflictsFromScores(edited, [0.9, 0.9], kept)).toHaveLength(1);
  });
});

describe('kept and current conflicts', () => {
  it('drops kept pairs whose statement was deleted or edited; keeps card sides', () => {
    const kept = [
      keepConflict({ a: st('a', 'A'), b: st('b', 'B') }),
      keepConflict({ a: st('a', 'A'), b: card(2, 'C') }),
      keepConflict({ a: st('gone', 'G'), b: st('b', 'B') }),
    ];
    expect(liveKeptConflicts(kept, [{ id: 'a', text: 'A' }, { id: 'b', text: 'B2' }])).toEqual([kept[1]]);
  });

  it('a conflict becomes stale when a side is edited', () => {
    const c = { a: st('a', 'A'), b: st('b', 'B'), contradiction: 0.9 };
    expect(currentConflicts([c], [st('a', 'A'), st('b', 'B')], [])).toEqual([c]);
    expect(currentConflicts([c], [st('a', 'A'), st('b', 'B!')], [])).toEqual([]);
  });
});

describe('remembered checks', () => {
  const conflict = (a: ConflictSource, b: ConflictSource, contradiction = 0.9): Conflict => ({ a, b, contradiction });

  it('with no record every statement is unchecked; a recorded one only while its text is the same', () => {
    const all = [st('a'), st('b'), st('c')];
    expect(uncheckedSources(all, undefined)).toEqual(all);
    const record = recordChecks(undefined, all, [st('a'), st('b')], []);
    expect(uncheckedSources(all, record)).toEqual([st('c')]);
    expect(uncheckedSources([st('a', 'edited'), st('b'), st('c')], record)).toEqual([st('a', 'edited'), st('c')]);
  });

  it('remembers the statement pairs found and shows them until a side changes', () => {
    const all = [st('a'), st('b'), st('c')];
    const record = recordChecks(undefined, all, all, [conflict(st('a'), st('b')), conflict(st('c'), card(0))]);
    // A card sentence is not remembered: it is checked on demand.
    expect(record.found).toEqual([{ a: { ref: 'a', text: 'a text' }, b: { ref: 'b', text: 'b text' }, contradiction: 0.9 }]);
    expect(rememberedConflicts(record, all)).toEqual([conflict(st('a'), st('b'))]);
    expect(rememberedConflicts(record, [st('a'), st('b', 'edited'), st('c')])).toEqual([]);
    expect(rememberedConflicts(undefined, all)).toEqual([]);
  });

  it('replaces the conflicts of a re-checked statement, drops deleted and edited ones, never repeats an entry', () => {
    const first = recordChecks(undefined, [st('a'), st('b'), st('c')], [st('a'), st('b'), st('c')], [conflict(st('a'), st('b')), conflict(st('b'), st('c'))]);
    // b edited and re-checked: only its new conflict stays; c deleted meanwhile.
    const now = [st('a'), st('b', 'b new')];
    const second = recordChecks(first, now, [st('b', 'b new')], []);
    expect(second.checked).toEqual([{ ref: 'a', text: 'a text' }, { ref: 'b', text: 'b new' }]);
    expect(second.found).toEqual([]);
    // A re-check of a that finds the same pair again: one entry, not two.
    const third = recordChecks(first, [st('a'), st('b'), st('c')], [st('a')], [conflict(st('a'), st('b'), 0.8)]);
    expect(third.checked).toHaveLength(3);
    expect(third.found).toEqual([
      { a: { ref: 'b', text: 'b text' }, b: { ref: 'c', text: 'c text' }, contradiction: 0.9 },
      { a: { ref: 'a', text: 'a text' }, b: { ref: 'b', text: 'b text' }, contradiction: 0.8 },
    ]);
  });

  it('records nothing for a statement edited while it was being checked', () => {
    const record = recordChecks(undefined, [st('a', 'typed on'), st('b')], [st('a'), st('b')], [conflict(st('a'), st('b'))]);
    expect(record.checked).toEqual([{ ref: 'b', text: 'b text' }]);
    expect(record.found).toEqual([]);
  });

  it('merges lists keeping each unordered pair once, the first list winning', () => {
    const live = conflict(st('a'), st('b'), 0.7);
    expect(mergeConflicts([live], [conflict(st('b'), st('a'), 0.9), conflict(st('a'), st('c'))])).toEqual([live, conflict(st('a'), st('c'))]);
  });
});
