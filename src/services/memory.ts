/**
 * A long chat's memory (issue 13 §4): the prompt input a turn is assembled
 * from (author's note, "Story so far" summaries, pins), and the background
 * summarizer that writes the summaries with the loaded model.
 *
 * The summarizer is an ordinary generation with a summarizing instruction. It
 * runs only between turns (stores/session starts it after a turn and cancels
 * it before the next one), so it never shares the engine with a reply, and it
 * writes nothing of a summary it did not finish.
 */
import type { Character } from '../domain/character';
import type { Chat, Message } from '../domain/chat';
import { newId } from '../domain/character';
import { assemblePrompt, foldForStrictTemplates, type AssembleInput, type HistoryMessage } from '../domain/prompt';
import { cleanSummary, coverageHash, planSummaries, readSummaryChain, summaryPrompt, type StorySummary, type SummaryJob } from '../domain/memory/storySoFar';
import type { ChatEngine } from '../engines/ChatEngine';
import { repos, type CharacterRepository, type ChatRepository } from '../db';
import { displayName, historyFrom } from './chat';
import { countingFor } from './calibration';

/** What a prompt is assembled from, before the turn's own parts (restate, continue, counting). */
export function memoryInput(chat: Chat, history: HistoryMessage[]): Pick<AssembleInput, 'authorsNote' | 'summaries'> {
  const summaries = readSummaryChain(chat.memory ?? [], history).inputs;
  return {
    ...(chat.authorsNote && chat.authorsNote.text.trim() ? { authorsNote: chat.authorsNote } : {}),
    ...(summaries.length > 0 ? { summaries } : {}),
  };
}

/** The context a chat's prompts get on `engine`: the chat may ask for less than the engine has, never more. */
export function contextFor(chat: Chat, engine: Pick<ChatEngine, 'contextSize'>): number {
  return Math.min(chat.sampling.contextSize, engine.contextSize ?? Number.POSITIVE_INFINITY);
}

/** Share of the context one summarizing call may read (the rest: instruction, story so far, the summary). */
export const SUMMARY_CHUNK_SHARE = 0.5;
/** Share of the prompt budget summarized ahead of need, so a summary is not asked for after every reply. */
export const SUMMARY_LOOKAHEAD_SHARE = 0.25;
/** New chunks planned at a time; `summarize` plans again when they are written (bounded planning in a long chat). */
export const SUMMARY_JOBS_PER_PLAN = 4;
/** Most tokens a summary may take to write. */
export const SUMMARY_MAX_TOKENS = 220;
/** Summaries of earlier parts shown to the summarizer for continuity (the latest ones). */
const CONTINUITY_SUMMARIES = 2;

export interface MemoryContext {
  chatId: string;
  character: Character;
  engine: ChatEngine;
  userName: string;
}

export type MemoryEvent =
  /** A summarizing call starts: `index` of `of` jobs. */
  | { type: 'summarizing'; chatId: string; index: number; of: number }
  /** A summary was stored. */
  | { type: 'summary-saved'; chatId: string; summaryId: string };

export type MemoryResult =
  | { status: 'idle' }
  | { status: 'done'; written: number; removed: number }
  | { status: 'stopped'; written: number }
  | { status: 'failed'; written: number; error: unknown };

export interface MemoryRepositories {
  chats: Pick<ChatRepository, 'get' | 'messages' | 'updateMemory'>;
}

/** The summarizer over the given repositories. */
export function createMemory(store: MemoryRepositories, now: () => number = Date.now) {
  /** What the chat's next prompt would drop, and the work that follows from it. */
  async function plan(ctx: MemoryContext): Promise<{ chat: Chat; history: HistoryMessage[]; jobs: SummaryJob[]; remove: string[] } | null> {
    const chat = await store.chats.get(ctx.chatId);
    if (!chat) return null;
    const messages: Message[] = await store.chats.messages(ctx.chatId);
    const history = historyFrom(messages);
    const contextSize = contextFor(chat, ctx.engine);
    const chain = readSummaryChain(chat.memory ?? [], history);
    // Counted as the turn will count (a server's ratio), so what is planned is what the prompt drops.
    const counting = countingFor(ctx.engine);
    const prompt = assemblePrompt({
      card: ctx.character.card,
      statements: ctx.character.statements,
      history,
      userName: ctx.userName,
      contextSize,
      maxReplyTokens: chat.sampling.maxTokens,
      countTokens: counting.countTokens,
      messageOverheadTokens: counting.messageOverheadTokens,
      ...memoryInput(chat, history),
    });
    const { jobs, remove } = planSummaries({
      chain,
      history,
      plan: prompt.history,
      countTokens: counting.countTokens,
      chunkTokens: Math.max(64, Math.floor(contextSize * SUMMARY_CHUNK_SHARE) - SUMMARY_MAX_TOKENS),
      lookaheadTokens: Math.floor(prompt.budget * SUMMARY_LOOKAHEAD_SHARE),
      maxNewJobs: SUMMARY_JOBS_PER_PLAN,
    });
    return { chat, history, jobs, remove };
  }

  return {
    plan,

    /**
     * Brings the chat's summaries up to date: removes orphaned ones, redoes
     * stale ones and summarizes history the next prompt would drop, one
     * chunk per call. Aborting `signal` stops at once (the engine is
     * interrupted; the unfinished summary is not stored). Never rejects.
     */
    async summarize(ctx: MemoryContext, signal: AbortSignal, onEvent: (e: MemoryEvent) => void = () => undefined): Promise<MemoryResult> {
      let written = 0;
      let removed = 0;
      try {
        // Planned a few chunks at a time (SUMMARY_JOBS_PER_PLAN): plan again once they are written.
        for (let round = 0; ; round++) {
          const planned = await plan(ctx);
          if (!planned || (planned.jobs.length === 0 && planned.remove.length === 0)) return round === 0 ? { status: 'idle' } : { status: 'done', written, removed };
          const { history, jobs, remove } = planned;
          removed += remove.length;
          const writtenBefore = written;
          if (remove.length > 0) await store.chats.updateMemory(ctx.chatId, (list) => list.filter((s) => !remove.includes(s.id)));
          const names = { char: displayName(ctx.character), user: ctx.userName };
          let chain = (planned.chat.memory ?? []).filter((s) => !remove.includes(s.id));
          for (const [k, job] of jobs.entries()) {
            if (signal.aborted) return { status: 'stopped', written };
            onEvent({ type: 'summarizing', chatId: ctx.chatId, index: k + 1, of: jobs.length });
            const part = history.slice(job.from, job.to + 1);
            const previous = continuity(chain, history, job.from);
            const prompt = summaryPrompt(part, previous, names);
            const chat = planned.chat;
            const result = await ctx.engine.generate(
              {
                messages: foldForStrictTemplates(prompt).messages,
                sampling: { ...chat.sampling, temperature: Math.min(chat.sampling.temperature, 0.5), maxTokens: Math.min(SUMMARY_MAX_TOKENS, chat.sampling.maxTokens * 2) },
                stop: [],
              },
              { signal },
            );
            if (signal.aborted || result.finishReason === 'abort') return { status: 'stopped', written };
            const text = cleanSummary(result.text);
            if (!text) continue;
            const at = now();
            const record: StorySummary = {
              id: job.kind === 'redo' ? job.summaryId : newId(),
              fromId: part[0]!.id!,
              toId: part.at(-1)!.id!,
              count: part.length,
              sourceHash: coverageHash(part),
              text,
              edited: false,
              createdAt: at,
              updatedAt: at,
            };
            const saved = await store.chats.updateMemory(ctx.chatId, (list) => placeSummary(list, record, history));
            if (!saved) return { status: 'done', written, removed };
            chain = saved;
            written++;
            onEvent({ type: 'summary-saved', chatId: ctx.chatId, summaryId: record.id });
          }
          // Done, or a round that wrote nothing (empty summaries) would only repeat itself.
          if (jobs.filter((j) => j.kind === 'new').length < SUMMARY_JOBS_PER_PLAN || written === writtenBefore) return { status: 'done', written, removed };
        }
      } catch (error) {
        return signal.aborted ? { status: 'stopped', written } : { status: 'failed', written, error };
      }
    },
  };
}

/** The latest summaries before history index `from`, joined, for the summarizer's continuity. */
function continuity(chain: StorySummary[], history: HistoryMessage[], from: number): string {
  const state = readSummaryChain(chain, history).states.filter((s) => s.status !== 'orphaned' && s.to < from);
  return state
    .slice(-CONTINUITY_SUMMARIES)
    .map((s) => s.summary.text)
    .join('\n\n');
}

/**
 * Puts a written summary into the stored list: a redo replaces its own
 * (keeping its creation time), a new one goes in chat order. Exported for tests.
 */
export function placeSummary(list: StorySummary[], record: StorySummary, history: HistoryMessage[]): StorySummary[] {
  const existing = list.findIndex((s) => s.id === record.id);
  if (existing !== -1) return list.map((s, i) => (i === existing ? { ...record, createdAt: s.createdAt } : s));
  const position = new Map(history.map((m, i) => [m.id, i]));
  const start = (s: StorySummary) => position.get(s.fromId) ?? Number.POSITIVE_INFINITY;
  return [...list, record].sort((a, b) => start(a) - start(b));
}

/**
 * The chat and character a summarizer run needs after `chatId`'s history
 * changed outside a turn (an edit, a delete, another swipe shown): null when
 * the chat has no summaries to keep up (nothing can be stale) or is gone. A
 * group scene is summarized as its first member (the chat's character), as
 * the member's own turn would.
 */
export async function chatToRefresh(
  chatId: string,
  store: { chats: Pick<ChatRepository, 'get'>; characters: Pick<CharacterRepository, 'get'> } = repos,
): Promise<{ chat: Chat; character: Character } | null> {
  const chat = await store.chats.get(chatId);
  if (!chat || !chat.memory?.length) return null;
  const character = await store.characters.get(chat.characterId);
  return character ? { chat, character } : null;
}

/** The app's summarizer, over the app's repositories. */
export const memory = createMemory({
  get chats() {
    return repos.chats;
  },
});
