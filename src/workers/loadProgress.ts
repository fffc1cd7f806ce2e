/**
 * One download bar for a load that fetches many files, of one model (the chat
 * worker) or several (the checker's NLI and embedding models, plus the WebGPU
 * candidate of device 'auto'). Both workers' runtimes report transformers.js
 * progress events; this turns them into LoadProgress for the main thread.
 */
import type { LoadProgress } from '../protocol/loading';

/** transformers.js progress events, as the workers' runtimes report them (the subset we read). */
export type RuntimeProgress =
  | { status: 'initiate' | 'download' | 'done'; file: string }
  | { status: 'progress'; file: string; loaded: number; total: number; progress?: number }
  | { status: 'ready' }
  | { status: 'progress_total'; loaded: number; total: number };

/** Model weights: what must have arrived before sessions can be created. */
const WEIGHTS_FILE = /\.onnx(_data)?$|\.onnx_data_\d+$/;
const ONNX_FILE = /\.onnx/;

export interface LoadProgressTexts {
  /** Start of the downloading line, e.g. 'Downloading model files' (": 3 MB of 90 MB" follows). */
  downloading: string;
  /** The line of the 'loading' phase, e.g. 'Preparing the model…'. */
  loading: string;
}

interface FileState {
  file: string;
  loaded: number;
  total: number;
  done: boolean;
}

/**
 * Sums bytes across every file of every model. Phase `downloading` until each
 * model has finished a weights file and no started file is pending, then
 * `loading` (session creation), once: it never goes back, later events are
 * ignored. `progress` stays 0 until the weights' sizes are known (config and
 * tokenizer files come first and are tiny: 100 % of them would mislead), then
 * never decreases: a file's size is known only once it starts, so
 * loaded/total can dip when a new file appears; the bar holds (the byte
 * counts stay exact). One event per whole percent or phase change, so a
 * worker does not flood the main thread.
 */
export class LoadProgressAggregator {
  private readonly files = new Map<string, FileState>();
  private readonly weightsDone = new Set<string>();
  private readonly modelIds: string[];
  private loadingReported = false;
  private lastPct = -1;
  private lastProgress = 0;

  constructor(
    modelIds: readonly string[],
    private readonly texts: LoadProgressTexts,
    private readonly emit: (p: LoadProgress) => void,
  ) {
    this.modelIds = [...modelIds];
  }

  /** One runtime event of `modelId`; events without a file (ready, progress_total) are ignored. */
  handle(modelId: string, info: RuntimeProgress): void {
    if (this.loadingReported || !('file' in info)) return;
    const key = `${modelId}\u0000${info.file}`;
    const f = this.files.get(key) ?? { file: info.file, loaded: 0, total: 0, done: false };
    this.files.set(key, f);
    if (info.status === 'progress') {
      f.loaded = info.loaded;
      f.total = Math.max(info.total || 0, info.loaded);
    } else if (info.status === 'done') {
      f.done = true;
      if (f.total > 0) f.loaded = f.total;
      if (WEIGHTS_FILE.test(info.file)) this.weightsDone.add(modelId);
    }
    this.report();
  }

  /**
   * Stops waiting for a model whose load failed but is not fatal (the WebGPU
   * candidate of device 'auto'): its bytes leave the sums, so the bar can
   * still reach 'loading' (it holds its place, never moving back).
   */
  giveUp(modelId: string): void {
    if (this.loadingReported || !this.modelIds.includes(modelId)) return;
    this.modelIds.splice(this.modelIds.indexOf(modelId), 1);
    for (const key of [...this.files.keys()]) if (key.startsWith(`${modelId}\u0000`)) this.files.delete(key);
    this.report();
  }

  private report(): void {
    let loaded = 0;
    let total = 0;
    let allDone = true;
    let onnxSeen = false;
    let onnxSized = true;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total += f.total;
      if (!f.done) allDone = false;
      if (ONNX_FILE.test(f.file)) {
        onnxSeen = true;
        if (!(f.total > 0)) onnxSized = false;
      }
    }
    if (allDone && this.modelIds.every((m) => this.weightsDone.has(m))) {
      this.loadingReported = true;
      this.emit({ phase: 'loading', progress: 0, loadedBytes: loaded, totalBytes: total, text: this.texts.loading });
      return;
    }
    const fraction = onnxSeen && onnxSized && total > 0 ? Math.min(1, loaded / total) : 0;
    const progress = Math.max(this.lastProgress, fraction);
    this.lastProgress = progress;
    const pct = Math.floor(progress * 100);
    if (pct === this.lastPct) return;
    this.lastPct = pct;
    this.emit({
      phase: 'downloading',
      progress,
      loadedBytes: loaded,
      totalBytes: total,
      text: `${this.texts.downloading}: ${formatMB(loaded)} of ${formatMB(total)}`,
    });
  }
}

function formatMB(bytes: number): string {
  return `${Math.round(bytes / 1e6)} MB`;
}
