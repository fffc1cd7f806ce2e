// models:pack against a local HTTP server laid out like the Hugging Face Hub
// (`/<repo>/resolve/main/<file>`) and GitHub raw (`/mlc-ai/binary-mlc-llm-libs/…`).
// The transformers.js files are the tiny e2e fixture decoder; the WebLLM files
// are small made-up shards (layout and sizes are what is tested, not weights).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStaticServer } from '../serve-static.mjs';
import { checkerModelIds, loadStudioCatalog, onnxFiles, packModels, PackError, type ModelRecordLike, type PickOnnxDtype } from './lib.mjs';

const FIXTURE = path.resolve(import.meta.dirname, '../../e2e/fixtures/models/tiny-decoder');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'models-pack-'));
const HUB = path.join(TMP, 'hub');
const LIB_PATH = 'mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/Tiny-q4f32_1-webgpu.wasm';
const RECORDS: ModelRecordLike[] = [
  {
    model_id: 'Tiny-q4f32_1-MLC',
    model: 'https://huggingface.co/mlc-ai/Tiny-q4f32_1-MLC',
    model_lib: `https://raw.githubusercontent.com/${LIB_PATH}`,
  },
  {
    model_id: 'Old-q4f32_1-MLC',
    model: 'https://huggingface.co/mlc-ai/Old-q4f32_1-MLC',
    model_lib: `https://raw.githubusercontent.com/${LIB_PATH}`,
  },
];
const SHARDS = { 'params_shard_0.bin': randomBytes(4096), 'params_shard_1.bin': randomBytes(1000) };

function put(rel: string, data: string | Buffer) {
  const file = path.join(HUB, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

function buildHub() {
  const decoder = 'test-org/tiny-decoder/resolve/main';
  for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
    put(`${decoder}/${f}`, fs.readFileSync(path.join(FIXTURE, f)));
  }
  // special_tokens_map.json deliberately absent: optional files may be missing.
  for (const [repo, index] of [
    ['mlc-ai/Tiny-q4f32_1-MLC', 'tensor-cache.json'],
    ['mlc-ai/Old-q4f32_1-MLC', 'ndarray-cache.json'],
  ] as const) {
    const dir = `${repo}/resolve/main`;
    put(`${dir}/mlc-chat-config.json`, JSON.stringify({ model_type: 'llama', tokenizer_files: ['tokenizer.json', 'tokenizer_config.json'] }));
    put(
      `${dir}/${index}`,
      JSON.stringify({
        metadata: { ParamSize: 3, ParamBytes: 5096 },
        records: Object.entries(SHARDS).map(([dataPath, b]) => ({ dataPath, format: 'raw-shard', nbytes: b.length, records: [] })),
      }),
    );
    for (const [name, bytes] of Object.entries(SHARDS)) put(`${dir}/${name}`, bytes);
    put(`${dir}/tokenizer.json`, fs.readFileSync(path.join(FIXTURE, 'tokenizer.json')));
    put(`${dir}/tokenizer_config.json`, '{}');
  }
  put(LIB_PATH, Buffer.from('\0asm fake model library'));
}

let hubUrl = '';
let requests: string[] = [];
const hub = createStaticServer({ mounts: [{ prefix: '/', dir: HUB }] });
hub.on('request', (req) => requests.push(`${req.method} ${req.url}${req.headers.range ? ` ${req.headers.range}` : ''}`));

let pickOnnxDtype: PickOnnxDtype;

beforeAll(async () => {
  buildHub();
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  ({ pickOnnxDtype } = await loadStudioCatalog());
});

afterAll(async () => {
  await new Promise((resolve) => hub.close(resolve));
  fs.rmSync(TMP, { recursive: true, force: true });
});

let out = '';
beforeEach(() => {
  out = fs.mkdtempSync(path.join(TMP, 'out-'));
  requests = [];
});

const pack = (ids: string[], extra: Partial<Parameters<typeof packModels>[0]> = {}) =>
  packModels({ ids, out, source: hubUrl, libSource: hubUrl, webllmRecords: RECORDS, pickOnnxDtype, log: () => {}, ...extra });

function tree(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .sort();
}

describe('models:pack', () => {
  it('lays out a transformers.js model and a WebLLM model the way the studio reads them', async () => {
    const packed = await pack(['test-org/tiny-decoder', 'Tiny-q4f32_1-MLC']);
    expect(tree(out)).toEqual([
      'Tiny-q4f32_1-MLC/resolve/main/mlc-chat-config.json',
      'Tiny-q4f32_1-MLC/resolve/main/params_shard_0.bin',
      'Tiny-q4f32_1-MLC/resolve/main/params_shard_1.bin',
      'Tiny-q4f32_1-MLC/resolve/main/tensor-cache.json',
      'Tiny-q4f32_1-MLC/resolve/main/tokenizer.json',
      'Tiny-q4f32_1-MLC/resolve/main/tokenizer_config.json',
      'libs/Tiny-q4f32_1-webgpu.wasm',
      'models-pack.json',
      // The studio's wasm pick for an unknown id is q8 → model_quantized.onnx (only).
      'test-org/tiny-decoder/config.json',
      'test-org/tiny-decoder/generation_config.json',
      'test-org/tiny-decoder/onnx/model_quantized.onnx',
      'test-org/tiny-decoder/tokenizer.json',
      'test-org/tiny-decoder/tokenizer_config.json',
    ]);
    expect(fs.readFileSync(path.join(out, 'test-org/tiny-decoder/onnx/model_quantized.onnx'))).toEqual(fs.readFileSync(path.join(FIXTURE, 'onnx/model_quantized.onnx')));
    expect(fs.readFileSync(path.join(out, 'Tiny-q4f32_1-MLC/resolve/main/params_shard_0.bin'))).toEqual(SHARDS['params_shard_0.bin']);
    expect(packed.map((m) => [m.id, m.engine, m.dtypes ?? m.modelLib])).toEqual([
      ['test-org/tiny-decoder', 'transformers', ['q8']],
      ['Tiny-q4f32_1-MLC', 'webllm', 'libs/Tiny-q4f32_1-webgpu.wasm'],
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'models-pack.json'), 'utf8'));
    expect(manifest.models.map((m: { id: string }) => m.id)).toEqual(['test-org/tiny-decoder', 'Tiny-q4f32_1-MLC']);
    expect(manifest.models[1].bytes).toBe(packed[1]!.bytes);
  });

  it('follows the studio catalog: a catalog model gets its listed dtype, --device webgpu adds the GPU picks', async () => {
    expect(pickOnnxDtype('HuggingFaceTB/SmolLM2-135M-Instruct', 'wasm', false)).toBe('q4');
    expect(onnxFiles('q4', {})).toEqual(['onnx/model_q4.onnx']);
    expect(onnxFiles('q8', { 'transformers.js_config': { use_external_data_format: { 'model_quantized.onnx': 2 } } })).toEqual([
      'onnx/model_quantized.onnx',
      'onnx/model_quantized.onnx_data',
      'onnx/model_quantized.onnx_data_1',
    ]);
    const [m] = await pack(['test-org/tiny-decoder'], { devices: ['wasm', 'webgpu'], dtypes: null, pickOnnxDtype: (_id, device, f16) => (device === 'wasm' ? 'q8' : f16 ? 'fp32' : 'q8') });
    expect(m!.dtypes).toEqual(['q8', 'fp32']);
    expect(tree(out).filter((f) => f.includes('/onnx/'))).toEqual(['test-org/tiny-decoder/onnx/model.onnx', 'test-org/tiny-decoder/onnx/model_quantized.onnx']);
  });

  it('a second run downloads nothing (complete files are checked by size)', async () => {
    await pack(['test-org/tiny-decoder', 'Tiny-q4f32_1-MLC']);
    requests = [];
    const again = await pack(['test-org/tiny-decoder', 'Tiny-q4f32_1-MLC']);
    expect(requests.filter((r) => r.startsWith('GET'))).toEqual([]);
    expect(again.flatMap((m) => m.files.map((f) => f.status))).not.toContain('downloaded');
  });

  it('resumes a cut-off shard with a Range request, and re-fetches a file of the wrong size', async () => {
    await pack(['Tiny-q4f32_1-MLC']);
    const dir = path.join(out, 'Tiny-q4f32_1-MLC/resolve/main');
    const shard = path.join(dir, 'params_shard_0.bin');
    fs.rmSync(shard);
    fs.writeFileSync(`${shard}.part`, SHARDS['params_shard_0.bin'].subarray(0, 1500));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), '{"damaged": true, "longer than before": 1}');
    requests = [];
    await pack(['Tiny-q4f32_1-MLC']);
    expect(requests.filter((r) => r.startsWith('GET'))).toEqual([
      'GET /mlc-ai/Tiny-q4f32_1-MLC/resolve/main/params_shard_0.bin bytes=1500-',
      'GET /mlc-ai/Tiny-q4f32_1-MLC/resolve/main/tokenizer_config.json',
    ]);
    expect(fs.readFileSync(shard)).toEqual(SHARDS['params_shard_0.bin']);
    expect(fs.existsSync(`${shard}.part`)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')).toBe('{}');
  });

  it('a download cut short fails clearly, keeps the part, and the next run completes it', async () => {
    const cutting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === 'HEAD' || !String(input).endsWith('params_shard_0.bin')) return res;
      const bytes = new Uint8Array(await res.arrayBuffer()).subarray(0, 1000);
      return new Response(bytes, { status: res.status, headers: res.headers });
    };
    await expect(pack(['Tiny-q4f32_1-MLC'], { fetchImpl: cutting })).rejects.toThrow(/params_shard_0\.bin: got 1000 bytes, expected 4096.*run again to resume/);
    const part = path.join(out, 'Tiny-q4f32_1-MLC/resolve/main/params_shard_0.bin.part');
    expect(fs.statSync(part).size).toBe(1000);
    await pack(['Tiny-q4f32_1-MLC']);
    expect(fs.readFileSync(path.join(out, 'Tiny-q4f32_1-MLC/resolve/main/params_shard_0.bin'))).toEqual(SHARDS['params_shard_0.bin']);
  });

  it('checks shard sizes against the model index', async () => {
    const index = path.join(HUB, 'mlc-ai/Tiny-q4f32_1-MLC/resolve/main/tensor-cache.json');
    const original = fs.readFileSync(index, 'utf8');
    const lying = JSON.parse(original);
    lying.records[1].nbytes = 999;
    fs.writeFileSync(index, JSON.stringify(lying));
    try {
      await expect(pack(['Tiny-q4f32_1-MLC'])).rejects.toThrow(/params_shard_1\.bin: the server has 1000 bytes but the model's index says 999/);
    } finally {
      fs.writeFileSync(index, original);
    }
  });

  it('an old conversion with ndarray-cache.json also gets the tensor-cache.json web-llm 0.2.86 reads', async () => {
    await pack(['Old-q4f32_1-MLC']);
    const dir = path.join(out, 'Old-q4f32_1-MLC/resolve/main');
    expect(fs.readFileSync(path.join(dir, 'tensor-cache.json'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'ndarray-cache.json'), 'utf8'));
    expect(fs.existsSync(path.join(dir, 'params_shard_1.bin'))).toBe(true);
  });

  it('names what is wrong: a missing dtype, an unknown id, an unreachable source', async () => {
    await expect(pack(['test-org/tiny-decoder'], { dtypes: ['fp16'] })).rejects.toThrow(
      /onnx\/model_fp16\.onnx: not found at http:\/\/127\.0\.0\.1:\d+\/test-org\/tiny-decoder\/resolve\/main\/onnx\/model_fp16\.onnx \(404\).*--dtype/,
    );
    await expect(pack(['no-such-model'])).rejects.toThrow(PackError);
    await expect(pack(['no-such-model'])).rejects.toThrow(/neither a WebLLM prebuilt model id .* nor a Hugging Face repo id/);
    await expect(pack(['test-org/tiny-decoder'], { source: 'http://127.0.0.1:9' })).rejects.toThrow(/Could not reach http:\/\/127\.0\.0\.1:9\/.*config\.json/);
  });

  it('reads the checker defaults from the studio sources', () => {
    expect(checkerModelIds()).toEqual(['Xenova/nli-deberta-v3-xsmall', 'Xenova/all-MiniLM-L6-v2']);
  });

  it('transformers.js loads the packed model from a static server (the self-hosted source layout)', async () => {
    await pack(['test-org/tiny-decoder']);
    const bundle = createStaticServer({ mounts: [{ prefix: '/models/', dir: out }] });
    await new Promise<void>((resolve) => bundle.listen(0, '127.0.0.1', resolve));
    try {
      const { env, pipeline } = await import('@huggingface/transformers');
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
      // In Node, onnx files are handed to onnxruntime as paths: through the FS cache.
      env.useFSCache = true;
      env.cacheDir = path.join(TMP, 'transformers-cache');
      env.useBrowserCache = false;
      // Same settings as configureTransformersEnv for a self-hosted source.
      env.remoteHost = `http://127.0.0.1:${(bundle.address() as AddressInfo).port}/models/`;
      env.remotePathTemplate = '{model}/';
      const generate = await pipeline('text-generation', 'test-org/tiny-decoder', { dtype: 'q8' });
      const result = (await generate('Hello', { max_new_tokens: 5, do_sample: false })) as { generated_text: string }[];
      expect(result[0]!.generated_text.length).toBeGreaterThan('Hello'.length);
      await generate.dispose();
    } finally {
      await new Promise((resolve) => bundle.close(resolve));
    }
  }, 60_000);
});
