// Model bundles for offline demos: download chosen models into a folder laid
// out like the studio's self-hosted model source (see README "Self-hosting
// models / offline demo bundles"). The CLI is pack.mjs; this file is the logic,
// tested against a local HTTP server in pack.test.ts.
//
// Layout written under `out/`:
//   transformers.js  <out>/<org>/<name>/config.json, tokenizer*.json, onnx/model_<dtype>.onnx …
//   WebLLM           <out>/<model_id>/resolve/main/mlc-chat-config.json, tensor-cache.json,
//                    params_shard_*.bin, tokenizer files
//                    <out>/libs/<model_lib file>.wasm   (the record's model_lib)
//   <out>/models-pack.json  what was packed (ids, engines, files, bytes)
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HF = 'https://huggingface.co';
export const GITHUB_RAW = 'https://raw.githubusercontent.com';
/** Sub-folder of the bundle holding WebLLM model libraries (the studio's modelLibBaseUrl is `<base>/libs/`). */
export const LIBS_DIR = 'libs';
export const MANIFEST_FILE = 'models-pack.json';

/** transformers.js 4.3.1 file suffix per dtype (DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const DTYPE_SUFFIX = { fp32: '', fp16: '_fp16', q8: '_quantized', int8: '_int8', uint8: '_uint8', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4' };

/** What the studio reads for a text model (required) and may read (optional). */
const TRANSFORMERS_REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const TRANSFORMERS_OPTIONAL = ['generation_config.json', 'special_tokens_map.json'];

/** A failure the CLI prints as is (no stack). */
export class PackError extends Error {
  name = 'PackError';
}

// ---------------------------------------------------------------------------
// What the studio would load (read from the studio's own sources)

/**
 * pickOnnxDtype from src/domain/models/catalog.ts, transpiled on the fly, so
 * the bundle holds exactly the dtype the studio picks. catalog.ts imports
 * nothing, which is what makes this safe.
 */
export async function loadStudioCatalog() {
  const ts = (await import('typescript')).default;
  const source = readFileSync(path.join(ROOT, 'src/domain/models/catalog.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
  if (typeof mod.pickOnnxDtype !== 'function') throw new PackError('src/domain/models/catalog.ts no longer exports pickOnnxDtype.');
  return mod;
}

/** The checker's default NLI and embedding model ids (src/domain/models/catalog.ts). */
export function checkerModelIds() {
  const source = readFileSync(path.join(ROOT, 'src/domain/models/catalog.ts'), 'utf8');
  const ids = ['DEFAULT_NLI_MODEL_ID', 'DEFAULT_EMBEDDING_MODEL_ID'].map((name) => new RegExp(`${name} = '([^']+)'`).exec(source)?.[1]);
  if (ids.some((id) => !id)) throw new PackError('Could not read the checker model ids from src/domain/models/catalog.ts.');
  return ids;
}

/** WebLLM's prebuilt records (the same list the studio loads from). */
export async function loadWebLlmRecords() {
  const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  return prebuiltAppConfig.model_list;
}

// ---------------------------------------------------------------------------
// Plans

/**
 * @typedef {{ url: string, dest: string, required: boolean, expectedBytes?: number }} FileJob
 * `dest` is relative to the bundle folder, always with forward slashes.
 */

/** The onnx file names (plus external-data chunks) for `dtype`, per transformers.js's rules. */
export function onnxFiles(dtype, config) {
  const suffix = DTYPE_SUFFIX[dtype];
  if (suffix === undefined) throw new PackError(`Unknown dtype "${dtype}". Known: ${Object.keys(DTYPE_SUFFIX).join(', ')}.`);
  const fileName = `model${suffix}`;
  const fullName = `${fileName}.onnx`;
  const external = config?.['transformers.js_config']?.use_external_data_format;
  let chunks = 0;
  if (external && typeof external === 'object') chunks = Number(external[fullName] ?? external[fileName] ?? 0);
  else if (external) chunks = Number(external);
  const files = [`onnx/${fullName}`];
  for (let i = 0; i < chunks; i++) files.push(`onnx/${fullName}_data${i === 0 ? '' : `_${i}`}`);
  return files;
}

/** `https://huggingface.co/<repo>` → `<source>/<repo>` (a mirror keeps the Hub's paths). */
export function rebase(url, from, to) {
  return url.startsWith(from) ? `${to.replace(/\/+$/, '')}${url.slice(from.length)}` : url;
}

export function isRepoId(id) {
  return /^[\w.-]+\/[\w.-]+$/.test(id);
}

// ---------------------------------------------------------------------------
// Downloads

/**
 * Downloads one file into `<out>/<dest>`, resumable:
 * - a complete file (size equals the server's) is skipped without a GET;
 * - a `<dest>.part` left by an interrupted run is continued with a Range request;
 * - the result must have the expected size (server's Content-Length, and the
 *   size the model's own index promises when there is one), or it stays `.part`.
 * @returns {Promise<{ status: 'skipped' | 'downloaded' | 'missing', bytes: number }>}
 */
export async function downloadFile(job, { out, fetchImpl = fetch, headers: extraHeaders = {}, log = () => {} }) {
  // IMPORTANT: no compression, or Content-Length (compressed) and the bytes
  // written (decompressed by fetch) would never match.
  const headers = { 'Accept-Encoding': 'identity', ...extraHeaders };
  const target = path.join(out, ...job.dest.split('/'));
  const part = `${target}.part`;
  let head;
  try {
    head = await fetchImpl(job.url, { method: 'HEAD', headers, redirect: 'follow' });
  } catch (e) {
    throw new PackError(`Could not reach ${job.url}: ${e.cause?.code ?? e.message}. Check the network or --source.`);
  }
  if (head.status === 404) {
    if (!job.required) return { status: 'missing', bytes: 0 };
    throw new PackError(`${job.dest}: not found at ${job.url} (404). Check the model id, and that the repository has this file (for onnx weights: --dtype).`);
  }
  if (head.status === 401 || head.status === 403) {
    throw new PackError(`${job.dest}: access denied at ${job.url} (${head.status}). The repository may be gated or private: accept its terms on the Hub and set HF_TOKEN.`);
  }
  if (!head.ok) throw new PackError(`${job.dest}: ${job.url} answered ${head.status} ${head.statusText}.`);
  const serverBytes = head.headers.get('x-linked-size') ?? head.headers.get('content-length');
  const remoteBytes = serverBytes !== null ? Number(serverBytes) : null;
  if (job.expectedBytes !== undefined && remoteBytes !== null && remoteBytes !== job.expectedBytes) {
    throw new PackError(`${job.dest}: the server has ${remoteBytes} bytes but the model's index says ${job.expectedBytes}. The source does not match this model version.`);
  }
  const expected = job.expectedBytes ?? remoteBytes;
  if (expected !== null && existsSync(target) && statSync(target).size === expected) {
    log(`  = ${job.dest} (complete, ${expected} bytes)`);
    return { status: 'skipped', bytes: expected };
  }

  mkdirSync(path.dirname(target), { recursive: true });
  let offset = existsSync(part) ? statSync(part).size : 0;
  if (expected !== null && offset > expected) offset = 0;
  const rangeHeaders = offset > 0 ? { ...headers, Range: `bytes=${offset}-` } : headers;
  let res;
  try {
    res = await fetchImpl(job.url, { headers: rangeHeaders, redirect: 'follow' });
  } catch (e) {
    throw new PackError(`Could not download ${job.url}: ${e.cause?.code ?? e.message}. Run again to resume.`);
  }
  if (res.status === 416 && expected !== null && offset === expected) {
    // The part was already complete.
  } else if (res.status === 206 && offset > 0) {
    await pipeline(Readable.fromWeb(res.body), createWriteStream(part, { flags: 'a' }));
  } else if (res.ok) {
    offset = 0; // the server ignored the Range: start over
    await pipeline(Readable.fromWeb(res.body), createWriteStream(part));
  } else {
    throw new PackError(`${job.dest}: ${job.url} answered ${res.status} ${res.statusText}.`);
  }
  const got = statSync(part).size;
  if (expected !== null && got !== expected) {
    throw new PackError(`${job.dest}: got ${got} bytes, expected ${expected}. The download was cut short; run again to resume.`);
  }
  renameSync(part, target);
  log(`  + ${job.dest} (${got} bytes${offset > 0 ? `, resumed at ${offset}` : ''})`);
  return { status: 'downloaded', bytes: got };
}

async function runJobs(jobs, ctx) {
  const files = [];
  for (const job of jobs) {
    const r = await downloadFile(job, ctx);
    if (r.status === 'missing') ctx.log(`  - ${job.dest} (not in the repository; optional)`);
    else files.push({ path: job.dest, bytes: r.bytes, status: r.status });
  }
  return files;
}

function readJson(out, dest) {
  try {
    return JSON.parse(readFileSync(path.join(out, ...dest.split('/')), 'utf8'));
  } catch (e) {
    throw new PackError(`${dest} is not valid JSON (${e.message}).`);
  }
}

/** A transformers.js model: `<out>/<id>/<file>`, the dtypes the studio would pick. */
export async function packTransformersModel(id, { source, dtypes, ctx }) {
  const base = `${source.replace(/\/+$/, '')}/${id}/resolve/main/`;
  const job = (file, required) => ({ url: base + file, dest: `${id}/${file}`, required });
  const meta = await runJobs([...TRANSFORMERS_REQUIRED.map((f) => job(f, true)), ...TRANSFORMERS_OPTIONAL.map((f) => job(f, false))], ctx);
  const config = readJson(ctx.out, `${id}/config.json`);
  const weights = await runJobs(
    [...new Set(dtypes.flatMap((d) => onnxFiles(d, config)))].map((f) => job(f, true)),
    ctx,
  );
  return [...meta, ...weights];
}

/** A WebLLM prebuilt model: `<out>/<model_id>/resolve/main/…` plus its model library in `<out>/libs/`. */
export async function packWebLlmModel(record, { source, libSource, ctx }) {
  const repo = rebase(record.model.replace(/\/+$/, ''), HF, source);
  const base = /\/resolve\/[^/]+$/.test(repo) ? `${repo}/` : `${repo}/resolve/main/`;
  const dir = `${record.model_id}/resolve/main`;
  const job = (file, required, expectedBytes) => ({ url: base + file, dest: `${dir}/${file}`, required, expectedBytes });

  const files = await runJobs([job('mlc-chat-config.json', true)], ctx);
  const chatConfig = readJson(ctx.out, `${dir}/mlc-chat-config.json`);
  // web-llm 0.2.86 reads tensor-cache.json; older conversions only have ndarray-cache.json.
  let [index] = await runJobs([job('tensor-cache.json', false)], ctx);
  if (!index) {
    [index] = await runJobs([job('ndarray-cache.json', true)], ctx);
    writeFileSync(path.join(ctx.out, ...`${dir}/tensor-cache.json`.split('/')), readFileSync(path.join(ctx.out, ...`${dir}/ndarray-cache.json`.split('/'))));
    ctx.log('  ~ tensor-cache.json (copy of ndarray-cache.json, the name web-llm 0.2.86 reads)');
  }
  files.push(index);
  const tensorCache = readJson(ctx.out, index.path);
  const records = tensorCache.records;
  if (!Array.isArray(records) || records.length === 0) throw new PackError(`${index.path} lists no weight shards.`);
  const tokenizerFiles = Array.isArray(chatConfig.tokenizer_files) ? chatConfig.tokenizer_files : [];
  if (!tokenizerFiles.includes('tokenizer.json') && !tokenizerFiles.includes('tokenizer.model')) {
    throw new PackError(`${dir}/mlc-chat-config.json lists no tokenizer.json or tokenizer.model; web-llm cannot load it.`);
  }
  files.push(
    ...(await runJobs(
      [
        ...records.map((r) => job(r.dataPath, true, typeof r.nbytes === 'number' ? r.nbytes : undefined)),
        ...tokenizerFiles.map((f) => job(f, true)),
      ],
      ctx,
    )),
  );
  const libUrl = rebase(record.model_lib, GITHUB_RAW, libSource);
  const libName = record.model_lib.split('/').pop();
  files.push(...(await runJobs([{ url: libUrl, dest: `${LIBS_DIR}/${libName}`, required: true }], ctx)));
  return files;
}

/**
 * Packs `ids` into `out`. Ids are WebLLM prebuilt ids (e.g.
 * SmolLM2-360M-Instruct-q4f32_1-MLC) or Hugging Face repo ids for
 * transformers.js (e.g. onnx-community/Qwen2.5-0.5B-Instruct).
 * @throws PackError with a message meant for the user.
 */
export async function packModels({
  ids,
  out,
  source = HF,
  libSource = GITHUB_RAW,
  dtypes = null,
  devices = ['wasm'],
  fetchImpl = fetch,
  headers = {},
  log = console.log,
  webllmRecords = null,
  pickOnnxDtype = null,
}) {
  if (ids.length === 0) throw new PackError('Name at least one model id.');
  const records = webllmRecords ?? (await loadWebLlmRecords());
  const pick = pickOnnxDtype ?? (await loadStudioCatalog()).pickOnnxDtype;
  mkdirSync(out, { recursive: true });
  const ctx = { out, fetchImpl, headers, log };
  const manifestPath = path.join(out, MANIFEST_FILE);
  const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { models: [] };
  const packed = [];
  for (const id of ids) {
    const record = records.find((r) => r.model_id === id);
    let entry;
    if (record) {
      log(`${id} (WebLLM)`);
      const files = await packWebLlmModel(record, { source, libSource, ctx });
      entry = { id, engine: 'webllm', modelLib: `${LIBS_DIR}/${record.model_lib.split('/').pop()}`, files };
    } else if (isRepoId(id)) {
      const chosen = dtypes ?? [...new Set(devices.flatMap((d) => (d === 'webgpu' ? [pick(id, 'webgpu', true), pick(id, 'webgpu', false)] : [pick(id, d, false)])))];
      log(`${id} (transformers.js, ${chosen.join(', ')})`);
      const files = await packTransformersModel(id, { source, dtypes: chosen, ctx });
      entry = { id, engine: 'transformers', dtypes: chosen, files };
    } else {
      throw new PackError(`"${id}" is neither a WebLLM prebuilt model id (see prebuiltAppConfig in @mlc-ai/web-llm) nor a Hugging Face repo id like org/name.`);
    }
    entry.bytes = entry.files.reduce((n, f) => n + f.bytes, 0);
    packed.push(entry);
    manifest.models = [...manifest.models.filter((m) => m.id !== id), { ...entry, files: entry.files.map(({ path: p, bytes }) => ({ path: p, bytes })) }];
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return packed;
}
