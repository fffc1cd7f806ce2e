/**
 * TEST DOUBLE for localStorage (Node has none): a Map-backed Storage with an
 * optional budget in characters (keys + values), past which setItem throws
 * QuotaExceededError as a browser's does.
 */
export class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  constructor(private readonly budgetChars = Infinity) {}
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  setItem(k: string, v: string) {
    const value = String(v);
    let used = k.length + value.length;
    for (const [key, val] of this.map) if (key !== k) used += key.length + val.length;
    if (used > this.budgetChars) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.map.set(k, value);
  }
}

/** Installs `storage` as globalThis.localStorage. @returns the uninstall. */
export function installLocalStorage(storage: Storage): () => void {
  (globalThis as { localStorage?: Storage }).localStorage = storage;
  return () => {
    delete (globalThis as { localStorage?: Storage }).localStorage;
  };
}
