/**
 * Card macros. Cards in the wild write the character and user placeholders as
 * `{{char}}` / `{{user}}` (V2/V3, any case, sometimes with inner spaces) or the
 * legacy TavernAI forms `<BOT>` / `<CHAR>` / `<USER>`.
 */

/** Names substituted for the character and user placeholders. */
export interface MacroNames {
  char: string;
  user: string;
}

const CHAR_MACRO = /\{\{\s*char\s*\}\}|<\s*(?:bot|char)\s*>/gi;
const USER_MACRO = /\{\{\s*user\s*\}\}|<\s*user\s*>/gi;

/**
 * Replace `{{char}}` / `{{user}}` (case-insensitive) and the legacy `<BOT>`,
 * `<CHAR>`, `<USER>` with the given names. Other `{{macros}}` are left alone.
 */
export function resolveMacros(text: string, names: MacroNames): string {
  // A replacer function, not a string, so a name containing `$&` or `$1`
  // is inserted literally.
  return text.replace(CHAR_MACRO, () => names.char).replace(USER_MACRO, () => names.user);
}

/**
 * Rewrite every spelling of the user placeholder to the canonical `{{user}}`,
 * leaving it unresolved (for text stored before a user name is known).
 */
export function canonicalUserMacro(text: string): string {
  return text.replace(USER_MACRO, '{{user}}');
}
