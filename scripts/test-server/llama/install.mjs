#!/usr/bin/env node
/**
 * Installs the llama test tools (node-llama-cpp, this folder's own package
 * and lock) on demand: the studio's `npm install` never pulls them in. The
 * e2e spec that runs the real llama.cpp path calls `ensureLlamaTools()`;
 * `npm run test-tools:llama` does the same by hand.
 *
 * `npm ci --ignore-scripts`: node-llama-cpp's postinstall would look for
 * binaries on GitHub (unreachable here and in CI); its prebuilt CPU binary
 * comes as an ordinary optional npm package instead. The CUDA and Vulkan
 * binaries (~620 MB) are overridden by an empty stand-in (package.json
 * `overrides`): the tests run on the CPU only.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const DIR = import.meta.dirname;
const VERSION = JSON.parse(fs.readFileSync(path.join(DIR, 'package.json'), 'utf8')).dependencies['node-llama-cpp'];

/** Whether the pinned node-llama-cpp is installed in this folder. */
export function llamaToolsInstalled() {
  try {
    return JSON.parse(fs.readFileSync(path.join(DIR, 'node_modules/node-llama-cpp/package.json'), 'utf8')).version === VERSION;
  } catch {
    return false;
  }
}

/**
 * Installs the tools unless they are there.
 * @returns {Promise<{ok: true} | {ok: false, reason: string}>} never throws:
 *   a caller that cannot install (no registry) gets the reason to skip with.
 */
export async function ensureLlamaTools({ log = () => undefined } = {}) {
  if (llamaToolsInstalled()) return { ok: true };
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const output = [];
  const code = await new Promise((resolve) => {
    const child = spawn(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: DIR,
      env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    const keep = (d) => {
      output.push(String(d));
      log(String(d));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (e) => {
      output.push(String(e));
      resolve(-1);
    });
    child.once('exit', resolve);
  });
  if (code !== 0) return { ok: false, reason: `npm ci of the llama test tools failed (exit ${code}): ${output.join('').trim().split('\n').slice(-5).join(' | ')}` };
  if (!llamaToolsInstalled()) return { ok: false, reason: 'npm ci finished but node-llama-cpp is not there' };
  return { ok: true };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const result = await ensureLlamaTools({ log: (s) => process.stderr.write(s) });
  if (!result.ok) {
    process.stderr.write(`${result.reason}\n`);
    process.exit(1);
  }
  process.stdout.write(`node-llama-cpp ${VERSION} ready in ${path.relative(process.cwd(), DIR) || '.'}\n`);
}
