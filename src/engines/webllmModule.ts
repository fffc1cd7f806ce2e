/**
 * IMPORTANT (bundle size): @mlc-ai/web-llm is ~6 MB of JavaScript. Import it
 * only through this lazy loader on the main thread so it becomes its own
 * chunk, fetched when a WebLLM engine or cache query first needs it.
 * Type-only imports (`import type`) are free and fine anywhere.
 */
import type * as WebLlm from '@mlc-ai/web-llm';

let modulePromise: Promise<typeof WebLlm> | null = null;

export function loadWebLlm(): Promise<typeof WebLlm> {
  modulePromise ??= import('@mlc-ai/web-llm');
  return modulePromise;
}
