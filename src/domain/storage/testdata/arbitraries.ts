/**
 * Test data: fast-check generators of what files bring in, right and wrong —
 * every JSON type in every card field, cards in every envelope, backups with
 * records of the wrong shape. Shared by the fuzz tests.
 */
import fc from 'fast-check';
import { encodeBase64 } from '../../cards';
import { tinyPng } from '../../cards/testdata/tinyPng';

/** Values of every JSON type, small and nested: the "wrong type" of any field. */
export const anyJson = fc.jsonValue({ maxDepth: 3 });
/** What card fields hold in the wild, right and wrong. */
export const fieldValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, 0, -1, 12345, true, '', ' ', 'a,b', '__proto__', 'NaN', '1e400') },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)), { maxLength: 4 }) },
  { weight: 2, arbitrary: anyJson },
);
export const CARD_KEYS = [
  'name', 'nickname', 'description', 'personality', 'scenario', 'first_mes', 'mes_example', 'creator_notes', 'creatorcomment',
  'creator_notes_multilingual', 'system_prompt', 'post_history_instructions', 'alternate_greetings', 'group_only_greetings',
  'tags', 'creator', 'character_version', 'assets', 'source', 'creation_date', 'modification_date', 'extensions', '__proto__',
] as const;
const entry = fc.dictionary(
  fc.constantFrom('id', 'uid', 'keys', 'key', 'secondary_keys', 'content', 'enabled', 'disable', 'position', 'insertion_order', 'order', 'extensions', 'use_regex', 'constant'),
  fieldValue,
  { maxKeys: 8 },
);
const lorebook = fc.oneof(
  fieldValue,
  fc.record({ name: fieldValue, entries: fc.oneof(fc.array(fc.oneof(entry, fieldValue), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 3 }), entry, { maxKeys: 3 }), fieldValue), extensions: fieldValue }, { requiredKeys: [] }),
);
export const cardData = fc.tuple(fc.dictionary(fc.constantFrom(...CARD_KEYS), fieldValue, { maxKeys: 12 }), fc.option(lorebook)).map(([d, book]) => (book === null ? d : { ...d, character_book: book }));
/** A card in any envelope: V1 flat, V2/V3 with `data`, a wrong spec, or no object at all. */
export const cardJson = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('chara_card_v2', 'chara_card_v3', 'lorebook_v3', 'weird', undefined), cardData, cardData).map(([spec, data, root]) => ({ ...root, spec, spec_version: spec === 'chara_card_v3' ? '3.0' : '2.0', data })) },
  { weight: 2, arbitrary: cardData },
  { weight: 1, arbitrary: anyJson },
);

const id = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 1, arbitrary: fc.oneof(fc.constant(''), fc.integer(), fc.constant(null)) });
const stamp = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 2e12 }) }, { weight: 1, arbitrary: fieldValue });
const statement = fc.oneof(fc.record({ id: fieldValue, text: fieldValue, origin: fc.constantFrom('manual', 'sample', 'x', 3), enabled: fieldValue, version: fieldValue }, { requiredKeys: [] }), fieldValue);
const avatar = fc.oneof(
  fc.constant(null),
  fc.constant({ type: 'image/png', base64: encodeBase64(tinyPng()) }),
  fc.constant({ type: 'text/html', base64: encodeBase64(new TextEncoder().encode('<script>alert(1)</script>')) }),
  fc.record({ type: fieldValue, base64: fc.oneof(fc.base64String({ maxLength: 16 }), fieldValue) }),
  fieldValue,
);
const character = fc.record(
  { id, card: fc.oneof({ weight: 4, arbitrary: cardData }, { weight: 1, arbitrary: fieldValue }), avatar, statements: fc.oneof(fc.array(statement, { maxLength: 3 }), fieldValue), createdAt: stamp, updatedAt: stamp },
  { requiredKeys: ['id'] },
);
const swipe = fc.oneof(fc.record({ text: fieldValue, state: fc.constantFrom('done', 'streaming', 'nope'), finishReason: fieldValue, modelId: fieldValue, createdAt: stamp, usage: fieldValue }, { requiredKeys: [] }), fieldValue);
const chat = fc.record({ id, characterId: id, title: fieldValue, sampling: fc.oneof(fieldValue, fc.dictionary(fc.constantFrom('temperature', 'topP', 'maxTokens'), fieldValue)), createdAt: stamp, updatedAt: stamp }, { requiredKeys: ['id', 'characterId'] });
const message = fc.record(
  { id, chatId: id, order: fc.oneof(fc.integer(), fieldValue), role: fc.constantFrom('user', 'assistant', 'system', 'narrator', 1), name: fieldValue, swipes: fc.oneof(fc.array(swipe, { maxLength: 3 }), fieldValue), swipeIndex: fc.oneof(fc.integer({ min: -1, max: 4 }), fieldValue), createdAt: stamp, updatedAt: stamp },
  { requiredKeys: [] },
);
const setting = fc.oneof(fc.record({ key: fc.constantFrom('theme', 'userName', 'modelBaseUrl', 'samplesSeeded', 'nope', '__proto__'), value: fieldValue }), fieldValue);
/** Mostly the right value, sometimes any wrong one. */
const mostly = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: fieldValue });
const probe = fc.record(
  {
    id: mostly(fc.constantFrom('p1', 'p2')),
    kind: mostly(fc.constantFrom('direct', 'temptation', 'persona', 'x')),
    family: mostly(fc.constantFrom('expected-action', 'persona-consistency', 'toxicity-control', 'x')),
    pressure: mostly(fc.constantFrom(null, 'meta-reflection', 'x')),
    statementId: mostly(fc.constantFrom(null, 's1')),
    text: fieldValue,
    origin: mostly(fc.constantFrom('template', 'edited', 'manual', 'x')),
  },
  { requiredKeys: [] },
);
const probeResult = fc.record(
  { probeId: mostly(fc.constant('p1')), status: mostly(fc.constantFrom('done', 'failed')), answer: fieldValue, verdict: anyJson, error: mostly(fc.constant(null)), generateMs: stamp, checkMs: stamp },
  { requiredKeys: [] },
);
/** A run in the stored shape, with arbitrary texts, verdicts and counts. */
const soundRun = fc.record({
  v: fc.constant(1),
  id: fc.constantFrom('r1', 'r2', 'r3'),
  characterId: fc.constantFrom('a', 'a', 'b', 'zz'),
  characterName: fc.string({ maxLength: 10 }),
  createdAt: fc.nat(),
  finishedAt: fc.option(fc.nat()),
  status: fc.constantFrom('running', 'complete', 'cancelled', 'failed'),
  stopReason: fc.option(fc.string({ maxLength: 10 })),
  modelId: fc.string({ maxLength: 10 }),
  checkerModelId: fc.string({ maxLength: 10 }),
  threshold: fc.double({ min: 0, max: 1, noNaN: true }),
  maxTokens: fc.integer({ min: 1, max: 500 }),
  statements: fc.array(fc.record({ id: fc.constant('s1'), text: fc.string({ maxLength: 20 }), version: fc.nat(), enabled: fc.boolean() }), { maxLength: 2 }),
  probes: fc.array(
    fc.record({ id: fc.constantFrom('p1', 'p2'), kind: fc.constantFrom('direct', 'temptation', 'persona'), family: fc.constantFrom('expected-action', 'toxicity-control'), pressure: fc.constantFrom(null, 'drop-role'), statementId: fc.constantFrom(null, 's1'), text: fc.string({ maxLength: 20 }), origin: fc.constantFrom('template', 'edited', 'manual') }),
    { maxLength: 2 },
  ),
  results: fc.array(fc.record({ probeId: fc.constant('p1'), status: fc.constantFrom('done', 'failed'), answer: fc.string({ maxLength: 20 }), verdict: fc.oneof(fc.constant(null), anyJson), error: fc.option(fc.string({ maxLength: 10 })), generateMs: fc.nat(), checkMs: fc.nat() }), { maxLength: 2 }),
});
/** Audit runs (table `audits`): sound ones, near the stored shape with wrong fields anywhere, and junk. */
export const auditRun = fc.oneof(
  { weight: 3, arbitrary: soundRun },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        v: mostly(fc.constant(1)),
        id,
        characterId: id,
        characterName: mostly(fc.string({ maxLength: 10 })),
        createdAt: stamp,
        finishedAt: mostly(fc.constant(null)),
        status: mostly(fc.constantFrom('running', 'complete', 'cancelled', 'failed', 'x')),
        stopReason: mostly(fc.constant(null)),
        modelId: mostly(fc.constant('m')),
        checkerModelId: mostly(fc.constant('c')),
        threshold: mostly(fc.double({ min: 0, max: 1, noNaN: true })),
        maxTokens: mostly(fc.integer({ min: -1, max: 500 })),
        statements: mostly(fc.array(fc.record({ id: mostly(fc.constant('s1')), text: fieldValue, version: stamp, enabled: mostly(fc.boolean()) }, { requiredKeys: [] }), { maxLength: 2 })),
        probes: mostly(fc.array(probe, { maxLength: 2 })),
        results: mostly(fc.array(probeResult, { maxLength: 2 })),
      },
      { requiredKeys: ['v', 'id', 'characterId'] },
    ),
  },
  { weight: 1, arbitrary: fieldValue },
);
/** Guided-creation drafts (table `interviews`): answers of any type, steps out of range. */
export const interviewDraft = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        id,
        step: mostly(fc.integer({ min: -2, max: 20 })),
        answers: mostly(fc.dictionary(fc.constantFrom('name', 'role', 'likes', 'fears', 'bigFive', '__proto__'), fieldValue, { maxKeys: 4 })),
        accepted: mostly(fc.array(fc.oneof(fc.record({ id: fieldValue, text: fieldValue, step: mostly(fc.constantFrom('identity', 'x')), sourceKey: fieldValue }, { requiredKeys: [] }), fieldValue), { maxLength: 3 })),
        rejected: fieldValue,
        createdAt: stamp,
        updatedAt: stamp,
      },
      { requiredKeys: ['id'] },
    ),
  },
  { weight: 1, arbitrary: fieldValue },
);

export const backup = fc.record(
  {
    format: fc.constantFrom('in-character-backup', 'in-character-backup', 'other'),
    version: fc.constantFrom(1, 1, 1, '1', -5, 1.5, 2, null),
    exportedAt: fieldValue,
    characters: fc.oneof({ weight: 5, arbitrary: fc.array(character, { maxLength: 3 }) }, { weight: 1, arbitrary: fieldValue }),
    chats: fc.array(chat, { maxLength: 3 }),
    messages: fc.array(message, { maxLength: 4 }),
    verdicts: fc.array(fc.oneof(fieldValue, fc.record({ id, messageId: id, chatId: id, swipeIndex: fc.integer(), createdAt: stamp, verdict: anyJson })), { maxLength: 2 }),
    settings: fc.oneof({ weight: 5, arbitrary: fc.array(setting, { maxLength: 4 }) }, { weight: 1, arbitrary: fieldValue }),
    // Optional: absent in backups made before they were backed up.
    audits: fc.oneof({ weight: 5, arbitrary: fc.array(auditRun, { maxLength: 3 }) }, { weight: 1, arbitrary: fieldValue }),
    interviews: fc.oneof({ weight: 5, arbitrary: fc.array(interviewDraft, { maxLength: 2 }) }, { weight: 1, arbitrary: fieldValue }),
  },
  { requiredKeys: ['format', 'version'] },
);


/**
 * A sound backup envelope with characters "a" and "b" whose audit runs and
 * interview drafts are anything: what the workbench readers must sort out.
 */
export const workbenchBackup = fc.record({
  format: fc.constant('in-character-backup'),
  version: fc.constant(1),
  exportedAt: fc.constant(''),
  characters: fc.constant([{ id: 'a', card: { name: 'A' }, statements: [], avatar: null, createdAt: 1, updatedAt: 1 }, { id: 'b', card: { name: 'B' }, statements: [], avatar: null, createdAt: 1, updatedAt: 1 }]),
  chats: fc.constant([]),
  messages: fc.constant([]),
  verdicts: fc.constant([]),
  settings: fc.constant([]),
  audits: fc.oneof({ weight: 8, arbitrary: fc.array(auditRun, { maxLength: 4 }) }, { weight: 1, arbitrary: fieldValue }),
  interviews: fc.oneof({ weight: 8, arbitrary: fc.array(interviewDraft, { maxLength: 3 }) }, { weight: 1, arbitrary: fieldValue }),
}, { requiredKeys: ['format', 'version', 'characters', 'chats', 'messages', 'verdicts', 'settings'] });
