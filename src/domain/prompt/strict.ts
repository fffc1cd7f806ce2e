/**
 * Adapting an assembled prompt to engines whose chat handling is strict.
 *
 * IMPORTANT: WebLLM 0.2.x throws `SystemMessageOrderError` for a system
 * message anywhere but first, and `MessageOrderError` unless the last message
 * is from the user (checked in its `index.js`). Many chat templates (Mistral,
 * Gemma) are as strict. {@link assemblePrompt}'s canonical output has a
 * trailing system note and, when continuing, a trailing assistant message, so
 * such engines need this fold.
 */
import type { PromptMessage } from './assemble';

/** A prompt with only a leading system message and a user message last (when there is one). */
export interface StrictPrompt {
  messages: PromptMessage[];
  /**
   * The trailing assistant message that was removed (a `continuePrefix`), or
   * null. The engine cannot prefill it; the caller shows it before the output.
   */
  prefill: string | null;
}

/**
 * Fold later system messages into the nearest preceding user message (or into
 * the leading system message when no user message precedes them) and lift a
 * trailing assistant message out as `prefill`.
 */
export function foldForStrictTemplates(messages: PromptMessage[]): StrictPrompt {
  const list = messages.map((m) => ({ ...m }));
  let prefill: string | null = null;
  const last = list[list.length - 1];
  if (last && last.role === 'assistant' && list.some((m) => m.role === 'user')) {
    prefill = last.content;
    list.pop();
  }

  const out: PromptMessage[] = [];
  for (const message of list) {
    if (message.role !== 'system' || out.length === 0) {
      out.push(message);
      continue;
    }
    let target: PromptMessage | undefined;
    for (let i = out.length - 1; i >= 0 && !target; i--) {
      if (out[i]?.role === 'user') target = out[i];
    }
    target ??= out[0]?.role === 'system' ? out[0] : undefined;
    if (target) target.content = `${target.content}\n\n${message.content}`;
    else out.unshift({ role: 'system', content: message.content });
  }
  return { messages: out, prefill };
}
