#!/usr/bin/env node
// npm run models:pack -- <model ids…> [--out models] [--source https://huggingface.co]
//                        [--lib-source https://raw.githubusercontent.com] [--checker]
//                        [--dtype q8,q4] [--device wasm|webgpu|all]
//
// Downloads models into a folder laid out for the studio's self-hosted model
// source, so a demo can ship the studio and its models on one static host or
// USB stick. Re-running skips complete files and resumes cut-off ones.
//
//   WebLLM ids       SmolLM2-360M-Instruct-q4f32_1-MLC  (web-llm's prebuilt list)
//   transformers.js  HuggingFaceTB/SmolLM2-135M-Instruct (Hugging Face repo ids)
//   --checker        adds the consistency checker's default NLI + embedding models
//   --dtype          onnx variants to fetch (default: what the studio picks, see
//                    pickOnnxDtype in src/domain/models/catalog.ts)
//   --device         which engine devices to cover for transformers.js (default wasm)
//   --source         a Hub mirror with the same paths (<repo>/resolve/main/<file>)
//   HF_TOKEN         sent as a bearer token (gated repositories)
import path from 'node:path';
import { checkerModelIds, GITHUB_RAW, HF, LIBS_DIR, MANIFEST_FILE, PackError, packModels } from './lib.mjs';

function parse(argv) {
  const opts = { ids: [], out: 'models', source: HF, libSource: GITHUB_RAW, dtypes: null, devices: ['wasm'], checker: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new PackError(`${a} needs a value.`);
      return v;
    };
    if (a === '--out') opts.out = value();
    else if (a === '--source') opts.source = value();
    else if (a === '--lib-source') opts.libSource = value();
    else if (a === '--dtype') opts.dtypes = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--device') {
      const d = value();
      opts.devices = d === 'all' ? ['wasm', 'webgpu'] : d.split(',');
    } else if (a === '--checker') opts.checker = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a.startsWith('--')) throw new PackError(`Unknown option ${a} (see --help).`);
    else opts.ids.push(a);
  }
  if (opts.checker) opts.ids.push(...checkerModelIds());
  return opts;
}

const HELP = `Usage: npm run models:pack -- <model ids…> [--out models] [--checker]
  [--source https://huggingface.co] [--lib-source https://raw.githubusercontent.com]
  [--dtype q8,q4] [--device wasm|webgpu|all]`;

try {
  const opts = parse(process.argv.slice(2));
  if (opts.help || opts.ids.length === 0) {
    console.log(HELP);
    process.exit(opts.help ? 0 : 1);
  }
  const headers = process.env.HF_TOKEN ? { Authorization: `Bearer ${process.env.HF_TOKEN}` } : {};
  const out = path.resolve(opts.out);
  const packed = await packModels({ ...opts, out, headers });
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(`\nPacked into ${out}:`);
  for (const m of packed) console.log(`  ${m.id} (${m.engine}) ${mb(m.bytes)}`);
  console.log(`\nWhat was packed: ${path.join(opts.out, MANIFEST_FILE)}.`);
  console.log(`Serve this folder next to the studio (e.g. copy it to dist/models/) and set`);
  console.log(`Models → Self-hosted base URL to ./models/ (or build with VITE_MODEL_BASE_URL=./models/).`);
  if (packed.some((m) => m.engine === 'webllm')) console.log(`WebLLM model libraries are in ${LIBS_DIR}/ under the same base.`);
} catch (e) {
  if (e instanceof PackError) {
    console.error(`models:pack: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
