import { useRef, useState } from 'react';
import { useChats, useMessageActions } from '../../hooks/useChat';
import { Button, IconButton } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Spinner } from '../ui/EmptyState';
import { Icon } from '../ui/Icon';
import { inputClass } from '../ui/Field';

/**
 * The preview shows two clamped lines; laying out more is wasted work, and a
 * chat that opens with a 10 MB card greeting would lay out all of it.
 */
const PREVIEW_CHARS = 300;

export function ChatList({ characterId, activeId, onOpen, onNew, onImport }: { characterId: string; activeId: string | null; onOpen: (id: string) => void; onNew: () => void; onImport: (file: File) => void }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const chats = useChats(characterId);
  const { renameChat, deleteChat } = useMessageActions();
  const [renaming, setRenaming] = useState<{ id: string; title: string } | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; title: string } | null>(null);
  return (
    <div className="flex h-full flex-col">
      <div className="flex items-center justify-between gap-2 px-3 pb-2 pt-3">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-stone-500 dark:text-stone-400">Chats</h2>
        <Button size="sm" icon={<Icon name="plus" />} onClick={onNew}>
          New chat
        </Button>
      </div>
      <div className="px-3 pb-2">
        <button type="button" className="text-xs text-accent-700 hover:underline dark:text-accent-300" onClick={() => fileInput.current?.click()}>
          Import a SillyTavern chat (.jsonl)
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".jsonl,application/x-ndjson,application/json"
          className="hidden"
          data-testid="chat-import-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) onImport(f);
          }}
        />
      </div>
      <div className="scroll-thin min-h-0 flex-1 overflow-y-auto px-2 pb-3">
        {chats === null ? (
          <div className="p-2">
            <Spinner />
          </div>
        ) : chats.length === 0 ? (
          <p className="px-2 text-sm text-stone-500 dark:text-stone-400">No chats yet.</p>
        ) : (
          <ul className="flex flex-col gap-0.5" data-testid="chat-list">
            {chats.map((c) => (
              <li key={c.id} className={`group flex items-start gap-1 rounded-xl px-2 py-2 ${c.id === activeId ? 'bg-accent-100 dark:bg-accent-900/40' : 'hover:bg-stone-200/60 dark:hover:bg-stone-800/60'}`}>
                {renaming?.id === c.id ? (
                  <form
                    className="flex-1"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void renameChat(c.id, renaming.title).then(() => setRenaming(null));
                    }}
                  >
                    <input autoFocus aria-label="Chat title" className={inputClass} value={renaming.title} onChange={(e) => setRenaming({ ...renaming, title: e.target.value })} onBlur={() => void renameChat(c.id, renaming.title).then(() => setRenaming(null))} onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)} />
                  </form>
                ) : (
                  <button type="button" className="min-w-0 flex-1 text-left" aria-current={c.id === activeId ? 'page' : undefined} onClick={() => onOpen(c.id)}>
                    <span className="block truncate text-sm font-medium">{c.title}</span>
                    <span className="line-clamp-2 text-xs text-stone-500 dark:text-stone-400">{c.lastMessage ? c.lastMessage.slice(0, PREVIEW_CHARS) : 'Empty chat'}</span>
                  </button>
                )}
                <div className="flex shrink-0 opacity-100 sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
                  <IconButton label={`Rename “${c.title}”`} onClick={() => setRenaming({ id: c.id, title: c.title })}>
                    <Icon name="edit" className="h-3.5 w-3.5" />
                  </IconButton>
                  <IconButton label={`Delete “${c.title}”`} onClick={() => setDeleting({ id: c.id, title: c.title })}>
                    <Icon name="trash" className="h-3.5 w-3.5" />
                  </IconButton>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
      <Dialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        title={`Delete “${deleting?.title ?? ''}”?`}
        footer={
          <>
            <Button onClick={() => setDeleting(null)}>Cancel</Button>
            <Button variant="danger" onClick={() => { const d = deleting!; setDeleting(null); void deleteChat(d.id); }}>
              Delete chat
            </Button>
          </>
        }
      >
        All its messages and their consistency verdicts will be deleted. You can undo this for a few seconds afterwards.
      </Dialog>
    </div>
  );
}
