/**
 * The raw library for `npm run bench:checker`: transformers.js alone in a plain
 * module worker, no studio code. Same env as the studio's checker worker
 * (self-hosted remoteHost, onnxruntime's files from the bundle, device wasm,
 * dtype q8, numThreads set explicitly) and the documented NLI recipe:
 * AutoTokenizer + AutoModelForSequenceClassification with text_pair, padded
 * batches, in input order.
 */
import { AutoModelForSequenceClassification, AutoTokenizer, env } from '@huggingface/transformers';
import asyncifyMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import asyncifyWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import plainMjs from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import plainWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

let tokenizer = null;
let model = null;
const abs = (u) => new URL(u, import.meta.url).href;

const handlers = {
  async load({ baseUrl, modelId, numThreads, wasmVariant = 'asyncify' }) {
    const t0 = performance.now();
    env.allowRemoteModels = true;
    env.allowLocalModels = false;
    env.remoteHost = baseUrl;
    env.remotePathTemplate = '{model}/';
    const wasm = env.backends.onnx.wasm;
    wasm.wasmPaths =
      wasmVariant === 'plain' ? { mjs: abs(plainMjs), wasm: abs(plainWasm) } : { mjs: abs(asyncifyMjs), wasm: abs(asyncifyWasm) };
    wasm.numThreads = numThreads;
    [tokenizer, model] = await Promise.all([
      AutoTokenizer.from_pretrained(modelId),
      AutoModelForSequenceClassification.from_pretrained(modelId, { dtype: 'q8', device: 'wasm' }),
    ]);
    return { threads: wasm.numThreads, crossOriginIsolated: self.crossOriginIsolated, loadMs: performance.now() - t0 };
  },

  /** Scores `pairs` in batches of `batchSize` (input order) for ~`seconds`, after `warmSeconds`. */
  async run({ pairs, batchSize, seconds, warmSeconds = 0 }) {
    let firstLogits = null;
    const once = async () => {
      for (let i = 0; i < pairs.length; i += batchSize) {
        const batch = pairs.slice(i, i + batchSize);
        const enc = tokenizer(
          batch.map((p) => p[0]),
          { text_pair: batch.map((p) => p[1]), padding: true, truncation: true },
        );
        const { logits } = await model(enc);
        if (i === 0 && !firstLogits) firstLogits = Array.from(logits.data.slice(0, 6));
      }
    };
    const warmEnd = performance.now() + warmSeconds * 1000;
    while (performance.now() < warmEnd) await once();
    let done = 0;
    const t0 = performance.now();
    const perPass = [];
    do {
      const p0 = performance.now();
      await once();
      perPass.push(performance.now() - p0);
      done += pairs.length;
    } while (performance.now() - t0 < seconds * 1000);
    const ms = performance.now() - t0;
    return { pairsPerSecond: (done * 1000) / ms, pairs: done, ms, passMs: perPass, firstLogits };
  },

  async dispose() {
    await model?.dispose();
    model = null;
    return true;
  },
};

self.onmessage = async ({ data }) => {
  const { id, type, payload } = data;
  try {
    self.postMessage({ id, result: await handlers[type](payload) });
  } catch (e) {
    self.postMessage({ id, error: String(e?.stack ?? e) });
  }
};
