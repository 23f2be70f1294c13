/**
 * The HTTP app of `jwkit serve`, as a Hono app: `app.fetch(request)` is a fetch-style
 * `Request -> Response` handler that runs in any runtime. On Node, `createNodeListener` (node.ts)
 * wraps it in a node:http listener with a fast path for the JWKS.
 *
 * Routes: the JWKS (`/.well-known/jwks.json`, `/jwks.json`), discovery when an issuer is set,
 * `/healthz`, `/readyz`, `/metrics`, the admin API when an admin token is set, and the web app at
 * `/` when a built one is given.
 */

import { Hono } from 'hono';
import type { KeyManager } from '../key-manager.js';
import { Counter } from '../stats.js';
import { type AdminOptions, adminRoutes } from './admin.js';
import { JWKSEndpoint, preflight } from './jwks.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import { errorResponse, errorToResponse, jsonResponse } from './responses.js';
import { webHandler } from './web.js';

export interface AppOptions {
  /** Token issuer; enables `/.well-known/openid-configuration` and is the default `iss` of admin-signed tokens. */
  issuer?: string;
  /** `jwks_uri` in the discovery document. Default: `<issuer>/.well-known/jwks.json`. */
  jwksUri?: string;
  /** Enables the admin API under `/admin` (Bearer token; a function is asked per request). Default: none, and `/admin` answers 404. */
  adminToken?: string | (() => string);
  /**
   * What this app answers: `all` (default; the library's single app), `public` (JWKS, discovery,
   * health, web app: `/admin` and `/metrics` answer 404) or `admin` (`/admin`, `/metrics`, health).
   */
  surface?: 'all' | 'public' | 'admin';
  /** True while the first keys are being made: `/readyz` says so, and an empty JWKS answers 503. */
  starting?: () => boolean;
  /** More admin settings (logging, backoff, audit, signed-token counter). */
  admin?: Omit<AdminOptions, 'token' | 'bodyLimit' | 'issuer'>;
  /** More lines for /metrics (Prometheus text, families included). */
  metrics?: () => string[];
  /**
   * Headers on every answer of the app; the JWKS answers carry them in their prepared header sets,
   * so they cost nothing per request (`jwkit serve --workers`: `x-jwkit-worker`).
   */
  headers?: Readonly<Record<string, string>>;
  /** JWKS media type: `jwk-set+json` (default, `application/jwk-set+json`) or `json`. */
  contentType?: 'jwk-set+json' | 'json';
  /** A directory with the built web app (e.g. `dist/web`), served at `/`. Default: none. */
  webRoot?: string;
  /** Largest admin request body in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** Called with unexpected errors (answered as a bare 500). Default: printed to stderr. */
  onError?: (error: unknown) => void;
}

export const JWKS_PATHS: readonly string[] = ['/.well-known/jwks.json', '/jwks.json'];
const DISCOVERY = '/.well-known/openid-configuration';

function routeOf(path: string): string {
  if (JWKS_PATHS.includes(path)) return 'jwks';
  if (path === DISCOVERY) return 'openid-configuration';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return path.slice(1);
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin';
  return 'other';
}

export function createApp(manager: KeyManager, options: AppOptions = {}): Hono {
  return buildApp(manager, options).app;
}

/** The app with the parts the Node fast path shares with it (node.ts): the JWKS answers and the request counter. */
export interface BuiltApp {
  readonly app: Hono;
  readonly jwks: JWKSEndpoint;
  /** Requests by `route status` (e.g. `jwks 200`), rendered at /metrics. */
  readonly requests: Counter;
}

export function buildApp(manager: KeyManager, options: AppOptions = {}): BuiltApp {
  const app = new Hono();
  const requests = new Counter();

  const headers = Object.entries(options.headers ?? {});
  app.use('*', async (c, next) => {
    await next();
    for (const [name, value] of headers) c.res.headers.set(name, value);
    requests.inc(`${routeOf(c.req.path)} ${c.res.status}`);
  });

  const surface = options.surface ?? 'all';
  const isPublic = surface !== 'admin';
  const isAdmin = surface !== 'public';
  const jwks = new JWKSEndpoint(manager, {
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  if (isPublic) {
    for (const path of JWKS_PATHS) {
      app.get(path, (c) => {
        if (options.starting?.() && manager.publication().keys.length === 0) return startingResponse();
        return jwks.respond(c.req.raw);
      });
      app.options(path, () => preflight());
    }
  }

  if (isPublic && options.issuer !== undefined) {
    const issuer = options.issuer;
    const jwksUri = options.jwksUri ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
    app.get(DISCOVERY, () =>
      jsonResponse(
        200,
        {
          issuer,
          jwks_uri: jwksUri,
          id_token_signing_alg_values_supported: manager.policies
            .filter((p) => p.published)
            .map((p) => p.alg),
        },
        { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
      ),
    );
    app.options(DISCOVERY, () => preflight());
  }

  app.get('/healthz', () => jsonResponse(200, { status: 'ok' }));
  app.get('/readyz', () => {
    const health = manager.health();
    const starting = options.starting?.() === true;
    const ready = health.ready && !starting;
    // The public listener says whether and why not, but not where the store and the token are
    // (file inode, token label, serial and slot): that is for the operator's admin listener.
    const { storeId, custody, ...rest } = health;
    const shown = isAdmin ? health : { ...rest, custody: { kind: custody.kind } };
    return jsonResponse(ready ? 200 : 503, {
      status: ready ? 'ready' : starting ? 'starting: making the first keys' : 'not ready',
      ...shown,
      ...(starting ? { starting: true } : {}),
    });
  });
  if (isAdmin) {
    app.get('/metrics', () => {
      let text = renderMetrics(manager, requests);
      if (options.metrics) text += `${options.metrics().join('\n')}\n`;
      return new Response(text, {
        headers: { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' },
      });
    });
  }

  if (isAdmin && options.adminToken !== undefined && options.adminToken !== '') {
    app.route(
      '/admin',
      adminRoutes(manager, {
        ...options.admin,
        token: options.adminToken,
        ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      }),
    );
  } else {
    // No token, no admin API: answer as if it did not exist.
    app.all('/admin', () => notFound());
    app.all('/admin/*', () => notFound());
  }

  if (isPublic && options.webRoot !== undefined) {
    const web = webHandler(options.webRoot);
    app.get('*', async (c, next) => {
      const res = await web(c.req.raw);
      if (res) return res;
      await next();
    });
  }

  app.notFound(() => notFound());
  const report =
    options.onError ?? ((error: unknown) => console.error('jwkit server: internal error:', error));
  app.onError((error) => {
    const res = errorToResponse(error);
    if (res.status === 500) report(error);
    return res;
  });
  return { app, jwks, requests };
}

/** The JWKS while the first keys are made: not an empty set a cache could keep (RFC 9110 §15.6.4). */
function startingResponse(): Response {
  const res = errorResponse(
    503,
    'ERR_STARTING',
    'the server is making its first keys; try again in a few seconds',
  );
  res.headers.set('retry-after', '2');
  return res;
}

function notFound(): Response {
  return errorResponse(404, 'ERR_NOT_FOUND', 'no such endpoint; the JWK Set is at /.well-known/jwks.json');
}
