#!/usr/bin/env node
/**
 * Writes tiny-llama.gguf: a random-weight model of the llama architecture
 * (2 layers, 64 wide, grouped-query attention, a ~600-token SentencePiece
 * vocabulary with byte fallback), small enough to commit, for the real
 * llama.cpp path of the server-engine tests (node-llama-cpp behind
 * openai-server.mjs --llama). It checks plumbing, not language: its replies
 * are random English words.
 *
 *   node scripts/test-server/llama/make-tiny-gguf.mjs [out.gguf]
 *
 * The GGUF format is written directly (v3, little-endian, alignment 32; see
 * ggml's docs/gguf.md), so neither Python nor the `gguf` package is needed.
 * Deterministic: the same file every run (seeded generator).
 *
 * One hand-set feature makes the replies readable: hidden dimension 0 is a
 * constant carried through the residual stream (every embedding sets it, no
 * layer writes to it), and the output head reads it as a bias towards the
 * word tokens and against bytes, control tokens and end-of-stream. So a reply
 * is a run of words that lasts until max_tokens — what a test can wait for.
 */
import fs from 'node:fs';
import path from 'node:path';

const OUT = process.argv[2] ?? path.join(import.meta.dirname, 'tiny-llama.gguf');

const N_EMBD = 64;
const N_FF = 128;
const N_LAYER = 2;
const N_HEAD = 4;
const N_HEAD_KV = 2;
const HEAD_DIM = N_EMBD / N_HEAD;
const N_CTX = 8192;
const ALIGN = 32;

// --- vocabulary: <unk> <s> </s>, the 256 byte-fallback tokens, letters, words
const WORDS = `the a an and or but of to in on at by with from for as is was are were be been
lamp light sea shore rock tide wave storm wind rain fog mist night day dawn dusk moon star sky cloud
boat ship sail rope oar net fish gull harbour pier dock cliff stone sand salt water deep dark cold warm
keeper tower stair door window glass flame oil wick log book page ink pen letter note map chart clock
she he they we you it her his their our my your who what where when why how not never always still
looks turns walks waits listens speaks smiles laughs sighs reads writes climbs holds opens closes lights
quiet loud slow fast old new long short small large bright dim grey blue green white black silver
again soon now then here there today tonight morning evening winter summer autumn spring year hour
friend stranger sister brother mother father child village town road path garden field forest hill
bread tea cup bowl fire coat boots hat scarf bag key chair table bed lantern bell whistle signal`
  .split(/\s+/)
  .filter(Boolean);
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');

const TYPE_NORMAL = 1;
const TYPE_UNKNOWN = 2;
const TYPE_CONTROL = 3;
const TYPE_BYTE = 6;

const tokens = [];
const scores = [];
const types = [];
const add = (text, score, type) => {
  tokens.push(text);
  scores.push(score);
  types.push(type);
};
add('<unk>', 0, TYPE_UNKNOWN);
add('<s>', 0, TYPE_CONTROL);
add('</s>', 0, TYPE_CONTROL);
for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0, TYPE_BYTE);
const FIRST_TEXT = tokens.length;
add('\u2581', -1, TYPE_NORMAL);
for (const l of LETTERS) add(l, -2, TYPE_NORMAL);
const FIRST_WORD = tokens.length;
for (const w of new Set(WORDS)) if (!tokens.includes(`\u2581${w}`)) add(`\u2581${w}`, -4, TYPE_NORMAL);
const N_VOCAB = tokens.length;

// --- seeded normal random numbers (mulberry32 + Box-Muller)
let seed = 0x1a11a;
function uniform() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function normal() {
  const u = Math.max(uniform(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
}
/** rows × cols, row-major (numpy shape [rows, cols]); GGUF dims are [cols, rows]. */
function matrix(rows, cols, scale) {
  const m = new Float32Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = normal() * scale;
  return { dims: [cols, rows], data: m, rows, cols };
}
const ones = (n) => ({ dims: [n], data: new Float32Array(n).fill(1) });
const zeroRow = (m, r) => m.data.fill(0, r * m.cols, (r + 1) * m.cols);

const tensors = [];
const embd = matrix(N_VOCAB, N_EMBD, 1);
for (let t = 0; t < N_VOCAB; t++) embd.data[t * N_EMBD] = 8; // the constant dimension
tensors.push(['token_embd.weight', embd]);
for (let i = 0; i < N_LAYER; i++) {
  const wo = matrix(N_EMBD, N_EMBD, 0.1);
  zeroRow(wo, 0);
  const down = matrix(N_EMBD, N_FF, 0.1);
  zeroRow(down, 0);
  tensors.push(
    [`blk.${i}.attn_norm.weight`, ones(N_EMBD)],
    [`blk.${i}.attn_q.weight`, matrix(N_EMBD, N_EMBD, 0.1)],
    [`blk.${i}.attn_k.weight`, matrix(N_HEAD_KV * HEAD_DIM, N_EMBD, 0.1)],
    [`blk.${i}.attn_v.weight`, matrix(N_HEAD_KV * HEAD_DIM, N_EMBD, 0.1)],
    [`blk.${i}.attn_output.weight`, wo],
    [`blk.${i}.ffn_norm.weight`, ones(N_EMBD)],
    [`blk.${i}.ffn_gate.weight`, matrix(N_FF, N_EMBD, 0.1)],
    [`blk.${i}.ffn_up.weight`, matrix(N_FF, N_EMBD, 0.1)],
    [`blk.${i}.ffn_down.weight`, down],
  );
}
tensors.push(['output_norm.weight', ones(N_EMBD)]);
const head = matrix(N_VOCAB, N_EMBD, 1.5);
// Column 0 reads the constant dimension: words up, everything else far down.
for (let t = 0; t < N_VOCAB; t++) head.data[t * N_EMBD] = t >= FIRST_WORD ? 10 : -20;
tensors.push(['output.weight', head]);

// --- metadata
const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };
const metadata = [
  ['general.architecture', T.STRING, 'llama'],
  ['general.name', T.STRING, 'in-character tiny random llama (test fixture)'],
  ['general.alignment', T.UINT32, ALIGN],
  ['llama.context_length', T.UINT32, N_CTX],
  ['llama.embedding_length', T.UINT32, N_EMBD],
  ['llama.block_count', T.UINT32, N_LAYER],
  ['llama.feed_forward_length', T.UINT32, N_FF],
  ['llama.attention.head_count', T.UINT32, N_HEAD],
  ['llama.attention.head_count_kv', T.UINT32, N_HEAD_KV],
  ['llama.rope.dimension_count', T.UINT32, HEAD_DIM],
  ['llama.rope.freq_base', T.FLOAT32, 10000],
  ['llama.attention.layer_norm_rms_epsilon', T.FLOAT32, 1e-5],
  ['llama.vocab_size', T.UINT32, N_VOCAB],
  ['tokenizer.ggml.model', T.STRING, 'llama'],
  ['tokenizer.ggml.tokens', T.ARRAY, { type: T.STRING, values: tokens }],
  ['tokenizer.ggml.scores', T.ARRAY, { type: T.FLOAT32, values: scores }],
  ['tokenizer.ggml.token_type', T.ARRAY, { type: T.INT32, values: types }],
  ['tokenizer.ggml.unknown_token_id', T.UINT32, 0],
  ['tokenizer.ggml.bos_token_id', T.UINT32, 1],
  ['tokenizer.ggml.eos_token_id', T.UINT32, 2],
  ['tokenizer.ggml.add_bos_token', T.BOOL, true],
  ['tokenizer.ggml.add_eos_token', T.BOOL, false],
];

// --- serialisation
const chunks = [];
let size = 0;
const push = (buf) => {
  chunks.push(buf);
  size += buf.length;
};
const u32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  push(b);
};
const i32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  push(b);
};
const u64 = (v) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  push(b);
};
const f32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  push(b);
};
const str = (s) => {
  const b = Buffer.from(s, 'utf8');
  u64(b.length);
  push(b);
};
const scalar = (type, v) => {
  if (type === T.UINT32) u32(v);
  else if (type === T.INT32) i32(v);
  else if (type === T.FLOAT32) f32(v);
  else if (type === T.BOOL) push(Buffer.from([v ? 1 : 0]));
  else if (type === T.STRING) str(v);
  else throw new Error(`type ${type}`);
};

push(Buffer.from('GGUF', 'ascii'));
u32(3);
u64(tensors.length);
u64(metadata.length);
for (const [key, type, value] of metadata) {
  str(key);
  u32(type);
  if (type === T.ARRAY) {
    u32(value.type);
    u64(value.values.length);
    for (const v of value.values) scalar(value.type, v);
  } else scalar(type, value);
}
let offset = 0;
const pad = (n) => (ALIGN - (n % ALIGN)) % ALIGN;
for (const [name, t] of tensors) {
  str(name);
  u32(t.dims.length);
  for (const d of t.dims) u64(d);
  u32(0); // GGML_TYPE_F32
  u64(offset);
  offset += t.data.byteLength + pad(t.data.byteLength);
}
push(Buffer.alloc(pad(size)));
for (const [, t] of tensors) {
  push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  push(Buffer.alloc(pad(t.data.byteLength)));
}
fs.writeFileSync(OUT, Buffer.concat(chunks, size));
process.stdout.write(`${OUT}: ${N_VOCAB} tokens (${FIRST_TEXT} special/byte), ${tensors.length} tensors, ${(size / 1024).toFixed(0)} KiB\n`);
