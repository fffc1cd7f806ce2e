#!/usr/bin/env node
// A plain static file server, standing in for GitHub Pages / Netlify / a USB
// stick's file server in the e2e tests (and usable to try a build locally).
// Static files only: GET/HEAD, byte ranges, directory index.html, no rewrites
// and no SPA fallback. Optional headers, off by default like most static hosts:
//   --coop-coep   send COOP: same-origin + COEP: require-corp (a host that can set headers)
//   --cors        send Access-Control-Allow-Origin: * and CORP: cross-origin (a model host)
//
// Usage:
//   node scripts/serve-static.mjs [--host 127.0.0.1] [--port 4180] [--coop-coep] [--cors] \
//        /studio/=dist [/models/=path/to/bundle ...]
// Each mount maps a URL prefix to a folder; `/studio` redirects to `/studio/`.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  // IMPORTANT: WebAssembly.instantiateStreaming rejects any other type.
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/**
 * @param {{ mounts: { prefix: string, dir: string }[], coopCoep?: boolean, cors?: boolean }} options
 * @returns {http.Server}
 */
export function createStaticServer({ mounts, coopCoep = false, cors = false }) {
  const sorted = mounts
    .map((m) => ({ prefix: m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`, dir: path.resolve(m.dir) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);

  return http.createServer((req, res) => {
    const headers = { 'Cache-Control': 'no-cache' };
    if (coopCoep) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (cors) {
      headers['Access-Control-Allow-Origin'] = '*';
      headers['Access-Control-Expose-Headers'] = 'Content-Length, Content-Range, Accept-Ranges';
      headers['Cross-Origin-Resource-Policy'] = 'cross-origin';
    }
    const fail = (status, text) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method === 'OPTIONS' && cors) {
      res.writeHead(204, { ...headers, 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': '*' });
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');

    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return fail(400, 'bad url');
    }
    const mount = sorted.find((m) => pathname.startsWith(m.prefix) || `${pathname}/` === m.prefix);
    if (!mount) return fail(404, 'not found');
    if (`${pathname}/` === mount.prefix) {
      res.writeHead(301, { ...headers, Location: mount.prefix });
      return res.end();
    }
    let file = path.join(mount.dir, pathname.slice(mount.prefix.length));
    if (file !== mount.dir && !file.startsWith(mount.dir + path.sep)) return fail(403, 'forbidden');
    let stat;
    try {
      stat = statSync(file);
      if (stat.isDirectory()) {
        if (!pathname.endsWith('/')) {
          res.writeHead(301, { ...headers, Location: `${pathname}/` });
          return res.end();
        }
        file = path.join(file, 'index.html');
        stat = statSync(file);
      }
    } catch {
      return fail(404, 'not found');
    }

    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const size = stat.size;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      } else {
        start = Math.max(0, size - Number(range[2]));
      }
      if (start > end || start >= size) {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` });
        return res.end();
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(end - start + 1), 'Accept-Ranges': 'bytes' });
    if (req.method === 'HEAD' || size === 0) return res.end();
    createReadStream(file, { start, end }).pipe(res);
  });
}

function parseArgs(argv) {
  const options = { host: '127.0.0.1', port: 4180, coopCoep: false, cors: false, mounts: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--host') options.host = argv[++i];
    else if (a === '--port') options.port = Number(argv[++i]);
    else if (a === '--coop-coep') options.coopCoep = true;
    else if (a === '--cors') options.cors = true;
    else if (a.includes('=')) {
      const [prefix, dir] = a.split('=');
      options.mounts.push({ prefix: prefix.startsWith('/') ? prefix : `/${prefix}`, dir });
    } else throw new Error(`Unknown argument "${a}". Mounts look like /studio/=dist.`);
  }
  if (options.mounts.length === 0) options.mounts.push({ prefix: '/', dir: 'dist' });
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  const server = createStaticServer(options);
  server.listen(options.port, options.host, () => {
    for (const m of options.mounts) console.log(`http://${options.host}:${options.port}${m.prefix} → ${m.dir}`);
    if (options.coopCoep) console.log('sending COOP/COEP');
    if (options.cors) console.log('sending CORS headers');
  });
}
