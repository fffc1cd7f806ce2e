/**
 * Starts scripts/test-server/openai-server.mjs as its own process (a real
 * server on 127.0.0.1, a free port) and drives it: the e2e specs, the script
 * tests and bench:chat all use this.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const SERVER = path.join(import.meta.dirname, 'openai-server.mjs');

/** @param {string[]} args CLI options of openai-server.mjs */
export async function startTestServer(args = []) {
  const child = spawn(process.execPath, [SERVER, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const fail = (why) => reject(new Error(`openai test server did not start: ${why}`));
    child.once('error', fail);
    child.once('exit', (code) => fail(`exited with ${code}`));
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line).listening);
      } catch (e) {
        fail(String(e));
      }
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const post = async (p, body) => {
    const res = await fetch(`${origin}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`control ${p}: HTTP ${res.status}`);
  };
  return {
    port,
    origin,
    baseUrl: `${origin}/v1`,
    child,
    exited,
    control: (patch) => post('/__control', patch),
    reset: () => post('/__control/reset'),
    release: () => post('/__control/release'),
    held: async () => (await (await fetch(`${origin}/__control/held`)).json()).held,
    requests: async () => (await fetch(`${origin}/__control/requests`)).json(),
    generated: async () => (await fetch(`${origin}/__control/generated`)).json(),
    /** Kills the process at once (SIGKILL): a server that dies mid-reply. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
