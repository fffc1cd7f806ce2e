/** Shared text utilities: card macros and sentence splitting. */
export { canonicalUserMacro, resolveMacros, type MacroNames } from './macros';
export { splitSentences } from './sentences';
