import { useMemo, useRef, useState } from 'react';
import { arrangeChatTree } from '../../domain/chats/branch';
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
/** Branch indentation: one step per level, up to a depth that still leaves room for the title. */
const INDENT_PX = 10;
const MAX_INDENT_LEVELS = 4;

export function ChatList({ characterId, activeId, onOpen, onNew, onImport }: { characterId: string; activeId: string | null; onOpen: (id: string) => void; onNew: () => void; onImport: (file: File) => void }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const chats = useChats(characterId);
  // Branches under their origin, indented, in the order they split.
  const rows = useMemo(() => (chats ? arrangeChatTree(chats) : null), [chats]);
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
        {rows === null ? (
          <div className="p-2">
            <Spinner />
          </div>
        ) : rows.length === 0 ? (
          <p className="px-2 text-sm text-stone-500 dark:text-stone-400">No chats yet.</p>
        ) : (
          <ul className="flex flex-col gap-0.5" data-testid="chat-list">
            {rows.map(({ chat: c, depth, parentMissing }) => (
              <li
                key={c.id}
                data-testid="chat-row"
                data-depth={depth}
                style={depth > 0 ? { marginLeft: `${Math.min(depth, MAX_INDENT_LEVELS) * INDENT_PX}px` } : undefined}
                className={`group flex items-start gap-1 rounded-xl px-2 py-2 ${depth > 0 ? 'border-l-2 border-stone-300 dark:border-stone-700' : ''} ${c.id === activeId ? 'bg-accent-100 dark:bg-accent-900/40' : 'hover:bg-stone-200/60 dark:hover:bg-stone-800/60'}`}>
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
                    <span className="flex items-center gap-1 truncate text-sm font-medium">
                      {c.branchOf ? <Icon name="branch" className="h-3.5 w-3.5 shrink-0 text-stone-400" /> : null}
                      <span className="truncate">{c.title}</span>
                    </span>
                    {c.branchOf ? (
                      <span data-testid="chat-branch-info" className="line-clamp-2 break-words text-xs text-accent-700 dark:text-accent-300" title={c.branchOf.snippet}>
                        {parentMissing ? 'from a deleted chat, ' : ''}branched at message {c.branchOf.position}
                        {c.branchOf.snippet ? ` · ${c.branchOf.snippet}` : ''}
                      </span>
                    ) : null}
                    <span className={`${c.branchOf ? 'line-clamp-1' : 'line-clamp-2'} text-xs text-stone-500 dark:text-stone-400`}>{c.lastMessage ? c.lastMessage.slice(0, PREVIEW_CHARS) : 'Empty chat'}</span>
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
        All its messages and their consistency verdicts will be deleted.
        {chats?.some((c) => c.branchOf?.chatId === deleting?.id) ? ' Its branches stay, each with its own copy of the story.' : ''} You can undo this for a few seconds afterwards.
      </Dialog>
    </div>
  );
}
