import { describe, expect, it } from 'vitest';
import { canonicalUserMacro, resolveMacros } from './macros';

const names = { char: 'Maren', user: 'Alex' };

describe('resolveMacros', () => {
  it('replaces {{char}} and {{user}} in any case and with inner spaces', () => {
    expect(resolveMacros('{{char}} greets {{user}}. {{CHAR}}/{{User}}/{{ char }}', names)).toBe(
      'Maren greets Alex. Maren/Alex/Maren',
    );
  });

  it('replaces the legacy <BOT>, <CHAR> and <USER> forms, case-insensitively', () => {
    expect(resolveMacros('<BOT> and <user> and <Char>', names)).toBe('Maren and Alex and Maren');
  });

  it('leaves other macros and plain braces alone', () => {
    expect(resolveMacros('{{original}} {{random:a,b}} {char} <START>', names)).toBe(
      '{{original}} {{random:a,b}} {char} <START>',
    );
  });

  it('inserts names literally, even with $ patterns', () => {
    expect(resolveMacros('{{user}}', { char: 'x', user: '$& $1 $$' })).toBe('$& $1 $$');
  });

  it('is repeatable (global regexes keep no state between calls)', () => {
    expect(resolveMacros('{{char}}', names)).toBe('Maren');
    expect(resolveMacros('{{char}}', names)).toBe('Maren');
  });
});

describe('canonicalUserMacro', () => {
  it('rewrites every user spelling to {{user}} and leaves {{char}}', () => {
    expect(canonicalUserMacro('<USER> {{ User }} {{char}}')).toBe('{{user}} {{user}} {{char}}');
  });
});
