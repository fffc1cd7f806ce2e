import { expect, type BrowserContext, type Page, type Request } from '@playwright/test';
import { ChatPage } from '../pages/ChatPage';
import { MODEL_MS } from '../pages/limits';

/**
 * The built studio under /studio/ with its service worker: waiting for the
 * worker, talking to it, reading isolation, recording requests, offline mode.
 * Specs in e2e/offline/ act through this and the shared page models.
 */
export class DistStudio {
  readonly chat: ChatPage;
  constructor(
    readonly page: Page,
    readonly context: BrowserContext,
  ) {
    this.chat = new ChatPage(page);
  }

  /**
   * First (online) visit: loads /studio/, waits until the service worker has
   * precached everything and controls the page, and — unless `isolate` is
   * false (`?isolate=0`) — until the one-time reload made it cross-origin isolated.
   */
  async openOnline({ isolate = true }: { isolate?: boolean } = {}) {
    await this.page.goto(isolate ? './' : './?isolate=0');
    await this.waitForServiceWorker();
    if (isolate) await expect.poll(() => this.evaluateSafe(() => self.crossOriginIsolated), { timeout: MODEL_MS }).toBe(true);
    await this.waitForLibrary();
  }

  async waitForLibrary() {
    await expect(this.page.getByTestId('character-list').or(this.page.getByText('Your library is empty'))).toBeVisible({ timeout: MODEL_MS });
  }

  async waitForServiceWorker() {
    await expect
      .poll(() => this.evaluateSafe(() => navigator.serviceWorker.controller !== null), { timeout: MODEL_MS })
      .toBe(true);
  }

  /** The controlling service worker's build version (APP_VERSION). */
  async serviceWorkerVersion(): Promise<string | null> {
    return this.page.evaluate(
      () =>
        new Promise<string | null>((resolve) => {
          const sw = navigator.serviceWorker.controller;
          if (!sw) return resolve(null);
          const channel = new MessageChannel();
          channel.port1.onmessage = (e) => resolve((e.data as { version: string }).version);
          sw.postMessage({ type: 'GET_VERSION' }, [channel.port2]);
        }),
    );
  }

  /** The main script the document loaded (its hashed name changes with every build). */
  async mainScript(): Promise<string> {
    return this.page.evaluate(() => document.querySelector<HTMLScriptElement>('script[type="module"][src]')?.src ?? '');
  }

  /** Isolation of the page and of the chat worker (when it runs), and the wasm thread count the runtime picks. */
  async isolation() {
    const page = await this.page.evaluate(() => ({ isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
    const worker = this.page.workers().find((w) => w.url().includes('transformers-chat.worker'));
    const workerIsolated = worker ? await worker.evaluate(() => self.crossOriginIsolated) : null;
    // Same rule as configureTransformersEnv (src/workers/transformersRuntime.ts).
    const threads = workerIsolated ? Math.max(1, page.cores || 1) : 1;
    // onnxruntime's extra threads are emscripten pthread workers started from a blob: URL.
    const pthreadWorkers = this.page.workers().filter((w) => w.url().startsWith('blob:')).length;
    return { pageIsolated: page.isolated, workerIsolated, cores: page.cores, threads, pthreadWorkers };
  }

  async useModelSource(baseUrl: string) {
    await this.page.getByLabel('Self-hosted base URL').fill(baseUrl);
    await this.page.getByRole('button', { name: 'Save source' }).click();
  }

  async loadChatModel(id: string) {
    await this.chat.openModels();
    await this.chat.loadModelById(id);
    await this.chat.waitModelReady();
  }

  /**
   * Sends `text` in the open chat and times the reply in the page: from the
   * Enter key to the first visible text, and to the reply's 'done' state.
   * Token counts come from the stored message (the engine's usage).
   */
  async timeReply(text: string): Promise<ReplyTiming> {
    const count = await this.chat.messages.count();
    const timing = this.page.evaluate(
      (expected) =>
        new Promise<{ ttftMs: number; totalMs: number }>((resolve) => {
          let t0: number | null = null;
          let first: number | null = null;
          const onKey = (e: KeyboardEvent) => {
            if (e.key === 'Enter' && t0 === null) t0 = performance.now();
          };
          window.addEventListener('keydown', onKey, true);
          const obs = new MutationObserver(() => {
            const msgs = document.querySelectorAll('[data-testid="message"]');
            const last = msgs[msgs.length - 1];
            if (t0 === null || msgs.length < expected || last?.getAttribute('data-role') !== 'assistant') return;
            if (first === null && (last.querySelector('[data-testid="message-text"]')?.textContent ?? '').trim()) first = performance.now();
            if (last.getAttribute('data-state') === 'done') {
              obs.disconnect();
              window.removeEventListener('keydown', onKey, true);
              const end = performance.now();
              resolve({ ttftMs: (first ?? end) - t0, totalMs: end - t0 });
            }
          });
          obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        }),
      count + 2,
    );
    await this.chat.send(text);
    const { ttftMs, totalMs } = await timing;
    await this.chat.waitReplyDone();
    const usage = await this.page.evaluate(async () => {
      const open = indexedDB.open('in-character');
      const db: IDBDatabase = await new Promise((res, rej) => {
        open.onsuccess = () => res(open.result);
        open.onerror = () => rej(open.error);
      });
      const all: { order: number; updatedAt: number; swipes: { usage?: { promptTokens: number; completionTokens: number } }[]; swipeIndex: number }[] =
        await new Promise((res, rej) => {
          const r = db.transaction('messages').objectStore('messages').getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
      db.close();
      const last = all.sort((a, b) => a.updatedAt - b.updatedAt).at(-1)!;
      return last.swipes[last.swipeIndex]?.usage ?? null;
    });
    const completionTokens = usage?.completionTokens ?? 0;
    return {
      ttftMs: Math.round(ttftMs),
      totalMs: Math.round(totalMs),
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens,
      decodeTokensPerSecond: completionTokens > 1 ? Math.round(((completionTokens - 1) / ((totalMs - ttftMs) / 1000)) * 10) / 10 : null,
    };
  }

  /** Evaluates, treating "context destroyed by a navigation" as not-yet (for polling across reloads). */
  private async evaluateSafe<T>(fn: () => T): Promise<T | null> {
    try {
      return await this.page.evaluate(fn);
    } catch {
      return null;
    }
  }
}

export interface ReplyTiming {
  ttftMs: number;
  totalMs: number;
  promptTokens: number;
  completionTokens: number;
  decodeTokensPerSecond: number | null;
}

export interface RecordedRequest {
  url: string;
  method: string;
  resourceType: string;
  /** Issued by the service worker itself (precaching), not by the page. */
  byServiceWorker: boolean;
  /** HTTP status once answered; 'failed' when the request failed (offline, refused, blocked). */
  status?: number | 'failed';
}

/**
 * Records every request of the context — pages, their workers, and (Chromium,
 * Playwright ≥ 1.4x) the service worker's own fetches — from now on.
 */
export function recordRequests(context: BrowserContext): RecordedRequest[] {
  const log: RecordedRequest[] = [];
  const entries = new Map<Request, RecordedRequest>();
  context.on('request', (r: Request) => {
    const entry: RecordedRequest = { url: r.url(), method: r.method(), resourceType: r.resourceType(), byServiceWorker: r.serviceWorker() !== null };
    entries.set(r, entry);
    log.push(entry);
  });
  context.on('response', (res) => {
    const entry = entries.get(res.request());
    if (entry) entry.status = res.status();
  });
  context.on('requestfailed', (r: Request) => {
    const entry = entries.get(r);
    if (entry) entry.status = 'failed';
  });
  return log;
}

/** Requests whose origin is not one of `allowed` (data:, blob: and about: never leave the browser). */
export function strayRequests(log: RecordedRequest[], allowed: string[]): RecordedRequest[] {
  const origins = new Set(allowed.map((u) => new URL(u).origin));
  return log.filter((r) => {
    const url = new URL(r.url);
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return false;
    return !origins.has(url.origin);
  });
}
