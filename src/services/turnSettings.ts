/**
 * What a chat turn reads of the settings before its request leaves — the
 * checker's flag threshold and who the user is — kept at hand while the
 * studio runs, so a turn asks IndexedDB nothing first (issue 14: time to
 * first token through the studio vs a raw request). The settings table stays
 * the only source: this follows it (a live query) and is never written.
 */
import type { Chat } from '../domain/chat';
import type { SettingsShape } from '../domain/storage/settings';
import { activePersona, type ActivePersona } from '../domain/userPersona';
import { repos } from '../db';

const KEYS = ['contradictionThreshold', 'personas', 'defaultPersonaId', 'userName'] as const;

type Followed = Pick<SettingsShape, (typeof KEYS)[number]>;

let latest: Followed | null = null;
let following = false;

/** Starts following the settings a turn needs (once; the first turn reads them itself). */
export function followTurnSettings(): void {
  if (following) return;
  following = true;
  repos.settings.watch(
    KEYS,
    (values) => {
      latest = values;
    },
    () => {
      // A failed read leaves turns to read for themselves.
      latest = null;
      following = false;
    },
  );
}

/** The threshold and `chat`'s persona as the settings hold them now; null until the first read arrived. */
export function turnSettingsNow(chat?: Pick<Chat, 'personaId'>): { threshold: number; persona: ActivePersona } | null {
  if (!latest) return null;
  return { threshold: latest.contradictionThreshold, persona: activePersona(latest.personas, chat?.personaId, latest.defaultPersonaId, latest.userName) };
}
