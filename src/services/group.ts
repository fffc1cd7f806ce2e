/**
 * Group scenes (issue 13 §3) outside a turn: starting one from library
 * characters, the members as the pure rules see them, and saving the
 * speaking rule. The turn itself is the ordinary chat turn with the speaker
 * as its character and `TurnContext.scene` set (chatTurn.ts). No React.
 */
import type { Character } from '../domain/character';
import type { Chat } from '../domain/chat';
import { makeGroupScene, type GroupScene, type SceneMember, type SpeakerStrategy } from '../domain/group';
import { resolveMacros } from '../domain/text';
import { repos } from '../db';
import { displayName, userName } from './chat';

/** The members as the speaker rules and the projection see them, in scene order (missing characters left out). */
export function sceneMembers(scene: GroupScene, characters: readonly Character[]): SceneMember[] {
  return scene.memberIds.flatMap((id) => {
    const c = characters.find((x) => x.id === id);
    if (!c) return [];
    const name = displayName(c);
    return [{ id, name, aliases: [c.card.name, c.card.nickname].filter((n) => n.trim() !== '' && n !== name) }];
  });
}

/** "Maren, June and Tomas". */
export function sceneTitle(characters: readonly Character[]): string {
  const names = characters.map(displayName);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? 'Group scene');
}

/**
 * Starts a group scene: each member's greeting opens it in scene order
 * (macros resolved for that member; alternate greetings as swipes), each
 * stored with its speaker.
 * @throws GroupSceneError for fewer than 2 or more than 6 members.
 * @throws StorageFullError when the browser refuses the write.
 */
export async function startGroupScene(characters: readonly Character[], strategy: SpeakerStrategy = 'round-robin'): Promise<Chat> {
  const scene = makeGroupScene(characters.map((c) => c.id), strategy);
  const members = scene.memberIds.map((id) => characters.find((c) => c.id === id)!);
  const user = await userName();
  return repos.chats.create({
    characterId: members[0]!.id,
    characterName: displayName(members[0]!),
    greetings: [],
    title: sceneTitle(members),
    group: scene,
    openings: members.map((c) => ({
      speakerId: c.id,
      name: displayName(c),
      greetings: [c.card.first_mes, ...c.card.alternate_greetings].map((g) => resolveMacros(g, { char: displayName(c), user })),
    })),
  });
}

/**
 * Saves a scene's speaking rule and mutes.
 * @throws StorageFullError / a validation error when the scene is not sound.
 */
export function saveGroupScene(chatId: string, scene: GroupScene): Promise<void> {
  return repos.chats.updateGroup(chatId, scene);
}
