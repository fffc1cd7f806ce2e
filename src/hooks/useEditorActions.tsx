import { useCallback, useRef, type ReactNode } from 'react';
import type { Character } from '../domain/character';
import { AvatarRejectedError, MAX_AVATAR_BYTES, toStoredAvatar } from '../platform/image';
import { formatBytes } from '../platform/files';
import { proposeStatements, readLorebookFile } from '../services/library';
import { useUi } from '../stores/ui';
import { useLibraryActions } from './useLibrary';
import { useSetting } from './useSettings';

/** Proposals from the card; `name` is what they call the character (the card's name by default). */
export function useProposeStatements(character: Character): (name?: string) => string[] {
  const userName = useSetting('userName') ?? 'You';
  return useCallback((name?: string) => proposeStatements(character, userName, name), [character, userName]);
}

/** A hidden file input + opener for attaching world info to one character. */
export function useWorldInfoImport(characterId: string): { pick: () => void; input: ReactNode } {
  const ref = useRef<HTMLInputElement>(null);
  const notify = useUi((s) => s.notify);
  const { attachLorebook } = useLibraryActions();
  const input = (
    <input
      ref={ref}
      type="file"
      accept=".json,application/json"
      className="hidden"
      data-testid="worldinfo-input"
      onChange={async (e) => {
        const file = e.target.files?.[0];
        e.target.value = '';
        if (!file) return;
        try {
          const book = await readLorebookFile(file);
          await attachLorebook(characterId, book, file.name);
        } catch (err) {
          notify({ kind: 'error', title: `Could not import “${file.name}”`, detail: `${err instanceof Error ? err.message : String(err)}\nThe character was not changed.` });
        }
      }}
    />
  );
  return { pick: () => ref.current?.click(), input };
}

export function useAvatarUpload(update: (f: (c: Character) => Character) => void) {
  const notify = useUi((s) => s.notify);
  return useCallback(
    async (file: File) => {
      if (file.size > MAX_AVATAR_BYTES) {
        notify({ kind: 'error', title: `“${file.name}” is too large for an avatar`, detail: `It is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_AVATAR_BYTES)}.` });
        return;
      }
      // The bytes decide, not the file's name or type; the stored image is re-encoded by the browser.
      let avatar: Blob;
      try {
        avatar = await toStoredAvatar(file);
      } catch (e) {
        const detail = e instanceof AvatarRejectedError ? e.message : `Unexpected error: ${e instanceof Error ? e.message : String(e)}`;
        notify({ kind: 'error', title: `“${file.name}” cannot be an avatar`, detail: `${detail}\nThe avatar was not changed.` });
        return;
      }
      update((c) => ({ ...c, avatar }));
    },
    [notify, update],
  );
}
