import { describe, expect, it } from 'vitest';
import {
  EngineError,
  GenerationInterruptedError,
  GpuDeviceLostError,
  ModelDownloadCancelledError,
  ModelLoadError,
  OutOfMemoryError,
  WebGpuUnavailableError,
  WorkerCrashedError,
  classifyEngineError,
  reviveError,
  serializeError,
} from './errors';

describe('classifyEngineError', () => {
  it.each([
    [new TypeError('Failed to fetch'), ModelLoadError, 'network'],
    [new TypeError('NetworkError when attempting to fetch resource.'), ModelLoadError, 'network'],
    [new DOMException('The quota has been exceeded.', 'QuotaExceededError'), ModelLoadError, 'storage-full'],
    [new Error('Could not locate file: "http://x/tiny/onnx/model_quantized.onnx".'), ModelLoadError, 'not-found'],
    [new TypeError("Failed to execute 'add' on 'Cache': Request failed"), ModelLoadError, 'not-found'],
  ])('%s → load error with reason', (raw, cls, reason) => {
    const e = classifyEngineError(raw, 'load');
    expect(e).toBeInstanceOf(cls);
    expect((e as ModelLoadError).reason).toBe(reason);
    expect(e.userMessage).not.toBe('');
    expect(e.cause).toBe(raw);
  });

  it('reads WebLLM "Name: message" strings', () => {
    expect(
      classifyEngineError(
        'DeviceLostError: The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM).',
      ),
    ).toBeInstanceOf(GpuDeviceLostError);
    expect(classifyEngineError('WebGPUNotAvailableError: WebGPU is not supported in your current environment')).toBeInstanceOf(
      WebGpuUnavailableError,
    );
    const f16 = classifyEngineError('ShaderF16SupportError: This model requires WebGPU extension shader-f16');
    expect(f16).toBeInstanceOf(ModelLoadError);
    expect((f16 as ModelLoadError).reason).toBe('unsupported');
  });

  it('maps memory failures to OutOfMemoryError', () => {
    expect(classifyEngineError(new RangeError('Array buffer allocation failed'))).toBeInstanceOf(OutOfMemoryError);
    expect(classifyEngineError(new Error('Aborted(OOM)'))).toBeInstanceOf(OutOfMemoryError);
    expect(classifyEngineError(new Error('out of memory'), 'generate')).toBeInstanceOf(OutOfMemoryError);
  });

  it('AbortError depends on what was happening', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(classifyEngineError(abort, 'load')).toBeInstanceOf(ModelDownloadCancelledError);
    expect(classifyEngineError(abort, 'generate')).toBeInstanceOf(GenerationInterruptedError);
  });

  it('passes engine errors through and wraps the unknown', () => {
    const crash = new WorkerCrashedError();
    expect(classifyEngineError(crash)).toBe(crash);
    const load = classifyEngineError(new Error('weird'), 'load');
    expect(load).toBeInstanceOf(ModelLoadError);
    expect((load as ModelLoadError).reason).toBe('unknown');
    const gen = classifyEngineError(new Error('weird'), 'generate');
    expect(gen).toBeInstanceOf(EngineError);
    expect(gen.name).toBe('EngineError');
  });
});

describe('serialize / revive', () => {
  it('round-trips our classes with their names and causes', () => {
    const original = new ModelLoadError('boom', { cause: new TypeError('Failed to fetch') });
    const wire = structuredClone(serializeError(original));
    expect(wire).toMatchObject({ name: 'ModelLoadError', message: 'boom', cause: { name: 'TypeError' } });
    const revived = reviveError(wire);
    expect(revived).toBeInstanceOf(ModelLoadError);
    expect((revived.cause as Error).name).toBe('TypeError');
  });

  it('names survive for foreign errors', () => {
    const revived = reviveError(serializeError(new DOMException('x', 'QuotaExceededError')));
    expect(revived).toBeInstanceOf(Error);
    expect(revived.name).toBe('QuotaExceededError');
  });
});
