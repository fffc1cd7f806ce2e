import { useState } from 'react';
import type { Character } from '../../domain/character';
import { GROUP_MAX_MEMBERS, GROUP_MIN_MEMBERS } from '../../domain/group';
import { displayName } from '../../domain/library';
import { useCharacters } from '../../hooks/useLibrary';
import { useRoute } from '../../stores/route';
import { useSession } from '../../stores/session';
import { useUi } from '../../stores/ui';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Spinner } from '../ui/EmptyState';
import { Icon } from '../ui/Icon';

/** "New group scene" (issue 13 §3): pick 2–6 characters from the library; the scene opens with their greetings. */
export function NewGroupScene() {
  const [open, setOpen] = useState(false);
  return (
    <>
      {/* "Group scene" on screen (one line beside Guided in the sidebar's 18rem); the full name for assistive tech. */}
      <Button size="sm" variant="ghost" icon={<Icon name="chat" />} className="w-full justify-start whitespace-nowrap" aria-label="New group scene" title="New group scene: several characters in one chat" onClick={() => setOpen(true)}>
        Group scene
      </Button>
      {open ? <NewGroupDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const characters = useCharacters();
  const newGroup = useSession((s) => s.newGroup);
  const navigate = useRoute((s) => s.navigate);
  const setSidebarOpen = useUi((s) => s.setSidebarOpen);
  // Picked in order: the first pick opens the scene and speaks first.
  const [picked, setPicked] = useState<string[]>([]);
  const [starting, setStarting] = useState(false);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= GROUP_MAX_MEMBERS ? p : [...p, id]));
  const chosen = picked.flatMap((id) => characters?.find((c) => c.id === id) ?? []);
  const start = async () => {
    setStarting(true);
    const chat = await newGroup(chosen);
    setStarting(false);
    if (!chat) return;
    onClose();
    setSidebarOpen(false);
    navigate({ name: 'character', id: chat.characterId, tab: 'chat', chatId: chat.id });
  };
  const tooFew = chosen.length < GROUP_MIN_MEMBERS;
  return (
    <Dialog
      open
      onClose={onClose}
      title="New group scene"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={tooFew || starting} onClick={() => void start()}>
            Start scene{chosen.length >= GROUP_MIN_MEMBERS ? ` with ${chosen.length}` : ''}
          </Button>
        </>
      }
    >
      <p className="mb-3 text-stone-600 dark:text-stone-400">
        Pick {GROUP_MIN_MEMBERS} to {GROUP_MAX_MEMBERS} characters. Each speaks from its own card and statements, and each reply is checked against its speaker only.
      </p>
      {characters === null ? (
        <Spinner label="Opening your library…" />
      ) : characters.length < GROUP_MIN_MEMBERS ? (
        <p className="text-stone-600 dark:text-stone-400">A group scene needs at least two characters in the library.</p>
      ) : (
        <ul className="flex flex-col gap-1" aria-label="Characters">
          {characters.map((c) => (
            <MemberChoice key={c.id} character={c} position={picked.indexOf(c.id)} full={picked.length >= GROUP_MAX_MEMBERS} onToggle={() => toggle(c.id)} />
          ))}
        </ul>
      )}
    </Dialog>
  );
}

function MemberChoice({ character, position, full, onToggle }: { character: Character; position: number; full: boolean; onToggle: () => void }) {
  const checked = position !== -1;
  return (
    <li>
      <label className={`flex cursor-pointer items-center gap-3 rounded-xl px-2 py-1.5 ${checked ? 'bg-accent-50 dark:bg-accent-900/30' : 'hover:bg-stone-100 dark:hover:bg-stone-800/60'}`}>
        <input type="checkbox" className="h-4 w-4 accent-accent-600" checked={checked} disabled={!checked && full} onChange={onToggle} aria-label={displayName(character)} />
        <Avatar blob={character.avatar} name={character.card.name} size="sm" />
        <span className="min-w-0 flex-1 truncate font-medium">{displayName(character)}</span>
        {checked ? <span className="text-xs text-stone-500 dark:text-stone-400">#{position + 1}</span> : null}
      </label>
    </li>
  );
}
