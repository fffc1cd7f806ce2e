import type { EngineStatus } from './ChatEngine';

/** A tiny observable for engine status (what `useSyncExternalStore` wants). */
export class StatusCell {
  private current: EngineStatus = { state: 'absent' };
  private readonly listeners = new Set<(status: EngineStatus) => void>();

  get value(): EngineStatus {
    return this.current;
  }

  set(next: EngineStatus): void {
    this.current = next;
    for (const listener of [...this.listeners]) {
      try {
        listener(next);
      } catch (e) {
        // A broken listener must not break the engine.
        console.error('engine status listener failed', e);
      }
    }
  }

  subscribe(listener: (status: EngineStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The model id the status refers to, if any. */
export function statusModelId(status: EngineStatus): string | null {
  return status.state === 'absent' ? null : status.modelId;
}
