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
  WorkerStalledError,
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
    const stall = new WorkerStalledError(undefined, { silentMs: 180_000 });
    expect(classifyEngineError(stall, 'generate')).toBe(stall);
    const load = classifyEngineError(new Error('weird'), 'load');
    expect(load).toBeInstanceOf(ModelLoadError);
    expect((load as ModelLoadError).reason).toBe('unknown');
    const gen = classifyEngineError(new Error('weird'), 'generate');
    expect(gen).toBeInstanceOf(EngineError);
    expect(gen.name).toBe('EngineError');
  });
});

describe('classification after the wire', () => {
  it('WorkerStalledError is a WorkerCrashedError and survives the wire and classification by name', () => {
    const stall = new WorkerStalledError(undefined, { silentMs: 61_200 });
    expect(stall).toBeInstanceOf(WorkerCrashedError);
    expect(stall.name).toBe('WorkerStalledError');
    expect(stall.message).toMatch(/61 s/);
    expect(stall.userMessage).toBe(
      'The model worker stopped responding for 61 s; it was stopped. Reload the model to continue. Your chat is saved.',
    );
    const wire = structuredClone(serializeError(stall));
    expect(wire).toMatchObject({ name: 'WorkerStalledError', message: stall.message });
    const revived = reviveError(wire);
    expect(revived).toBeInstanceOf(WorkerStalledError);
    expect(revived.message).toBe(stall.message);
    expect((revived as WorkerStalledError).userMessage).toMatch(/^The model worker stopped responding; it was stopped\. Reload/);
    // A foreign copy (RemoteError with the name) is classified back into the class.
    const classified = classifyEngineError({ name: 'WorkerStalledError', message: 'silent' }, 'generate');
    expect(classified).toBeInstanceOf(WorkerStalledError);
    expect(classified.message).toBe('silent');
  });
});
