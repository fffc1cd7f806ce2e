import { describe, expect, it } from 'vitest';
import { chooseEngineKind, shouldFallBack } from './createEngine';
import type { WebGpuDetection } from './detect';
import { GpuDeviceLostError, ModelLoadError, WorkerCrashedError, WorkerStalledError } from './errors';

const hardware: WebGpuDetection = {
  available: true,
  hasF16: true,
  adapterInfo: { vendor: 'nvidia', architecture: 'ampere', device: '', description: '', isFallbackAdapter: false },
  limits: { maxBufferSize: 2 ** 32, maxStorageBufferBindingSize: 2 ** 31, maxComputeWorkgroupStorageSize: 32768 },
};
const software: WebGpuDetection = { ...hardware, hasF16: false, adapterInfo: { ...hardware.adapterInfo, architecture: 'swiftshader', isFallbackAdapter: true } };
const none: WebGpuDetection = { available: false, reason: 'no-api', explanation: 'No WebGPU here.' };

describe('chooseEngineKind', () => {
  it('auto follows detection; software adapters still take the WebLLM path, with a note', () => {
    expect(chooseEngineKind(hardware).kind).toBe('webllm');
    expect(chooseEngineKind(software).kind).toBe('webllm');
    expect(chooseEngineKind(software).reason).toMatch(/software adapter/);
    expect(chooseEngineKind(none)).toMatchObject({ kind: 'transformers', reason: expect.stringContaining('No WebGPU here.') });
  });

  it('user override wins when possible', () => {
    expect(chooseEngineKind(software, 'webllm').kind).toBe('webllm');
    expect(chooseEngineKind(hardware, 'transformers').kind).toBe('transformers');
    expect(chooseEngineKind(none, 'webllm')).toMatchObject({ kind: 'transformers', reason: expect.stringMatching(/^The GPU engine was requested/) });
  });

  it('the server engine is chosen only by the writer, with or without WebGPU', () => {
    expect(chooseEngineKind(none, 'server').kind).toBe('server');
    expect(chooseEngineKind(hardware, 'server').reason).toMatch(/checker still runs in this browser/);
    for (const d of [hardware, software, none]) expect(chooseEngineKind(d).kind).not.toBe('server');
  });
});

describe('fallback', () => {
  it('falls back for GPU failures, not for network or cancel', () => {
    expect(shouldFallBack(new GpuDeviceLostError())).toBe(true);
    expect(shouldFallBack('DeviceLostError: gone')).toBe(true);
    expect(shouldFallBack(new WorkerCrashedError())).toBe(true);
    expect(shouldFallBack(new WorkerStalledError())).toBe(true);
    expect(shouldFallBack(new ModelLoadError('x', { reason: 'unsupported' }))).toBe(true);
    expect(shouldFallBack(new TypeError('Failed to fetch'))).toBe(false);
    expect(shouldFallBack(new DOMException('x', 'AbortError'))).toBe(false);
  });
});
