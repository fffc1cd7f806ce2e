import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DRIFT_OPTIONS,
  DRIFT_ALERT_DROP_POINTS,
  computeDrift,
  driftPoint,
  type DriftPoint,
} from './drift';
import { ConsistencyInputError } from './errors';

const series = (values: number[], contradictions: number[] = []): DriftPoint[] =>
  values.map((apcPercent, i) => ({ turnIndex: i * 2 + 1, apcPercent, contradictions: contradictions[i] ?? 0 }));

const early = [90, 88, 92, 86, 94]; // mean 90
const late = [70, 72, 74, 76, 68]; // mean 72

describe('computeDrift', () => {
  it('alerts when the recent average falls more than the threshold below the first turns', () => {
    const d = computeDrift(series([...early, ...late], [0, 0, 0, 0, 0, 1, 0, 2, 0, 1]));
    expect(d.baselinePercent).toBe(90);
    expect(d.recentAveragePercent).toBe(72);
    expect(d.dropPoints).toBe(18);
    expect(d.recentContradictions).toBe(4);
    expect(DRIFT_ALERT_DROP_POINTS).toBe(15);
    expect(d.alert).toBe(true);
  });

  it('gives a trailing rolling mean for the chart', () => {
    const d = computeDrift(series([...early, ...late]));
    expect(d.rollingPercent.slice(0, 2)).toEqual([90, 89]);
    expect(d.rollingPercent[4]).toBe(90);
    expect(d.rollingPercent[5]).toBe(86); // (88 + 92 + 86 + 94 + 70) / 5
    expect(d.rollingPercent[9]).toBe(72);
  });

  it('does not alert before the minimum number of turns', () => {
    // Nine turns: the last five are 94, 70, 72, 74, 76 (mean 77.2), and a steeper
    // fall would still wait for the tenth turn.
    const d = computeDrift(series([...early, 40, 40, 40, 40]));
    expect(d.recentAveragePercent).toBe(50.8); // (94 + 4 · 40) / 5
    expect(d.dropPoints).toBeCloseTo(39.2, 12);
    expect(d.alert).toBe(false);
    expect(computeDrift(series([...early, 40, 40, 40, 40, 40])).alert).toBe(true);
  });

  it('does not alert on a drop within the threshold, nor exactly at it', () => {
    expect(computeDrift(series([...early, 80, 80, 80, 80, 80])).alert).toBe(false);
    expect(computeDrift(series([...early, 75, 75, 75, 75, 75]))).toMatchObject({ dropPoints: 15, alert: false });
  });

  it('needs baseline and window not to overlap in first-turns mode', () => {
    const d = computeDrift(series([...early, ...late]), { minTurns: 0, windowTurns: 6 });
    expect(d.alert).toBe(false);
    expect(computeDrift(series([...early, ...late]), { minTurns: 0, windowTurns: 5 }).alert).toBe(true);
  });

  it('uses the median of all turns in median mode', () => {
    // sorted 68 70 72 74 76 86 88 90 92 94 → (76 + 86) / 2 = 81; drop 81 − 72 = 9
    const d = computeDrift(series([...early, ...late]), { baselineMode: 'median' });
    expect(d.baselinePercent).toBe(81);
    expect(d.dropPoints).toBe(9);
    expect(d.alert).toBe(false);
    const long = computeDrift(series([...early, ...early, 50, 50, 50, 50, 50]), { baselineMode: 'median' });
    // 15 values: five 50s, then 86 86 88 88 90 … → the 8th is 88
    expect(long.baselinePercent).toBe(88);
    expect(long.alert).toBe(true);
  });

  it('sorts points by turn and reports nulls until there is enough data', () => {
    const d = computeDrift([
      { turnIndex: 5, apcPercent: 60, contradictions: 1 },
      { turnIndex: 1, apcPercent: 80, contradictions: 0 },
    ]);
    expect(d.points.map((p) => p.turnIndex)).toEqual([1, 5]);
    expect(d).toMatchObject({ baselinePercent: null, recentAveragePercent: null, dropPoints: null, alert: false });
    expect(computeDrift([])).toMatchObject({ points: [], rollingPercent: [], baselinePercent: null, alert: false });
  });

  it('rejects duplicate turns, bad percentages and bad options', () => {
    expect(() => computeDrift([driftPoint(1, { apcPercent: 50, contradictions: 0 }), driftPoint(1, { apcPercent: 60, contradictions: 0 })])).toThrow(
      ConsistencyInputError,
    );
    expect(() => computeDrift(series([120]))).toThrow(ConsistencyInputError);
    expect(() => computeDrift(series([Number.NaN]))).toThrow(ConsistencyInputError);
    expect(() => computeDrift([], { windowTurns: 0 })).toThrow(ConsistencyInputError);
    expect(() => computeDrift([], { alertDropPoints: -1 })).toThrow(ConsistencyInputError);
  });

  it('has documented defaults', () => {
    expect(DEFAULT_DRIFT_OPTIONS).toEqual({ baselineMode: 'first-turns', baselineTurns: 5, windowTurns: 5, alertDropPoints: 15, minTurns: 10 });
  });
});

describe('driftPoint', () => {
  it('takes the score and contradiction count from a verdict', () => {
    expect(driftPoint(7, { apcPercent: 81.5, contradictions: 2 })).toEqual({ turnIndex: 7, apcPercent: 81.5, contradictions: 2, roleFlags: 0 });
  });
});

describe('role flags in the drift', () => {
  it('each point carries its reply’s role-flag count and the summary their total', () => {
    const flag = { kind: 'echo', sentenceIndex: 0, score: 1, evidence: '' } as const;
    const a = driftPoint(0, { apcPercent: 90, contradictions: 0, roleFlags: [flag, flag] });
    const b = driftPoint(1, { apcPercent: 80, contradictions: 1 });
    expect(a.roleFlags).toBe(2);
    expect(b.roleFlags).toBe(0);
    expect(computeDrift([a, b]).roleFlags).toBe(2);
  });
});
