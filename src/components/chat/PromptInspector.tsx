import { useMemo } from 'react';
import type { Message } from '../../domain/chat';
import { historyFrom } from '../../domain/memory/history';
import { inspectPrompt, sentSummaryStale, type InspectedEntry, type InspectedMessage, type PromptRecord } from '../../domain/memory/promptRecord';
import { readSummaryChain, type StorySummary } from '../../domain/memory/storySoFar';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';

const LABEL: Record<InspectedEntry['kind'], string> = {
  system: 'System prompt, card and statements',
  summary: 'Story so far',
  pinned: 'Pinned message',
  history: 'History',
  'authors-note': 'Author’s note',
  'post-history': 'Post-history instructions',
  continue: 'Reply being continued',
};

/** Sent text, shown exactly: wrapped, never interpreted. */
const PRE = 'font-sans text-xs leading-relaxed break-words whitespace-pre-wrap text-stone-800 dark:text-stone-200';

const n = (x: number) => x.toLocaleString('en');

function Excerpts({ title, messages, testId }: { title: string; messages: InspectedMessage[]; testId: string }) {
  if (messages.length === 0) return null;
  return (
    <details data-testid={testId} data-count={messages.length} className="rounded-xl border border-stone-200 px-3 py-2 dark:border-stone-800">
      <summary className="cursor-pointer text-xs font-medium text-stone-700 dark:text-stone-300">
        {title}: {messages.length} message{messages.length === 1 ? '' : 's'}
      </summary>
      <ul className="mt-2 flex flex-col gap-1 text-xs text-stone-600 dark:text-stone-400">
        {messages.map((m) => (
          <li key={m.id} className="truncate">
            <span className="font-medium">{m.name || m.role}:</span> {m.text}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The exact prompt a reply was written from (issue 13 §5), read from the record stored with its swipe. */
export function PromptInspector({ record, messages, summaries, onClose }: { record: PromptRecord; messages: Message[]; summaries?: readonly StorySummary[]; onClose: () => void }) {
  const { seen, summaryStale } = useMemo(() => {
    const history = historyFrom(messages);
    return { seen: inspectPrompt(record, history), summaryStale: sentSummaryStale(record, readSummaryChain(summaries ?? [], history), history) };
  }, [record, messages, summaries]);
  return (
    <Dialog open wide onClose={onClose} title="Prompt inspector" footer={<Button onClick={onClose}>Close</Button>}>
      <p data-testid="prompt-total" className="mb-3 text-xs text-stone-600 dark:text-stone-400">
        {n(record.tokenCount)} of {n(record.budget)} prompt tokens (context {n(record.contextSize)}, the rest kept for the reply) · estimated, template
        overhead included · {new Date(record.at).toLocaleString()}
        {record.overBudget ? <span className="ml-1 font-medium text-red-700 dark:text-red-300">· over budget</span> : null}
      </p>
      <ol className="flex flex-col gap-3" aria-label="Prompt sections, in the order sent">
        {seen.entries.map((e, i) => (
          <li key={i} data-testid="prompt-section" data-kind={e.kind} className="rounded-xl border border-stone-200 dark:border-stone-800">
            <div className="flex flex-wrap items-center gap-2 border-b border-stone-200 px-3 py-1.5 dark:border-stone-800">
              <span className="text-xs font-semibold text-stone-900 dark:text-stone-100">
                {LABEL[e.kind]}
                {e.kind === 'history' && e.messages ? ` (${e.messages.length})` : ''}
              </span>
              <span className="rounded-full bg-stone-100 px-1.5 py-0.5 font-mono text-[0.7rem] text-stone-600 dark:bg-stone-800 dark:text-stone-300">{e.role}</span>
              <span className="flex-1" />
              <span className="text-xs text-stone-500 tabular-nums dark:text-stone-400">{n(e.tokens)} tokens</span>
            </div>
            {e.parts ? (
              <p className="px-3 pt-1.5 text-[0.7rem] text-stone-500 dark:text-stone-400">{e.parts.filter((p) => p.tokens > 0).map((p) => `${p.label} ${n(p.tokens)}`).join(' · ')}</p>
            ) : null}
            {e.kind === 'summary' && summaryStale ? (
              <p role="note" data-testid="summary-stale" className="mx-3 mt-2 flex items-center gap-1.5 rounded-lg bg-amber-50 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950/40 dark:text-amber-100">
                <Icon name="warning" className="h-3.5 w-3.5 shrink-0" />
                Stale: messages it summarizes changed since. Shown as sent; it is redone when the model is free.
              </p>
            ) : null}
            {e.changed ? (
              <p role="note" className="mx-3 mt-2 flex items-center gap-1.5 rounded-lg bg-amber-50 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950/40 dark:text-amber-100">
                <Icon name="warning" className="h-3.5 w-3.5 shrink-0" />
                Edited or deleted since this reply: shown as it is now, not as it was sent.
              </p>
            ) : null}
            {e.messages ? (
              <ol className="scroll-thin flex max-h-80 flex-col gap-2 overflow-y-auto px-3 py-2">
                {e.messages.map((m) => (
                  <li key={m.id}>
                    <span className="text-[0.7rem] font-medium text-stone-500 dark:text-stone-400">
                      {m.name || m.role} · {m.role}
                    </span>
                    <pre data-testid="prompt-section-text" className={PRE}>
                      {m.text}
                    </pre>
                  </li>
                ))}
              </ol>
            ) : (
              <pre data-testid="prompt-section-text" className={`scroll-thin max-h-64 overflow-y-auto px-3 py-2 ${PRE}`}>
                {e.text}
              </pre>
            )}
          </li>
        ))}
      </ol>
      <div className="mt-3 flex flex-col gap-2">
        <Excerpts title="Summarized (in “Story so far”, not sent word for word)" messages={seen.summarized} testId="prompt-summarized" />
        <Excerpts title="Left out (no summary yet)" messages={seen.dropped} testId="prompt-dropped" />
        {record.droppedExampleBlocks > 0 ? <p className="text-xs text-stone-500 dark:text-stone-400">{record.droppedExampleBlocks} example dialogue block(s) left out to fit.</p> : null}
        {record.droppedLorebookEntries.length > 0 ? <p className="text-xs text-stone-500 dark:text-stone-400">{record.droppedLorebookEntries.length} lorebook entr{record.droppedLorebookEntries.length === 1 ? 'y' : 'ies'} left out to fit.</p> : null}
      </div>
    </Dialog>
  );
}
