import type { Character } from '../../domain/character';
import { EmptyState } from '../ui/EmptyState';

export default function ChatScreen({ character }: { character: Character; chatId?: string }) {
  return <EmptyState title={`Chat with ${character.card.name}`}>Chat is being built.</EmptyState>;
}
