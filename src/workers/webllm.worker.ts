/**
 * WebLLM worker: WebLLM's own handler speaks WebLLM's own protocol
 * (request uuid, return | throw | initProgressCallback). The main side is
 * WebLlmEngine via CreateWebWorkerMLCEngine.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (message: MessageEvent) => {
  handler.onmessage(message);
};
