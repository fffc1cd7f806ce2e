#!/usr/bin/env node
// `npm run eval:flags`: precision and recall of the role detectors (issue 11
// §3–5: assistant voice, echo, speaking for the user) on the labelled set
// src/domain/consistency/roleCalibrationSet.json, with a REAL embedding model
// (default: the studio's default, Xenova/all-MiniLM-L6-v2), through
// transformers.js in Node with the checker's pooling (mean, L2-normalised).
//
// The model is downloaded from the Hugging Face Hub (cached afterwards). With
// no network — as on the build machines — it says so and exits 2 without a
// single number: nothing here is guessed. The fixture-embedder numbers (a
// plumbing check) are the unit test roleCalibration.test.ts.
//
// Usage: node scripts/eval/flags.mjs [--model Xenova/bge-small-en-v1.5]
//   [--dtype q8|fp32] [--models-dir /path/to/models] [--json out.json] [--show 10]
// --models-dir: a local copy in transformers.js's layout (<dir>/<model id>/...),
//   read instead of the Hub (offline evaluation of a model copied in by hand).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createJiti } from 'jiti';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    dtype: { type: 'string', default: 'q8' },
    'models-dir': { type: 'string' },
    json: { type: 'string' },
    show: { type: 'string', default: '10' },
    'timeout-s': { type: 'string', default: '120' },
  },
});

const jiti = createJiti(import.meta.url);
const { evaluateRoleSet, roleSetTexts } = await jiti.import('../../src/domain/consistency/roleEvaluation.ts');
const { roleCalibrationFor } = await jiti.import('../../src/domain/consistency/roleFlags.ts');
const { DEFAULT_EMBEDDING_MODEL_ID } = await jiti.import('../../src/domain/models/catalog.ts');
const set = JSON.parse(readFileSync(fileURLToPath(new URL('../../src/domain/consistency/roleCalibrationSet.json', import.meta.url)), 'utf8'));

const modelId = args.model ?? DEFAULT_EMBEDDING_MODEL_ID;
const { env, pipeline } = await import('@huggingface/transformers');
if (args['models-dir']) {
  env.localModelPath = args['models-dir'];
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
} else {
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
}

/** Resolves with the extractor, or exits 2 with a message saying why no model could be had. */
async function loadModel() {
  const timeoutMs = Number(args['timeout-s']) * 1000;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${args['timeout-s']} s`)), timeoutMs);
  });
  try {
    return await Promise.race([pipeline('feature-extraction', modelId, { dtype: args.dtype }), timeout]);
  } catch (e) {
    const where = args['models-dir'] ? `from ${args['models-dir']}` : 'from the Hugging Face Hub';
    console.error(
      [
        `eval:flags: could not load the embedding model ${modelId} (${args.dtype}) ${where}:`,
        `  ${e instanceof Error ? e.message : String(e)}`,
        '',
        'Nothing was measured. This evaluation needs the real model: run it where huggingface.co',
        'is reachable (the model is cached after the first run), or pass --models-dir with a copy',
        "in transformers.js's layout. The fixture embedder's numbers are the unit test",
        'src/domain/consistency/roleCalibration.test.ts (a plumbing check, not a quality measure).',
      ].join('\n'),
    );
    process.exit(2);
  } finally {
    clearTimeout(timer);
  }
}

const extractor = await loadModel();
const texts = roleSetTexts(set);
const t0 = performance.now();
const vectors = new Map();
for (let i = 0; i < texts.length; i += 32) {
  const batch = texts.slice(i, i + 32);
  const out = await extractor(batch, { pooling: 'mean', normalize: true });
  const dim = out.dims[1];
  batch.forEach((t, j) => vectors.set(t, out.data.slice(j * dim, (j + 1) * dim)));
}
const embedMs = performance.now() - t0;
await extractor.dispose();

const calibration = roleCalibrationFor(modelId);
const result = evaluateRoleSet(set, vectors, calibration);
const lexical = evaluateRoleSet(set, null, calibration);
const show = Number(args.show);
const f = (x) => x.toFixed(3);
const row = (name, m) => `  ${name.padEnd(22)} precision ${f(m.precision)}  recall ${f(m.recall)}  F1 ${f(m.f1)}  (tp ${m.tp}, fp ${m.fp}, fn ${m.fn}, tn ${m.tn})`;
const list = (title, items) => (items.length ? [`    ${title} (${items.length}):`, ...items.slice(0, show).map((t) => `      - ${t}`)] : []);
console.log(
  [
    `Role detectors on the calibration set with ${modelId} (${args.dtype}); ${texts.length} texts embedded in ${(embedMs / 1000).toFixed(1)} s`,
    `Counts: ${set.assistantVoice.filter((c) => !c.assistant).length} in-character / ${set.assistantVoice.filter((c) => c.assistant).length} assistant-voice sentences, ${set.echo.length} echo and ${set.speaksForUser.length} speaking-for-the-user cases.`,
    '',
    `At the shipped calibration (assistant threshold ${calibration.assistantVoice.threshold}, echo threshold ${calibration.echo.threshold}):`,
    row('assistant voice', result.assistantVoice),
    row('  cues only (no model)', lexical.assistantVoice),
    ...list('missed', result.assistantVoice.misses),
    ...list('false alarms', result.assistantVoice.falseAlarms),
    row('echo', result.echo),
    ...list('missed', result.echo.misses),
    ...list('false alarms', result.echo.falseAlarms),
    row('speaks for the user', result.speaksForUser),
    ...list('missed', result.speaksForUser.misses),
    ...list('false alarms', result.speaksForUser.falseAlarms),
    '',
    'Best-F1 thresholds on this set (in-sample: adopt with care, then re-run):',
    `  assistant voice ${f(result.assistantVoice.best.threshold)} → P ${f(result.assistantVoice.best.precision)} R ${f(result.assistantVoice.best.recall)} F1 ${f(result.assistantVoice.best.f1)}`,
    `  echo            ${f(result.echo.best.threshold)} → P ${f(result.echo.best.precision)} R ${f(result.echo.best.recall)} F1 ${f(result.echo.best.f1)}`,
  ].join('\n'),
);
if (args.json) writeFileSync(args.json, JSON.stringify({ modelId, dtype: args.dtype, embedMs, calibration, result, lexical }, null, 1));
