import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback } from 'react';
import type { Character } from '../domain/character';
import type { GroupScene } from '../domain/group';
import { repos } from '../db';
import { saveGroupScene } from '../services/group';
import { useUi } from '../stores/ui';
import { errorDetail } from './notices';

/**
 * A group scene's members in scene order (issue 13 §3); null while loading.
 * A member deleted from the library is left out (its old lines keep their
 * stored name; it can no longer speak).
 */
export function useGroupMembers(scene: GroupScene | undefined): Character[] | null {
  const key = scene?.memberIds.join('|') ?? '';
  return useLiveQuery(
    async () => {
      if (!key) return [];
      const rows = await Promise.all(key.split('|').map((id) => repos.characters.get(id)));
      return rows.filter((c): c is Character => c !== undefined);
    },
    [key],
    null,
  );
}

/** Saves a scene's speaking rule or mutes, with an error notice when it cannot. */
export function useSaveGroupScene() {
  const notify = useUi((s) => s.notify);
  return useCallback(
    async (chatId: string, scene: GroupScene) => {
      try {
        await saveGroupScene(chatId, scene);
      } catch (e) {
        notify({ kind: 'error', title: 'Could not save the scene', detail: errorDetail(e) });
      }
    },
    [notify],
  );
}

export { sceneMembers } from '../services/group';
export type { TurnScene } from '../services/chatTurn';
