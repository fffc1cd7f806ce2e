/**
 * transformers.js alone: `pipeline('text-generation')` + TextStreamer, the
 * same env settings the studio's worker uses (self-hosted remoteHost,
 * onnxruntime's asyncify wasm files from the bundle, numThreads =
 * hardwareConcurrency when cross-origin isolated), nothing else.
 */
import { TextStreamer, env, pipeline } from '@huggingface/transformers';
import ortWasmMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

let pipe = null;

async function load({ baseUrl, modelId, dtype, numThreads }) {
  const started = performance.now();
  env.allowRemoteModels = true;
  env.allowLocalModels = false;
  env.remoteHost = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  env.remotePathTemplate = '{model}/';
  const wasm = env.backends.onnx.wasm;
  wasm.wasmPaths = { mjs: new URL(ortWasmMjsUrl, import.meta.url).href, wasm: new URL(ortWasmUrl, import.meta.url).href };
  wasm.numThreads = numThreads ?? (self.crossOriginIsolated ? Math.max(1, navigator.hardwareConcurrency || 1) : 1);
  pipe = await pipeline('text-generation', modelId, { dtype, device: 'wasm' });
  return { numThreads: wasm.numThreads, crossOriginIsolated: self.crossOriginIsolated, loadMs: performance.now() - started };
}

async function generate(id, { messages, maxNewTokens, repetitionPenalty }) {
  const started = performance.now();
  let tokens = 0;
  let tokensAtFirstText = null;
  let firstTokenAt = null;
  let lastTokenAt = null;
  let text = '';
  const streamer = new TextStreamer(pipe.tokenizer, {
    skip_prompt: true,
    skip_special_tokens: true,
    callback_function: (piece) => {
      if (!piece) return;
      tokensAtFirstText ??= tokens;
      text += piece;
      self.postMessage({ id, type: 'delta', text: piece });
    },
    token_callback_function: (t) => {
      tokens += t.length;
      firstTokenAt ??= performance.now();
      lastTokenAt = performance.now();
    },
  });
  await pipe(messages, { max_new_tokens: maxNewTokens, do_sample: false, repetition_penalty: repetitionPenalty, streamer });
  const end = performance.now();
  return {
    text,
    completionTokens: tokens,
    tokensAtFirstText,
    worker: {
      firstTokenMs: firstTokenAt - started,
      totalMs: end - started,
      decodeTokensPerSecond: tokens > 1 ? ((tokens - 1) * 1000) / (lastTokenAt - firstTokenAt) : null,
    },
  };
}

self.onmessage = async (event) => {
  const { id, type, payload } = event.data;
  try {
    const result = type === 'load' ? await load(payload) : await generate(id, payload);
    self.postMessage({ id, type: 'result', result });
  } catch (e) {
    self.postMessage({ id, type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
};
