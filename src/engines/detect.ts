/**
 * WebGPU detection with explanations in plain words. TypeScript's DOM lib has
 * no WebGPU types here, so the few shapes we read are declared below.
 */

export interface GpuAdapterInfoLike {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Software adapters (SwiftShader, WARP): correct but ~100× slower than wasm for ML. */
  isFallbackAdapter: boolean;
}

export interface GpuLimitsLike {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupStorageSize: number;
}

export type WebGpuDetection =
  | { available: true; adapterInfo: GpuAdapterInfoLike; hasF16: boolean; limits: GpuLimitsLike }
  | { available: false; reason: 'no-api' | 'no-adapter' | 'insecure-context' | 'error'; explanation: string };

interface AdapterLike {
  features: { has(name: string): boolean };
  limits: Partial<GpuLimitsLike>;
  info?: Partial<GpuAdapterInfoLike>;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<Partial<GpuAdapterInfoLike>>;
}

interface NavigatorLike {
  userAgent?: string;
  gpu?: { requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null> };
}

export interface DetectEnvironment {
  navigator?: NavigatorLike;
  isSecureContext?: boolean;
}

type Browser = 'chrome' | 'edge' | 'firefox' | 'safari' | 'other';

function browserOf(userAgent: string): Browser {
  if (/Edg\//.test(userAgent)) return 'edge';
  if (/Firefox\//.test(userAgent)) return 'firefox';
  if (/Chrome\/|Chromium\//.test(userAgent)) return 'chrome';
  if (/Safari\//.test(userAgent)) return 'safari';
  return 'other';
}

function noApiExplanation(userAgent: string): string {
  const linux = /Linux/.test(userAgent) && !/Android/.test(userAgent);
  switch (browserOf(userAgent)) {
    case 'chrome':
    case 'edge':
      return linux
        ? 'This browser has WebGPU switched off. On Linux, Chrome and Edge need it turned on: open chrome://flags/#enable-unsafe-webgpu, set it to Enabled and restart the browser (Vulkan drivers are required).'
        : 'This browser version has no WebGPU. Update Chrome or Edge to version 113 or newer, or turn it on at chrome://flags/#enable-unsafe-webgpu.';
    case 'firefox':
      return 'Firefox enables WebGPU on Windows from version 141; elsewhere set dom.webgpu.enabled to true in about:config, or use Chrome or Edge.';
    case 'safari':
      return 'Safari supports WebGPU from Safari 26 (macOS Tahoe / iOS 26). On older versions, turn on the WebGPU feature flag in Develop → Feature Flags, or use Chrome.';
    default:
      return 'This browser does not support WebGPU. Use a recent Chrome or Edge for the fast engine.';
  }
}

/**
 * Detects a usable WebGPU adapter.
 * @param env injected for tests; defaults to the real `navigator` / `isSecureContext`.
 */
export async function detectWebGpu(env: DetectEnvironment = {}): Promise<WebGpuDetection> {
  const nav: NavigatorLike | undefined =
    env.navigator ?? (typeof navigator !== 'undefined' ? (navigator as unknown as NavigatorLike) : undefined);
  const secure = env.isSecureContext ?? (typeof isSecureContext === 'boolean' ? isSecureContext : true);
  const ua = nav?.userAgent ?? '';

  if (!secure) {
    return {
      available: false,
      reason: 'insecure-context',
      explanation:
        'WebGPU only works on secure pages. Open the app over https:// (or on http://localhost) to use the graphics card.',
    };
  }
  if (!nav?.gpu) {
    return { available: false, reason: 'no-api', explanation: noApiExplanation(ua) };
  }
  try {
    const adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      return {
        available: false,
        reason: 'no-adapter',
        explanation:
          'The browser supports WebGPU but found no usable graphics adapter (the GPU may be blocklisted or hardware acceleration is off). Turn on hardware acceleration in the browser settings, update the graphics driver, or in Chrome try chrome://flags/#enable-unsafe-webgpu.',
      };
    }
    const raw: Partial<GpuAdapterInfoLike> = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo().catch(() => ({})) : {});
    const adapterInfo: GpuAdapterInfoLike = {
      vendor: raw.vendor ?? '',
      architecture: raw.architecture ?? '',
      device: raw.device ?? '',
      description: raw.description ?? '',
      isFallbackAdapter:
        raw.isFallbackAdapter ?? adapter.isFallbackAdapter ?? /swiftshader|warp|llvmpipe/i.test(`${raw.architecture} ${raw.description}`),
    };
    return {
      available: true,
      adapterInfo,
      hasF16: adapter.features.has('shader-f16'),
      limits: {
        maxBufferSize: adapter.limits.maxBufferSize ?? 0,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize ?? 0,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize ?? 0,
      },
    };
  } catch (e) {
    return {
      available: false,
      reason: 'error',
      explanation: `Asking the browser for a graphics adapter failed (${e instanceof Error ? e.message : String(e)}). Restarting the browser often helps.`,
    };
  }
}
