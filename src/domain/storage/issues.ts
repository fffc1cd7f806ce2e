/**
 * Turning schema issues into short, named sentences for people ("name: expected
 * text, found a number"), and the error thrown when a record fails the final
 * check before a write.
 */
import * as v from 'valibot';

/** What a value is, in words; never quotes the value itself (it may be megabytes of text). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value === '' ? 'empty text' : 'text';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : 'a non-finite number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true/false',
  Array: 'a list',
  Object: 'an object',
  null: 'null',
};

function expectedWords(expected: string | null): string {
  if (!expected) return 'another value';
  return expected
    .split(' | ')
    .map((e) => EXPECTED_WORDS[e] ?? e)
    .join(' or ');
}

/** The field path of an issue (`card.tags.2`), or '' for the value itself. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return v.getDotPath(issue) ?? '';
}

/**
 * One sentence per issue, deduplicated: `card.name: expected text, found a number`.
 * Only type issues name what was found; others use their own message. Missing
 * fields are not listed (their readers fill in defaults).
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): string[] {
  const out = new Set<string>();
  for (const issue of issues) {
    // A missing field is not damage: older versions wrote fewer fields, and readers fill defaults.
    if (issue.kind === 'schema' && issue.input === undefined) continue;
    const path = [prefix, issuePath(issue)].filter(Boolean).join('.');
    const what =
      issue.kind === 'schema' && issue.type !== 'custom'
        ? `expected ${expectedWords(issue.expected)}, found ${describeValue(issue.input)}`
        : issue.message;
    out.add(path ? `${path}: ${what}` : what);
  }
  return [...out];
}

/**
 * A record failed the schema of its stored shape at the last check before a
 * write: a bug upstream, never user error (imports and restores coerce or
 * refuse earlier, with their own messages). Nothing was written.
 */
export class RecordInvalidError extends Error {
  override readonly name = 'RecordInvalidError';
  /** The failing fields, e.g. `card.name: expected text, found a number`. */
  readonly problems: string[];

  constructor(what: string, problems: string[]) {
    super(`${what} was not saved because it is malformed (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}).`);
    this.problems = problems;
  }
}

/**
 * Returns `value` typed by `schema`, or throws naming every bad field.
 * @throws RecordInvalidError
 */
export function assertValid<S extends v.GenericSchema>(schema: S, value: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new RecordInvalidError(what, describeIssues(result.issues));
  return result.output;
}
