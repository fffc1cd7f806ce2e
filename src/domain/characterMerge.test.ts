import { describe, expect, it } from 'vitest';
import { emptyCardData, emptyLorebook, emptyLorebookEntry, newStatement, type Character, type LorebookEntry } from './character';
import { acknowledgeSaved, hasLocalChanges, mergeCharacter, resolveConflict, sameValue } from './characterMerge';

function character(): Character {
  const entry = (id: number, content: string): LorebookEntry => ({ ...emptyLorebookEntry(id), keys: [`k${id}`], content });
  return {
    id: 'c1',
    card: {
      ...emptyCardData('Maren'),
      description: 'A lighthouse keeper.',
      personality: 'Gruff.',
      alternate_greetings: ['Hello.', 'Storm’s coming.'],
      character_book: { ...emptyLorebook(), name: 'Coast', entries: [entry(0, 'The harbour.'), entry(1, 'The lamp.')] },
    },
    avatar: null,
    statements: [newStatement('Maren fears deep water.', 'manual'), newStatement('Maren never left the coast.', 'manual'), newStatement('Maren is sixty.', 'manual')],
    createdAt: 1,
    updatedAt: 10,
  };
}

const edit = (c: Character, card: Partial<Character['card']>): Character => ({ ...c, card: { ...c.card, ...card } });
const texts = (c: Character) => c.statements.map((s) => s.text);
const entries = (c: Character) => c.card.character_book!.entries.map((e) => `${e.id}:${e.content}`);

describe('mergeCharacter', () => {
  it('keeps both sides when they changed different fields', () => {
    const base = character();
    const mine = edit(base, { description: 'Tab 1 description.' });
    const theirs = { ...edit(base, { personality: 'Tab 2 personality.' }), updatedAt: 11 };
    const r = mergeCharacter(base, mine, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.changed).toBe(true);
    expect(r.stored.card.description).toBe('Tab 1 description.');
    expect(r.stored.card.personality).toBe('Tab 2 personality.');
    // The editor takes the other tab's field without losing its own edit.
    expect(r.draft.card.description).toBe('Tab 1 description.');
    expect(r.draft.card.personality).toBe('Tab 2 personality.');
    // Nothing else moved.
    expect(r.stored.statements).toEqual(base.statements);
    expect(r.stored.card.character_book).toEqual(base.card.character_book);
    expect(r.stored.updatedAt).toBe(11);
  });

  it('writes nothing when only the other side changed', () => {
    const base = character();
    const theirs = edit(base, { scenario: 'Night.' });
    const r = mergeCharacter(base, base, theirs);
    expect(r.changed).toBe(false);
    expect(r.draft.card.scenario).toBe('Night.');
    expect(r.base.card.scenario).toBe('Night.');
  });

  it('the same field changed on both sides is a conflict: storage keeps theirs, the editor keeps mine', () => {
    const base = character();
    const mine = edit(base, { description: 'Mine.' });
    const theirs = edit(base, { description: 'Theirs.', personality: 'Also theirs.' });
    const r = mergeCharacter(base, mine, theirs);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ key: 'card.description', label: 'Description', mineText: 'Mine.', theirsText: 'Theirs.' });
    expect(r.stored.card.description).toBe('Theirs.');
    expect(r.draft.card.description).toBe('Mine.');
    expect(r.draft.card.personality).toBe('Also theirs.');
    // The base keeps the old value, so the conflict is found again on the next save.
    expect(r.base.card.description).toBe(base.card.description);
    expect(mergeCharacter(r.base, r.draft, r.stored).conflicts.map((c) => c.key)).toEqual(['card.description']);
  });

  it('the same change on both sides is no conflict', () => {
    const base = character();
    const mine = edit(base, { description: 'Same.' });
    const r = mergeCharacter(base, mine, edit(base, { description: 'Same.' }));
    expect(r.conflicts).toEqual([]);
    expect(r.changed).toBe(false);
    expect(hasLocalChanges(r.base, r.draft)).toBe(false);
  });

  it('merges statements by id: edits, additions and deletions on both sides', () => {
    const base = character();
    const [a, b, c] = base.statements as [Character['statements'][0], Character['statements'][0], Character['statements'][0]];
    const added = newStatement('Maren keeps a cat.', 'manual');
    const mine: Character = { ...base, statements: [{ ...a, text: 'Maren is terrified of deep water.', version: 2 }, b, c, added] };
    const theirsAdded = newStatement('Maren reads at night.', 'manual');
    const theirs: Character = { ...base, statements: [a, { ...b, enabled: false }, theirsAdded] }; // c deleted there
    const r = mergeCharacter(base, mine, theirs);
    expect(r.conflicts).toEqual([]);
    // My addition follows its predecessor here (b); theirs keeps its place in their order.
    expect(texts(r.stored)).toEqual(['Maren is terrified of deep water.', 'Maren never left the coast.', 'Maren keeps a cat.', 'Maren reads at night.']);
    expect(r.stored.statements[0]!.version).toBe(2);
    expect(r.stored.statements[1]!.enabled).toBe(false);
    expect(r.draft.statements).toEqual(r.stored.statements);
  });

  it('an edit against a deletion is a conflict, not a silent loss', () => {
    const base = character();
    const [a, b, c] = base.statements as [Character['statements'][0], Character['statements'][0], Character['statements'][0]];
    const mine: Character = { ...base, statements: [a, { ...b, text: 'Maren left once, in 1999.', version: 2 }, c] };
    const theirs: Character = { ...base, statements: [a, c] };
    const r = mergeCharacter(base, mine, theirs);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ key: `statement:${b.id}`, label: 'Statement 2', mineText: 'Maren left once, in 1999.', theirsText: '(deleted)' });
    expect(texts(r.stored)).toEqual(['Maren fears deep water.', 'Maren is sixty.']);
    expect(texts(r.draft)).toEqual(['Maren fears deep water.', 'Maren left once, in 1999.', 'Maren is sixty.']);
  });

  it('takes one side’s reordering, and reports reorderings on both sides', () => {
    const base = character();
    const [a, b, c] = base.statements as [Character['statements'][0], Character['statements'][0], Character['statements'][0]];
    const theirsEdit: Character = { ...base, statements: [a, b, { ...c, text: 'Maren is sixty-one.' }] };
    const mineMoved: Character = { ...base, statements: [c, a, b] };
    const r = mergeCharacter(base, mineMoved, theirsEdit);
    expect(r.conflicts).toEqual([]);
    expect(texts(r.stored)).toEqual(['Maren is sixty-one.', 'Maren fears deep water.', 'Maren never left the coast.']);

    const theirsMoved: Character = { ...base, statements: [b, a, c] };
    const both = mergeCharacter(base, mineMoved, theirsMoved);
    expect(both.conflicts.map((x) => x.key)).toEqual(['statements.order']);
    expect(texts(both.stored)).toEqual(texts(theirsMoved));
    expect(texts(both.draft)).toEqual(texts(mineMoved));
    expect(both.conflicts[0]!.mineText).toBe('1. Maren is sixty.\n2. Maren fears deep water.\n3. Maren never left the coast.');
  });

  it('merges lorebook entries by id and keeps an entry the other side appended', () => {
    const base = character();
    const book = base.card.character_book!;
    const mine = edit(base, { character_book: { ...book, entries: [{ ...book.entries[0]!, content: 'The old harbour.' }, book.entries[1]!] } });
    const imported = { ...emptyLorebookEntry(2), keys: ['gull'], content: 'Gulls.' };
    const theirs = edit(base, { character_book: { ...book, name: 'Coast (v2)', entries: [...book.entries, imported] } });
    const r = mergeCharacter(base, mine, theirs);
    expect(r.conflicts).toEqual([]);
    expect(entries(r.stored)).toEqual(['0:The old harbour.', '1:The lamp.', '2:Gulls.']);
    expect(r.stored.card.character_book!.name).toBe('Coast (v2)');
    expect(entries(r.draft)).toEqual(entries(r.stored));
  });

  it('a lorebook entry edited on both sides is a conflict named after the entry', () => {
    const base = character();
    const book = base.card.character_book!;
    const change = (content: string) => edit(base, { character_book: { ...book, entries: [{ ...book.entries[0]!, content }, book.entries[1]!] } });
    const r = mergeCharacter(base, change('Mine.'), change('Theirs.'));
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ key: 'lore:0', label: 'Lorebook entry “k0”', mineText: 'Keys: k0\nMine.', theirsText: 'Keys: k0\nTheirs.' });
  });

  it('alternate greetings are one unit: different edits conflict', () => {
    const base = character();
    const r = mergeCharacter(base, edit(base, { alternate_greetings: ['Hello.', 'Storm’s here.'] }), edit(base, { alternate_greetings: ['Hi.', 'Storm’s coming.'] }));
    expect(r.conflicts.map((c) => c.key)).toEqual(['card.alternate_greetings']);
    expect(r.conflicts[0]!.mineText).toBe('1. Hello.\n\n2. Storm’s here.');
  });

  it('treats an avatar I replaced by identity and one read back from storage by shape', () => {
    const image = new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' });
    const base = { ...character(), avatar: image };
    const readBack = { ...base, avatar: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }) };
    // A copy from storage is "unchanged"…
    expect(mergeCharacter(base, base, readBack).changed).toBe(false);
    // …but a new image of the same size is still my change.
    const replaced = { ...base, avatar: new Blob([new Uint8Array([9, 9, 9])], { type: 'image/png' }) };
    const r = mergeCharacter(base, replaced, readBack);
    expect(r.changed).toBe(true);
    expect(r.stored.avatar).toBe(replaced.avatar);
  });

  it('keeps top-level fields it does not know, and merges them like any other', () => {
    const base = { ...character(), reviewedAt: 1 } as Character & { reviewedAt: number };
    const r = mergeCharacter(base, edit(base, { description: 'x' }), { ...base, reviewedAt: 2 } as Character);
    expect((r.stored as Character & { reviewedAt: number }).reviewedAt).toBe(2);
    expect(r.stored.card.description).toBe('x');
  });

  it('compares deeply nested values without recursion', () => {
    let a: Record<string, unknown> = {};
    let b: Record<string, unknown> = {};
    const rootA = a;
    const rootB = b;
    for (let i = 0; i < 20_000; i++) {
      a.x = {};
      b.x = {};
      a = a.x as Record<string, unknown>;
      b = b.x as Record<string, unknown>;
    }
    expect(sameValue(rootA, rootB)).toBe(true);
    a.leaf = 1;
    expect(sameValue(rootA, rootB)).toBe(false);
  });
});

describe('resolveConflict', () => {
  const setup = () => {
    const base = character();
    const mine = edit(base, { description: 'Mine.' });
    const theirs = edit(base, { description: 'Theirs.' });
    return { base, mine, theirs, merged: mergeCharacter(base, mine, theirs) };
  };

  it('keep mine: the next save writes mine over theirs', () => {
    const { theirs, merged } = setup();
    const next = resolveConflict(merged.base, merged.draft, theirs, 'card.description', 'mine');
    const r = mergeCharacter(next.base, next.draft, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.changed).toBe(true);
    expect(r.stored.card.description).toBe('Mine.');
  });

  it('take theirs: the editor shows theirs and nothing is left to write', () => {
    const { theirs, merged } = setup();
    const next = resolveConflict(merged.base, merged.draft, theirs, 'card.description', 'theirs');
    expect(next.draft.card.description).toBe('Theirs.');
    const r = mergeCharacter(next.base, next.draft, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('settles an order conflict and an item deleted on the other side', () => {
    const base = character();
    const [a, b, c] = base.statements as [Character['statements'][0], Character['statements'][0], Character['statements'][0]];
    const mine: Character = { ...base, statements: [c, { ...b, text: 'Edited.' }, a] };
    const theirs: Character = { ...base, statements: [a, c] };
    const m = mergeCharacter(base, mine, theirs);
    expect(m.conflicts.map((x) => x.key).sort()).toEqual([`statement:${b.id}`]);
    const taken = resolveConflict(m.base, m.draft, theirs, `statement:${b.id}`, 'theirs');
    expect(texts(taken.draft)).toEqual(['Maren is sixty.', 'Maren fears deep water.']);
    const kept = resolveConflict(m.base, m.draft, theirs, `statement:${b.id}`, 'mine');
    const r = mergeCharacter(kept.base, kept.draft, theirs);
    expect(r.conflicts).toEqual([]);
    expect(texts(r.stored)).toContain('Edited.');
  });
});

/** The editor's sequence after a save: acknowledge what was written, then merge the live draft over the result. */
describe('acknowledgeSaved', () => {
  const afterSave = (base: Character, saved: Character, stored: Character, draftNow: Character) => mergeCharacter(acknowledgeSaved(base, saved, stored), draftNow, stored);

  it('a save that brought back another tab’s field updates the editor', () => {
    const base = character();
    const saved = edit(base, { description: 'Mine.' });
    const stored = edit(base, { description: 'Mine.', personality: 'Theirs.' });
    const r = afterSave(base, saved, stored, saved);
    expect(r.draft.card.personality).toBe('Theirs.');
    expect(r.draft.card.description).toBe('Mine.');
    expect(r.conflicts).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('keeps what was typed while the save ran, as an unsaved change, not a conflict', () => {
    const base = character();
    const saved = edit(base, { description: 'Mine' });
    const stored = edit(base, { description: 'Mine', personality: 'Theirs.' });
    const r = afterSave(base, saved, stored, edit(saved, { description: 'Mine, typed on.' }));
    expect(r.conflicts).toEqual([]);
    expect(r.draft.card.description).toBe('Mine, typed on.');
    expect(r.draft.card.personality).toBe('Theirs.');
    expect(r.changed).toBe(true);
    expect(r.stored.card.description).toBe('Mine, typed on.');
  });

  it('typing into a field the other tab changed meanwhile is a conflict', () => {
    const base = character();
    const saved = edit(base, { description: 'Mine.' });
    const stored = edit(base, { description: 'Mine.', personality: 'Theirs.' });
    const r = afterSave(base, saved, stored, edit(saved, { personality: 'Mine too.' }));
    expect(r.conflicts.map((c) => c.key)).toEqual(['card.personality']);
  });

  it('a conflict the save found stays a conflict', () => {
    const base = character();
    const saved = edit(base, { description: 'Mine.' });
    const stored = edit(base, { description: 'Theirs.' });
    const r = afterSave(base, saved, stored, saved);
    expect(r.conflicts.map((c) => c.key)).toEqual(['card.description']);
    expect(r.draft.card.description).toBe('Mine.');
  });

  it('acknowledges saved statement edits, deletions and order', () => {
    const base = character();
    const [a, , c] = base.statements as [Character['statements'][0], Character['statements'][0], Character['statements'][0]];
    const saved: Character = { ...base, statements: [c, { ...a, text: 'A2' }] }; // the second deleted, the third moved up
    const ack = acknowledgeSaved(base, saved, saved);
    expect(ack.statements).toEqual(saved.statements);
    expect(hasLocalChanges(ack, saved)).toBe(false);
  });
});
