/**
 * The app as a `node:http` request listener, with a fast path for the JWKS: `GET`/`HEAD` of the
 * JWKS paths are answered straight from the prepared answer (status, headers and bytes made
 * once per key change, see jwks.ts), without building a fetch `Request` and `Response` or
 * routing. Everything else goes through the Hono app via @hono/node-server. Both paths share the
 * prepared answers and the request counter, so /metrics counts every request.
 *
 * This is what `jwkit serve` listens with, and it mounts as is in Express (`app.get(paths,
 * listener)`) or Fastify (`reply.hijack()`, then `listener(request.raw, reply.raw)`).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { KeyManager } from '../key-manager.js';
import { type AppOptions, buildApp, JWKS_PATHS } from './app.js';

export type NodeListener = (request: IncomingMessage, response: ServerResponse) => void;

export function createNodeListener(manager: KeyManager, options: AppOptions = {}): NodeListener {
  const { app, jwks, requests } = buildApp(manager, options);
  const viaApp = getRequestListener(app.fetch);
  const fast = options.surface !== 'admin';
  const starting = options.starting;
  return (req, res) => {
    const method = req.method;
    // An exact match only: a query string or an odd spelling takes the app's route, which answers the same.
    if (
      fast &&
      (method === 'GET' || method === 'HEAD') &&
      req.url !== undefined &&
      JWKS_PATHS.includes(req.url) &&
      !(starting?.() && manager.publication().keys.length === 0)
    ) {
      let answer: ReturnType<typeof jwks.answer>;
      try {
        answer = jwks.answer(req.headers['if-none-match'], req.headers['accept-encoding']);
      } catch {
        // Unexpected: let the app answer, report and count it as it does any other error.
        void viaApp(req, res);
        return;
      }
      // For HEAD, node:http sends the headers (Content-Length included) and drops the body.
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      requests.inc(answer.status === 200 ? 'jwks 200' : 'jwks 304');
      return;
    }
    void viaApp(req, res);
  };
}
