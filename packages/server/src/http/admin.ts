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
import type { KeyManager } from '../key-manager.js';
import { errorResponse, jsonResponse } from './responses.js';

export interface AdminOptions {
  token: string;
  /** Largest accepted request body in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** Default `iss` of tokens from `POST /admin/sign`. */
  issuer?: string;
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

  admin.use('*', async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (token === undefined || !tokenMatches(token, options.token)) {
      const res = errorResponse(
        401,
        'ERR_UNAUTHORIZED',
        'send the admin token as: Authorization: Bearer <token>',
      );
      res.headers.set('www-authenticate', 'Bearer realm="jwkit admin"');
      return res;
    }
    await next();
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
    return jsonResponse(200, { rotated: await manager.rotate(alg) });
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
    const input = pem !== undefined ? { pem } : { jwk: b.jwk as object };
    const key = await manager.importKey(input, alg === undefined ? { activate } : { alg, activate });
    return jsonResponse(201, { key });
  });

  admin.post('/keys/:kid/revoke', async (c) =>
    jsonResponse(200, { key: await manager.revoke(c.req.param('kid')) }),
  );

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
    return jsonResponse(200, { token });
  });

  admin.all('*', () => errorResponse(404, 'ERR_NOT_FOUND', 'no such admin endpoint; see docs/api/server.md'));
  return admin;
}
