/**
 * The loopback JWKS server the conformance suite's RemoteJWKSet cases talk to, on 127.0.0.1.
 * Each case keeps its own state under /s/<id>/ so cases and runtimes never share a cache entry:
 * - `PUT /s/<id>` with `{ status, body, etag? }` sets what `/s/<id>/jwks.json` answers;
 * - `GET /s/<id>/jwks.json` answers it the way identity providers do: 200 with
 *   `Cache-Control: public, max-age=300` and a strong ETag (RFC 9111 §5.2.2.1, RFC 9110 §8.8.3),
 *   304 to a matching If-None-Match (RFC 9110 §13.1.2), or the failing status;
 * - `GET /s/<id>/log` counts the requests that reached the server (hits, 304s): what a cache
 *   between the library and the server (a browser's HTTP cache) answered never shows up there.
 * It also serves the Chromium page (`/conformance.html`, `/suite.js`), so the page and the JWKS
 * share an origin.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface SessionState {
  status: number;
  body: unknown;
  etag: boolean;
  version: number;
  hits: number;
  notModified: number;
}

export interface JWKSServer {
  readonly baseURL: string;
  /** What `/suite.js` serves (the browser bundle). */
  setBrowserBundle(code: string): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

export async function startJWKSServer(): Promise<JWKSServer> {
  const sessions = new Map<string, SessionState>();
  let bundle = '';
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/s\/([\w.-]+)(\/jwks\.json|\/log)?$/.exec(url.pathname);
    try {
      if (url.pathname === '/conformance.html') {
        res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
        res.end('<!doctype html><meta charset="utf-8"><script src="/suite.js"></script>');
      } else if (url.pathname === '/suite.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(bundle);
      } else if (m && req.method === 'PUT' && m[2] === undefined) {
        const next = JSON.parse(await readBody(req)) as { status?: number; body?: unknown; etag?: boolean };
        const prev = sessions.get(m[1]!);
        sessions.set(m[1]!, {
          status: next.status ?? 200,
          body: next.body,
          etag: next.etag !== false,
          version: (prev?.version ?? 0) + 1,
          hits: prev?.hits ?? 0,
          notModified: prev?.notModified ?? 0,
        });
        res.writeHead(204, { 'cache-control': 'no-store' }).end();
      } else if (m && req.method === 'GET' && m[2] === '/log') {
        const s = sessions.get(m[1]!);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ hits: s?.hits ?? 0, notModified: s?.notModified ?? 0 }));
      } else if (m && req.method === 'GET' && m[2] === '/jwks.json') {
        const s = sessions.get(m[1]!);
        if (!s) return void res.writeHead(404).end();
        s.hits++;
        if (s.status !== 200)
          return void res.writeHead(s.status, { 'content-type': 'text/plain' }).end('unavailable');
        const etag = `"v${s.version}"`;
        const headers: Record<string, string> = {
          'content-type': 'application/jwk-set+json',
          'cache-control': 'public, max-age=300',
        };
        if (s.etag) headers.etag = etag;
        if (s.etag && req.headers['if-none-match'] === etag) {
          s.notModified++;
          return void res.writeHead(304, headers).end();
        }
        res.writeHead(200, headers).end(JSON.stringify(s.body));
      } else {
        res.writeHead(404).end();
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    setBrowserBundle(code) {
      bundle = code;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
