import { useState } from 'react';

/**
 * Text typed into a field whose stored form differs (a comma list, a trimmed
 * statement). The text follows `value` when it changes from outside — another
 * tab's save, an undo — but not when `value` is just this text, parsed.
 */
export function useFieldText(value: string, matches: (text: string, value: string) => boolean = (t, v) => t === v) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  // Adjusting state while rendering (React's pattern for props that change).
  if (value !== seen) {
    setSeen(value);
    if (!matches(text, value)) setText(value);
  }
  return [text, setText] as const;
}

export const splitList = (s: string) => s.split(',').map((k) => k.trim()).filter(Boolean);
export const sameList = (text: string, value: string) => splitList(text).join(', ') === value;
