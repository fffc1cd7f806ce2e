import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Character } from '../../domain/character';
import type { Chat, Message } from '../../domain/chat';
import { computeDrift, driftPoint, type DriftSummary } from '../../domain/consistency';
import { nextSpeaker, roundRobinAfter, lastSpeaker, type GroupScene, type SpeakerStrategy } from '../../domain/group';
import { useChatFiles, useMessageActions } from '../../hooks/useChat';
import { recheckMessageAction, useAnalyseChat, useChatChecks, useUncheckedCount, type MessageCheck } from '../../hooks/useChecks';
import { sceneMembers, useGroupMembers, useSaveGroupScene, type TurnScene } from '../../hooks/useGroup';
import { useEngine } from '../../stores/engine';
import { useSession } from '../../stores/session';
import { useUi } from '../../stores/ui';
import { Avatar } from '../ui/Avatar';
import { Button, IconButton } from '../ui/Button';
import { EmptyState, Spinner } from '../ui/EmptyState';
import { Icon } from '../ui/Icon';
import { Composer, composerBlockedReason } from '../chat/Composer';
import { MessageItem } from '../chat/MessageItem';
import { ModelChip } from '../chat/ModelChip';
import { CpuFallbackOffer } from '../models/CpuFallbackOffer';
import { marksFor } from '../persona/VerdictBadge';
import { MessageVerdict, messageRowActions, useMessageRowState, useSwipeKeys, type MessageRowHandlers } from '../chat/messageRow';
import { ChatSamplingDialog } from '../chat/SamplingDialog';
import { GroupPanel, type MemberDrift } from './GroupPanel';

/** The name a member goes by in the scene (its prompts, its lines): the nickname, else the name. */
const sceneName = (c: Character) => c.card.nickname || c.card.name || 'Character';

const STRATEGY_LABEL: Record<SpeakerStrategy, string> = {
  manual: 'I pick',
  'round-robin': 'Round-robin',
  addressed: 'Whoever is addressed',
};

type Handlers = MessageRowHandlers;

/** One message of the scene, drawn with its speaker's avatar and checked against its speaker. */
const GroupMessage = memo(function GroupMessage({
  message,
  speaker,
  streaming,
  isLast,
  busy,
  check,
  checkerReady,
  handlers,
  swipeScores,
}: {
  message: Message;
  speaker: Character | null;
  streaming: boolean;
  isLast: boolean;
  busy: boolean;
  check: MessageCheck | undefined;
  checkerReady: boolean;
  handlers: Handlers;
  swipeScores: readonly (number | null)[] | null;
}) {
  const { streamingText, unsaved, takesProgress, guardNote } = useMessageRowState(message, streaming);
  const isAssistant = message.role === 'assistant';
  const marks = useMemo(() => (isAssistant && speaker ? marksFor(check, speaker) : undefined), [isAssistant, check, speaker]);
  return (
    <div data-speaker={isAssistant ? (speaker ? sceneName(speaker) : message.name) : 'user'}>
      <MessageItem
        message={message}
        streamingText={streamingText}
        avatar={speaker?.avatar ?? null}
        avatarName={speaker?.card.name ?? message.name}
        isLast={isLast}
        busy={busy}
        marks={marks}
        unsaved={unsaved}
        swipeScores={swipeScores}
        takesProgress={takesProgress}
        guardNote={guardNote}
        footer={isAssistant && speaker ? <MessageVerdict message={message} check={check} character={speaker} checkerReady={checkerReady} handlers={handlers} /> : null}
        {...messageRowActions(message, handlers)}
      />
    </div>
  );
});

/** Keeps the list at the bottom while new messages and streamed pieces arrive, unless the writer scrolled up. */
function useStickToBottom(dep: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    let frame = 0;
    const unsubscribe = useSession.subscribe((s, prev) => {
      if (s.streaming?.text === prev.streaming?.text || frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (pinned.current) el.scrollTop = el.scrollHeight;
      });
    });
    return () => {
      el.removeEventListener('scroll', onScroll);
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [dep]);
  return ref;
}

/**
 * A group scene (issue 13 §3): the members with their mute switches and a
 * "speak now" button each, the speaking rule, the shared messages (each with
 * its speaker's avatar and verdict), and a panel with one drift line per
 * member. `anchor` is the chat's first member (the route's character).
 */
export function GroupChatView({ chat, scene, messages, anchor }: { chat: Chat; scene: GroupScene; messages: Message[]; anchor: Character }) {
  const members = useGroupMembers(scene);
  if (members === null) {
    return (
      <div className="p-6">
        <Spinner label="Opening the scene…" />
      </div>
    );
  }
  return <GroupScreen chat={chat} scene={scene} messages={messages} anchor={anchor} members={members} />;
}

function GroupScreen({ chat, scene, messages, anchor, members }: { chat: Chat; scene: GroupScene; messages: Message[]; anchor: Character; members: Character[] }) {
  const streamingId = useSession((s) => (s.streaming?.chatId === chat.id ? s.streaming.messageId : null));
  const takesRunning = useSession((s) => s.takes?.chatId === chat.id);
  const { send, regenerate, continueReply, stop, replyNow } = useSession.getState();
  const status = useEngine((s) => s.status);
  const notify = useUi((s) => s.notify);
  const actions = useMessageActions();
  const saveScene = useSaveGroupScene();
  const chatFiles = useChatFiles(anchor);
  const busy = streamingId !== null || takesRunning;
  const [panel, setPanel] = useState(() => typeof window === 'undefined' || window.matchMedia('(min-width: 1280px)').matches);
  // The writer's pick for the next reply ('' = the scene's rule decides).
  const [picked, setPicked] = useState('');
  const [samplingOpen, setSamplingOpen] = useState(false);

  const byId = useMemo(() => new Map(members.map((c) => [c.id, c])), [members]);
  const turnScene = useMemo<TurnScene>(() => ({ members: sceneMembers(scene, members) }), [scene, members]);
  // A reply whose speaker left the library is checked against no statements (never against another member).
  const gone = useMemo<Character>(() => ({ ...anchor, id: '', statements: [] }), [anchor]);
  const speakerOf = useCallback((m: Message) => (m.speakerId ? (byId.get(m.speakerId) ?? gone) : gone), [byId, gone]);
  const { checks, turns, ready: checkerReady, swipeScores } = useChatChecks(chat, messages, anchor, speakerOf);
  const analyse = useAnalyseChat(chat, anchor, turns, checks, speakerOf);
  const analysable = useUncheckedCount(turns, checks);

  // One drift line per member: its own checked replies, in order.
  const drifts = useMemo<MemberDrift[]>(
    () =>
      members.map((character) => {
        const points = turns
          .filter(({ message }) => message.speakerId === character.id)
          .flatMap(({ message }, i) => {
            const v = checks.get(message.id)?.verdict;
            return v ? [driftPoint(i, v)] : [];
          });
        const drift: DriftSummary = computeDrift(points);
        return { character, drift };
      }),
    [members, turns, checks],
  );

  const latest = useRef({ chat, messages, speakerOf, turnScene });
  useLayoutEffect(() => {
    latest.current = { chat, messages, speakerOf, turnScene };
  });
  const handlers = useMemo<Handlers>(() => {
    const cannotSpeak = (m: Message) => notify({ kind: 'info', title: `${m.name || 'This character'} is no longer in the library`, detail: 'Their lines stay in the scene, but they cannot speak again.' });
    return {
      edit: (m, text) => actions.edit(m, text),
      remove: (m) => void actions.remove(m),
      removeSwipe: (m) => void actions.removeSwipe(m),
      swipe: (m, i) => void actions.selectSwipe(m, i),
      // Regenerate and continue keep the message's speaker; one who left the library
      // cannot speak (the stand-in would write with another member's card).
      regenerate: (m, restate) => {
        const speaker = latest.current.speakerOf(m);
        if (speaker.id) void regenerate(latest.current.chat, speaker, m.id, restate, latest.current.turnScene);
        else cannotSpeak(m);
      },
      continueReply: (m) => {
        const speaker = latest.current.speakerOf(m);
        if (speaker.id) void continueReply(latest.current.chat, speaker, m.id, latest.current.turnScene);
        else cannotSpeak(m);
      },
      recheck: (m) => void recheckMessageAction(latest.current.chat, m, latest.current.speakerOf(m), latest.current.messages),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the session actions, notify and repos are module singletons
  }, []);
  const listRef = useStickToBottom(messages.length);
  const last = messages.at(-1);
  // ← → as in the chat; a new swipe keeps the reply's speaker (handlers.regenerate).
  useSwipeKeys({ busy, last, count: messages.length, select: handlers.swipe, regenerate: handlers.regenerate });

  const suggested = roundRobinAfter(scene, lastSpeaker(messages));
  const onSend = async (text: string) => {
    const id = nextSpeaker({ scene, members: turnScene.members, messages, userText: text, picked: picked || (scene.strategy === 'manual' ? suggested : null) });
    const speaker = id ? byId.get(id) : undefined;
    if (!speaker) {
      notify({ kind: 'error', title: 'Nobody can answer', detail: 'Every character in this scene is muted. Unmute one, or pick who speaks next.' });
      return false;
    }
    const ok = await send(chat, speaker, text, turnScene);
    if (ok) setPicked('');
    return ok;
  };
  const speakNow = (character: Character) => void replyNow(chat, character, turnScene);
  const setStrategy = (strategy: SpeakerStrategy) => void saveScene(chat.id, { ...scene, strategy });
  const toggleMute = (id: string) => void saveScene(chat.id, { ...scene, muted: scene.muted.includes(id) ? scene.muted.filter((m) => m !== id) : [...scene.muted, id] });

  const disabledReason = composerBlockedReason(status.state, 'scene');
  const canSpeak = !busy && status.state === 'ready';

  return (
    <div className="flex min-h-0 min-w-0 flex-1" data-testid="group-scene">
      <div className="flex min-h-0 min-w-0 flex-1 flex-col">
        <div className="flex flex-wrap items-center gap-2 border-b border-stone-200 px-3 py-2 dark:border-stone-800">
          <div className="flex -space-x-2" aria-hidden="true">
            {members.map((c) => (
              <span key={c.id} className="rounded-full ring-2 ring-white dark:ring-stone-950">
                <Avatar blob={c.avatar} name={c.card.name} size="sm" />
              </span>
            ))}
          </div>
          <div className="min-w-0 flex-1">
            <h1 className="truncate text-sm font-semibold">{chat.title}</h1>
            <p className="truncate text-xs text-stone-500 dark:text-stone-400">Group scene · {members.length} characters</p>
          </div>
          <ModelChip />
          <IconButton label="Consistency panel" className="xl:hidden" onClick={() => setPanel(!panel)}>
            <Icon name="sparkle" />
          </IconButton>
          <IconButton label="Export chat (SillyTavern .jsonl)" onClick={() => void chatFiles.exportChat(chat)}>
            <Icon name="download" />
          </IconButton>
          <IconButton label="Sampling settings" onClick={() => setSamplingOpen(true)}>
            <Icon name="settings" />
          </IconButton>
        </div>
        <div className="flex flex-wrap items-center gap-2 border-b border-stone-200 bg-stone-50 px-3 py-2 dark:border-stone-800 dark:bg-stone-900/50" role="group" aria-label="Scene members">
          {members.map((c) => {
            const muted = scene.muted.includes(c.id);
            const name = sceneName(c);
            return (
              <div key={c.id} data-testid="scene-member" data-muted={muted} className={`flex items-center gap-1 rounded-full border py-0.5 pl-0.5 pr-1 ${muted ? 'border-stone-200 opacity-60 dark:border-stone-800' : 'border-stone-300 bg-white dark:border-stone-700 dark:bg-stone-900'}`}>
                <Avatar blob={c.avatar} name={c.card.name} size="sm" />
                <span className="px-1 text-sm font-medium">{name}</span>
                <Button size="sm" variant="ghost" className="h-7 px-2" disabled={!canSpeak} onClick={() => speakNow(c)} aria-label={`Let ${name} speak`}>
                  Speak
                </Button>
                {/* Muted: never picked by the rule; a manual pick or Speak still may. */}
                <Button size="sm" variant="ghost" className="h-7 px-2 text-xs" aria-label={muted ? `Unmute ${name}` : `Mute ${name}`} aria-pressed={muted} onClick={() => toggleMute(c.id)}>
                  {muted ? 'Unmute' : 'Mute'}
                </Button>
              </div>
            );
          })}
          <div className="flex-1" />
          <label className="flex items-center gap-2 text-xs text-stone-600 dark:text-stone-400">
            Next speaker
            <select
              aria-label="Who speaks next"
              value={scene.strategy}
              onChange={(e) => setStrategy(e.target.value as SpeakerStrategy)}
              className="rounded-lg border border-stone-300 bg-white px-2 py-1 text-sm text-stone-900 dark:border-stone-700 dark:bg-stone-900 dark:text-stone-100"
            >
              {(Object.keys(STRATEGY_LABEL) as SpeakerStrategy[]).map((s) => (
                <option key={s} value={s}>
                  {STRATEGY_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div ref={listRef} className="scroll-thin relative min-h-0 flex-1 overflow-y-auto" data-testid="message-list">
          <div className="mx-auto flex max-w-3xl flex-col gap-1 px-2 py-4 sm:px-4">
            {messages.length === 0 ? <EmptyState title="An empty stage">Nobody in this scene has a greeting. Say something, or let someone speak.</EmptyState> : null}
            {messages.map((m) => (
              <GroupMessage
                key={m.id}
                message={m}
                speaker={m.role === 'assistant' && m.speakerId ? (byId.get(m.speakerId) ?? null) : null}
                streaming={streamingId === m.id}
                isLast={m.id === last?.id && m.role === 'assistant'}
                busy={busy}
                check={m.role === 'assistant' ? checks.get(m.id) : undefined}
                checkerReady={checkerReady}
                handlers={handlers}
                swipeScores={swipeScores.get(m.id) ?? null}
              />
            ))}
          </div>
        </div>
        <div className="px-3 empty:hidden">
          <CpuFallbackOffer />
        </div>
        <div className="flex items-center gap-2 px-3 pt-2 text-xs text-stone-600 dark:text-stone-400">
          <label className="flex items-center gap-2">
            Reply from
            <select
              aria-label="Reply from"
              value={picked}
              onChange={(e) => setPicked(e.target.value)}
              className="rounded-lg border border-stone-300 bg-white px-2 py-1 text-sm text-stone-900 dark:border-stone-700 dark:bg-stone-900 dark:text-stone-100"
            >
              <option value="">{scene.strategy === 'manual' ? `${suggested ? (byId.get(suggested) ? sceneName(byId.get(suggested)!) : '—') : '—'} (next in turn)` : `${STRATEGY_LABEL[scene.strategy]} decides`}</option>
              {members.map((c) => (
                <option key={c.id} value={c.id}>
                  {sceneName(c)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <Composer chatId={chat.id} streaming={busy} disabledReason={disabledReason} onSend={onSend} onStop={stop} placeholder="Message the scene… (Enter to send, Shift+Enter for a new line)" />
        {samplingOpen ? <ChatSamplingDialog chat={chat} onClose={() => setSamplingOpen(false)} /> : null}
      </div>
      <GroupPanel open={panel} onToggle={() => setPanel(!panel)} members={drifts} checks={checks} onAnalyse={() => void analyse()} analysable={analysable} anchorId={anchor.id} />
    </div>
  );
}
