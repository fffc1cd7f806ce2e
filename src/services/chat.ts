/**
 * The chat use-case: turn stored messages into a prompt, stream a reply from
 * the engine into a swipe, save it while it streams. No React.
 */
import type { Character } from '../domain/character';
import { currentText, type Chat, type FinishReason, type Message } from '../domain/chat';
import { assemblePrompt, estimateTokens, foldForStrictTemplates, type HistoryMessage } from '../domain/prompt';
import { resolveMacros } from '../domain/text';
import type { ChatEngine, GenerateResult } from '../engines/ChatEngine';
import type { ChatRepository } from '../db';

/**
 * How often a streaming reply is written to IndexedDB (a reload loses at most
 * this much). Each write also wakes every live query on the chat, and on a
 * 2-core machine that main-thread work comes out of the model's threads
 * (BENCHMARKS.md), so the interval is a second, not less.
 */
export const STREAM_SAVE_INTERVAL_MS = 1000;

/** History for the prompt: messages before `untilIndex`, current swipes, no empty or failed ones. */
export function historyFrom(messages: Message[], untilIndex = messages.length): HistoryMessage[] {
  return messages
    .slice(0, untilIndex)
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role as 'user' | 'assistant', name: m.name, content: currentText(m) }))
    .filter((m) => m.content.trim() !== '');
}

/** The user turn a reply answers: the last user message before it. */
export function userTurnBefore(messages: Message[], index: number): string {
  for (let i = index - 1; i >= 0; i--) if (messages[i]!.role === 'user') return currentText(messages[i]!);
  return '';
}

export function displayName(character: Character): string {
  return character.card.nickname || character.card.name || 'Character';
}

export interface StreamTarget {
  messageId: string;
  swipeIndex: number;
  /** Text already in the swipe (continue) that new text is appended to. */
  prefix: string;
}

export interface StreamReplyInput {
  engine: ChatEngine;
  repo: ChatRepository;
  character: Character;
  chat: Chat;
  /** Messages the prompt is built from (everything before the reply). */
  history: HistoryMessage[];
  userName: string;
  target: StreamTarget;
  restate?: string[];
  signal?: AbortSignal;
  /** Every change of the reply's full text (prefix + new). */
  onText?: (text: string) => void;
  /** Every raw delta (for the live checker). */
  onDelta?: (delta: string) => void;
}

export interface StreamReplyOutcome {
  text: string;
  finishReason: FinishReason;
  result: GenerateResult | null;
  error: unknown;
}

/**
 * Streams a reply into `target`, saving it every STREAM_SAVE_INTERVAL_MS and at
 * the end. Never throws for engine failures: the text so far is kept with
 * state 'error' and the error returned, so nothing generated is lost.
 */
export async function streamReply(input: StreamReplyInput): Promise<StreamReplyOutcome> {
  const { engine, repo, character, chat, target } = input;
  const names = { char: displayName(character), user: input.userName };
  const prompt = assemblePrompt({
    card: character.card,
    statements: character.statements,
    history: input.history,
    userName: input.userName,
    contextSize: chat.sampling.contextSize,
    maxReplyTokens: chat.sampling.maxTokens,
    countTokens: estimateTokens,
    restate: input.restate,
    continuePrefix: target.prefix || undefined,
  });
  // WebLLM's templates want one leading system message and a final user turn.
  const folded = foldForStrictTemplates(prompt.messages);
  let text = target.prefix;
  let lastSave = performance.now();
  let saving: Promise<void> = Promise.resolve();
  const save = (patch: Parameters<ChatRepository['writeSwipe']>[2]) => {
    saving = saving.then(() => repo.writeSwipe(target.messageId, target.swipeIndex, patch)).catch(() => undefined);
    return saving;
  };
  const modelId = 'modelId' in engine.status ? engine.status.modelId : null;
  await repo.writeSwipe(target.messageId, target.swipeIndex, { state: 'streaming', modelId, ...(input.restate?.length ? { inCharacterOf: input.restate } : {}) });
  try {
    const result = await engine.generate(
      { messages: folded.messages, sampling: chat.sampling, stop: prompt.stop },
      {
        signal: input.signal,
        onDelta: (delta) => {
          text += delta;
          input.onDelta?.(delta);
          input.onText?.(text);
          const now = performance.now();
          if (now - lastSave >= STREAM_SAVE_INTERVAL_MS) {
            lastSave = now;
            void save({ text });
          }
        },
      },
    );
    // The engine returns only what it generated (stop strings already trimmed).
    text = resolveMacros(target.prefix + result.text, names);
    input.onText?.(text);
    await save({ text, state: 'done', finishReason: result.finishReason, usage: result.usage });
    return { text, finishReason: result.finishReason, result, error: null };
  } catch (error) {
    const partial = (error as { partialText?: string }).partialText;
    if (partial && partial.length > text.length - target.prefix.length) text = target.prefix + partial;
    await save({ text, state: 'error', finishReason: 'error' });
    return { text, finishReason: 'error', result: null, error };
  }
}
