/**
 * Is a stored verdict still about what is on screen? A verdict goes stale when
 * anything that fed the score changes: the statements checked, the reply, the
 * user's turn (it set the relevance), or the models.
 *
 * Threshold changes do not make a verdict stale: statuses and the verdict are
 * recomputed from the stored probabilities (scoreReply) without running a model.
 *
 * A verdict stored before the role detectors existed (issue 11) has no
 * `roleFlags`: "no role flags" there means "not looked for", not "none found",
 * so it is stale too (`roles-unchecked`) and a re-check fills them in.
 */
import type { PersonaStatement } from '../character';
import { hashText } from './cache';
import type { Verdict } from './verdict';

/** What a stored verdict must record to be checked for staleness. A ReplyVerdict plus the two hashes fits. */
export interface VerdictFingerprint {
  /** Every model that shaped the numbers (NLI + embeddings), e.g. from checkerModelId(). */
  modelId: string;
  /** The enabled statements that were checked, with the version used. */
  statements: readonly { statementId: string; statementVersion: number }[];
  replyTextHash: string;
  /** Hash of the user turn the reply answers ('' text when there is none, e.g. a greeting). */
  userTurnHash: string;
}

export interface CheckContext {
  modelId: string;
  /** All of the character's statements; disabled ones are not checked. */
  statements: readonly Pick<PersonaStatement, 'id' | 'version' | 'enabled'>[];
  /** The shown swipe's text. */
  replyText: string;
  userTurnText: string;
}

/**
 * - `statement-added`: enabled now but not checked then (new, or re-enabled —
 *   the fingerprint holds only enabled statements, so the two look the same).
 * - `statement-disabled`: checked then, still exists, disabled now.
 * - `statement-removed`: checked then, deleted now.
 * - `statement-edited`: same id, different version.
 * - `roles-unchecked`: the verdict predates the role detectors (no `roleFlags`).
 */
export type StalenessReason =
  | 'model-changed'
  | 'statement-added'
  | 'statement-removed'
  | 'statement-disabled'
  | 'statement-edited'
  | 'reply-changed'
  | 'user-turn-changed'
  | 'roles-unchecked';

export interface Staleness {
  stale: boolean;
  /** Each reason once, in the order of the StalenessReason union. */
  reasons: StalenessReason[];
  /**
   * Statements whose result must be recomputed (added, edited) or dropped
   * (removed, disabled). When only statements changed, a checker can re-score
   * just these and keep the other results.
   */
  changedStatementIds: string[];
}

const REASON_ORDER: readonly StalenessReason[] = [
  'model-changed',
  'statement-added',
  'statement-removed',
  'statement-disabled',
  'statement-edited',
  'reply-changed',
  'user-turn-changed',
  'roles-unchecked',
];

/** The model id a verdict records: both models change the numbers, so both are in it. */
export function checkerModelId(nliModelId: string, embeddingModelId: string): string {
  return `${nliModelId}+${embeddingModelId}`;
}

/** The fingerprint to store with a verdict computed in `context`. */
export function makeFingerprint(context: CheckContext): VerdictFingerprint {
  return {
    modelId: context.modelId,
    statements: context.statements
      .filter((s) => s.enabled)
      .map((s) => ({ statementId: s.id, statementVersion: s.version })),
    replyTextHash: hashText(context.replyText),
    userTurnHash: hashText(context.userTurnText),
  };
}

/** Compares a stored verdict's fingerprint with the current state. Statement order does not matter. */
export function checkStaleness(stored: VerdictFingerprint, current: CheckContext): Staleness {
  const reasons = new Set<StalenessReason>();
  const changed = new Set<string>();

  if (stored.modelId !== current.modelId) reasons.add('model-changed');
  if (stored.replyTextHash !== hashText(current.replyText)) reasons.add('reply-changed');
  if (stored.userTurnHash !== hashText(current.userTurnText)) reasons.add('user-turn-changed');

  const now = new Map(current.statements.map((s) => [s.id, s]));
  const then = new Map(stored.statements.map((s) => [s.statementId, s.statementVersion]));
  for (const [id, version] of then) {
    const s = now.get(id);
    if (!s) {
      reasons.add('statement-removed');
      changed.add(id);
    } else if (!s.enabled) {
      reasons.add('statement-disabled');
      changed.add(id);
    } else if (s.version !== version) {
      reasons.add('statement-edited');
      changed.add(id);
    }
  }
  for (const s of current.statements) {
    if (s.enabled && !then.has(s.id)) {
      reasons.add('statement-added');
      changed.add(s.id);
    }
  }

  const ordered = REASON_ORDER.filter((r) => reasons.has(r));
  return { stale: ordered.length > 0, reasons: ordered, changedStatementIds: [...changed] };
}

/**
 * Staleness of a whole stored verdict: its fingerprint against the current
 * state (checkStaleness), and `roles-unchecked` when it was stored without
 * role flags (before issue 11). An empty `roleFlags` array is a check that
 * found none: not stale.
 */
export function verdictStalenessOf(verdict: Pick<Verdict, 'fingerprint' | 'roleFlags'>, current: CheckContext): Staleness {
  const result = checkStaleness(verdict.fingerprint, current);
  if (verdict.roleFlags !== undefined) return result;
  return { stale: true, reasons: [...result.reasons, 'roles-unchecked'], changedStatementIds: result.changedStatementIds };
}
