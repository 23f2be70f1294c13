/** JSON answers and the one mapping from error codes to HTTP statuses. */

import { JWKError, JWKitError, StoreError } from 'jwkit';
import { ServerConfigError } from '../errors.js';

const NO_STORE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(value)}\n`, { status, headers: { ...NO_STORE, ...headers } });
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  return jsonResponse(status, { error: { code, message, ...extra } });
}

const STATUS: Readonly<Record<string, number>> = Object.freeze({
  ERR_UNAUTHORIZED: 401,
  ERR_NOT_FOUND: 404,
  ERR_KEY_UNKNOWN: 404,
  ERR_KEY_EXISTS: 409,
  ERR_KEY_REVOKED: 409,
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_TOO_MANY_ATTEMPTS: 429,
  ERR_STARTING: 503,
  ERR_NO_SIGNING_KEY: 503,
});

/**
 * The response for an error thrown while handling a request: 4xx with the error's code and
 * message for a request the caller can fix, 503 when the store is unreachable, and a bare 500
 * (nothing internal revealed) for anything unexpected.
 */
export function errorToResponse(error: unknown): Response {
  if (error instanceof StoreError) return errorResponse(503, error.code, error.message);
  if (error instanceof ServerConfigError) return errorResponse(500, error.code, error.message);
  if (error instanceof JWKitError) {
    const extra = error instanceof JWKError ? { problems: error.problems } : {};
    return errorResponse(STATUS[error.code] ?? 400, error.code, error.message, extra);
  }
  return errorResponse(500, 'ERR_INTERNAL', 'internal error; see the server log');
}
