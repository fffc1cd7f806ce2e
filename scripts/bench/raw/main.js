/**
 * Main thread of the raw-library page: one plain Web Worker, one postMessage
 * per streamed text piece, appended to a <pre>. Exposes `window.rawBench` for
 * scripts/bench/chat.mjs. Times use this page's performance.now().
 */
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const out = document.getElementById('out');
let nextId = 1;
const pending = new Map();

worker.onmessage = (event) => {
  const msg = event.data;
  const call = pending.get(msg.id);
  if (!call) return;
  if (msg.type === 'delta') {
    out.append(msg.text);
    // Text is in the DOM now (same point the studio's MutationObserver sees).
    call.deltas.push({ t: performance.now(), chars: msg.text.length });
    return;
  }
  pending.delete(msg.id);
  if (call.type === 'generate') performance.mark('bench-raw-end');
  if (msg.type === 'error') call.reject(new Error(msg.message));
  else call.resolve({ ...msg.result, deltas: call.deltas, t0: call.t0, tDone: performance.now(), timeOrigin: performance.timeOrigin });
};

function call(type, payload) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const entry = { type, resolve, reject, deltas: [], t0: 0 };
    pending.set(id, entry);
    if (type === 'generate') {
      out.textContent = '';
      performance.mark('bench-raw-start');
    }
    entry.t0 = performance.now();
    worker.postMessage({ id, type, payload });
  });
}

window.rawBench = {
  /** { baseUrl, modelId, dtype, numThreads? } → { numThreads, crossOriginIsolated, loadMs } */
  load: (payload) => call('load', payload),
  /** { messages, maxNewTokens, repetitionPenalty } → timings (see worker.js) */
  generate: (payload) => call('generate', payload),
};
window.rawBenchReady = true;
