/** Chats and messages. A message holds its swipes; `swipeIndex` is the one shown. */

export type Role = 'user' | 'assistant' | 'system';

export type FinishReason = 'stop' | 'length' | 'abort' | 'error' | 'interrupted';

export interface Swipe {
  text: string;
  /** 'streaming' while tokens arrive; 'interrupted' when a reload cut it off. */
  state: 'streaming' | 'done' | 'interrupted' | 'error';
  finishReason: FinishReason | null;
  modelId: string | null;
  createdAt: number;
  /** Set when this swipe was generated "in character" (restating statements). */
  inCharacterOf?: string[];
  usage?: { promptTokens: number; completionTokens: number };
}

export interface Message {
  id: string;
  chatId: string;
  /** Position within the chat (gaps allowed; ordering only). */
  order: number;
  role: Role;
  /** Display name at the time of writing (user persona or character). */
  name: string;
  swipes: Swipe[];
  swipeIndex: number;
  createdAt: number;
  updatedAt: number;
}

export interface SamplingSettings {
  temperature: number;
  topP: number;
  maxTokens: number;
  presencePenalty: number;
  repetitionPenalty: number;
  contextSize: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = {
  temperature: 0.8,
  topP: 0.95,
  maxTokens: 300,
  presencePenalty: 0,
  repetitionPenalty: 1.1,
  contextSize: 4096,
};

export interface Chat {
  id: string;
  characterId: string;
  title: string;
  sampling: SamplingSettings;
  createdAt: number;
  updatedAt: number;
}

export function currentText(message: Message): string {
  return message.swipes[message.swipeIndex]?.text ?? '';
}
