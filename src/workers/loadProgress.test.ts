import { describe, expect, it } from 'vitest';
import type { LoadProgress } from '../protocol/loading';
import { LoadProgressAggregator } from './loadProgress';

const TEXTS = { downloading: 'Downloading things', loading: 'Preparing things…' };

function aggregator(models: string[]) {
  const out: LoadProgress[] = [];
  return { out, agg: new LoadProgressAggregator(models, TEXTS, (p) => out.push(p)) };
}

describe('LoadProgressAggregator', () => {
  it('waits for every model’s weights before "loading" and never goes back', () => {
    const { out, agg } = aggregator(['a', 'b']);
    agg.handle('a', { status: 'progress', file: 'onnx/model.onnx', loaded: 10, total: 100 });
    expect(out.at(-1)).toMatchObject({ phase: 'downloading', progress: 0.1 });
    // b's size becomes known: 10/200 would be a step back; the bar holds at 0.1.
    agg.handle('b', { status: 'progress', file: 'onnx/model.onnx', loaded: 0, total: 100 });
    expect(out).toHaveLength(1);
    agg.handle('a', { status: 'done', file: 'onnx/model.onnx' });
    expect(out.at(-1)).toMatchObject({ phase: 'downloading', loadedBytes: 100, totalBytes: 200, progress: 0.5 });
    agg.handle('b', { status: 'done', file: 'onnx/model.onnx' });
    expect(out.at(-1)).toMatchObject({ phase: 'loading', loadedBytes: 200, totalBytes: 200, text: 'Preparing things…' });
    const n = out.length;
    agg.handle('b', { status: 'progress', file: 'late.json', loaded: 1, total: 10 });
    expect(out.length).toBe(n);
  });

  it('reports 0 until the weights’ size is known, then bytes across files, one event per percent', () => {
    const { out, agg } = aggregator(['m']);
    agg.handle('m', { status: 'initiate', file: 'config.json' });
    agg.handle('m', { status: 'progress', file: 'config.json', loaded: 1000, total: 1000 });
    agg.handle('m', { status: 'done', file: 'config.json' });
    agg.handle('m', { status: 'initiate', file: 'onnx/model_quantized.onnx' });
    // Config alone is 100 % of what is known: not shown as such.
    expect(out.map((p) => p.progress)).toEqual([0]);
    agg.handle('m', { status: 'progress', file: 'onnx/model_quantized.onnx', loaded: 4000, total: 9000 });
    expect(out.at(-1)).toMatchObject({
      phase: 'downloading',
      progress: 0.5,
      loadedBytes: 5000,
      totalBytes: 10000,
      text: 'Downloading things: 0 MB of 0 MB',
    });
    agg.handle('m', { status: 'progress', file: 'onnx/model_quantized.onnx', loaded: 4001, total: 9000 });
    expect(out).toHaveLength(2);
    agg.handle('m', { status: 'ready' });
    agg.handle('m', { status: 'progress_total', loaded: 1, total: 2 });
    expect(out).toHaveLength(2);
    agg.handle('m', { status: 'done', file: 'onnx/model_quantized.onnx' });
    expect(out.at(-1)).toMatchObject({ phase: 'loading', loadedBytes: 10000, totalBytes: 10000 });
  });

  it('a model given up on leaves the sums and no longer holds back "loading"', () => {
    const { out, agg } = aggregator(['cpu', 'gpu']);
    agg.handle('cpu', { status: 'progress', file: 'onnx/model.onnx', loaded: 50, total: 100 });
    agg.handle('gpu', { status: 'progress', file: 'onnx/model.onnx', loaded: 0, total: 100 });
    agg.handle('cpu', { status: 'done', file: 'onnx/model.onnx' });
    // cpu is complete, but gpu's weights are pending: still downloading (at 50 %).
    expect(out.map((p) => p.phase)).toEqual(['downloading']);
    agg.giveUp('gpu');
    expect(out.at(-1)).toMatchObject({ phase: 'loading', loadedBytes: 100, totalBytes: 100 });
  });
});
