import { describe, expect, it } from 'vitest';
import type { Character } from '../domain/character';
import type { Message } from '../domain/chat';
import { makeFingerprint } from '../domain/consistency';
import { createIdsFollower, followIds } from '../domain/chats/ids';
import { verdictKey, type StoredVerdict } from './checking';
import { assistantTurns, CheckMap, followChecks, followTurns, type CheckInputs, type CheckList, type TurnList } from './chatChecks';

/** A seeded random integer below n (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return (n: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

let made = 0;
const msg = (role: Message['role'], text: string, id = `m${++made}`, swipes?: string[], swipeIndex = 0): Message =>
  ({
    id,
    chatId: 'c',
    order: 0,
    role,
    name: role,
    swipes: (swipes ?? [text]).map((t) => ({ text: t, state: 'done', createdAt: 0 })),
    swipeIndex,
    createdAt: 0,
    updatedAt: 0,
  }) as unknown as Message;
/** A message as a save returns it: a new object, same id. */
const saved = (m: Message, text: string): Message => ({ ...m, swipes: m.swipes.map((s, i) => (i === m.swipeIndex ? { ...s, text } : s)) });

const MODEL = 'nli+emb';
const character = { id: 'ch', statements: [{ id: 's1', version: 1, enabled: true, text: 'Maren fears deep water.' }] } as unknown as Character;
/** A verdict made for this text and user turn (fresh), unless told otherwise. */
const verdictFor = (replyText: string, userTurnText: string): StoredVerdict =>
  ({ fingerprint: makeFingerprint({ modelId: MODEL, statements: character.statements, replyText, userTurnText }), roleFlags: [], apcPercent: 50 }) as unknown as StoredVerdict;

const chat = (n: number): Message[] => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? msg('user', `Question ${i}?`) : msg('assistant', `Answer ${i}.`)));

/** What a from-scratch pass makes, as plain data (ids, user turns; checks' verdicts, staleness, live, checking). */
const plain = (list: CheckList) => ({
  turns: list.turns.turns.map((t) => [t.message.id, t.userTurn]),
  checks: [...list.checks].map(([id, c]) => [id, c.verdict, c.stale, c.live, c.checking, c.replyText]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
});

describe('followTurns', () => {
  it('matches assistantTurns after any change, returns the same list when nothing changed, and keeps the turns before the first change', () => {
    const a = chat(40);
    const first = followTurns(null, a);
    expect(first.turns.map((t) => [t.message.id, t.userTurn])).toEqual(assistantTurns(a).map((t) => [t.message.id, t.userTurn]));
    expect(followTurns(first, a)).toBe(first);
    expect(followTurns(first, a.slice())).toBe(first);

    // A streamed save of the last reply: the 19 turns before it are the very same objects.
    const b = a.slice();
    b[39] = saved(a[39]!, 'Answer 39, longer now.');
    const second = followTurns(first, b);
    expect(second.sameBefore).toBe(19);
    for (let i = 0; i < 19; i++) expect(second.turns[i]).toBe(first.turns[i]);
    expect(second.turns[19]!.message).toBe(b[39]);

    // An edited user message changes the next reply's user turn.
    const c = b.slice();
    c[10] = saved(b[10]!, 'Edited?');
    const third = followTurns(second, c);
    expect(third.sameBefore).toBe(5);
    expect(third.turns[5]!.userTurn).toBe('Edited?');
    expect(third.turns.map((t) => [t.message.id, t.userTurn])).toEqual(assistantTurns(c).map((t) => [t.message.id, t.userTurn]));
  });
});

describe('followChecks', () => {
  it('agrees with a from-scratch pass after every one of 400 random changes (appends, saves, deletes, inserts, swipes, verdicts, live flags, checking)', () => {
    const rand = random(7);
    let messages = chat(30);
    let verdicts = new Map<string, StoredVerdict>();
    let live: Record<string, string[]> = {};
    let checking: Record<string, boolean> = {};
    const speakerOf = () => character;
    const inputs = (): CheckInputs<string> => ({ verdicts, live, checking, modelId: MODEL, speakerOf });
    let turns: TurnList = followTurns(null, messages);
    let list = followChecks<string>(null, turns, inputs());
    const replies = () => messages.filter((m) => m.role === 'assistant');
    for (let step = 0; step < 400; step++) {
      const op = rand(9);
      const next = messages.slice();
      const at = rand(Math.max(1, next.length));
      if (op === 0) next.push(msg(rand(2) ? 'user' : 'assistant', `New ${step}.`));
      else if (op === 1 && next[at]) next[at] = saved(next[at]!, rand(3) === 0 ? '  ' : `Saved ${step}.`);
      else if (op === 2 && next.length > 2) next.splice(at, 1);
      else if (op === 3) next.splice(at, 0, msg(rand(2) ? 'user' : 'assistant', `Inserted ${step}.`));
      else if (op === 4 && next[at]?.role === 'assistant') next[at] = { ...next[at]!, swipes: [...next[at]!.swipes, { text: `Swipe ${step}.`, state: 'done', createdAt: 0 }], swipeIndex: next[at]!.swipes.length } as Message;
      else if (op === 5) {
        // A verdict for one reply as it is now (fresh), or for text it no longer has (stale).
        const r = replies()[rand(Math.max(1, replies().length))];
        const turn = r && assistantTurns(messages).find((t) => t.message.id === r.id);
        if (r && turn) {
          verdicts = new Map(verdicts);
          verdicts.set(verdictKey(r.id, r.swipeIndex), verdictFor(rand(2) ? r.swipes[r.swipeIndex]!.text : 'Something else.', turn.userTurn));
        }
      } else if (op === 6) {
        const r = replies()[rand(Math.max(1, replies().length))];
        if (r) live = { ...live, [verdictKey(r.id, r.swipeIndex)]: [`flag ${step}`] };
      } else if (op === 7) {
        const r = replies()[rand(Math.max(1, replies().length))];
        if (r) checking = { ...checking, [verdictKey(r.id, r.swipeIndex)]: !checking[verdictKey(r.id, r.swipeIndex)] };
      } else if (op === 8) live = {};
      messages = next;
      turns = followTurns(turns, messages);
      list = followChecks(list, turns, inputs());
      const fresh = followChecks<string>(null, followTurns(null, messages), inputs());
      expect(plain(list), `step ${step}, op ${op}`).toEqual(plain(fresh));
    }
  });

  it('after a streamed save of the last reply of a 2,000-message chat, looks again at that reply only, and keeps every other check object', () => {
    const messages = chat(2000);
    const turns0 = followTurns(null, messages);
    const verdicts = new Map(turns0.turns.map((t) => [verdictKey(t.message.id, 0), verdictFor(t.message.swipes[0]!.text, t.userTurn)]));
    let asked = 0;
    const inputs: CheckInputs = { verdicts, live: {}, checking: {}, modelId: MODEL, speakerOf: () => (asked++, character) };
    const before = followChecks(null, turns0, inputs);
    expect(asked).toBe(1000);
    expect([...before.checks.values()].every((c) => !c.stale)).toBe(true);

    const next = messages.slice();
    next[1999] = saved(messages[1999]!, 'Answer 1999, edited.');
    asked = 0;
    const after = followChecks(before, followTurns(turns0, next), inputs);
    expect(asked).toBe(1);
    expect(after.checks.get(next[1999]!.id)!.stale).toBe(true);
    for (const t of turns0.turns.slice(0, -1)) expect(after.checks.get(t.message.id)).toBe(before.checks.get(t.message.id));
    // Nothing changed: the same checks.
    expect(followChecks(after, after.turns, inputs)).toBe(after);
  });

  it('a live flag for one reply looks again at that reply only', () => {
    const messages = chat(200);
    const turns = followTurns(null, messages);
    const base: CheckInputs<string> = { verdicts: new Map(), live: {}, checking: {}, modelId: MODEL, speakerOf: () => character };
    const before = followChecks(null, turns, base);
    const id = messages[151]!.id;
    const after = followChecks(before, turns, { ...base, live: { [verdictKey(id, 0)]: ['a flag'] } });
    expect(after.checks.get(id)!.live).toEqual(['a flag']);
    let changed = 0;
    for (const [k, c] of after.checks) if (before.checks.get(k) !== c) changed++;
    expect(changed).toBe(1);
  });
});

describe('CheckMap', () => {
  it('reads as a plain map after every one of 2,000 random changes (folding its changes in on the way), and older versions stay as they were', () => {
    const rand = random(11);
    let plainMap = new Map(Array.from({ length: 300 }, (_, i) => [`k${i}`, i] as [string, number]));
    let map = CheckMap.of(plainMap);
    const versions: [CheckMap<number>, Map<string, number>][] = [];
    for (let step = 0; step < 2000; step++) {
      const changes: [string, number | undefined][] = Array.from({ length: 1 + rand(4) }, () => [`k${rand(400)}`, rand(3) === 0 ? undefined : step]);
      const next = new Map(plainMap);
      for (const [k, v] of changes) {
        if (v === undefined) next.delete(k);
        else next.set(k, v);
      }
      map = map.with(changes);
      plainMap = next;
      if (step % 97 === 0) versions.push([map, plainMap]);
      const probe = `k${rand(400)}`;
      expect(map.get(probe)).toBe(plainMap.get(probe));
      expect(map.has(probe)).toBe(plainMap.has(probe));
      expect(map.size).toBe(plainMap.size);
    }
    for (const [m, p] of [...versions, [map, plainMap] as const]) {
      expect(new Map(m)).toEqual(p);
      expect([...m.values()].sort((a, b) => a - b)).toEqual([...p.values()].sort((a, b) => a - b));
      expect([...m.keys()].sort()).toEqual([...p.keys()].sort());
      const seen = new Map<string, number>();
      m.forEach((v, k) => seen.set(k, v));
      expect(seen).toEqual(p);
    }
    // Just folded (no changes over the base) and with changes, values agree too.
    const folded = CheckMap.of(plainMap);
    expect([...folded.values()].sort((a, b) => a - b)).toEqual([...plainMap.values()].sort((a, b) => a - b));
  });
});

describe('followIds', () => {
  it('hands back the same array while the ids are the same, and a new one when they change', () => {
    const a = chat(5);
    const ids = followIds(null, a);
    expect(ids).toEqual(a.map((m) => m.id));
    const saves = a.slice();
    saves[4] = saved(a[4]!, 'Longer.');
    expect(followIds(ids, saves)).toBe(ids);
    expect(followIds(ids, a.slice(0, 4))).toEqual(ids.slice(0, 4));
    const swapped = [a[1]!, a[0]!, ...a.slice(2)];
    expect(followIds(ids, swapped)).not.toBe(ids);
    const follow = createIdsFollower();
    const first = follow(a);
    expect(follow(saves)).toBe(first);
  });
});
