/**
 * Why an import failed, as a code the UI can branch on (message text is for
 * people and may change; the code may not).
 */
export type CardParseReason =
  | 'too-large'
  | 'not-png'
  | 'truncated-png'
  | 'corrupt-png'
  | 'unsupported-format'
  | 'no-card-in-png'
  | 'bad-base64'
  | 'bad-utf8'
  | 'invalid-json'
  | 'too-deep'
  | 'empty-card'
  | 'not-a-card'
  | 'not-a-lorebook'
  | 'invalid-text-chunk';

/**
 * A card, lorebook or PNG could not be read (or written). Thrown by everything
 * in `domain/cards`; anything else escaping from there is a bug.
 */
export class CardParseError extends Error {
  override readonly name = 'CardParseError';
  readonly reason: CardParseReason;

  constructor(reason: CardParseReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
