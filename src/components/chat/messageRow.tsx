import { useEffect, useMemo } from 'react';
import type { Character } from '../../domain/character';
import type { Message } from '../../domain/chat';
import { describeGuard } from '../../domain/consistency/takes';
import type { MessageCheck } from '../../hooks/useChecks';
import { useSession } from '../../stores/session';
import { VerdictBadge } from '../persona/VerdictBadge';

/** What a chat screen does with one message (the chat and a group scene share these). */
export interface MessageRowHandlers {
  edit: (m: Message, text: string) => Promise<boolean>;
  remove: (m: Message) => void;
  removeSwipe: (m: Message) => void;
  swipe: (m: Message, index: number) => void;
  regenerate: (m: Message, restate?: string[]) => void;
  continueReply: (m: Message) => void;
  recheck: (m: Message) => void;
}

/** MessageItem's callbacks for `message`, bound to the screen's handlers. */
export function messageRowActions(message: Message, handlers: MessageRowHandlers) {
  return {
    onEdit: (text: string) => handlers.edit(message, text),
    onDelete: () => handlers.remove(message),
    onDeleteSwipe: () => handlers.removeSwipe(message),
    onSwipe: (i: number) => handlers.swipe(message, i),
    onRegenerate: () => handlers.regenerate(message),
    onContinue: () => handlers.continueReply(message),
  };
}

/** A reply's verdict under it, checked against `character` (its speaker). */
export function MessageVerdict({ message, check, character, checkerReady, handlers }: { message: Message; check: MessageCheck | undefined; character: Character; checkerReady: boolean; handlers: MessageRowHandlers }) {
  return (
    <VerdictBadge
      check={check}
      character={character}
      checkerReady={checkerReady}
      onRecheck={() => handlers.recheck(message)}
      onRegenerateInCharacter={(restate) => handlers.regenerate(message, restate)}
    />
  );
}

/**
 * What a message row reads from the session store (the chat and a group
 * scene alike): its streaming text, an unsaved reply with Retry, the takes
 * still being written and the guard's note. Each is selected for this
 * message only, so a streamed piece re-renders the streaming row alone.
 */
export function useMessageRowState(message: Message, streaming: boolean) {
  const takesProgress = useSession((s) =>
    s.takes?.messageId === message.id ? (s.takes.purpose === 'guard' ? `Guard: try ${s.takes.take} of ${s.takes.of}…` : `Take ${s.takes.take} of ${s.takes.of}…`) : null,
  );
  const guardNote = useMemo(() => (message.guard ? { text: describeGuard(message.guard), outcome: message.guard.outcome } : null), [message.guard]);
  const streamingText = useSession((s) => (streaming && s.streaming?.messageId === message.id ? s.streaming.text : null));
  const streamProblem = useSession((s) => (streaming && s.streaming?.messageId === message.id ? s.streaming.saveProblem : null));
  const unsavedEntry = useSession((s) => s.unsaved[`${message.id}:${message.swipeIndex}`] ?? null);
  const unsaved = useMemo(
    () =>
      unsavedEntry
        ? { text: unsavedEntry.text, state: unsavedEntry.patch.state, problem: unsavedEntry.problem, retrying: unsavedEntry.retrying, onRetry: () => void useSession.getState().retrySave(`${message.id}:${message.swipeIndex}`) }
        : streamProblem
          ? { text: null, problem: streamProblem, retrying: false }
          : null,
    [unsavedEntry, streamProblem, message.id, message.swipeIndex],
  );
  return { streamingText, unsaved, takesProgress, guardNote };
}

/**
 * ← → page through the last reply's swipes while focus is not in a text
 * field; → past the last swipe asks for a new one (`regenerate`), unless the
 * reply is the chat's only message (a greeting with nothing to answer).
 */
export function useSwipeKeys({ busy, last, count, select, regenerate }: { busy: boolean; last: Message | undefined; count: number; select: (m: Message, index: number) => void; regenerate: (m: Message) => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (busy || !last || last.role !== 'assistant' || e.altKey || e.ctrlKey || e.metaKey) return;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      if (e.key === 'ArrowLeft' && last.swipeIndex > 0) select(last, last.swipeIndex - 1);
      if (e.key === 'ArrowRight') {
        if (last.swipeIndex < last.swipes.length - 1) select(last, last.swipeIndex + 1);
        else if (count > 1) regenerate(last);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, last, count, select, regenerate]);
}
