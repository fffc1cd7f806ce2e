import type { ReactNode } from 'react';
import type { Character } from '../../domain/character';
import type { Chat, Message } from '../../domain/chat';
import type { SentenceMark } from '../chat/RichText';

export function useMessageChecks(_chat: Chat, _messages: Message[], _character: Character) {
  return {
    marksFor: (_m: Message): SentenceMark[] => [],
    footerFor: (_m: Message): ReactNode => null,
  };
}

export function PersonaPanel(_props: { open: boolean; onToggle: () => void; character: Character; chat: Chat; messages: Message[] }) {
  return null;
}
