import { useMemo, useState } from 'react';
import { AUTHORS_NOTE_DEPTH_MAX, AUTHORS_NOTE_MAX_CHARS, DEFAULT_AUTHORS_NOTE_DEPTH, type AuthorsNote, type Chat, type Message } from '../../domain/chat';
import { historyFrom } from '../../domain/memory/history';
import { readSummaryChain, SUMMARY_MAX_CHARS, type SummaryState } from '../../domain/memory/storySoFar';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextArea, TextField } from '../ui/Field';

const STATUS: Record<SummaryState['status'], { label: string; className: string }> = {
  fresh: { label: 'up to date', className: 'bg-emerald-50 text-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-200' },
  stale: { label: 'stale — its messages changed; redone when the model is free', className: 'bg-amber-50 text-amber-900 dark:bg-amber-950/40 dark:text-amber-100' },
  orphaned: { label: 'its messages were deleted; redone when the model is free', className: 'bg-red-50 text-red-800 dark:bg-red-950/40 dark:text-red-200' },
};

function SummaryItem({ state, position, onSave }: { state: SummaryState; position: (id: string) => number; onSave: (text: string) => Promise<boolean> }) {
  const [draft, setDraft] = useState(state.summary.text);
  const { summary } = state;
  const status = STATUS[state.status];
  const from = position(summary.fromId);
  const to = position(summary.toId);
  return (
    <li data-testid="story-summary" data-status={state.status} className="rounded-xl border border-stone-200 p-3 dark:border-stone-800">
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs">
        <span className="font-medium text-stone-700 dark:text-stone-300">{from > 0 && to > 0 ? `Messages ${from}–${to}` : `${summary.count} messages`}</span>
        <span className={`rounded-full px-2 py-0.5 ${status.className}`}>{status.label}</span>
        {summary.edited ? <span className="text-stone-500 dark:text-stone-400">edited by you</span> : null}
      </div>
      <TextArea label={`Summary of messages ${from}–${to}`} rows={4} maxLength={SUMMARY_MAX_CHARS} value={draft} onChange={(e) => setDraft(e.target.value)} />
      <div className="mt-2 flex justify-end">
        <Button size="sm" disabled={draft.trim() === summary.text || draft.trim() === ''} onClick={() => void onSave(draft)}>
          Save summary
        </Button>
      </div>
    </li>
  );
}

/**
 * A chat's memory (issue 13 §4–5): the author's note and the "Story so far"
 * the model writes when the chat outgrows its context.
 */
export function MemoryDialog({
  chat,
  messages,
  summarizing,
  canSummarize,
  onSaveNote,
  onSaveSummary,
  onSummarize,
  onCancelSummary,
  onClose,
}: {
  chat: Chat;
  messages: Message[];
  /** "2 of 3" while the summarizer works on this chat. */
  summarizing: { index: number; of: number } | null;
  canSummarize: boolean;
  onSaveNote: (note: AuthorsNote) => Promise<boolean>;
  onSaveSummary: (id: string, text: string) => Promise<boolean>;
  onSummarize: () => void;
  onCancelSummary: () => void;
  onClose: () => void;
}) {
  const [note, setNote] = useState(chat.authorsNote?.text ?? '');
  const [depth, setDepth] = useState(chat.authorsNote?.depth ?? DEFAULT_AUTHORS_NOTE_DEPTH);
  const chain = useMemo(() => readSummaryChain(chat.memory ?? [], historyFrom(messages)), [chat.memory, messages]);
  const positions = useMemo(() => new Map(messages.map((m, i) => [m.id, i + 1])), [messages]);
  const savedNote = chat.authorsNote ?? { text: '', depth: DEFAULT_AUTHORS_NOTE_DEPTH };
  const validDepth = Number.isInteger(depth) && depth >= 0 && depth <= AUTHORS_NOTE_DEPTH_MAX;
  const noteChanged = note !== savedNote.text || depth !== savedNote.depth;

  return (
    <Dialog open wide onClose={onClose} title="Memory" footer={<Button onClick={onClose}>Close</Button>}>
      <section aria-labelledby="note-title" className="flex flex-col gap-3">
        <div>
          <h3 id="note-title" className="text-sm font-semibold text-stone-900 dark:text-stone-100">
            Author’s note
          </h3>
          <p className="mt-1 text-xs text-stone-500 dark:text-stone-400">
            Sent with every reply of this chat, a few messages from the end, where it weighs most. <code>{'{{char}}'}</code> and <code>{'{{user}}'}</code> work.
          </p>
        </div>
        <TextArea label="Author’s note" rows={3} maxLength={AUTHORS_NOTE_MAX_CHARS} value={note} onChange={(e) => setNote(e.target.value)} placeholder="[Style: slow-burn mystery. {{char}} never reveals the key.]" />
        <div className="flex flex-wrap items-end gap-3">
          <div className="w-64">
          <TextField
            label="Depth"
            hint="messages from the end; 0 = after the last"
            type="number"
            min={0}
            max={AUTHORS_NOTE_DEPTH_MAX}
            step={1}
            value={Number.isFinite(depth) ? depth : ''}
            onChange={(e) => setDepth(e.target.value === '' ? Number.NaN : Number(e.target.value))}
          />
          </div>
          <Button variant="primary" disabled={!noteChanged || !validDepth} onClick={() => void onSaveNote({ text: note, depth })}>
            Save note
          </Button>
          {!validDepth ? <p role="alert" className="text-xs text-red-700 dark:text-red-300">Depth is a whole number from 0 to {AUTHORS_NOTE_DEPTH_MAX}.</p> : null}
        </div>
      </section>

      <section aria-labelledby="story-title" className="mt-5 border-t border-stone-200 pt-4 dark:border-stone-800">
        <div className="flex flex-wrap items-center gap-2">
          <h3 id="story-title" className="flex-1 text-sm font-semibold text-stone-900 dark:text-stone-100">
            Story so far
          </h3>
          {summarizing ? (
            <>
              <span data-testid="summarizing" role="status" className="flex items-center gap-2 text-xs text-stone-500 dark:text-stone-400">
                <span aria-hidden="true" className="inline-block h-3 w-3 animate-spin rounded-full border-2 border-accent-500 border-t-transparent" />
                Summarizing part {summarizing.index} of {summarizing.of}…
              </span>
              <Button size="sm" onClick={onCancelSummary}>
                Cancel
              </Button>
            </>
          ) : (
            <Button size="sm" disabled={!canSummarize} onClick={onSummarize} title={canSummarize ? undefined : 'Needs a loaded model and no reply in progress'}>
              Update now
            </Button>
          )}
        </div>
        <p className="mt-1 mb-3 text-xs text-stone-500 dark:text-stone-400">
          When the chat no longer fits the model’s context, the oldest part is summarized by the model between replies and sent in its place. Pinned messages are
          always sent. Edit a summary to correct it; editing a summarized message makes its summary redo itself.
        </p>
        {chain.states.length === 0 ? (
          <p data-testid="story-empty" className="rounded-xl border border-dashed border-stone-300 px-3 py-4 text-center text-xs text-stone-500 dark:border-stone-700 dark:text-stone-400">
            Nothing summarized yet: the whole chat still fits the model’s context.
          </p>
        ) : (
          <ol className="flex flex-col gap-3">
            {chain.states.map((s) => (
              <SummaryItem key={`${s.summary.id}:${s.summary.updatedAt}`} state={s} position={(id) => positions.get(id) ?? 0} onSave={(text) => onSaveSummary(s.summary.id, text)} />
            ))}
          </ol>
        )}
      </section>
    </Dialog>
  );
}
