/**
 * Real llama.cpp generation for scripts/test-server/openai-server.mjs
 * `--llama`: node-llama-cpp (this folder's own package, never the studio's
 * dependency) runs a GGUF model on the CPU. Imported only when the option is
 * given, so the scripted server needs nothing installed.
 *
 * Prebuilt binaries only (`build: 'never'`): node-llama-cpp would otherwise
 * try to download and compile llama.cpp from GitHub, which is unreachable
 * here and in CI.
 */
import path from 'node:path';

export const TINY_MODEL = path.join(import.meta.dirname, 'tiny-llama.gguf');

/** Thrown when node-llama-cpp is not installed (run scripts/test-server/llama/install.mjs). */
export class LlamaToolsMissingError extends Error {
  name = 'LlamaToolsMissingError';
}

/** A plain role-tagged transcript: the tiny model has no chat template of its own. */
export function promptOf(messages) {
  const lines = [];
  for (const m of Array.isArray(messages) ? messages : []) {
    const role = m?.role === 'system' ? 'System' : m?.role === 'assistant' ? 'Assistant' : 'User';
    lines.push(`### ${role}:\n${String(m?.content ?? '')}\n`);
  }
  lines.push('### Assistant:\n');
  return lines.join('\n');
}

/**
 * Loads the model once; generations run one at a time on one context sequence
 * (like llama-server with one slot), in order of arrival.
 * @param {{modelPath?: string, contextSize?: number, threads?: number}} options
 * @throws LlamaToolsMissingError when node-llama-cpp is not installed.
 */
export async function loadLlama({ modelPath = TINY_MODEL, contextSize = 8192, threads = 1 } = {}) {
  let lib;
  try {
    lib = await import('node-llama-cpp');
  } catch (e) {
    throw new LlamaToolsMissingError(`node-llama-cpp is not installed (node scripts/test-server/llama/install.mjs): ${e?.message ?? e}`, { cause: e });
  }
  const { getLlama, LlamaCompletion } = lib;
  // One thread: on a shared 2-core machine more threads spin against each
  // other (measured here: 40 tokens took 82 s with the default, 0.2 s with 1).
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error', progressLogs: false });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: Math.min(contextSize, model.trainContextSize), threads, sequences: 1 });
  const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
  let queue = Promise.resolve();

  return {
    id: path.basename(modelPath).replace(/\.gguf$/i, ''),
    contextSize: context.contextSize,
    countTokens: (text) => model.tokenize(text).length,
    /**
     * Generates a reply to OpenAI `messages`, calling `onText` per decoded
     * piece. Resolves with the real token counts.
     */
    generate(messages, sampling, { onText, signal }) {
      const run = async () => {
        const prompt = promptOf(messages);
        const promptTokens = model.tokenize(prompt).length;
        let completionTokens = 0;
        const stop = Array.isArray(sampling.stop) ? sampling.stop.filter((s) => typeof s === 'string' && s) : [];
        const { metadata } = await completion.generateCompletionWithMeta(prompt, {
          maxTokens: sampling.maxTokens,
          temperature: sampling.temperature,
          topP: sampling.topP,
          topK: sampling.topK,
          minP: sampling.minP,
          seed: sampling.seed,
          customStopTriggers: stop.length ? stop : undefined,
          signal,
          stopOnAbortSignal: true,
          onToken: (t) => (completionTokens += t.length),
          onTextChunk: onText,
        });
        return { promptTokens, completionTokens, stopReason: metadata.stopReason };
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
