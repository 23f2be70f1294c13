/**
 * Error codes of the remote JWK Set client (catalogue with causes and fixes in
 * docs/api/remote.md). Every error is a `RemoteJWKSError` (src/errors.ts); the ones raised by one
 * fetch are a `RemoteJWKSFetchError`, which also says which URL failed and with what status.
 */

import { RemoteJWKSError } from '../errors/index.js';

export const REMOTE_ERROR_CODES = [
  /** An option or URL given to the constructor is invalid. */
  'ERR_REMOTE_JWKS_OPTIONS',
  /** An http:// URL (or a redirect to one) that the `http` option does not allow. */
  'ERR_REMOTE_JWKS_INSECURE_URL',
  /**
   * `privateAddresses: 'refuse'`: the URL's host (or a redirect's) is or resolves to a loopback,
   * private, link-local or other non-public address.
   */
  'ERR_REMOTE_JWKS_PRIVATE_ADDRESS',
  /** A redirect that the `redirects` option does not allow, or too many of them. */
  'ERR_REMOTE_JWKS_REDIRECT',
  /** The whole request (headers and body) took longer than `timeout`. */
  'ERR_REMOTE_JWKS_TIMEOUT',
  /** `fetch` itself failed (DNS, connection refused, TLS, reset). */
  'ERR_REMOTE_JWKS_NETWORK',
  /** A status other than 200 (or 304 to a conditional request). */
  'ERR_REMOTE_JWKS_STATUS',
  /** The body (or its Content-Length) is larger than `maxBytes`. */
  'ERR_REMOTE_JWKS_TOO_LARGE',
  /** The body is not UTF-8 JSON holding a JWK Set. */
  'ERR_REMOTE_JWKS_INVALID',
  /** The set holds more keys than `maxKeys`. */
  'ERR_REMOTE_JWKS_TOO_MANY_KEYS',
  /** Every key of the set was invalid or dropped (private, symmetric). */
  'ERR_REMOTE_JWKS_NO_USABLE_KEYS',
  /** Every configured URL failed; `errors` holds one error per URL. */
  'ERR_REMOTE_JWKS_ALL_FAILED',
  /** No set to select from: never fetched successfully, or the stale bound has passed. */
  'ERR_REMOTE_JWKS_UNAVAILABLE',
  /** `importState` was given something that is not a valid exported state for these URLs. */
  'ERR_REMOTE_JWKS_STATE',
  /** The instance was used after `close()`. */
  'ERR_REMOTE_JWKS_CLOSED',
] as const;

export type RemoteErrorCode = (typeof REMOTE_ERROR_CODES)[number];

/** A failure of one fetch of one URL. */
export class RemoteJWKSFetchError extends RemoteJWKSError {
  /** The URL that failed (the redirect target when a redirect was refused). */
  readonly url: string;
  /** The HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** Seconds from a `Retry-After` header of a 429/503 response; lengthens the backoff. */
  readonly retryAfter: number | undefined;

  constructor(
    code: RemoteErrorCode,
    message: string,
    detail: { url: string; status?: number; retryAfter?: number; cause?: unknown },
  ) {
    super(code, message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.url = detail.url;
    this.status = detail.status;
    this.retryAfter = detail.retryAfter;
  }
}

/** Every URL of a multi-URL set failed. */
export class RemoteJWKSAllFailedError extends RemoteJWKSError {
  readonly errors: readonly RemoteJWKSError[];

  constructor(errors: readonly RemoteJWKSError[]) {
    super(
      'ERR_REMOTE_JWKS_ALL_FAILED',
      `all ${errors.length} JWK Set URLs failed: ${errors.map((e) => `${e.message} [${e.code}]`).join('; ')}`,
    );
    this.errors = errors;
  }
}

export function remoteError(code: RemoteErrorCode, message: string, cause?: unknown): RemoteJWKSError {
  return new RemoteJWKSError(code, message, cause === undefined ? undefined : { cause });
}
