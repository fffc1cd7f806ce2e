/**
 * What every model-loading worker shares with its main-thread client: where
 * model files come from and how loading progress is reported.
 */

/**
 * Where model files come from.
 * - `huggingface`: `https://huggingface.co/<modelId>/resolve/main/<file>`.
 * - `self-hosted`: `<baseUrl>/<modelId>/<file>`, e.g. for modelId `tiny-decoder`:
 *   `<baseUrl>/tiny-decoder/config.json`, `…/tokenizer.json`,
 *   `…/tokenizer_config.json`, `…/generation_config.json` (optional),
 *   `…/onnx/model_quantized.onnx` (dtype q8), `…/onnx/model_q4.onnx` (q4),
 *   `…/onnx/model_q4f16.onnx` (q4f16), `…/onnx/model.onnx` (fp32).
 *   `baseUrl` must be absolute when it reaches a worker (the engine resolves it).
 */
export type ModelSource = { kind: 'huggingface' } | { kind: 'self-hosted'; baseUrl: string };

export interface LoadProgress {
  phase: 'downloading' | 'loading' | 'warming';
  /** 0..1 within the phase. */
  progress: number;
  loadedBytes?: number;
  totalBytes?: number;
  /** Human-readable line (from the library, or ours). */
  text: string;
}
