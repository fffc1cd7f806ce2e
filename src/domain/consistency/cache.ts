/**
 * Cache keys for NLI results and a small LRU map to hold them. A pair's
 * probabilities depend only on the model and the two texts, so re-checking a
 * reply after an unrelated edit, a swipe back, or a re-render costs nothing.
 */
import { checkInteger } from './validate';

/**
 * 64-bit string hash as 16 hex digits: two 32-bit lanes mixed cyrb53-style
 * (Math.imul multiply + xorshift finaliser), both lanes kept in full.
 * Not cryptographic; stable across runs, engines and platforms (it hashes
 * UTF-16 code units, the same in every JS engine). With 64 bits, the chance of
 * any collision among a million keys is about 3·10⁻⁸.
 */
export function hash64(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

/** Hash of a message or statement text, for staleness fingerprints. */
export function hashText(text: string): string {
  return hash64(text);
}

export interface NliPairKeyParts {
  modelId: string;
  statementId: string;
  statementVersion: number;
  /** The premise as sent to the model. */
  statementText: string;
  /** The hypothesis as sent to the model. */
  sentenceText: string;
}

/**
 * Cache key of one NLI pair. Each part is length-prefixed before hashing, so
 * moving characters between parts ("ab"+"c" vs "a"+"bc") changes the key.
 * Both the version and the text go in: the text keeps the key right even if a
 * caller forgets to bump the version; the version ties a cached answer to the
 * statement revision a stored verdict names. (Cost: an edit that is undone
 * misses the cache once.)
 */
export function nliPairKey(parts: NliPairKeyParts): string {
  const fields = [
    parts.modelId,
    parts.statementId,
    String(parts.statementVersion),
    parts.statementText,
    parts.sentenceText,
  ];
  return 'nli:' + hash64(fields.map((f) => `${f.length}:${f}`).join('|'));
}

/**
 * A Map with a size cap that evicts the least recently used entry. `get` and
 * `set` count as use; `peek` and `has` do not.
 */
export class LruCache<K, V> {
  // Map iterates in insertion order, so re-inserting on use keeps the oldest first.
  private readonly map = new Map<K, V>();
  readonly maxSize: number;

  /** @throws {ConsistencyInputError} when maxSize is not an integer ≥ 1. */
  constructor(maxSize: number) {
    this.maxSize = checkInteger('maxSize', maxSize, 1);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Inserts or refreshes `key`; returns the evicted entries (oldest first), usually none. */
  set(key: K, value: V): [K, V][] {
    this.map.delete(key);
    this.map.set(key, value);
    const evicted: [K, V][] = [];
    while (this.map.size > this.maxSize) {
      const oldest = this.map.keys().next().value as K;
      evicted.push([oldest, this.map.get(oldest) as V]);
      this.map.delete(oldest);
    }
    return evicted;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.map.keys()];
  }
}
