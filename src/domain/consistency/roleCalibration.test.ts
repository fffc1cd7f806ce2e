/**
 * The role detectors on the labelled calibration set (roleCalibrationSet.json),
 * with the FIXTURE embedder (e2e/fixtures/models/tiny-embed, run through
 * transformers.js in Node as the checker runs it). tiny-embed is a bag of its
 * ~380 content words: it knows none of the assistant's vocabulary, so this is
 * a plumbing check — vectors in, flags out, the numbers below reproduce — and
 * a floor for the lexical signals, not a measure of quality with real models
 * (that is `npm run eval:flags`).
 *
 * Thresholds, and why (measured when written: assistant voice P 0.988 R 0.790,
 * echo 1.000 / 1.000, speaking for the user 1.000 / 1.000):
 * - assistant voice, P ≥ 0.9, R ≥ 0.7: 78 of the 100 assistant sentences
 *   carry a lexical cue; the other 22 ("Grief is a natural response to loss…")
 *   are the embedding signal's job, which the fixture cannot do. The cue list
 *   was revised after a first run on this set (recall 0.68 → 0.79, false
 *   alarms 4 → 1), so these are in-sample numbers: a floor that catches a
 *   broken cue or pipeline, not an estimate of quality.
 * - echo and speaking for the user, P ≥ 0.9, R ≥ 0.8 / 0.9: both are lexical
 *   here (the fixture's echo curve is off), the cases were written to the
 *   issue's forms, and one miss in ~20 positives is the margin.
 */
import { fileURLToPath } from 'node:url';
import { env, pipeline } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import set from './roleCalibrationSet.json';
import { evaluateRoleSet, roleSetTexts, type RoleEvaluation, type RoleFlagSet } from './roleEvaluation';
import { roleCalibrationFor } from './roleFlags';

const data = set as RoleFlagSet;
let withFixture: RoleEvaluation;
let lexicalOnly: RoleEvaluation;
let wrongCurve: RoleEvaluation;

beforeAll(async () => {
  env.localModelPath = fileURLToPath(new URL('../../../e2e/fixtures/models/', import.meta.url));
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.useBrowserCache = false;
  env.useFSCache = false;
  const extractor = await pipeline('feature-extraction', 'tiny-embed', { dtype: 'q8' });
  try {
    const texts = roleSetTexts(data);
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    const dim = out.dims[1]!;
    const flat = out.data as Float32Array;
    const vectors = new Map(texts.map((t, i) => [t, flat.slice(i * dim, (i + 1) * dim)]));
    withFixture = evaluateRoleSet(data, vectors, roleCalibrationFor('tiny-embed'));
    lexicalOnly = evaluateRoleSet(data, null, roleCalibrationFor('tiny-embed'));
    // The MiniLM curve on the fixture's bag-of-words cosines: wrong on purpose, to see the vectors act.
    wrongCurve = evaluateRoleSet(data, vectors, roleCalibrationFor('Xenova/all-MiniLM-L6-v2'));
  } finally {
    await extractor.dispose();
  }
  const row = (name: string, m: { tp: number; fp: number; fn: number; precision: number; recall: number }) =>
    `${name.padEnd(16)} P ${m.precision.toFixed(3)}  R ${m.recall.toFixed(3)}  (tp ${m.tp}, fp ${m.fp}, fn ${m.fn})`;
  console.info(
    [
      'Role detectors on the calibration set, fixture embedder (plumbing):',
      row('assistant voice', withFixture.assistantVoice),
      row('  lexical only', lexicalOnly.assistantVoice),
      row('  MiniLM curve', wrongCurve.assistantVoice),
      row('echo', withFixture.echo),
      row('speaks for user', withFixture.speaksForUser),
    ].join('\n'),
  );
}, 60_000);

describe('calibration set', () => {
  it('holds what issue 11 asks: ≥ 100 in-character, ≥ 100 assistant-voice, ≥ 50 echo / speaking-for-the-user cases, from varied characters', () => {
    expect(data.assistantVoice.filter((c) => !c.assistant).length).toBeGreaterThanOrEqual(100);
    expect(data.assistantVoice.filter((c) => c.assistant).length).toBeGreaterThanOrEqual(100);
    expect(data.echo.length + data.speaksForUser.length).toBeGreaterThanOrEqual(50);
    expect(new Set(data.assistantVoice.filter((c) => !c.assistant).map((c) => c.character)).size).toBeGreaterThanOrEqual(10);
  });
});

describe('role detectors on the fixture embedder (plumbing)', () => {
  it('assistant voice: precision ≥ 0.9, recall ≥ 0.7', () => {
    expect(withFixture.assistantVoice.precision).toBeGreaterThanOrEqual(0.9);
    expect(withFixture.assistantVoice.recall).toBeGreaterThanOrEqual(0.7);
  });

  it('the fixture vectors reach the scorer: its curve never costs precision, and a curve meant for another model changes the outcome', () => {
    expect(withFixture.assistantVoice.recall).toBeGreaterThanOrEqual(lexicalOnly.assistantVoice.recall);
    expect(withFixture.assistantVoice.fp).toBeLessThanOrEqual(lexicalOnly.assistantVoice.fp);
    expect(wrongCurve.assistantVoice.tp + wrongCurve.assistantVoice.fp).not.toBe(lexicalOnly.assistantVoice.tp + lexicalOnly.assistantVoice.fp);
  });

  it('echo: precision ≥ 0.9, recall ≥ 0.8', () => {
    expect(withFixture.echo.precision).toBeGreaterThanOrEqual(0.9);
    expect(withFixture.echo.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('speaking for the user: precision ≥ 0.9, recall ≥ 0.9', () => {
    expect(withFixture.speaksForUser.precision).toBeGreaterThanOrEqual(0.9);
    expect(withFixture.speaksForUser.recall).toBeGreaterThanOrEqual(0.9);
  });
});
