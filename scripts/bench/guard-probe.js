/**
 * Init script for the studio page of `npm run bench:guard` part B (added with
 * page.addInitScript before the app loads; no studio code is changed).
 *
 * - Wraps `Worker` to log every RPC call the studio makes to its workers
 *   (`{ kind: 'call', id, method, payload }`, answered by `result`/`error`
 *   with the same id; src/engines/rpcClient.ts): which worker (chat or
 *   checker, from the worker's script name), the method, when it was posted
 *   and answered, the pairs/texts it carried and, for `generate`, the usage.
 * - `__guardBench.send()` clicks Send (the composer already filled) and
 *   resolves with { t0, tShown }: performance.now() at the click, and at the
 *   first DOM change after which the turn is over on screen — the user's
 *   message and a reply were added, the reply is done, no "take n of N…"
 *   progress, Send is back, and the reply's verdict badge is shown (no
 *   "Checking…").
 */
(() => {
  const now = () => performance.now();
  const B = (window.__guardBench = { calls: [] });

  const NativeWorker = window.Worker;
  window.Worker = class GuardBenchWorker extends NativeWorker {
    constructor(url, options) {
      super(url, options);
      const name = String(url);
      this.__benchKind = /checker/i.test(name) ? 'checker' : /chat/i.test(name) ? 'chat' : 'other';
      this.__benchOpen = new Map();
      this.addEventListener('message', (event) => {
        const d = event.data;
        if (!d || (d.kind !== 'result' && d.kind !== 'error')) return;
        const call = this.__benchOpen.get(d.id);
        if (!call) return;
        this.__benchOpen.delete(d.id);
        call.end = now();
        call.ok = d.kind === 'result';
        if (call.method === 'generate' && d.kind === 'result') call.usage = d.result?.usage ?? null;
      });
    }
    postMessage(msg, ...rest) {
      if (msg && msg.kind === 'call') {
        const p = msg.payload ?? {};
        const call = {
          worker: this.__benchKind,
          method: msg.method,
          start: now(),
          end: null,
          ok: null,
          items: Array.isArray(p.pairs) ? p.pairs.length : Array.isArray(p.texts) ? p.texts.length : null,
        };
        this.__benchOpen.set(msg.id, call);
        B.calls.push(call);
      }
      return super.postMessage(msg, ...rest);
    }
  };

  const sendButton = () => [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Send' || b.getAttribute('aria-label') === 'Send');
  const messages = () => document.querySelectorAll('[data-testid="message"]');

  const shown = (minMessages) => {
    const all = messages();
    if (all.length < minMessages) return false;
    const last = all[all.length - 1];
    if (!last || last.getAttribute('data-role') !== 'assistant' || last.getAttribute('data-state') !== 'done') return false;
    if (document.querySelector('[data-testid="takes-progress"]')) return false;
    if (!sendButton()) return false;
    const badge = last.querySelector('[data-testid="verdict-badge"]');
    return !!badge && !/Checking/.test(last.textContent ?? '');
  };

  B.send = (timeoutMs = 600000) =>
    new Promise((resolve, reject) => {
      const minMessages = messages().length + 2;
      const button = sendButton();
      if (!button || button.disabled) return reject(new Error('no enabled Send button'));
      const observer = new MutationObserver(() => {
        if (!shown(minMessages)) return;
        observer.disconnect();
        clearTimeout(timer);
        resolve({ t0, tShown: now() });
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      const t0 = now();
      button.click();
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error('the turn did not end on screen in time'));
      }, timeoutMs);
    });
})();
