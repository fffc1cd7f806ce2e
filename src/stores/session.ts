import { create } from 'zustand';
import type { Character } from '../domain/character';
import type { Chat } from '../domain/chat';
import type { Verdict } from '../domain/consistency';
import { classifyEngineError } from '../engines/errors';
import { personaFor, startChat } from '../services/chat';
import { startImpersonation, type ImpersonateHandle } from '../services/impersonate';
import { chatTurns, type SwipePatch, type TurnEvent, type TurnHandle, type TurnRequest, type TurnScene, type TurnTarget } from '../services/chatTurn';
import { startGroupScene } from '../services/group';
import { describeStorageError, type StorageProblem } from '../services/storage';
import { dropStashed, stashUnsaved, type StashedReply } from '../services/unsavedReplies';
import { chatToRefresh, memory, type MemoryResult } from '../services/memory';
import { followTurnSettings, turnSettingsNow } from '../services/turnSettings';
import { turnChecker, useChecker } from './checker';
import { offerCpuFallback, useEngine } from './engine';
import { useUi } from './ui';

export interface StreamingReply {
  chatId: string;
  /** Empty while the messages are being written, before the first token. */
  messageId: string;
  swipeIndex: number;
  text: string;
  /** Set while the latest write of this reply failed (the text here is the reply). */
  saveProblem: StorageProblem | null;
}

/** Takes made in the background after the reply on screen (best-of-N, guard tries). */
export interface TakesProgress {
  chatId: string;
  messageId: string;
  take: number;
  of: number;
  purpose: 'best-of' | 'guard';
}

/** A finished reply whose final write failed: shown from here, not from storage, until Retry works. */
export interface UnsavedReply {
  target: TurnTarget;
  patch: SwipePatch;
  text: string;
  problem: StorageProblem;
  verdict: Verdict | null;
  retrying: boolean;
  /** Also kept in localStorage, so a reload does not lose it (services/unsavedReplies.ts). */
  stashed: boolean;
}

/** The user's next line being drafted by the model (Impersonate) into the composer of `chatId`. */
export interface DraftInProgress {
  chatId: string;
  text: string;
}

/** The background summarizer at work on a chat ("Story so far"). */
export interface SummarizingProgress {
  chatId: string;
  index: number;
  of: number;
}

interface SessionSlice {
  streaming: StreamingReply | null;
  /** Set while Impersonate streams a draft into the composer (the turn is busy; Stop ends it). */
  drafting: DraftInProgress | null;
  /**
   * The model drafts the user's next line as the chat's persona; the text
   * streams into `drafting` and is never sent. Resolves with the draft
   * (null when nothing was drafted: no model, busy, or an error — notified).
   */
  impersonate: (chat: Chat, character: Character) => Promise<string | null>;
  /** Set while the summarizer writes a chat's "Story so far" between turns. */
  summarizing: SummarizingProgress | null;
  /** Stops the summarizer (what it finished is kept). */
  cancelSummary: () => void;
  /** Brings a chat's summaries up to date now (when the writer asks). */
  refreshMemory: (chat: Chat, character: Character) => void;
  /**
   * A chat's history changed outside a turn (a message edited, deleted or
   * restored, another swipe shown): its summaries of those messages are
   * redone MEMORY_REFRESH_DELAY_MS later, once nothing else uses the engine
   * (not during a reply, its takes, Impersonate or another summary). A send
   * still goes first: it cancels the summary, which is redone after the reply.
   */
  historyChanged: (chatId: string) => void;
  /** Set while further takes or guard tries of a reply run (the turn is still busy; Stop ends them). */
  takes: TakesProgress | null;
  /** Keyed `${messageId}:${swipeIndex}`. */
  unsaved: Record<string, UnsavedReply>;
  /** Start a chat with the character's greetings (macros resolved). */
  newChat: (character: Character) => Promise<Chat | null>;
  /**
   * Appends the user's message and streams a reply. Resolves false when nothing was sent (the text stays in the box).
   * In a group scene `character` is the speaker and `scene` the members (every action below alike).
   */
  send: (chat: Chat, character: Character, text: string, scene?: TurnScene) => Promise<boolean>;
  /** New swipe for an assistant message (optionally restating statements: "in character"). */
  regenerate: (chat: Chat, character: Character, messageId: string, restate?: string[], scene?: TurnScene) => Promise<void>;
  /** Continues the shown swipe of an assistant message. */
  continueReply: (chat: Chat, character: Character, messageId: string, scene?: TurnScene) => Promise<void>;
  /** Replies to the last user message when it has no answer yet (e.g. after an error); in a group scene: lets `character` speak now. */
  replyNow: (chat: Chat, character: Character, scene?: TurnScene) => Promise<void>;
  /** Starts a group scene with these characters (2–6); null when it could not be stored. */
  newGroup: (characters: Character[]) => Promise<Chat | null>;
  /** First call: cooperative stop (at any moment of the turn). Second call while the engine still runs: the worker is terminated. */
  stop: () => void;
  /** Writes an unsaved reply again. Resolves true when it is stored now. */
  retrySave: (key: string) => Promise<boolean>;
  /** Shows replies that start-up could not write (kept from an earlier visit). */
  adoptUnsaved: (replies: StashedReply[], problem: StorageProblem) => void;
}

const keyOf = (t: { messageId: string; swipeIndex: number }) => `${t.messageId}:${t.swipeIndex}`;

/** The running turn, and Stop presses that came before it had a handle. */
let handle: TurnHandle | null = null;
let draftHandle: ImpersonateHandle | null = null;
let earlyStops = 0;
/** A turn is starting: set before its first await, cleared when its reply has a target (or it ends). */
let starting = false;
/** The running summarizer: a turn cancels it and waits for it before using the engine. */
let summarizer: { controller: AbortController; done: Promise<MemoryResult> } | null = null;

/**
 * Wait after a history change before summarizing: paging through swipes or
 * a few quick edits settle into one run instead of one run (and one cancelled
 * generation) per click.
 */
export const MEMORY_REFRESH_DELAY_MS = 1500;
/** Chats whose history changed outside a turn and whose summaries wait for an idle engine. */
const refreshPending = new Set<string>();
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

function notifyEngineError(title: string, e: unknown) {
  const error = classifyEngineError(e, 'generate');
  const fallback = offerCpuFallback(error);
  useUi.getState().notify({
    kind: 'error',
    title,
    detail: `${error.userMessage}\nEverything typed and generated so far is kept.${fallback ? `\n${fallback.detail}` : ''}`,
    ...(fallback ? { action: { label: fallback.label, run: fallback.run } } : {}),
  });
}

/** A write before the reply began (the user's message, a new swipe): nothing to keep on screen, so the plain storage message. */
function notifyStorage(title: string, e: unknown) {
  useUi.getState().notify({ kind: 'error', title, detail: e instanceof Error ? e.message : describeStorageError(e).detail });
}

function engineReady(): boolean {
  const { engine, status } = useEngine.getState();
  if (engine && status.state === 'ready') return true;
  useUi.getState().notify({
    kind: 'error',
    title: status.state === 'busy' ? 'The model is busy' : 'No model is loaded',
    detail: status.state === 'busy' ? 'Wait for the current reply or stop it.' : 'Open Models and load one to chat. Your message is still in the box.',
  });
  return false;
}

export const useSession = create<SessionSlice>()((set, get) => {
  const onEvent = (e: TurnEvent) => {
    const checker = useChecker.getState();
    switch (e.type) {
      case 'target':
        starting = false;
        checker.clearLive(keyOf(e.target));
        set({ streaming: { chatId: e.target.chatId, messageId: e.target.messageId, swipeIndex: e.target.swipeIndex, text: e.text, saveProblem: null } });
        return;
      case 'text': {
        const s = get().streaming;
        if (s) set({ streaming: { ...s, text: e.text } });
        return;
      }
      case 'sentence': {
        const s = get().streaming;
        if (s) checker.pushSentence(keyOf(s), e.check);
        return;
      }
      case 'sentence-roles': {
        const s = get().streaming;
        if (s) checker.pushRoleFlags(keyOf(s), e.check);
        return;
      }
      case 'save-failed': {
        const s = get().streaming;
        if (s) set({ streaming: { ...s, saveProblem: describeStorageError(e.error) } });
        return;
      }
      case 'save-recovered': {
        const s = get().streaming;
        if (s) set({ streaming: { ...s, saveProblem: null } });
        return;
      }
      case 'reply-done': {
        const { outcome } = e;
        if (outcome.unsaved) {
          const problem = describeStorageError(outcome.unsaved.error);
          const stashed = stashUnsaved({ target: outcome.target, patch: outcome.unsaved.patch, verdict: null });
          set({
            unsaved: {
              ...get().unsaved,
              [keyOf(outcome.target)]: { target: outcome.target, patch: outcome.unsaved.patch, text: outcome.text, problem, verdict: null, retrying: false, stashed },
            },
          });
          useUi.getState().notify({ kind: 'error', title: 'The reply could not be saved', detail: problem.detail });
        }
        if (outcome.error) notifyEngineError('The reply stopped with an error', outcome.error);
        return;
      }
      case 'verdict': {
        const key = keyOf(e.target);
        const pending = get().unsaved[key];
        // Saved with the reply when Retry succeeds.
        if (!e.saved && pending) {
          const stashed = stashUnsaved({ target: pending.target, patch: pending.patch, verdict: e.verdict });
          set({ unsaved: { ...get().unsaved, [key]: { ...pending, verdict: e.verdict, stashed } } });
        }
        return;
      }
      case 'check-done':
        checker.clearLive(keyOf(e.target));
        return;
      case 'take':
        // The reply on screen is finished; the next take is written out of sight.
        set({ streaming: null, takes: { chatId: e.target.chatId, messageId: e.target.messageId, take: e.take, of: e.of, purpose: e.purpose } });
        return;
      case 'takes-done':
        if (e.error) useUi.getState().notify({ kind: 'error', title: 'The takes could not be ordered', detail: `${describeStorageError(e.error).detail}\nEvery take is kept, in the order it was written.` });
        return;
    }
  };

  /** Stops the summarizer and waits until the engine is free of it. */
  const stopSummarizer = async () => {
    const running = summarizer;
    if (!running) return;
    running.controller.abort();
    await running.done;
  };

  /** Nothing uses the engine: no reply, takes, draft or summary, and a model is loaded. */
  const engineIdle = () => {
    const engine = useEngine.getState().engine;
    return !!engine && engine.status.state === 'ready' && !summarizer && !starting && !get().streaming && !get().takes && !get().drafting;
  };

  /**
   * Summarizes, for one chat whose history changed outside a turn, once the
   * engine is idle; the others follow when it is done. Called when the delay
   * ends and whenever the engine falls idle (a turn, a draft, a summary ended).
   */
  const refreshWhenIdle = () => {
    if (refreshTimer !== null || !engineIdle()) return;
    const chatId = refreshPending.values().next().value;
    if (chatId === undefined) return;
    refreshPending.delete(chatId);
    void chatToRefresh(chatId)
      .then((target) => {
        if (!target) return refreshWhenIdle();
        // Busy again meanwhile (a send): that turn's end summarizes its chat; others stay queued.
        if (!engineIdle()) {
          refreshPending.add(chatId);
          return;
        }
        summarizeAfter(target.chat, target.character);
      })
      .catch(() => {
        // The chat could not be read: its summaries are redone after its next reply.
      });
  };

  /** Summarizes between turns what the chat's next prompt would drop (and redoes stale summaries). */
  const summarizeAfter = (chat: Chat, character: Character) => {
    const chatId = chat.id;
    const engine = useEngine.getState().engine;
    if (!engine || !engineIdle()) return;
    // This run brings the chat up to date: an edit queued before it needs no run of its own.
    refreshPending.delete(chatId);
    const controller = new AbortController();
    const run = { controller, done: Promise.resolve<MemoryResult>({ status: 'idle' }) };
    summarizer = run;
    run.done = (async () => {
      const result = await memory.summarize({ chatId, character, engine, userName: (await personaFor(chat)).name }, controller.signal, (e) => {
        if (e.type === 'summarizing') set({ summarizing: { chatId: e.chatId, index: e.index, of: e.of } });
      });
      if (summarizer === run) summarizer = null;
      set({ summarizing: null });
      refreshWhenIdle();
      if (result.status === 'failed') {
        const error = classifyEngineError(result.error, 'generate');
        useUi.getState().notify({ kind: 'error', title: 'The story so far could not be summarized', detail: `${error.userMessage}\nThe chat is unchanged; older messages are left out of the prompt until a summary is written.` });
      }
      return result;
    })();
  };

  /** Runs one turn; resolves whether the turn was accepted (the user's message stored). */
  const begin = async (chat: Chat, character: Character, request: TurnRequest, scene?: TurnScene): Promise<boolean> => {
    if (starting || get().streaming || get().takes || get().drafting) return false;
    // Busy from the first moment: nothing else starts, Stop already works, and
    // the screen shows it at once (a Send that stayed enabled until the request
    // had left let a fast second Enter through, and a test read the old reply as done).
    starting = true;
    let started = false;
    try {
      // The reply goes first: a summary in progress is cancelled (what it finished is kept).
      await stopSummarizer();
      if (get().streaming || get().takes || get().drafting || !engineReady()) return false;
      earlyStops = 0;
      set({ streaming: { chatId: chat.id, messageId: '', swipeIndex: 0, text: '', saveProblem: null } });
      const engine = useEngine.getState().engine!;
      // The settings a turn needs are followed in memory after the first turn (services/turnSettings.ts).
      followTurnSettings();
      const now = turnSettingsNow(chat);
      const client = useChecker.getState().client;
      const [checker, persona] = now ? [{ client: client?.isReady ? client : null, threshold: now.threshold }, now.persona] : await Promise.all([turnChecker(), personaFor(chat)]);
      const turn = chatTurns.start({ chat, character, ...(scene ? { scene } : {}), engine, checker, userName: persona.name, userDescription: persona.description }, request, onEvent);
      started = true;
      handle = turn;
      for (; earlyStops > 0; earlyStops--) turn.stop();
      return await follow(turn, chat, character, request);
    } finally {
      if (!started) {
        starting = false;
        // Not started (a failed read): the busy state set above goes with it.
        if (get().streaming?.messageId === '') set({ streaming: null });
      }
    }
  };

  /** The rest of a started turn: its end, and what follows it. */
  const follow = async (turn: TurnHandle, chat: Chat, character: Character, request: TurnRequest): Promise<boolean> => {
    void turn.done.then((result) => {
      if (handle === turn) handle = null;
      starting = false;
      set({ streaming: null, takes: null });
      // Only after a reply that finished: one that failed or was stopped leaves the
      // writer something to fix first, and a failing engine would fail the summary too.
      if (result.status === 'replied' && !result.outcome.error && result.outcome.finishReason !== 'abort') summarizeAfter(chat, character);
      refreshWhenIdle();
      if (result.status === 'not-started' && request.kind !== 'send') notifyStorage(request.kind === 'regenerate' ? 'Could not regenerate' : 'Could not reply', result.error);
    });
    const accepted = await turn.accepted;
    if (!accepted && request.kind === 'send') {
      const result = await turn.done;
      if (result.status === 'not-started') notifyStorage('Your message could not be saved', result.error);
    }
    return accepted;
  };

  return {
    streaming: null,
    takes: null,
    drafting: null,
    unsaved: {},

    impersonate: async (chat, character) => {
      if (starting || get().streaming || get().takes || get().drafting) return null;
      // The writer's draft goes first too: a summary in progress is cancelled (what it finished is kept).
      await stopSummarizer();
      if (starting || get().streaming || get().takes || get().drafting || !engineReady()) return null;
      earlyStops = 0;
      set({ drafting: { chatId: chat.id, text: '' } });
      const engine = useEngine.getState().engine!;
      let persona;
      try {
        persona = await personaFor(chat);
      } catch (e) {
        set({ drafting: null });
        notifyStorage('Could not draft your line', e);
        return null;
      }
      const draft = startImpersonation({ chat, character, engine, userName: persona.name, userDescription: persona.description }, (text) => {
        if (get().drafting) set({ drafting: { chatId: chat.id, text } });
      });
      draftHandle = draft;
      for (; earlyStops > 0; earlyStops--) draft.stop();
      const result = await draft.done;
      if (draftHandle === draft) draftHandle = null;
      set({ drafting: null });
      refreshWhenIdle();
      if (result.error) notifyEngineError('The draft stopped with an error', result.error);
      return result.text;
    },
    summarizing: null,

    cancelSummary: () => summarizer?.controller.abort(),

    refreshMemory: (chat, character) => summarizeAfter(chat, character),

    historyChanged: (chatId) => {
      refreshPending.add(chatId);
      if (refreshTimer !== null) clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => {
        refreshTimer = null;
        refreshWhenIdle();
      }, MEMORY_REFRESH_DELAY_MS);
    },

    newChat: async (character) => {
      try {
        return await startChat(character);
      } catch (e) {
        notifyStorage('Could not start a chat', e);
        return null;
      }
    },

    send: async (chat, character, text, scene) => {
      if (!text.trim()) return false;
      return begin(chat, character, { kind: 'send', text }, scene);
    },

    regenerate: async (chat, character, messageId, restate, scene) => {
      await begin(chat, character, { kind: 'regenerate', messageId, restate }, scene);
    },

    continueReply: async (chat, character, messageId, scene) => {
      await begin(chat, character, { kind: 'continue', messageId }, scene);
    },

    replyNow: async (chat, character, scene) => {
      await begin(chat, character, { kind: 'reply' }, scene);
    },

    newGroup: async (characters) => {
      try {
        return await startGroupScene(characters);
      } catch (e) {
        notifyStorage('Could not start the group scene', e);
        return null;
      }
    },

    stop: () => {
      if (handle) handle.stop();
      else if (draftHandle) draftHandle.stop();
      else if (starting || get().streaming || get().takes || get().drafting) earlyStops++;
    },

    retrySave: async (key) => {
      const entry = get().unsaved[key];
      if (!entry || entry.retrying) return false;
      set({ unsaved: { ...get().unsaved, [key]: { ...entry, retrying: true } } });
      try {
        await chatTurns.retrySave(entry.target, entry.patch, entry.verdict);
        dropStashed(entry.target);
        const { [key]: _saved, ...rest } = get().unsaved;
        set({ unsaved: rest });
        useUi.getState().notify({ kind: 'success', title: 'Reply saved' });
        return true;
      } catch (e) {
        set({ unsaved: { ...get().unsaved, [key]: { ...entry, retrying: false, problem: describeStorageError(e) } } });
        return false;
      }
    },

    adoptUnsaved: (replies, problem) => {
      const next = { ...get().unsaved };
      for (const r of replies) next[keyOf(r.target)] = { target: r.target, patch: r.patch, text: r.patch.text ?? '', problem, verdict: r.verdict, retrying: false, stashed: true };
      set({ unsaved: next });
    },
  };
});

