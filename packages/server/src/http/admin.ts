/**
 * The admin API under `/admin`, mounted only when an admin token is configured. Every request
 * needs `Authorization: Bearer <token>` (RFC 6750 §2.1), compared in constant time; every answer
 * is JSON (errors as `{ "error": { "code", "message" } }`) and is never cached.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { JWTPayload } from 'jwkit';
import { JWKitError, parseJSON } from 'jwkit';
import { assertKid } from 'jwkit/internal';
import type { KeyManager } from '../key-manager.js';
import type { Logger } from '../log.js';
import type { Counter } from '../stats.js';
import { errorResponse, jsonResponse } from './responses.js';

export interface AdminOptions {
  /** The bearer token, or a function giving the current one (re-read on SIGHUP). */
  token: string | (() => string);
  /** Largest accepted request body in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** Default `iss` of tokens from `POST /admin/sign`. */
  issuer?: string;
  /** Where refused logins and admin calls are logged. */
  log?: Logger;
  /** Backoff of repeated 401s per client; shared with the listener that owns it. Default: a new one. */
  backoff?: AuthBackoff;
  /** Tokens signed through `POST /admin/sign`, by alg (rendered at /metrics). */
  signed?: Counter;
  /** `GET /admin/audit`: the store's audit trail (store helper's API); absent: 404. */
  audit?: (query: { limit: number; after?: string; kid?: string }) => Promise<unknown[]>;
  /** Called for every admin call and every failed authentication (the audit trail records them). */
  onAdminEvent?: (event: {
    type: 'admin-call' | 'auth-failed';
    client: string;
    method: string;
    path: string;
    status?: number;
  }) => void;
}

/**
 * Per-client backoff of failed admin logins (issue 13.11: ~3,250 guesses/s were possible, none
 * logged). The first FREE failures of a client cost nothing; after that the client must wait
 * 2^(n-FREE) seconds (capped at MAX_WAIT) before its next attempt is even compared, and gets 429
 * with Retry-After meanwhile. A success resets the client. At most MAX_CLIENTS clients are
 * remembered (the oldest is forgotten), so the table cannot grow without bound.
 */
export class AuthBackoff {
  static readonly FREE = 5;
  static readonly MAX_WAIT_MS = 60_000;
  static readonly MAX_CLIENTS = 10_000;
  readonly #clients = new Map<string, { failures: number; until: number }>();
  /** Refused attempts: `401` (wrong token) and `429` (during a backoff). */
  readonly refused = new Map<'401' | '429', number>();
  /** `free`: failures before the backoff starts (Infinity turns it off, for tests that guess on purpose). */
  constructor(
    readonly now: () => number = Date.now,
    readonly free: number = AuthBackoff.FREE,
  ) {}

  /** Milliseconds `client` must still wait, 0 when it may try. */
  wait(client: string): number {
    const c = this.#clients.get(client);
    return c ? Math.max(0, c.until - this.now()) : 0;
  }

  fail(client: string): { failures: number; waitMs: number } {
    const c = this.#clients.get(client) ?? { failures: 0, until: 0 };
    this.#clients.delete(client);
    c.failures++;
    const waitMs =
      c.failures <= this.free
        ? 0
        : Math.min(AuthBackoff.MAX_WAIT_MS, 1000 * 2 ** (c.failures - this.free - 1));
    c.until = this.now() + waitMs;
    this.#clients.set(client, c);
    if (this.#clients.size > AuthBackoff.MAX_CLIENTS)
      this.#clients.delete(this.#clients.keys().next().value!);
    return { failures: c.failures, waitMs };
  }

  succeed(client: string): void {
    this.#clients.delete(client);
  }

  count(kind: '401' | '429'): void {
    this.refused.set(kind, (this.refused.get(kind) ?? 0) + 1);
  }
}

/** The remote address of the request's connection on Node (@hono/node-server puts it in `env.incoming`). */
export function clientOf(env: unknown): string {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Equal-length digests compared with timingSafeEqual: neither the token nor its length leaks through timing. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  return m?.[1];
}

/** Reads a JSON object body; an empty body is `{}`. Duplicate member names are refused (ambiguous input). */
async function body(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === '') return {};
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new JWKitError(
      'ERR_UNSUPPORTED_MEDIA_TYPE',
      'send the request body as JSON with Content-Type: application/json',
    );
  }
  let parsed: ReturnType<typeof parseJSON>;
  try {
    parsed = parseJSON(text, { maxDepth: 32 });
  } catch (e) {
    throw new JWKitError('ERR_BAD_REQUEST', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  const { value, problems } = parsed;
  const dup = problems.find((p) => p.severity === 'error');
  if (dup) throw new JWKitError('ERR_BAD_REQUEST', `request body: ${dup.path}: ${dup.message}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JWKitError('ERR_BAD_REQUEST', 'the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function optionalString(b: Record<string, unknown>, name: string): string | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new JWKitError('ERR_BAD_REQUEST', `"${name}" must be a string`);
  return v;
}

export function adminRoutes(manager: KeyManager, options: AdminOptions): Hono {
  const admin = new Hono();
  const limit = options.bodyLimit ?? 64 * 1024;
  const backoff = options.backoff ?? new AuthBackoff();
  const currentToken = typeof options.token === 'function' ? options.token : () => options.token as string;
  const log = options.log;

  admin.use('*', async (c, next) => {
    const client = clientOf(c.env);
    const wait = backoff.wait(client);
    if (wait > 0) {
      // Not even compared: a guesser gets one try per backoff interval.
      backoff.count('429');
      const res = errorResponse(
        429,
        'ERR_TOO_MANY_ATTEMPTS',
        `too many failed admin logins from this address; wait ${Math.ceil(wait / 1000)} s before the next attempt`,
      );
      res.headers.set('retry-after', String(Math.ceil(wait / 1000)));
      return res;
    }
    const token = bearer(c.req.header('authorization'));
    if (token === undefined || !tokenMatches(token, currentToken())) {
      const { failures, waitMs } = backoff.fail(client);
      backoff.count('401');
      log?.warn('admin authentication failed', {
        client,
        method: c.req.method,
        path: c.req.path,
        failures,
        backoffSeconds: waitMs / 1000,
      });
      options.onAdminEvent?.({
        type: 'auth-failed',
        client,
        method: c.req.method,
        path: c.req.path,
        status: 401,
      });
      const res = errorResponse(
        401,
        'ERR_UNAUTHORIZED',
        'send the admin token as: Authorization: Bearer <token>',
      );
      res.headers.set('www-authenticate', 'Bearer realm="jwkit admin"');
      return res;
    }
    backoff.succeed(client);
    await next();
    log?.info('admin call', { client, method: c.req.method, path: c.req.path, status: c.res.status });
    options.onAdminEvent?.({
      type: 'admin-call',
      client,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
    });
  });
  admin.use(
    '*',
    bodyLimit({
      maxSize: limit,
      onError: () =>
        errorResponse(413, 'ERR_BODY_TOO_LARGE', `the request body is larger than ${limit} bytes`),
    }),
  );

  admin.get('/keys', () => jsonResponse(200, { keys: manager.list() }));

  admin.post('/rotate', async (c) => {
    const alg = optionalString(await body(c.req.raw), 'alg');
    return jsonResponse(200, { rotated: await manager.rotate(alg, { actor: 'admin-api' }) });
  });

  admin.post('/keys', async (c) => {
    const b = await body(c.req.raw);
    const alg = optionalString(b, 'alg');
    const pem = optionalString(b, 'pem');
    if (b.activate !== undefined && typeof b.activate !== 'boolean') {
      throw new JWKitError('ERR_BAD_REQUEST', '"activate" must be true or false');
    }
    const activate = b.activate === true;
    if ((pem === undefined) === (b.jwk === undefined)) {
      throw new JWKitError(
        'ERR_BAD_REQUEST',
        'send exactly one of "jwk" (a private JWK) and "pem" (PEM text)',
      );
    }
    if (b.jwk !== undefined && b.jwk !== null && typeof b.jwk === 'object' && 'kid' in b.jwk) {
      assertKid((b.jwk as { kid: unknown }).kid, 'jwk.kid');
    }
    const input = pem !== undefined ? { pem } : { jwk: b.jwk as object };
    const key = await manager.importKey(input, {
      activate,
      actor: 'admin-api',
      ...(alg === undefined ? {} : { alg }),
    });
    return jsonResponse(201, { key });
  });

  admin.post('/keys/:kid/revoke', async (c) => {
    const kid = c.req.param('kid');
    assertKid(kid, 'path kid');
    return jsonResponse(200, { key: await manager.revoke(kid, { actor: 'admin-api' }) });
  });

  admin.get('/audit', async (c) => {
    if (!options.audit) return errorResponse(404, 'ERR_NOT_FOUND', 'this store keeps no audit trail');
    const limitText = c.req.query('limit');
    const n = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isSafeInteger(n) || n < 1 || n > 10_000) {
      throw new JWKitError('ERR_BAD_REQUEST', '"limit" must be a whole number from 1 to 10000');
    }
    const kid = c.req.query('kid');
    if (kid !== undefined) assertKid(kid, 'query kid');
    const after = c.req.query('after');
    const events = await options.audit({
      limit: n,
      ...(after === undefined ? {} : { after }),
      ...(kid === undefined ? {} : { kid }),
    });
    return jsonResponse(200, { events });
  });

  admin.post('/sign', async (c) => {
    const b = await body(c.req.raw);
    const claims = b.claims ?? {};
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new JWKitError('ERR_BAD_REQUEST', '"claims" must be a JSON object');
    }
    const expiresIn = b.expiresIn;
    if (expiresIn !== undefined && typeof expiresIn !== 'string' && typeof expiresIn !== 'number') {
      throw new JWKitError('ERR_BAD_REQUEST', '"expiresIn" must be seconds or a duration such as "15m"');
    }
    const alg = optionalString(b, 'alg');
    const token = await manager.sign(claims as JWTPayload, {
      ...(alg === undefined ? {} : { alg }),
      ...(expiresIn === undefined ? {} : { expiresIn }),
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    });
    options.signed?.inc(alg ?? manager.policies[0]!.alg);
    return jsonResponse(200, { token });
  });

  admin.all('*', () => errorResponse(404, 'ERR_NOT_FOUND', 'no such admin endpoint; see docs/api/server.md'));
  return admin;
}
