/**
 * Serves the built web app (generator, inspector, JWT debugger) from a directory, normally
 * `dist/web`. Files are read per request (the app is small and a rebuild shows at once); paths
 * that leave the directory are refused; a directory serves its index.html. There is no
 * catch-all fallback, so an unknown path (say `/.well-known/openid-configuration` without an
 * issuer) stays a 404 rather than becoming the page.
 */

import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
});

/**
 * The app handles private keys: no other site may frame it (clickjacking; CSP Level 3
 * `frame-ancestors`, with X-Frame-Options for browsers without it, RFC 7034), no file is
 * sniffed into another type, and no URL of it leaks to another site in a Referer.
 */
const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
});

async function file(path: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return new Uint8Array(await readFile(path));
  } catch {
    return undefined;
  }
}

/** A handler answering GET/HEAD for files under `root`, or `undefined` when it has no such file. */
export function webHandler(root: string): (request: Request) => Promise<Response | undefined> {
  const base = resolve(root);
  return async (request) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return undefined;
    }
    if (path.includes('\0')) return undefined;
    let target = resolve(base, `.${normalize(`/${path}`)}`);
    if (target !== base && !target.startsWith(base + sep)) return undefined;
    if (path.endsWith('/')) target = join(target, 'index.html');
    const body = await file(target);
    if (!body) return undefined;
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
        'content-length': String(body.length),
        'cache-control': 'no-cache',
        ...PAGE_HEADERS,
      },
    });
  };
}
