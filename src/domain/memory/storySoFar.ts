/**
 * "Story so far" (issue 13 §4): summaries of the oldest part of a chat that no
 * longer fits the model's context, written by the loaded model in the
 * background and stored on the chat. Each covers a run of history messages
 * (first and last id) and keeps a fingerprint of their text: when one of them
 * is edited, deleted or swiped, the summary reads as stale and is redone.
 *
 * Pure: which summaries still hold, where the prompt may use them, what to
 * summarize next (in chunks), and the summarizing prompt itself.
 */
import { hashText } from '../consistency/cache';
import type { HistoryMessage, HistoryPlan, PromptMessage, SummaryInput } from '../prompt';
import { resolveMacros, type MacroNames } from '../text/macros';

/** One stored summary. */
export interface StorySummary {
  id: string;
  /** First and last history message covered (ids), inclusive. */
  fromId: string;
  toId: string;
  /** History messages covered. */
  count: number;
  /** {@link coverageHash} of the covered messages when the text was written. */
  sourceHash: string;
  text: string;
  /** The writer changed the text (it is still redone when its messages change). */
  edited: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Summaries longer than this are cut (a summary is sent with every reply). */
export const SUMMARY_MAX_CHARS = 4000;
/** A chat keeps at most this many summaries (older ones are merged by the writer, not dropped). */
export const SUMMARIES_MAX = 200;

/** Fingerprint of the messages a summary covers: ids and text, in order. */
export function coverageHash(messages: readonly HistoryMessage[]): string {
  return hashText(messages.map((m) => `${m.id ?? ''}\u0000${m.role}\u0000${m.content}`).join('\u0001'));
}

export type SummaryStatus = 'fresh' | 'stale' | 'orphaned';

/** A summary read against the chat as it is now. */
export interface SummaryState {
  summary: StorySummary;
  /** fresh: its messages are unchanged; stale: one was edited (redo); orphaned: one is gone (remove). */
  status: SummaryStatus;
  /** History indices covered (inclusive); -1 when orphaned. */
  from: number;
  to: number;
}

/** The chat's summaries against its current history. */
export interface SummaryChain {
  states: SummaryState[];
  /** What the prompt may use: the unbroken run of fresh summaries from the chat's start. */
  inputs: SummaryInput[];
}

/**
 * The coverage hash of history[from..to], remembered per summary while the
 * history entries it covers are the same objects (domain/memory/history.ts
 * makes one entry per message object, and an unchanged message stays the
 * same object): each reply reads the chain, and re-hashing the text of every
 * summarized message each time grew with the chat (issue 13 §1).
 */
const coverageMemo = new Map<string, { entries: readonly HistoryMessage[]; hash: string }>();
const COVERAGE_MEMO_MAX = 2 * SUMMARIES_MAX;
function coverageOf(summaryId: string, history: readonly HistoryMessage[], from: number, to: number): string {
  const hit = coverageMemo.get(summaryId);
  if (hit && hit.entries.length === to - from + 1) {
    let i = 0;
    while (i < hit.entries.length && hit.entries[i] === history[from + i]) i++;
    if (i === hit.entries.length) return hit.hash;
  }
  const entries = history.slice(from, to + 1);
  const hash = coverageHash(entries);
  if (coverageMemo.size >= COVERAGE_MEMO_MAX) coverageMemo.clear();
  coverageMemo.set(summaryId, { entries, hash });
  return hash;
}

/**
 * Reads `summaries` (stored order) against `history` (ids required). Linear,
 * and with no summaries, free: only the ids the summaries name are looked
 * for (one pass, no index of the whole history).
 */
export function readSummaryChain(summaries: readonly StorySummary[], history: readonly HistoryMessage[]): SummaryChain {
  const states: SummaryState[] = [];
  const inputs: SummaryInput[] = [];
  if (summaries.length === 0) return { states, inputs };
  const index = new Map<string, number>();
  for (const s of summaries) {
    index.set(s.fromId, -1);
    index.set(s.toId, -1);
  }
  for (let i = 0; i < history.length; i++) {
    const id = history[i]!.id;
    // Ids are unique; were one repeated, its last place counts (as when the whole history was indexed).
    if (id !== undefined && index.has(id)) index.set(id, i);
  }
  let next = 0;
  let unbroken = true;
  for (const summary of summaries) {
    const from = index.get(summary.fromId) ?? -1;
    const to = index.get(summary.toId) ?? -1;
    let status: SummaryStatus;
    if (from === -1 || to < from) status = 'orphaned';
    else status = coverageOf(summary.id, history, from, to) === summary.sourceHash ? 'fresh' : 'stale';
    states.push({ summary, status, from: status === 'orphaned' ? -1 : from, to: status === 'orphaned' ? -1 : to });
    if (unbroken && status === 'fresh' && from === next) {
      inputs.push({ text: summary.text, upTo: to + 1 });
      next = to + 1;
    } else unbroken = false;
  }
  return { states, inputs };
}

/** Work for the background summarizer. Ranges are history indices, inclusive. */
export type SummaryJob =
  | { kind: 'redo'; summaryId: string; from: number; to: number }
  | { kind: 'new'; from: number; to: number };

export interface SummaryPlanInput {
  chain: SummaryChain;
  history: readonly HistoryMessage[];
  /** How the last prompt fitted the history (AssembledPrompt.history). */
  plan: HistoryPlan;
  countTokens: (text: string) => number;
  /** Most history tokens one summarizing call reads. */
  chunkTokens: number;
  /**
   * Summarize this many tokens beyond what was dropped, so the next few
   * replies find a summary ready instead of asking for a new one each turn.
   */
  lookaheadTokens: number;
  /**
   * Plan at most this many new chunks (default: all). A chat imported with
   * thousands of unsummarized messages is then planned in what the summarizer
   * does next, not in all of it: a reply cancels the summarizer, and the next
   * run plans again from where the summaries end.
   */
  maxNewJobs?: number;
}

export interface SummaryPlan {
  /** Summaries to delete: orphaned ones, and every one after the first (the chain is rebuilt from there). */
  remove: string[];
  jobs: SummaryJob[];
}

/**
 * What to summarize after a reply: stale summaries are redone over their
 * messages; history the prompt dropped without a summary is summarized in
 * chunks (never the last user message or after it). Pure and linear.
 */
export function planSummaries(input: SummaryPlanInput): SummaryPlan {
  const { chain, history, plan } = input;
  const remove: string[] = [];
  const jobs: SummaryJob[] = [];
  let end = 0;
  let broken = false;
  for (const state of chain.states) {
    if (broken || state.status === 'orphaned' || state.from !== end) {
      broken = true;
      remove.push(state.summary.id);
      continue;
    }
    if (state.status === 'stale') jobs.push({ kind: 'redo', summaryId: state.summary.id, from: state.from, to: state.to });
    end = state.to + 1;
  }
  const lost = plan.droppedUnsummarized.filter((i) => i >= end);
  if (lost.length === 0) return { remove, jobs };
  let lastUser = -1;
  history.forEach((m, i) => m.role === 'user' && (lastUser = i));
  const limit = Math.min(lastUser === -1 ? history.length : lastUser, history.length);
  const cost = (i: number) => input.countTokens(history[i]?.content ?? '') + 1;
  let stop = Math.max(...lost) + 1;
  for (let extra = 0; stop < limit && extra < input.lookaheadTokens; stop++) extra += cost(stop);
  stop = Math.min(stop, limit);
  const maxNew = input.maxNewJobs ?? Number.POSITIVE_INFINITY;
  let made = 0;
  let from = end;
  let tokens = 0;
  for (let i = end; i < stop; i++) {
    const c = cost(i);
    if (tokens > 0 && tokens + c > input.chunkTokens) {
      jobs.push({ kind: 'new', from, to: i - 1 });
      if (++made >= maxNew) return { remove, jobs };
      from = i;
      tokens = 0;
    }
    tokens += c;
  }
  if (from < stop) jobs.push({ kind: 'new', from, to: stop - 1 });
  return { remove, jobs };
}

/** How the summarizing instruction opens (a test engine tells summarizing calls by it). */
export const SUMMARY_INSTRUCTION_OPENING = 'You summarize part of a role-play story';

/** Word limit asked of the model per summary. */
export const SUMMARY_WORDS = 120;

/**
 * The summarizing call: the story so far (for continuity, not to repeat) and
 * the part to summarize as a plain transcript.
 */
export function summaryPrompt(part: readonly HistoryMessage[], previous: string, names: MacroNames): PromptMessage[] {
  const transcript = part.map((m) => `${m.name?.trim() || (m.role === 'user' ? names.user : names.char)}: ${resolveMacros(m.content, names).trim()}`).join('\n\n');
  const before = previous.trim() ? `Story so far (already summarized; do not repeat it):\n${previous.trim()}\n\n` : '';
  return [
    {
      role: 'system',
      content:
        `${SUMMARY_INSTRUCTION_OPENING} between ${names.char} and ${names.user} so it can be remembered later. ` +
        `Write at most ${SUMMARY_WORDS} words in the past tense: who did what, where, what was learned or promised, and how ${names.char} feels. ` +
        'Keep names and facts exact. Write only the summary, no heading and no commentary.',
    },
    { role: 'user', content: `${before}Summarize this part of the story:\n\n${transcript}` },
  ];
}

/** The model's summary, cleaned: a "Summary:" label dropped, whitespace trimmed, length capped. */
export function cleanSummary(text: string): string {
  const t = text.replace(/\r\n?/g, '\n').trim().replace(/^(?:\*\*)?summary(?:\*\*)?\s*:\s*/i, '');
  return t.length > SUMMARY_MAX_CHARS ? t.slice(0, SUMMARY_MAX_CHARS).trimEnd() : t;
}
