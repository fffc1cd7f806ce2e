import type { ModelSource } from '../protocol/loading';

/**
 * A self-hosted base URL made absolute against the page, so a worker (whose
 * own base is its script URL) fetches from where the page meant. Hugging Face
 * sources pass through.
 */
export function resolveModelSource(source: ModelSource): ModelSource {
  if (source.kind !== 'self-hosted') return source;
  const base =
    typeof document !== 'undefined' ? document.baseURI : typeof location !== 'undefined' ? location.href : undefined;
  return { kind: 'self-hosted', baseUrl: new URL(source.baseUrl, base).href };
}
