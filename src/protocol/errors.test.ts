import { describe, expect, it } from 'vitest';
import {
  CheckerNotLoadedError,
  EngineError,
  ModelLoadError,
  ModelNotLoadedError,
  RemoteError,
  reviveError,
  serializeError,
} from './errors';

describe('serialize / revive', () => {
  it('round-trips our classes with their names and causes', () => {
    const original = new ModelLoadError('boom', { cause: new TypeError('Failed to fetch') });
    const wire = structuredClone(serializeError(original));
    expect(wire).toMatchObject({ name: 'ModelLoadError', message: 'boom', cause: { name: 'TypeError' } });
    const revived = reviveError(wire);
    expect(revived).toBeInstanceOf(ModelLoadError);
    expect((revived.cause as Error).name).toBe('TypeError');
  });

  it('names survive for foreign errors', () => {
    const revived = reviveError(serializeError(new DOMException('x', 'QuotaExceededError')));
    expect(revived).toBeInstanceOf(Error);
    expect(revived.name).toBe('QuotaExceededError');
  });

  it('the workers\' "not loaded" errors come back as their classes, with their wording', () => {
    for (const [original, cls] of [
      [new CheckerNotLoadedError(), CheckerNotLoadedError],
      [new ModelNotLoadedError(), ModelNotLoadedError],
    ] as const) {
      const revived = reviveError(structuredClone(serializeError(original)));
      expect(revived).toBeInstanceOf(cls);
      expect(revived).toBeInstanceOf(EngineError);
      expect(revived.message).toBe(original.message);
      expect((revived as EngineError).userMessage).toBe(original.userMessage);
    }
  });

  it('an unknown name comes back as a RemoteError that keeps it', () => {
    const revived = reviveError({ name: 'SomeLibraryError', message: 'odd' });
    expect(revived).toBeInstanceOf(RemoteError);
    expect(revived).toMatchObject({ name: 'SomeLibraryError', message: 'odd' });
  });
});
