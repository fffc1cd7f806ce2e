import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { emptyCardData, emptyLorebook, emptyLorebookEntry, type CardData } from '../character';
import { CardParseError } from '../cards';
import { admitCard, CardDataSchema, MAX_NAME_CHARS, normaliseCard, UNNAMED_CHARACTER } from './card';
import { readCharacter } from './character';
import { isRefusal, readChat, readMessage } from './chat';
import { jsonTextDepthExceeds, valueDepthExceeds } from './depth';
import { describeNonImage, sniffImageKind } from './image';
import { planSettings, readSetting, SETTING_SPECS, type SettingSpec } from './settings';

describe('nesting limits', () => {
  it('counts brackets outside strings only, escapes included', () => {
    expect(jsonTextDepthExceeds('[[[]]]', 3)).toBe(false);
    expect(jsonTextDepthExceeds('[[[[]]]]', 3)).toBe(true);
    expect(jsonTextDepthExceeds('{"a":"[[[[[[\\"[[[["}', 1)).toBe(false);
    expect(jsonTextDepthExceeds('{"a\\\\":[[1]]}', 2)).toBe(true);
  });

  it('walks values without recursion, ends on cycles, treats Blobs as leaves', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { d: deep };
    expect(valueDepthExceeds(deep, 128)).toBe(true);
    const cyclic: Record<string, unknown> = { a: [1, 2] };
    cyclic.self = cyclic;
    // A cycle is infinitely deep: refused, and the walk ends.
    expect(valueDepthExceeds(cyclic, 5)).toBe(true);
    const shared = { leaf: [1] };
    expect(valueDepthExceeds({ x: shared, y: shared }, 3)).toBe(false);
    expect(valueDepthExceeds({ b: new Blob(['x']) }, 1)).toBe(false);
    expect(valueDepthExceeds('text', 0)).toBe(false);
  });
});

function soundCard(): CardData {
  const entry = { ...emptyLorebookEntry(3), keys: ['sea'], content: 'The sea.', extensions: { depth: 4, nested: { a: [1, { b: 2 }] } } };
  return {
    ...emptyCardData('Maren'),
    description: 'A diver.\n  Whitespace   kept.',
    tags: ['sea', 'diver'],
    alternate_greetings: ['Hello, you.'],
    character_book: { ...emptyLorebook(), name: 'World', entries: [entry, { ...entry, id: 7 }] },
    creator_notes_multilingual: { fr: 'Une plongeuse.' },
    creation_date: 1700000000,
    extensions: { talkativeness: '0.5', chub: { id: 1 }, in_character_unknown_fields: { mood: 'calm' } },
  };
}

describe('card schema and normalisation', () => {
  it('leaves a sound card exactly as it is', () => {
    const card = soundCard();
    expect(v.is(CardDataSchema, card)).toBe(true);
    expect(normaliseCard(card)).toEqual({ card, repairs: [] });
    // And the lenient path (taken for any unsound card) is the identity on sound fields too.
    const withOneBadField = normaliseCard({ ...card, nickname: 7 });
    expect(withOneBadField.card).toEqual({ ...card, nickname: '7' });
    expect(withOneBadField.repairs).toEqual(['card.nickname: expected text, found a number']);
  });

  it('coerces the wrong types of the crafted backup and names each field', () => {
    const { card, repairs } = normaliseCard({ name: 12345, description: { x: 1 }, tags: 'a,b', alternate_greetings: null, character_book: { entries: 'x' }, extensions: null });
    expect(v.is(CardDataSchema, card)).toBe(true);
    expect(card).toMatchObject({ name: '12345', description: '', tags: ['a', 'b'], alternate_greetings: [], extensions: {} });
    expect(card.character_book?.entries).toEqual([]);
    expect(repairs).toEqual(
      expect.arrayContaining([
        'card.name: expected text, found a number',
        'card.description: expected text, found an object',
        'card.tags: expected a list, found text',
        'card.alternate_greetings: expected a list, found null',
        'card.character_book.entries: expected a list, found text',
        'card.extensions: expected an object',
      ]),
    );
  });

  it('shortens names past the limit and drops extension keys nested too deeply', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 500; i++) deep = [deep];
    const { card, repairs } = normaliseCard({ ...soundCard(), name: 'n'.repeat(MAX_NAME_CHARS + 5), extensions: { keep: 1, deep } });
    expect(card.name).toHaveLength(MAX_NAME_CHARS);
    expect(card.extensions).toEqual({ keep: 1 });
    expect(repairs).toEqual([`card.name: longer than ${MAX_NAME_CHARS} characters, shortened`, 'card.extensions.deep: nested more than 128 levels deep, left out']);
  });

  it('admits imports: refuses an empty card, names a nameless one', () => {
    expect(() => admitCard(emptyCardData())).toThrow(CardParseError);
    try {
      admitCard({ ...emptyCardData(), tags: ['only tags'] });
    } catch (e) {
      expect((e as CardParseError).reason).toBe('empty-card');
    }
    const admitted = admitCard({ ...emptyCardData('  '), first_mes: 'Hello.' });
    expect(admitted.card.name).toBe(UNNAMED_CHARACTER);
    expect(admitted.notes).toEqual([`It has no name, so it was saved as “${UNNAMED_CHARACTER}”.`]);
    expect(admitCard(soundCard())).toEqual({ card: soundCard(), notes: [] });
  });
});

describe('stored records', () => {
  it('keeps the kept conflicts of a character, and clears a malformed list with a repair note', () => {
    const base = { id: 'c', card: soundCard(), avatar: null, statements: [{ id: 's', text: 'Maren fears the deep.', origin: 'manual', enabled: true, version: 1 }], createdAt: 1, updatedAt: 2 };
    const kept = [{ a: { ref: 's', text: 'Maren fears the deep.' }, b: { ref: 'card:0', text: 'Maren loves to dive.' } }];
    expect(readCharacter({ ...base, keptConflicts: kept })).toEqual({ character: { ...base, keptConflicts: kept }, repairs: [] });
    const bad = readCharacter({ ...base, keptConflicts: [{ a: 'x' }] })!;
    expect(bad.character).toEqual(base);
    expect(bad.repairs).toEqual(['keptConflicts.0.a: expected an object, found text', 'keptConflicts: not a list of kept pairs; cleared (the warnings may show again)']);
  });

  it('keeps the record of checked statements, and clears a malformed one with a repair note', () => {
    const base = { id: 'c', card: soundCard(), avatar: null, statements: [{ id: 's', text: 'Maren fears the deep.', origin: 'manual', enabled: true, version: 1 }], createdAt: 1, updatedAt: 2 };
    const side = { ref: 's', text: 'Maren fears the deep.' };
    const checks = { checked: [side], found: [{ a: side, b: { ref: 't', text: 'Maren dives.' }, contradiction: 0.9 }] };
    expect(readCharacter({ ...base, conflictChecks: checks })).toEqual({ character: { ...base, conflictChecks: checks }, repairs: [] });
    const bad = readCharacter({ ...base, conflictChecks: { checked: [side], found: [{ a: side, b: side, contradiction: 7 }] } })!;
    expect(bad.character).toEqual(base);
    expect(bad.repairs.at(-1)).toBe('conflictChecks: not a record of checked statements; cleared (the statements will be checked again)');
  });

  it('reads a sound character as it is and repairs a damaged one', () => {
    const sound = { id: 'c', card: soundCard(), avatar: new Blob([new Uint8Array(4)], { type: 'image/png' }), statements: [{ id: 's', text: 'Maren fears the deep.', origin: 'manual', enabled: true, version: 2 }], createdAt: 1, updatedAt: 2 };
    expect(readCharacter(sound)).toEqual({ character: sound, repairs: [] });
    const damaged = readCharacter({ id: 'c', card: 'nope', avatar: 'x', statements: [{ text: 'Kept.' }, { text: 'Kept.', id: 'k' }, { id: 'k', text: 'Twin.' }, 5], updatedAt: '9' }, 100)!;
    expect(damaged.character).toMatchObject({ id: 'c', avatar: null, createdAt: 9, updatedAt: 9, card: { name: '' } });
    expect(damaged.character.statements.map((s) => s.id)).toEqual(['c:statement-0', 'k', 'k-2']);
    expect(damaged.repairs.join('\n')).toMatch(/card: expected an object, found string/);
    expect(damaged.repairs.join('\n')).toMatch(/statements\.3: has no text, left out/);
    expect(readCharacter({ card: {} })).toBeNull();
    expect(readCharacter({ id: 'x' }, 42)!.character.updatedAt).toBe(42);
  });

  it('reads chats and messages, refusing what cannot be placed or voiced', () => {
    const chat = readChat({ id: 'c', characterId: 'x', title: '  ', sampling: { temperature: 'hot', topP: 0.5 }, updatedAt: 3 });
    expect(chat).toMatchObject({ value: { title: 'Chat', sampling: { temperature: 0.8, topP: 0.5 }, createdAt: 3 } });
    expect(isRefusal(readChat({ id: 'c' }))).toBe(true);
    // Chats stored before takes and the guard existed read as one take, guard off.
    const old = readChat({ id: 'c', characterId: 'x', title: 'Old', sampling: { temperature: 0.7, topP: 0.9, maxTokens: 300, presencePenalty: 0, repetitionPenalty: 1.1, contextSize: 4096 }, createdAt: 1, updatedAt: 1 });
    expect(old).toMatchObject({ value: { takes: { perReply: 1, guard: false, guardRetries: 2 } }, repairs: [] });
    expect(readChat({ id: 'c', characterId: 'x', takes: { perReply: 9, guard: 'yes', guardRetries: 2.4 } })).toMatchObject({ value: { takes: { perReply: 4, guard: false, guardRetries: 2 } } });
    const msg = readMessage({ id: 'm', chatId: 'c', order: '2', role: 'user', name: null, swipes: [{ text: 5, state: 'weird', usage: { promptTokens: 1 } }, 'raw text'], swipeIndex: 7, createdAt: 1 });
    expect(isRefusal(msg)).toBe(false);
    if (!isRefusal(msg)) {
      expect(msg.value).toMatchObject({ order: 2, name: '', swipeIndex: 1, updatedAt: 1 });
      expect(msg.value.swipes).toEqual([
        { text: '5', state: 'done', finishReason: null, modelId: null, createdAt: 1 },
        { text: 'raw text', state: 'done', finishReason: null, modelId: null, createdAt: 1 },
      ]);
    }
    const guard = { tries: 2, outcome: 'clean', statements: ['Maren fears the deep.'], roleKinds: [], at: 5 };
    const guarded = readMessage({ id: 'm', chatId: 'c', order: 1, role: 'assistant', name: 'Maren', swipes: [{ text: 'x' }], swipeIndex: 0, createdAt: 1, guard });
    expect(!isRefusal(guarded) && guarded.value.guard).toEqual(guard);
    const badGuard = readMessage({ id: 'm', chatId: 'c', order: 1, role: 'assistant', name: 'Maren', swipes: [{ text: 'x' }], swipeIndex: 0, createdAt: 1, guard: { tries: 'many' } });
    expect(!isRefusal(badGuard) && 'guard' in badGuard.value).toBe(false);
    expect(readMessage({ id: 'm', chatId: 'c', order: 1, role: 'narrator' })).toEqual({ refused: 'its role is text, not user, assistant or system' });
    expect(readMessage({ id: 'm', chatId: 'c', order: null, role: 'user' })).toEqual({ refused: 'its position ("order") is null' });
  });
});

describe('avatars by their bytes', () => {
  it('knows PNG, JPEG, WebP and GIF and describes the rest', () => {
    expect(sniffImageKind(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe('png');
    expect(sniffImageKind(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(sniffImageKind(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImageKind(new TextEncoder().encode('GIF89a'))).toBe('gif');
    expect(sniffImageKind(Uint8Array.of(0x89, 0x50, 0x4e, 0x47))).toBeNull();
    const html = new TextEncoder().encode('  <!DOCTYPE html><script>alert(1)</script>');
    expect(sniffImageKind(html)).toBeNull();
    expect(describeNonImage(html)).toBe('it looks like HTML');
    expect(describeNonImage(new TextEncoder().encode('<svg onload=alert(1)>'))).toBe('it looks like SVG or XML');
  });
});

describe('settings', () => {
  it('reads only values valid for their key', () => {
    expect(readSetting('theme', 'dark')).toBe('dark');
    expect(readSetting('theme', 'neon')).toBeUndefined();
    expect(readSetting('modelBaseUrl', 'javascript:alert(1)')).toBeUndefined();
    expect(readSetting('modelBaseUrl', './models/')).toBe('./models/');
    expect(readSetting('contradictionThreshold', 2)).toBeUndefined();
  });

  it('plans only what differs, keeps guarded keys apart and never shows a secret', () => {
    const specs: Record<string, SettingSpec<unknown>> = {
      ...SETTING_SPECS,
      apiKey: { schema: v.string(), label: 'API key', restore: 'guarded', secret: true },
    };
    const plan = planSettings(
      { theme: 'dark', apiKey: 'old-key' },
      [
        { key: 'theme', value: 'dark' },
        { key: 'userName', value: 'Ada' },
        { key: 'apiKey', value: 'sk-new' },
        { key: 'samplesSeeded', value: false },
        { key: '__proto__', value: 1 },
      ],
      specs,
    );
    expect(plan.changes.map((c) => [c.key, c.from, c.to, c.restore])).toEqual([
      ['userName', '“You”', '“Ada”', 'offer'],
      ['apiKey', 'set (hidden)', 'set (hidden)', 'guarded'],
    ]);
    const secret = plan.changes.find((c) => (c.key as string) === 'apiKey')!;
    expect(`${secret.from} ${secret.to}`).not.toMatch(/old-key|sk-new/);
    expect(plan.ignored).toEqual(['unknown setting “__proto__”']);
  });
});
