import { describe, expect, it } from 'vitest';
import { MESSAGE_OVERHEAD_TOKENS } from './assemble';
import { CALIBRATION_BOUNDS, TokenCalibration } from './calibration';
import { estimateTokens } from './tokens';

describe('TokenCalibration', () => {
  it('uses the plain estimate until a server reports usage', () => {
    const c = new TokenCalibration();
    const counting = c.counting('server:m', estimateTokens);
    expect(counting.ratio).toBe(1);
    expect(counting.countTokens('The lamp is lit.')).toBe(estimateTokens('The lamp is lit.'));
    expect(counting.messageOverheadTokens).toBe(MESSAGE_OVERHEAD_TOKENS);
  });

  it('scales the estimate by real ÷ estimated of the last prompt, per model', () => {
    const c = new TokenCalibration();
    c.observe('server:small-vocab', 1000, 2500);
    const counting = c.counting('server:small-vocab', () => 10);
    expect(counting.ratio).toBe(2.5);
    expect(counting.countTokens('x')).toBe(25);
    expect(counting.messageOverheadTokens).toBe(Math.ceil(MESSAGE_OVERHEAD_TOKENS * 2.5));
    // Another model keeps its own (none yet).
    expect(c.ratio('server:other')).toBe(1);
  });

  it('corrects from the plain estimate, not from an already calibrated count', () => {
    const c = new TokenCalibration();
    c.observe('k', 1000, 2000);
    // The next prompt was counted with ratio 2 (2000 calibrated = 1000 plain) and really cost 3000: ratio 3.
    c.observe('k', 2000, 3000, 2);
    expect(c.ratio('k')).toBe(3);
  });

  it('ignores prompts too small to tell, missing usage and nonsense, and bounds the ratio', () => {
    const c = new TokenCalibration();
    c.observe('k', 20, 60);
    c.observe('k', 1000, 0);
    c.observe('k', Number.NaN, 100);
    expect(c.ratio('k')).toBe(1);
    c.observe('k', 1000, 100_000);
    expect(c.ratio('k')).toBe(CALIBRATION_BOUNDS.max);
    c.observe('k', 1000, 1);
    expect(c.ratio('k')).toBe(CALIBRATION_BOUNDS.min);
  });

  it('tells subscribers when a ratio changes (the context line redraws), not when it stays', () => {
    const c = new TokenCalibration();
    let calls = 0;
    const off = c.subscribe(() => calls++);
    c.observe('k', 1000, 2000);
    c.observe('k', 1000, 2000);
    expect(calls).toBe(1);
    c.observe('k', 20, 60);
    expect(calls).toBe(1);
    off();
    c.observe('k', 1000, 3000);
    expect(calls).toBe(1);
    expect(c.ratio('k')).toBe(3);
  });
});
