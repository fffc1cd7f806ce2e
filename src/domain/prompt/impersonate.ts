/**
 * Impersonate (issue 13 §5): the model drafts the user's next line. The
 * prompt is an ordinary chat prompt with {@link impersonationNote} last
 * (assemble.ts); this cleans what comes back for the composer.
 */
import type { MacroNames } from '../text/macros';
import { resolveMacros } from '../text/macros';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The draft as the composer shows it: macros resolved, and a leading
 * "{user}:" label (models often write one) removed. Linear in the text.
 */
export function cleanImpersonation(text: string, names: MacroNames): string {
  const resolved = resolveMacros(text, names).replace(/^\s+/, '');
  const label = new RegExp(`^(?:${escapeRegExp(names.user)})\\s*:\\s*`, 'i');
  return resolved.replace(label, '');
}
