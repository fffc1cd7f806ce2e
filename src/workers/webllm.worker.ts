/**
 * WebLLM worker: WebLLM's own handler speaks WebLLM's own protocol
 * (request uuid, return | throw | initProgressCallback). The main side is
 * WebLlmEngine via CreateWebWorkerMLCEngine. Our stall watchdog's pings come on
 * a separate port (acceptHeartbeatPort), never through WebLLM's handler.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';
import { acceptHeartbeatPort } from './rpcServer';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (message: MessageEvent) => {
  if (acceptHeartbeatPort(message)) return;
  handler.onmessage(message);
};
