/**
 * Branches (issue 13 §2): a new chat holding a parent's history up to one of
 * its messages, each message with all its swipes and the one shown as chosen,
 * linked to the parent. The verdicts of the shared part are copied under the
 * new message ids: a verdict records hashes of the reply and of the user turn,
 * not message ids, so the copy is exactly as fresh as the original and nothing
 * is checked again.
 */
import type { BranchPoint, Chat, Message } from '../chat';
import type { VerdictRecord } from '../storage/records';

/** The message to branch at is not in the chat (deleted meanwhile). */
export class BranchPointError extends Error {
  override readonly name = 'BranchPointError';
}

/** What a branch writes: the new chat, its messages and the verdicts carried over. */
export interface BranchCopy {
  chat: Chat;
  messages: Message[];
  verdicts: VerdictRecord[];
}

/** Characters of the branch message kept for the chat list. */
export const BRANCH_SNIPPET_CHARS = 80;

/** The start of a text on one line, for a list (linear; never more than `max` characters plus an ellipsis). */
export function snippetOf(text: string, max = BRANCH_SNIPPET_CHARS): string {
  // Only a bounded prefix is looked at, so a 10 MB message costs what an 80-character one does.
  const flat = text.slice(0, max * 4).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** Same key as db/verdicts (`${messageId}:${swipeIndex}`); written here so domain/ stays free of db/. */
const verdictId = (messageId: string, swipeIndex: number) => `${messageId}:${swipeIndex}`;

/**
 * Copies `parent` up to and including `atMessageId` into a new chat.
 * `messages` are the parent's (any order; sorted by `order` here), `verdicts`
 * any of the parent's verdicts (those of later messages are left out).
 * A swipe still marked streaming is copied as interrupted: nothing will finish
 * writing it in the branch.
 *
 * @throws BranchPointError when `atMessageId` is not among `messages`.
 */
export function branchChat(
  parent: Chat,
  messages: readonly Message[],
  verdicts: readonly VerdictRecord[],
  atMessageId: string,
  options: { newId: () => string; now: number; title?: string },
): BranchCopy {
  const ordered = [...messages].sort((a, b) => a.order - b.order);
  const at = ordered.findIndex((m) => m.id === atMessageId);
  if (at === -1) throw new BranchPointError('That message is no longer in the chat, so there is nothing to branch from.');
  const point = ordered[at]!;
  const chat: Chat = {
    id: options.newId(),
    characterId: parent.characterId,
    // A branch of a branch is still "<origin> · branch": the list's nesting shows the rest.
    title: options.title ?? `${parent.title.replace(/( · branch)+$/, '')} · branch`,
    sampling: { ...parent.sampling },
    takes: { ...parent.takes },
    createdAt: options.now,
    updatedAt: options.now,
    branchOf: { chatId: parent.id, messageId: point.id, position: at + 1, snippet: snippetOf(point.swipes[point.swipeIndex]?.text ?? '') },
    ...(parent.personaId ? { personaId: parent.personaId } : {}),
  };
  const newIds = new Map<string, string>();
  const copied = ordered.slice(0, at + 1).map((m, i): Message => {
    const id = options.newId();
    newIds.set(m.id, id);
    return {
      ...m,
      id,
      chatId: chat.id,
      order: i,
      swipes: m.swipes.map((s) => (s.state === 'streaming' ? { ...s, state: 'interrupted', finishReason: 'interrupted' } : { ...s })),
      updatedAt: options.now,
    };
  });
  const carried = verdicts.flatMap((v): VerdictRecord[] => {
    const id = newIds.get(v.messageId);
    return id ? [{ ...v, id: verdictId(id, v.swipeIndex), messageId: id, chatId: chat.id }] : [];
  });
  return { chat, messages: copied, verdicts: carried };
}

/** A chat in the list with its place in the branch tree. */
export interface ChatTreeRow<T> {
  chat: T;
  /** 0 for a chat that is no branch (or whose parent is gone), parent's depth + 1 otherwise. */
  depth: number;
  /** A branch whose parent chat no longer exists (shown at the top level). */
  parentMissing: boolean;
}

/**
 * Orders chats so each branch follows its parent (and its earlier siblings'
 * subtrees), indented one level deeper. Top-level chats keep the order given
 * (the list's newest first); siblings go by branch position, then creation.
 * A branch whose parent is gone, or a malformed cycle, is shown at the top
 * level. Linear in the number of chats (plus sorting siblings).
 */
export function arrangeChatTree<T extends Pick<Chat, 'id' | 'branchOf' | 'createdAt'>>(chats: readonly T[]): ChatTreeRow<T>[] {
  const ids = new Set(chats.map((c) => c.id));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const chat of chats) {
    const parent = chat.branchOf?.chatId;
    if (parent && parent !== chat.id && ids.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(chat);
      else children.set(parent, [chat]);
    } else roots.push(chat);
  }
  for (const list of children.values()) list.sort((a, b) => a.branchOf!.position - b.branchOf!.position || a.createdAt - b.createdAt);

  const rows: ChatTreeRow<T>[] = [];
  const seen = new Set<string>();
  const visit = (root: T) => {
    // An explicit stack: a long chain of branches must not overflow the call stack.
    const stack: { chat: T; depth: number }[] = [{ chat: root, depth: 0 }];
    while (stack.length > 0) {
      const { chat, depth } = stack.pop()!;
      if (seen.has(chat.id)) continue;
      seen.add(chat.id);
      rows.push({ chat, depth, parentMissing: depth === 0 && !!chat.branchOf && !ids.has(chat.branchOf.chatId) });
      const kids = children.get(chat.id) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ chat: kids[i]!, depth: depth + 1 });
    }
  };
  roots.forEach(visit);
  // Chats only reachable through a cycle (a damaged backup): shown, never lost.
  for (const chat of chats) if (!seen.has(chat.id)) visit(chat);
  return rows;
}

/**
 * The branch point of an imported chat in the parent its file names
 * (`chat_metadata.main_chat`): the position the file gives, when both chats
 * have a message there, else where their shown texts first differ. Null when
 * they share no message (nothing to hang the branch on).
 */
export function importedBranchPoint(
  imported: { messages: readonly { swipes: readonly string[]; swipeIndex: number }[]; branchPosition?: number },
  parent: { chatId: string; messages: readonly Message[] },
): BranchPoint | null {
  const ordered = [...parent.messages].sort((a, b) => a.order - b.order);
  let position = imported.branchPosition;
  if (position === undefined || position > ordered.length || position > imported.messages.length) {
    position = 0;
    const limit = Math.min(ordered.length, imported.messages.length);
    while (position < limit) {
      const mine = imported.messages[position]!;
      if ((mine.swipes[mine.swipeIndex] ?? '') !== (ordered[position]!.swipes[ordered[position]!.swipeIndex]?.text ?? '')) break;
      position++;
    }
  }
  if (position === 0) return null;
  const at = ordered[position - 1]!;
  return { chatId: parent.chatId, messageId: at.id, position, snippet: snippetOf(at.swipes[at.swipeIndex]?.text ?? '') };
}
