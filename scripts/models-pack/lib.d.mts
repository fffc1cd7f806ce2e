// Types for lib.mjs (used by pack.mjs and pack.test.ts).
export declare const ROOT: string;
export declare const HF: string;
export declare const GITHUB_RAW: string;
export declare const LIBS_DIR: string;
export declare const MANIFEST_FILE: string;
export declare const DTYPE_SUFFIX: Record<string, string>;

export declare class PackError extends Error {}

export interface ModelRecordLike {
  model_id: string;
  model: string;
  model_lib: string;
}
export interface FileJob {
  url: string;
  dest: string;
  required: boolean;
  expectedBytes?: number;
}
export interface PackedFile {
  path: string;
  bytes: number;
  status: 'skipped' | 'downloaded';
}
export interface PackedModel {
  id: string;
  engine: 'webllm' | 'transformers';
  dtypes?: string[];
  modelLib?: string;
  files: PackedFile[];
  bytes: number;
}
export type PickOnnxDtype = (modelId: string, device: 'wasm' | 'webgpu', hasF16: boolean) => string;
export interface PackOptions {
  ids: string[];
  out: string;
  source?: string;
  libSource?: string;
  dtypes?: string[] | null;
  devices?: ('wasm' | 'webgpu')[];
  fetchImpl?: typeof fetch;
  headers?: Record<string, string>;
  log?: (line: string) => void;
  webllmRecords?: ModelRecordLike[] | null;
  pickOnnxDtype?: PickOnnxDtype | null;
}

export declare function loadStudioCatalog(): Promise<{ pickOnnxDtype: PickOnnxDtype }>;
export declare function checkerModelIds(): string[];
export declare function loadWebLlmRecords(): Promise<ModelRecordLike[]>;
export declare function onnxFiles(dtype: string, config?: unknown): string[];
export declare function rebase(url: string, from: string, to: string): string;
export declare function isRepoId(id: string): boolean;
export declare function downloadFile(
  job: FileJob,
  ctx: { out: string; fetchImpl?: typeof fetch; headers?: Record<string, string>; log?: (line: string) => void },
): Promise<{ status: 'skipped' | 'downloaded' | 'missing'; bytes: number }>;
export declare function packModels(options: PackOptions): Promise<PackedModel[]>;
