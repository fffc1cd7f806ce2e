/**
 * The prompt inspector's record (issue 13 §5): what was sent for a reply,
 * stored with its swipe so it survives a reload and goes into backups.
 *
 * Compact: text that is not a chat message (system prompt and card, summary,
 * author's note, post-history note) is stored as sent; chat messages are
 * stored as runs of message ids with a fingerprint of the text sent, and read
 * back from the chat. A run whose messages were edited or deleted since is
 * shown as changed (with the text as it is now), never passed off as what
 * was sent.
 */
import { hashText } from '../consistency/cache';
import { STORY_SO_FAR_HEADING, type AssembledPrompt, type HistoryMessage, type PromptRole, type PromptSection } from '../prompt';
import { resolveMacros, type MacroNames } from '../text/macros';
import type { SummaryChain } from './storySoFar';

export const PROMPT_RECORD_VERSION = 1;

/** A run of history messages, consecutive in the chat's history, by first and last id. */
export interface MessageRun {
  fromId: string;
  toId: string;
  count: number;
}

/** One part of the prompt, in prompt order. */
export interface PromptRecordEntry {
  kind: PromptSection['kind'];
  role: PromptRole;
  /** Tokens as budgeted (template overhead included). */
  tokens: number;
  /** The exact text, for entries that are not chat messages. */
  text?: string;
  /** For 'history' and 'pinned': the messages, and a fingerprint of the text sent. */
  run?: MessageRun & { hash: string };
  /** For 'system': tokens per part. */
  parts?: { label: string; tokens: number }[];
}

export interface PromptRecord {
  v: number;
  at: number;
  names: MacroNames;
  contextSize: number;
  budget: number;
  tokenCount: number;
  overBudget: boolean;
  entries: PromptRecordEntry[];
  /** History covered by the "Story so far" summary that was sent. */
  summarized: MessageRun | null;
  /** History left out with no summary covering it. */
  dropped: MessageRun[];
  droppedExampleBlocks: number;
  droppedLorebookEntries: number[];
}

const runHash = (texts: readonly string[]) => hashText(texts.join('\u0001'));

function runOf(history: readonly HistoryMessage[], from: number, to: number): MessageRun | null {
  const first = history[from]?.id;
  const last = history[to]?.id;
  return first !== undefined && last !== undefined ? { fromId: first, toId: last, count: to - from + 1 } : null;
}

/** Consecutive indices grouped into runs. */
function runsOf(history: readonly HistoryMessage[], indices: readonly number[]): MessageRun[] {
  const runs: MessageRun[] = [];
  let start = -1;
  indices.forEach((i, k) => {
    if (start === -1) start = i;
    if (indices[k + 1] !== i + 1) {
      const run = runOf(history, start, i);
      if (run) runs.push(run);
      start = -1;
    }
  });
  return runs;
}

/**
 * The record of an assembled prompt. `history` is the input the prompt was
 * assembled from (messages need ids to be referenced; one without is stored as text).
 */
export function recordPrompt(prompt: AssembledPrompt, history: readonly HistoryMessage[], meta: { names: MacroNames; contextSize: number; at: number }): PromptRecord {
  const entries: PromptRecordEntry[] = [];
  /** Where each run starts among the prompt's messages: hashed once it is complete (not again per message). */
  const runStart = new Map<PromptRecordEntry, number>();
  prompt.sections.forEach((section, k) => {
    const message = prompt.messages[k]!;
    const i = section.historyIndex;
    const id = i === undefined ? undefined : history[i]?.id;
    if (i === undefined || id === undefined) {
      entries.push({ kind: section.kind, role: message.role, tokens: section.tokens, text: message.content, ...(section.parts ? { parts: section.parts } : {}) });
      return;
    }
    const prev = entries.at(-1);
    const prevSection = prompt.sections[k - 1];
    // A run continues while the next history message follows the previous one in the chat.
    if (section.kind === 'history' && prev?.kind === 'history' && prev.run && prevSection?.historyIndex === i - 1) {
      prev.run = { fromId: prev.run.fromId, toId: id, count: prev.run.count + 1, hash: '' };
      prev.tokens += section.tokens;
      return;
    }
    const entry: PromptRecordEntry = { kind: section.kind, role: message.role, tokens: section.tokens, run: { fromId: id, toId: id, count: 1, hash: '' } };
    runStart.set(entry, k);
    entries.push(entry);
  });
  for (const [entry, k] of runStart) {
    if (entry.run) entry.run.hash = runHash(prompt.messages.slice(k, k + entry.run.count).map((m) => m.content));
  }
  const plan = prompt.history;
  return {
    v: PROMPT_RECORD_VERSION,
    at: meta.at,
    names: meta.names,
    contextSize: meta.contextSize,
    budget: prompt.budget,
    tokenCount: prompt.tokenCount,
    overBudget: prompt.overBudget,
    entries,
    summarized: plan.summarizedUpTo > 0 ? runOf(history, 0, plan.summarizedUpTo - 1) : null,
    dropped: runsOf(history, plan.droppedUnsummarized),
    droppedExampleBlocks: prompt.dropped.exampleBlocks,
    droppedLorebookEntries: prompt.dropped.lorebookEntries,
  };
}

/** A message of an inspected run, as it is in the chat now. */
export interface InspectedMessage {
  id: string;
  role: 'user' | 'assistant';
  name: string;
  text: string;
}

/** One part of the inspected prompt. */
export interface InspectedEntry {
  kind: PromptRecordEntry['kind'];
  role: PromptRole;
  tokens: number;
  parts?: { label: string; tokens: number }[];
  /** The text sent (for messages: as they are now, see `changed`). */
  text: string;
  messages?: InspectedMessage[];
  /** The messages were edited or deleted since: `text` is not what was sent. */
  changed: boolean;
}

/** A run resolved against the current history (null when its first message is gone). */
function resolveRun(run: MessageRun, history: readonly HistoryMessage[], names: MacroNames, index: Map<string, number>): { messages: InspectedMessage[]; texts: string[]; exact: boolean } | null {
  const from = index.get(run.fromId);
  if (from === undefined) return null;
  const slice = history.slice(from, from + run.count);
  const texts = slice.map((m) => resolveMacros(m.content, names));
  return {
    messages: slice.map((m, k) => ({ id: m.id ?? '', role: m.role, name: m.name ?? '', text: texts[k]! })),
    texts,
    exact: slice.length === run.count && slice.at(-1)?.id === run.toId,
  };
}

/**
 * Reads a record back for the inspector, against the chat's current history
 * (`historyFrom` of its messages, ids included). Linear.
 */
export function inspectPrompt(record: PromptRecord, history: readonly HistoryMessage[]): { entries: InspectedEntry[]; summarized: InspectedMessage[]; dropped: InspectedMessage[] } {
  const index = new Map<string, number>();
  history.forEach((m, i) => m.id !== undefined && index.set(m.id, i));
  const entries = record.entries.map((e): InspectedEntry => {
    const base = { kind: e.kind, role: e.role, tokens: e.tokens, ...(e.parts ? { parts: e.parts } : {}) };
    if (!e.run) return { ...base, text: e.text ?? '', changed: false };
    const got = resolveRun(e.run, history, record.names, index);
    if (!got) return { ...base, text: '', messages: [], changed: true };
    return { ...base, text: got.texts.join('\n\n'), messages: got.messages, changed: !got.exact || runHash(got.texts) !== e.run.hash };
  });
  const list = (run: MessageRun | null) => (run ? (resolveRun(run, history, record.names, index)?.messages ?? []) : []);
  return { entries, summarized: list(record.summarized), dropped: record.dropped.flatMap(list) };
}

/**
 * Whether the "Story so far" a record sent is stale now: a summary of the
 * history it covered reads stale (a message edited or another swipe shown
 * since) or orphaned (one deleted). The inspector says so until the
 * summarizer has redone it; a redone summary is not what was sent either,
 * so the record keeps its text. `chain` is readSummaryChain of the chat now.
 */
export function sentSummaryStale(record: PromptRecord, chain: SummaryChain, history: readonly HistoryMessage[]): boolean {
  if (!record.summarized) return false;
  const end = history.findIndex((m) => m.id === record.summarized!.toId);
  // Orphaned summaries have no place left to compare: any one may have covered the run.
  return chain.states.some((s) => s.status === 'orphaned' || (s.status === 'stale' && (end === -1 || s.from <= end)));
}

/**
 * The "Story so far" a reply's prompt sent, without its heading ('' when it
 * sent none, or for a reply without a record). The checker reads it as
 * context for relevance (domain/consistency/relevance.ts), the story as that
 * reply's model saw it — a summary redone later does not change it.
 */
export function storyOfRecord(record: PromptRecord | undefined | null): string {
  if (!record) return '';
  return record.entries
    .filter((e) => e.kind === 'summary' && e.text)
    .map((e) => {
      const text = e.text!.trim();
      return text.startsWith(STORY_SO_FAR_HEADING) ? text.slice(STORY_SO_FAR_HEADING.length).trim() : text;
    })
    .join('\n\n');
}
