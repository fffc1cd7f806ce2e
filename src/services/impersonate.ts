/**
 * Impersonate (issue 13 §5): the loaded model drafts the user's next line as
 * the chat's persona. A normal generation of the chat prompt with the
 * impersonation note last (domain/prompt); nothing is written to the chat —
 * the draft goes to the composer, where the writer edits and sends it, or not.
 * No React, no stores.
 */
import type { FinishReason } from '../domain/chat';
import { assemblePrompt, estimateTokens, foldForStrictTemplates } from '../domain/prompt';
import { cleanImpersonation } from '../domain/prompt/impersonate';
import { repos, type ChatRepository } from '../db';
import { displayName, historyFrom } from './chat';
import type { TurnContext } from './chatTurn';

export type ImpersonateContext = Pick<TurnContext, 'chat' | 'character' | 'engine' | 'userName' | 'userDescription'>;

export interface ImpersonateResult {
  /** The draft, cleaned (may be '' when stopped before the first word). */
  text: string;
  finishReason: FinishReason;
  /** The engine's failure, when there was one (the text so far is kept). */
  error: unknown;
}

export interface ImpersonateHandle {
  readonly done: Promise<ImpersonateResult>;
  /** First call: cooperative stop; a second while the engine still runs forces it (as a reply's Stop). */
  stop(): void;
}

/** Starts drafting the user's next line; `onText` gets the whole draft so far, cleaned. Never rejects. */
export function startImpersonation(
  ctx: ImpersonateContext,
  onText: (text: string) => void,
  deps: { chats: Pick<ChatRepository, 'messages'> } = repos,
): ImpersonateHandle {
  const controller = new AbortController();
  let presses = 0;
  let running = false;
  const names = { char: displayName(ctx.character), user: ctx.userName };
  const done = (async (): Promise<ImpersonateResult> => {
    let raw = '';
    try {
      const messages = await deps.chats.messages(ctx.chat.id);
      if (controller.signal.aborted) return { text: '', finishReason: 'abort', error: null };
      const prompt = assemblePrompt({
        card: ctx.character.card,
        statements: ctx.character.statements,
        history: historyFrom(messages),
        userName: ctx.userName,
        userDescription: ctx.userDescription,
        contextSize: Math.min(ctx.chat.sampling.contextSize, ctx.engine.contextSize ?? Number.POSITIVE_INFINITY),
        maxReplyTokens: ctx.chat.sampling.maxTokens,
        countTokens: estimateTokens,
        impersonate: true,
      });
      running = true;
      const result = await ctx.engine.generate(
        { messages: foldForStrictTemplates(prompt.messages).messages, sampling: ctx.chat.sampling, stop: prompt.stop },
        {
          signal: controller.signal,
          onDelta: (delta) => {
            raw += delta;
            onText(cleanImpersonation(raw, names));
          },
        },
      );
      const text = cleanImpersonation(result.text, names).trimEnd();
      onText(text);
      return { text, finishReason: result.finishReason, error: null };
    } catch (error) {
      const partial = (error as { partialText?: string }).partialText;
      const text = cleanImpersonation(partial && partial.length > raw.length ? partial : raw, names).trimEnd();
      onText(text);
      return { text, finishReason: 'error', error };
    } finally {
      running = false;
    }
  })();
  return {
    done,
    stop() {
      presses++;
      if (presses === 1) controller.abort();
      else if (running) ctx.engine.interrupt();
    },
  };
}
