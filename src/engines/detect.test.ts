import { describe, expect, it } from 'vitest';
import { detectWebGpu } from './detect';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';

function adapter(features: string[], info: Record<string, unknown>) {
  return {
    features: new Set(features),
    limits: { maxBufferSize: 1 << 30, maxStorageBufferBindingSize: 128 << 20, maxComputeWorkgroupStorageSize: 32768 },
    info,
  };
}

describe('detectWebGpu', () => {
  it('insecure context first', async () => {
    const d = await detectWebGpu({ isSecureContext: false, navigator: { userAgent: CHROME_LINUX } });
    expect(d).toMatchObject({ available: false, reason: 'insecure-context' });
    if (!d.available) expect(d.explanation).toMatch(/https/);
  });

  it('no API: points Linux Chrome at the flag', async () => {
    const d = await detectWebGpu({ isSecureContext: true, navigator: { userAgent: CHROME_LINUX } });
    expect(d).toMatchObject({ available: false, reason: 'no-api' });
    if (!d.available) expect(d.explanation).toMatch(/chrome:\/\/flags\/#enable-unsafe-webgpu/);
    const ff = await detectWebGpu({ isSecureContext: true, navigator: { userAgent: FIREFOX } });
    if (!ff.available) expect(ff.explanation).toMatch(/Firefox/);
  });

  it('no adapter', async () => {
    const d = await detectWebGpu({
      isSecureContext: true,
      navigator: { userAgent: CHROME_LINUX, gpu: { requestAdapter: async () => null } },
    });
    expect(d).toMatchObject({ available: false, reason: 'no-adapter' });
  });

  it('requestAdapter throwing', async () => {
    const d = await detectWebGpu({
      isSecureContext: true,
      navigator: { gpu: { requestAdapter: async () => Promise.reject(new Error('GPU process crashed')) } },
    });
    expect(d).toMatchObject({ available: false, reason: 'error' });
  });

  it('SwiftShader: available, no f16, flagged as software', async () => {
    const d = await detectWebGpu({
      isSecureContext: true,
      navigator: { gpu: { requestAdapter: async () => adapter([], { vendor: 'google', architecture: 'swiftshader' }) } },
    });
    expect(d.available).toBe(true);
    if (d.available) {
      expect(d.hasF16).toBe(false);
      expect(d.adapterInfo).toMatchObject({ architecture: 'swiftshader', isFallbackAdapter: true });
      expect(d.limits.maxBufferSize).toBe(1 << 30);
    }
  });

  it('hardware adapter with shader-f16', async () => {
    const d = await detectWebGpu({
      isSecureContext: true,
      navigator: {
        gpu: { requestAdapter: async () => adapter(['shader-f16'], { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false }) },
      },
    });
    expect(d).toMatchObject({ available: true, hasF16: true, adapterInfo: { vendor: 'nvidia', isFallbackAdapter: false } });
  });
});
