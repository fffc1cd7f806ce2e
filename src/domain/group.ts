/**
 * Group scenes (issue 13 §3): one chat, 2–6 characters and the user.
 *
 * Two pure rules live here:
 *   - who speaks next (manual pick, round-robin, or whoever the user's last
 *     message addresses, falling back to round-robin), muted members skipped;
 *   - the speaker's view of the shared history (SPASM's egocentric
 *     projection): the speaker's own lines are the assistant turns, everyone
 *     else's — the user's and the other characters' — are user-side turns
 *     prefixed with their names. Seen from its own seat, a model has no
 *     other "assistant" to echo.
 */
import { currentText, type Message } from './chat';
import type { HistoryMessage } from './prompt/assemble';

export const GROUP_MIN_MEMBERS = 2;
export const GROUP_MAX_MEMBERS = 6;

export type SpeakerStrategy = 'manual' | 'round-robin' | 'addressed';
export const SPEAKER_STRATEGIES: readonly SpeakerStrategy[] = ['manual', 'round-robin', 'addressed'];

/** Stored on a group chat (`Chat.group`). `Chat.characterId` is the first member (the chat lists under it). */
export interface GroupScene {
  /** Character ids in speaking order, GROUP_MIN_MEMBERS–GROUP_MAX_MEMBERS, no duplicates. */
  memberIds: string[];
  strategy: SpeakerStrategy;
  /** Members who are never picked automatically (a manual pick still may). */
  muted: string[];
}

/** A member as the rules need it: id and the names it answers to. */
export interface SceneMember {
  id: string;
  /** Display name (nickname or name) used in prompts and prefixes. */
  name: string;
  /** Other names the user may address it by (the card's full name, …). */
  aliases?: string[];
}

export class GroupSceneError extends Error {
  override readonly name = 'GroupSceneError';
}

/**
 * A group scene from chosen members: order kept, duplicates dropped.
 * @throws GroupSceneError with fewer than GROUP_MIN_MEMBERS or more than GROUP_MAX_MEMBERS distinct members.
 */
export function makeGroupScene(memberIds: readonly string[], strategy: SpeakerStrategy = 'round-robin'): GroupScene {
  const ids = [...new Set(memberIds.filter((id) => id !== ''))];
  if (ids.length < GROUP_MIN_MEMBERS) throw new GroupSceneError(`A group scene needs at least ${GROUP_MIN_MEMBERS} characters.`);
  if (ids.length > GROUP_MAX_MEMBERS) throw new GroupSceneError(`A group scene holds at most ${GROUP_MAX_MEMBERS} characters.`);
  return { memberIds: ids, strategy, muted: [] };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The members the text addresses, in the order they are first named. A name
 * counts as a whole word, case-insensitively ("June" does not match "Juneau").
 * Linear in the text per name (one regex scan each; names are short and few).
 */
export function addressedMembers(text: string, members: readonly SceneMember[]): string[] {
  const hits: { id: string; at: number }[] = [];
  for (const m of members) {
    let first = -1;
    for (const name of [m.name, ...(m.aliases ?? [])]) {
      const n = name.trim();
      if (!n) continue;
      // \p{L}\p{N} boundaries: \b is ASCII-only and would split "Zoë".
      const re = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(n)}(?![\\p{L}\\p{N}_])`, 'iu');
      const at = text.search(re);
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
    if (first !== -1) hits.push({ id: m.id, at: first });
  }
  return hits.sort((a, b) => a.at - b.at).map((h) => h.id);
}

/** The member after `lastSpeakerId` in scene order who is not muted (the first when nobody spoke yet); null when all are muted. */
export function roundRobinAfter(scene: GroupScene, lastSpeakerId: string | null): string | null {
  const ids = scene.memberIds;
  const start = lastSpeakerId === null ? -1 : ids.indexOf(lastSpeakerId);
  for (let step = 1; step <= ids.length; step++) {
    const id = ids[(start + step + ids.length) % ids.length]!;
    if (!scene.muted.includes(id)) return id;
  }
  return null;
}

/** The last character who spoke in the chat (by `speakerId`), or null. */
export function lastSpeaker(messages: readonly Message[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'assistant' && m.speakerId) return m.speakerId;
  }
  return null;
}

export interface NextSpeakerInput {
  scene: GroupScene;
  members: readonly SceneMember[];
  /** The chat so far (the user's new message included or not; `userText` says what was just typed). */
  messages: readonly Message[];
  /** The user's latest message (for 'addressed'); '' when the user said nothing new. */
  userText: string;
  /** The member the writer picked (manual); used by every strategy when set, muted or not. */
  picked?: string | null;
}

/**
 * Who replies next. A manual pick always wins; 'manual' with no pick returns
 * null (the writer chooses). 'addressed' takes the first non-muted member
 * named in `userText`, else round-robin. Null when every member is muted.
 */
export function nextSpeaker(input: NextSpeakerInput): string | null {
  const { scene, picked } = input;
  if (picked && scene.memberIds.includes(picked)) return picked;
  if (scene.strategy === 'manual') return null;
  if (scene.strategy === 'addressed') {
    const named = addressedMembers(input.userText, input.members.filter((m) => scene.memberIds.includes(m.id) && !scene.muted.includes(m.id)));
    if (named.length > 0) return named[0]!;
  }
  return roundRobinAfter(scene, lastSpeaker(input.messages));
}

/** The name a message is shown under in another member's view. */
function speakerLabel(m: Message, members: readonly SceneMember[], userName: string): string {
  if (m.role === 'user') return userName || m.name || 'User';
  const member = m.speakerId ? members.find((x) => x.id === m.speakerId) : undefined;
  return member?.name ?? (m.name || 'Someone');
}

/**
 * The shared history, before `untilIndex`, as `speakerId` sees it: its own
 * lines are assistant turns (unprefixed, as it wrote them); everyone else's
 * are user turns prefixed `Name: `. Consecutive user-side lines are merged
 * into one turn (one line each), so the prompt alternates roles as strict
 * chat templates require. Empty and system messages are left out. Linear in
 * the history.
 */
export function projectHistory(messages: readonly Message[], speakerId: string, members: readonly SceneMember[], userName: string, untilIndex = messages.length): HistoryMessage[] {
  const out: HistoryMessage[] = [];
  for (const m of messages.slice(0, untilIndex)) {
    if (m.role === 'system') continue;
    const text = currentText(m);
    if (text.trim() === '') continue;
    if (m.role === 'assistant' && m.speakerId === speakerId) {
      out.push({ role: 'assistant', name: speakerLabel(m, members, userName), content: text });
      continue;
    }
    const line = `${speakerLabel(m, members, userName)}: ${text}`;
    const prev = out.at(-1);
    if (prev && prev.role === 'user') prev.content = `${prev.content}\n\n${line}`;
    else out.push({ role: 'user', name: speakerLabel(m, members, userName), content: line });
  }
  return out;
}

/**
 * What the speaker is told about the scene (a system section of its prompt):
 * who else is present, and that it writes only its own lines. The other
 * members' cards are not included: each speaks from its own card only.
 */
export function sceneNote(speaker: SceneMember, members: readonly SceneMember[], userName: string): string {
  const others = members.filter((m) => m.id !== speaker.id).map((m) => m.name);
  const present = [...others, userName || 'the user'];
  const list = present.length > 1 ? `${present.slice(0, -1).join(', ')} and ${present.at(-1)}` : present[0]!;
  return (
    `This is a group scene. Present with ${speaker.name}: ${list}. ` +
    `The others' lines appear prefixed with their names. Write only ${speaker.name}'s next reply, ` +
    `without a name prefix; never write lines or actions for ${list}.`
  );
}

/** Stop strings for a speaker: any other member (or the user) starting a line. */
export function sceneStops(speaker: SceneMember, members: readonly SceneMember[], userName: string): string[] {
  const names = [...members.filter((m) => m.id !== speaker.id).map((m) => m.name), userName].filter((n) => n.trim() !== '');
  return [...new Set(names)].map((n) => `\n${n}:`);
}
