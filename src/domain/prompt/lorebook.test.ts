import { describe, expect, it } from 'vitest';
import { emptyLorebook, emptyLorebookEntry, type Lorebook, type LorebookEntry } from '../character';
import { loadSharedCard } from '../persona/testdata/sharedCards';
import { activateLorebook, DEFAULT_SCAN_DEPTH, keyMatcher, parseRegexKey } from './lorebook';
import { estimateTokens } from './tokens';

const names = { char: 'Maren', user: 'Alex' };
let nextId = 0;

function entry(fields: Partial<LorebookEntry>): LorebookEntry {
  return { ...emptyLorebookEntry(nextId++), content: 'lore', ...fields };
}

function book(entries: LorebookEntry[], fields: Partial<Lorebook> = {}): Lorebook {
  return { ...emptyLorebook(), ...fields, entries };
}

function fired(b: Lorebook | null, history: string[], countTokens = estimateTokens): string[] {
  return activateLorebook(b, { history, names, countTokens }).active.map((a) => a.content);
}

describe('plain keys', () => {
  const lighthouse = entry({ keys: ['lighthouse'], content: 'The lighthouse is on Skerry Rock.' });

  it('fire case-insensitively anywhere in recent messages', () => {
    expect(fired(book([lighthouse]), ['We reach the LIGHTHOUSE at dusk.'])).toEqual(['The lighthouse is on Skerry Rock.']);
  });

  it('match whole words, allowing plural and possessive endings', () => {
    const m = keyMatcher('shadowfang', lighthouse);
    expect(m?.test('The Shadowfangs came.')).toBe(true);
    expect(m?.test("A shadowfang's howl.")).toBe(true);
    expect(m?.test('shadowfangling')).toBe(false);
    expect(keyMatcher('forest', lighthouse)?.test('forestry')).toBe(false);
    expect(keyMatcher('magical forest', lighthouse)?.test('a magical\nforest')).toBe(true);
  });

  it('respect case_sensitive', () => {
    const e = entry({ keys: ['Rock'], case_sensitive: true });
    expect(fired(book([e]), ['a rock'])).toEqual([]);
    expect(fired(book([e]), ['the Rock'])).toEqual(['lore']);
  });

  it('ignore empty keys', () => {
    expect(fired(book([entry({ keys: ['', '  '] })]), ['anything'])).toEqual([]);
  });

  it('resolve macros in keys and content', () => {
    const e = entry({ keys: ["{{char}}'s boat"], content: '{{char}} lets {{user}} steer.' });
    expect(fired(book([e]), ["Is that Maren's boat?"])).toEqual(['Maren lets Alex steer.']);
  });

  it('are matched literally (regex characters escaped)', () => {
    expect(fired(book([entry({ keys: ['c++'] })]), ['I write c++ daily'])).toEqual(['lore']);
    expect(fired(book([entry({ keys: ['a.c'] })]), ['abc'])).toEqual([]);
  });
});

describe('regex keys', () => {
  it('parse /pattern/flags and drop stateful flags', () => {
    const r = parseRegexKey('/storm(s|y)?/gy', false);
    expect(r?.flags).toBe('i');
    expect(parseRegexKey('storm', false)).toBeNull();
    expect(parseRegexKey('/[unclosed/', false)).toBeNull();
  });

  it('fire on /pattern/ keys even without use_regex (SillyTavern V2 exports)', () => {
    const e = entry({ keys: ['/sea ?(monster|serpent)/'] });
    expect(fired(book([e]), ['A SEA SERPENT!'])).toEqual(['lore']);
  });

  it('use_regex treats a bare key as a pattern', () => {
    const e = entry({ keys: ['storm(s|y)'], use_regex: true });
    expect(fired(book([e]), ['It is stormy.'])).toEqual(['lore']);
    expect(fired(book([e]), ['It is storm.'])).toEqual([]);
  });

  it('case_sensitive regex keys do not get the i flag; explicit i wins', () => {
    expect(fired(book([entry({ keys: ['/Rock/'], case_sensitive: true })]), ['rock'])).toEqual([]);
    expect(fired(book([entry({ keys: ['/Rock/i'], case_sensitive: true })]), ['rock'])).toEqual(['lore']);
  });

  it('an invalid pattern never fires and never throws', () => {
    expect(fired(book([entry({ keys: ['(unclosed'], use_regex: true })]), ['(unclosed'])).toEqual([]);
  });
});

describe('selective, constant, disabled', () => {
  it('selective needs a primary and a secondary key', () => {
    const e = entry({ keys: ['boat'], secondary_keys: ['storm', 'night'], selective: true });
    expect(fired(book([e]), ['the boat'])).toEqual([]);
    expect(fired(book([e]), ['the boat at night'])).toEqual(['lore']);
    expect(fired(book([e]), ['a storm at night'])).toEqual([]);
  });

  it('selective with no secondary keys behaves like a plain entry', () => {
    expect(fired(book([entry({ keys: ['boat'], selective: true })]), ['boat'])).toEqual(['lore']);
  });

  it('constant entries are always in; disabled entries never', () => {
    const b = book([
      entry({ constant: true, content: 'always' }),
      entry({ constant: true, enabled: false, content: 'off-constant' }),
      entry({ keys: ['boat'], enabled: false, content: 'off-keyed' }),
    ]);
    expect(fired(b, ['boat'])).toEqual(['always']);
    expect(fired(b, [])).toEqual(['always']);
  });

  it('entries with empty content are skipped', () => {
    expect(fired(book([entry({ constant: true, content: '  ' })]), [])).toEqual([]);
  });
});

describe('scan depth', () => {
  const e = entry({ keys: ['kraken'] });
  const older = ['the kraken rises', ...Array.from({ length: DEFAULT_SCAN_DEPTH }, () => 'calm seas')];

  it(`scans only the last ${DEFAULT_SCAN_DEPTH} messages by default`, () => {
    expect(fired(book([e]), older)).toEqual([]);
    expect(fired(book([e]), older.slice(0, DEFAULT_SCAN_DEPTH))).toEqual(['lore']);
  });

  it("uses the book's scan_depth, and 0 scans nothing", () => {
    expect(fired(book([e], { scan_depth: 10 }), older)).toEqual(['lore']);
    expect(fired(book([e], { scan_depth: 0 }), ['kraken'])).toEqual([]);
  });
});

describe('order, recursion and token budget', () => {
  it('orders by insertion_order, ties in book order', () => {
    const b = book([
      entry({ constant: true, insertion_order: 200, content: 'late' }),
      entry({ constant: true, insertion_order: 100, content: 'early-1' }),
      entry({ constant: true, insertion_order: 100, content: 'early-2' }),
    ]);
    expect(fired(b, [])).toEqual(['early-1', 'early-2', 'late']);
  });

  it('recursive_scanning lets activated content trigger more entries', () => {
    const entries = [
      entry({ keys: ['island'], content: 'The island hides a cave.', insertion_order: 1 }),
      entry({ keys: ['cave'], content: 'The cave holds a chest.', insertion_order: 2 }),
      entry({ keys: ['chest'], content: 'The chest is empty.', insertion_order: 3 }),
    ];
    expect(fired(book(entries), ['to the island'])).toEqual(['The island hides a cave.']);
    expect(fired(book(entries, { recursive_scanning: true }), ['to the island'])).toHaveLength(3);
  });

  it('token_budget keeps the highest priority entries that fit', () => {
    const count = () => 10;
    const b = book(
      [
        entry({ constant: true, priority: 1, content: 'low' }),
        entry({ constant: true, priority: 50, content: 'high' }),
        entry({ constant: true, priority: 20, content: 'mid' }),
      ],
      { token_budget: 25 },
    );
    const result = activateLorebook(b, { history: [], names, countTokens: count });
    // Survivors stay in prompt order (insertion_order, then book order).
    expect(result.active.map((a) => a.content)).toEqual(['high', 'mid']);
    expect(result.overBookBudget.map((e) => e.content)).toEqual(['low']);
  });

  it('null book → nothing', () => {
    expect(activateLorebook(null, { history: ['x'], names, countTokens: estimateTokens })).toEqual({
      active: [],
      overBookBudget: [],
    });
  });
});

describe("Seraphina's real lorebook", () => {
  const seraphina = loadSharedCard('default_Seraphina.png');
  const sNames = { char: 'Seraphina', user: 'Alex' };
  const ids = (history: string[]) =>
    activateLorebook(seraphina.character_book, { history, names: sNames, countTokens: estimateTokens }).active.map(
      (a) => a.entry.id,
    );

  it('fires the Eldoria entry on "forest" and the Shadowfang entry on "Shadowfangs"', () => {
    expect(ids(['Where am I? This forest is strange.'])).toEqual([0]);
    expect(ids(['Who are the Shadowfangs?'])).toEqual([1]);
    expect(ids(['Thank you for the tea.'])).toEqual([]);
  });

  it('resolves {{char}}/{{user}} in the entry content', () => {
    const [active] = activateLorebook(seraphina.character_book, {
      history: ['magic'],
      names: sNames,
      countTokens: estimateTokens,
    }).active;
    expect(active?.content).toContain('Alex: "What are your powers?"');
    expect(active?.content).not.toMatch(/\{\{/);
  });
});
