import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Character } from '../../domain/character';
import type { Chat, Message } from '../../domain/chat';
import { arrangeChatTree } from '../../domain/chats/branch';
import { createIdsFollower } from '../../domain/chats/ids';
import type { MessageCheck } from '../../hooks/useChecks';
import { useChatFiles, useChatRecord, useChats, useContextStart, useMessageActions, useMessages } from '../../hooks/useChat';
import { useEngine } from '../../stores/engine';
import { useRoute } from '../../stores/route';
import { useSession } from '../../stores/session';
import { Avatar } from '../ui/Avatar';
import { Button, IconButton } from '../ui/Button';
import { EmptyState, Spinner } from '../ui/EmptyState';
import { Icon } from '../ui/Icon';
import { ChatList } from './ChatList';
import { Composer, composerBlockedReason } from './Composer';
import { ContextLine } from './ContextLine';
import { MessageFeed } from './MessageFeed';
import { MessageItem } from './MessageItem';
import { ModelChip } from './ModelChip';
import { ChatSamplingDialog } from './SamplingDialog';
import { MemoryDialog } from './MemoryDialog';
import { PromptInspector } from './PromptInspector';
import { CpuFallbackOffer } from '../models/CpuFallbackOffer';
import { PersonaPanel } from '../persona/PersonaPanel';
import { PersonaPicker } from './PersonaPicker';
import { useActivePersona } from '../../hooks/usePersonas';
import { GroupChatView } from '../group/GroupChatView';
import { marksFor } from '../persona/VerdictBadge';
import { MessageVerdict, messageRowActions, useMessageRowState, useSwipeKeys, type MessageRowHandlers } from './messageRow';
import { useAnalyseChat, useChatChecks, useUncheckedCount } from '../../hooks/useChecks';
import { recheckMessageAction } from '../../hooks/useChecks';

/** Stable { index, of } objects per (index, count), so memoised messages keep their props. */
const positions = new Map<string, { index: number; of: number }>();
function positionOf(index: number, of: number) {
  const key = `${index}/${of}`;
  let p = positions.get(key);
  if (!p) {
    if (positions.size > 4096) positions.clear();
    p = { index, of };
    positions.set(key, p);
  }
  return p;
}

interface MessageHandlers extends MessageRowHandlers {
  branch: (m: Message) => void;
  togglePin: (m: Message) => void;
  inspect: (m: Message) => void;
}

/**
 * One message with its verdict; memoised, and the streaming one reads its text
 * from the session store itself, so a streamed piece re-renders only it — not
 * the chat, the other messages, the composer or the persona panel.
 */
const ChatMessage = memo(function ChatMessage({
  message,
  streaming,
  character,
  isLast,
  busy,
  check,
  checkerReady,
  handlers,
  swipeScores,
  position,
}: {
  message: Message;
  streaming: boolean;
  character: Character;
  isLast: boolean;
  busy: boolean;
  check: MessageCheck | undefined;
  checkerReady: boolean;
  handlers: MessageHandlers;
  swipeScores: readonly (number | null)[] | null;
  position: { index: number; of: number };
}) {
  const { streamingText, unsaved, takesProgress, guardNote } = useMessageRowState(message, streaming);
  const isAssistant = message.role === 'assistant';
  const marks = useMemo(() => (isAssistant ? marksFor(check, character) : undefined), [isAssistant, check, character]);
  return (
    <MessageItem
      message={message}
      streamingText={streamingText}
      avatar={character.avatar}
      avatarName={character.card.name}
      isLast={isLast}
      busy={busy}
      marks={marks}
      unsaved={unsaved}
      swipeScores={swipeScores}
      position={position}
      takesProgress={takesProgress}
      guardNote={guardNote}
      footer={isAssistant ? <MessageVerdict message={message} check={check} character={character} checkerReady={checkerReady} handlers={handlers} /> : null}
      {...messageRowActions(message, handlers)}
      onBranch={() => handlers.branch(message)}
      onTogglePin={() => handlers.togglePin(message)}
      onInspect={message.swipes[message.swipeIndex]?.prompt ? () => handlers.inspect(message) : null}
    />
  );
});

function ChatView({ character, chat, messages }: { character: Character; chat: Chat; messages: Message[] }) {
  // Only which message streams, not its text: see ChatMessage.
  const streamingId = useSession((s) => (s.streaming?.chatId === chat.id ? s.streaming.messageId : null));
  const takesRunning = useSession((s) => s.takes?.chatId === chat.id);
  const drafting = useSession((s) => s.drafting?.chatId === chat.id);
  const { send, regenerate, continueReply, stop, replyNow, impersonate } = useSession.getState();
  const persona = useActivePersona(chat);
  const status = useEngine((s) => s.status);
  const actions = useMessageActions();
  const navigate = useRoute((s) => s.navigate);
  const chatFiles = useChatFiles(character);
  const [samplingOpen, setSamplingOpen] = useState(false);
  const [memoryOpen, setMemoryOpen] = useState(false);
  /** The message whose prompt the inspector shows (its shown swipe's record). */
  const [inspecting, setInspecting] = useState<string | null>(null);
  const summarizing = useSession((s) => (s.summarizing?.chatId === chat.id ? s.summarizing : null));
  const { checks, drift, turns, ready: checkerReady, swipeScores } = useChatChecks(chat, messages, character);
  const analyse = useAnalyseChat(chat, character, turns, checks);
  // Open beside the chat on wide screens; a drawer opened on demand below that.
  const [panel, setPanel] = useState(() => typeof window === 'undefined' || window.matchMedia('(min-width: 1280px)').matches);
  const analysable = useUncheckedCount(turns, checks);
  const busy = streamingId !== null || takesRunning || drafting;
  const contextStart = useContextStart(chat, character, messages, busy);
  // Stable handlers (reading the latest chat/character/messages from a ref), so
  // memoised messages don't re-render on every streamed piece.
  const latest = useRef({ chat, character, messages });
  useLayoutEffect(() => {
    latest.current = { chat, character, messages };
  });
  const handlers = useMemo<MessageHandlers>(
    () => ({
      edit: (m, text) => actions.edit(m, text),
      remove: (m) => void actions.remove(m),
      removeSwipe: (m) => void actions.removeSwipe(m),
      swipe: (m, i) => void actions.selectSwipe(m, i),
      regenerate: (m, restate) => void regenerate(latest.current.chat, latest.current.character, m.id, restate),
      continueReply: (m) => void continueReply(latest.current.chat, latest.current.character, m.id),
      recheck: (m) => void recheckMessageAction(latest.current.chat, m, latest.current.character, latest.current.messages),
      branch: (m) => void actions.branch(latest.current.chat, m),
      togglePin: (m) => void actions.setPinned(m, !m.pinned),
      inspect: (m) => setInspecting(m.id),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the session actions and repos are module singletons
    [],
  );
  const inspectedMessage = inspecting ? messages.find((m) => m.id === inspecting) : undefined;
  const inspectedRecord = inspectedMessage?.swipes[inspectedMessage.swipeIndex]?.prompt ?? null;
  // The virtualizer's keys change only when the ids do (a streamed save changes neither).
  const [idsOf] = useState(createIdsFollower);
  const ids = useMemo(() => idsOf(messages), [idsOf, messages]);
  const getKey = useCallback((i: number) => ids[i]!, [ids]);
  const last = messages.at(-1);
  const lastAssistant = messages.findLast((m) => m.role === 'assistant');

  // ← → page through the last reply's swipes when focus is not in a text field.
  useSwipeKeys({ busy, last, count: messages.length, select: handlers.swipe, regenerate: handlers.regenerate });

  const disabledReason = composerBlockedReason(status.state, 'chat');
  const needsReply = last?.role === 'user' && !busy;

  return (
    <div className="flex min-h-0 min-w-0 flex-1">
    <div className="flex min-h-0 min-w-0 flex-1 flex-col">
      <div className="flex flex-wrap items-center gap-2 border-b border-stone-200 px-3 py-2 dark:border-stone-800">
        <Avatar blob={character.avatar} name={character.card.name} size="sm" />
        <div className="min-w-0 flex-1">
          <h1 className="truncate text-sm font-semibold">{character.card.name}</h1>
          <p data-testid="chat-title" className="truncate text-xs text-stone-500 dark:text-stone-400">{chat.title}</p>
        </div>
        <PersonaPicker chat={chat} />
        <ModelChip />
        <IconButton label="Edit character" onClick={() => navigate({ name: 'character', id: character.id, tab: 'edit' })}>
          <Icon name="edit" />
        </IconButton>
        <IconButton label="Consistency panel" className="xl:hidden" onClick={() => setPanel(!panel)}>
          <Icon name="sparkle" />
        </IconButton>
        <IconButton label="Export chat (SillyTavern .jsonl)" onClick={() => void chatFiles.exportChat(chat)}>
          <Icon name="download" />
        </IconButton>
        <IconButton label="Memory: author’s note and story so far" onClick={() => setMemoryOpen(true)}>
          <Icon name="book" />
        </IconButton>
        <IconButton label="Sampling settings" onClick={() => setSamplingOpen(true)}>
          <Icon name="settings" />
        </IconButton>
      </div>
      <MessageFeed
        key={chat.id}
        count={messages.length}
        getKey={getKey}
        busy={busy}
        before={messages.length === 0 ? <EmptyState title="An empty page">{character.card.name} has no greeting. Say something to begin.</EmptyState> : null}
        after={
          needsReply && status.state === 'ready' ? (
            <div className="flex justify-center py-2">
              <Button size="sm" icon={<Icon name="refresh" />} onClick={() => void replyNow(chat, character)}>
                Reply
              </Button>
            </div>
          ) : null
        }
        renderItem={(i) => {
          const m = messages[i]!;
          const message = (
            <ChatMessage
              message={m}
              streaming={streamingId === m.id}
              character={character}
              isLast={m.id === lastAssistant?.id && m.id === last?.id}
              busy={busy}
              check={m.role === 'assistant' ? checks.get(m.id) : undefined}
              checkerReady={checkerReady}
              handlers={handlers}
              swipeScores={swipeScores.get(m.id) ?? null}
              position={positionOf(i, messages.length)}
            />
          );
          return i === contextStart ? (
            <>
              <ContextLine />
              {message}
            </>
          ) : (
            message
          );
        }}
      />
      <div className="px-3 empty:hidden">
        <CpuFallbackOffer />
      </div>
      <Composer
        chatId={chat.id}
        streaming={busy}
        disabledReason={disabledReason}
        onSend={(text) => send(chat, character, text)}
        onStop={stop}
        onImpersonate={() => impersonate(chat, character)}
        personaName={persona?.name}
        placeholder={`Message ${character.card.nickname || character.card.name}… (Enter to send, Shift+Enter for a new line)`}
      />
      {samplingOpen ? <ChatSamplingDialog chat={chat} onClose={() => setSamplingOpen(false)} /> : null}
      {memoryOpen ? (
        <MemoryDialog
          chat={chat}
          messages={messages}
          summarizing={summarizing}
          canSummarize={status.state === 'ready' && !busy}
          onSaveNote={(note) => actions.setAuthorsNote(chat.id, note)}
          onSaveSummary={(id, text) => actions.editSummary(chat.id, id, text)}
          onSummarize={() => useSession.getState().refreshMemory(chat, character)}
          onCancelSummary={() => useSession.getState().cancelSummary()}
          onClose={() => setMemoryOpen(false)}
        />
      ) : null}
      {inspectedRecord ? <PromptInspector record={inspectedRecord} messages={messages} summaries={chat.memory} onClose={() => setInspecting(null)} /> : null}
    </div>
    <PersonaPanel open={panel} onToggle={() => setPanel(!panel)} character={character} drift={drift} checks={checks} onAnalyse={() => void analyse()} analysable={analysable} />
    </div>
  );
}

export default function ChatScreen({ character, chatId }: { character: Character; chatId?: string }) {
  const chats = useChats(character.id);
  const navigate = useRoute((s) => s.navigate);
  const newChat = useSession((s) => s.newChat);
  const activeId = chatId ?? chats?.[0]?.id;
  const chat = useChatRecord(activeId);
  const messages = useMessages(activeId);
  const open = useCallback((id: string) => navigate({ name: 'character', id: character.id, tab: 'chat', chatId: id }), [navigate, character.id]);
  const files = useChatFiles(character);
  const importChat = useCallback(async (file: File) => {
    const c = await files.importFile(file);
    if (c) open(c.id);
  }, [files, open]);
  const startChat = useCallback(async () => {
    const c = await newChat(character);
    if (c) open(c.id);
  }, [newChat, character, open]);

  let body;
  if (chats === null || (activeId && (chat === null || messages === null))) {
    body = (
      <div className="p-6">
        <Spinner label="Opening the chat…" />
      </div>
    );
  } else if (!activeId || !chat) {
    body = (
      <EmptyState
        title={`Talk to ${character.card.name}`}
        icon={<Icon name="chat" className="h-8 w-8" />}
        action={
          <Button variant="primary" icon={<Icon name="plus" />} onClick={() => void startChat()}>
            Start a chat
          </Button>
        }
      >
        {chatId ? 'That chat no longer exists. ' : ''}A chat opens with the character’s greeting; alternate greetings are swipes of it.
      </EmptyState>
    );
  } else {
    // A group scene (issue 13 §3) lists under its first member and has its own view.
    body = chat.group ? <GroupChatView chat={chat} scene={chat.group} messages={messages ?? []} anchor={character} /> : <ChatView character={character} chat={chat} messages={messages ?? []} />;
  }

  return (
    <div className="flex h-full min-h-0">
      <div className="hidden w-60 shrink-0 border-r border-stone-200 lg:block dark:border-stone-800">
        <ChatList characterId={character.id} activeId={activeId ?? null} onOpen={open} onNew={() => void startChat()} onImport={(f) => void importChat(f)} />
      </div>
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-center gap-2 border-b border-stone-200 px-3 py-1.5 lg:hidden dark:border-stone-800">
          <select
            aria-label="Chat"
            className="min-w-0 flex-1 rounded-lg border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900"
            value={activeId ?? ''}
            onChange={(e) => open(e.target.value)}
          >
            {arrangeChatTree(chats ?? []).map(({ chat: c, depth }) => (
              <option key={c.id} value={c.id}>
                {`${'\u00a0\u00a0'.repeat(Math.min(depth, 4))}${depth > 0 ? '↳ ' : ''}${c.title}`}
              </option>
            ))}
          </select>
          <Button size="sm" icon={<Icon name="plus" />} onClick={() => void startChat()}>
            New
          </Button>
        </div>
        <div className="flex min-h-0 flex-1">{body}</div>
      </div>
    </div>
  );
}
