/**
 * Init script for the studio page of `npm run bench:chat` (added with
 * page.addInitScript before the app loads; no studio code is changed).
 *
 * - Wraps `Worker` to timestamp the RPC traffic of `generate` calls (when the
 *   request leaves the main thread, when each progress/result message arrives)
 *   and to keep the exact payload the studio sends (messages + sampling), which
 *   the raw-library page then reuses so both paths run the same prompt.
 * - Buffers 'longtask' and 'long-animation-frame' entries (both only report
 *   work of 50 ms or more; the benchmark's trace run sees shorter tasks).
 * - `__bench.runRegenerate()` clicks Regenerate on the last reply and follows
 *   the reply in the DOM with a MutationObserver: first time the streaming
 *   message shows text, every time its text grows, and when it stops streaming.
 */
(() => {
  const now = () => performance.now();
  const B = (window.__bench = { rec: null, generateCalls: [], lt: [], loaf: [], loafSupported: false });

  const NativeWorker = window.Worker;
  window.Worker = class BenchWorker extends NativeWorker {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const d = event.data;
        const r = B.rec;
        if (!r || !d || d.id !== r.callId) return;
        if (d.kind === 'progress') r.msgs.push(now());
        else if (d.kind === 'result' || d.kind === 'error') {
          r.resultAt = now();
          r.result = d.kind === 'result' ? d.result : { error: d.error };
        }
      });
    }
    postMessage(msg, ...rest) {
      if (msg && msg.kind === 'call' && msg.method === 'generate') {
        B.generateCalls.push(JSON.parse(JSON.stringify(msg.payload)));
        if (B.rec && B.rec.callId === null) {
          B.rec.postedAt = now();
          B.rec.callId = msg.id;
        }
      }
      return super.postMessage(msg, ...rest);
    }
  };

  // The server engine fetches from the main thread: note when its chat request
  // leaves and when the response headers arrive (the --server breakdown).
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input && input.url;
    const r = B.rec;
    if (r && r.fetchAt == null && typeof url === 'string' && url.endsWith('/chat/completions')) {
      r.fetchAt = now();
      const p = nativeFetch(input, init);
      p.then(() => {
        r.headersAt = now();
      }).catch(() => undefined);
      return p;
    }
    return nativeFetch(input, init);
  };

  const supported = PerformanceObserver.supportedEntryTypes || [];
  if (supported.includes('longtask')) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.lt.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  }
  if (supported.includes('long-animation-frame')) {
    B.loafSupported = true;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        B.loaf.push({
          start: e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          scripts: (e.scripts || []).map((s) => ({ invoker: s.invoker, fn: s.sourceFunctionName, src: s.sourceURL, duration: s.duration })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  }

  const lastMessage = () => {
    const all = document.querySelectorAll('[data-testid="message"]');
    return all[all.length - 1] || null;
  };

  B.runRegenerate = (timeoutMs = 180000) =>
    new Promise((resolve, reject) => {
      const msg = lastMessage();
      const button = msg && msg.querySelector('button[aria-label="Regenerate"]');
      if (!button || button.disabled) return reject(new Error('No enabled Regenerate button on the last message'));
      const rec = (B.rec = { t0: 0, postedAt: null, fetchAt: null, headersAt: null, callId: null, msgs: [], dom: [], resultAt: null, result: null, tDone: null, state: null });
      let maxLen = 0;
      let sawStreaming = false;
      const check = () => {
        const a = lastMessage();
        if (!a) return;
        // "(writing…)" in the label = the studio's live streaming state (zustand),
        // not the stored swipe state, which can read 'streaming' before and after.
        const live = (a.getAttribute('aria-label') || '').endsWith('(writing…)');
        const state = a.getAttribute('data-state');
        if (live) {
          sawStreaming = true;
          const textEl = a.querySelector('[data-testid="message-text"]');
          const len = textEl ? textEl.textContent.length : 0;
          if (len > maxLen) {
            rec.dom.push({ t: now(), len });
            maxLen = len;
          }
        } else if (sawStreaming && /^(done|error|interrupted)$/.test(state || '')) {
          rec.tDone = now();
          rec.state = state;
          performance.mark('bench-run-end');
          observer.disconnect();
          clearTimeout(timer);
          // Let the performance observers deliver the last entries.
          setTimeout(() => resolve(rec), 300);
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-state', 'aria-label'] });
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error('reply did not finish in time'));
      }, timeoutMs);
      performance.mark('bench-run-start');
      rec.t0 = now();
      button.click();
    });

  /** The stored swipe (text, usage) shown on the last message, read from IndexedDB. */
  B.lastSwipe = async () => {
    const db = await new Promise((res, rej) => {
      const open = indexedDB.open('in-character');
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const messages = await new Promise((res, rej) => {
      const r = db.transaction('messages').objectStore('messages').getAll();
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    db.close();
    const last = messages.filter((m) => m.role === 'assistant').sort((a, b) => b.updatedAt - a.updatedAt)[0];
    const swipe = last.swipes[last.swipeIndex];
    return { text: swipe.text, usage: swipe.usage ?? null, finishReason: swipe.finishReason, swipes: last.swipes.length };
  };
})();
