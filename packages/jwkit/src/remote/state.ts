/**
 * The cache state a RemoteJWKSet can hand to the next instance (a serverless cold start, a
 * worker restart): the accepted public keys, where and when they were fetched, and what HTTP
 * said about their freshness. It is plain JSON. Import treats it as untrusted input: the shape,
 * the URL and the times are checked and the keys go through the same validation as a fetch.
 */

import type { PublicJWK } from '../jwk/model.js';
import type { CacheHeaders } from './cache-policy.js';
import { remoteError } from './errors.js';

export interface RemoteJWKSState {
  readonly version: 1;
  /** The configured URL that served the keys. */
  readonly url: string;
  readonly jwks: { readonly keys: readonly PublicJWK[] };
  readonly etag?: string;
  readonly cacheHeaders: CacheHeaders;
  /** Epoch milliseconds of the last 200 or 304. */
  readonly fetchedAt: number;
  /** Epoch milliseconds at which the keys stop being fresh. */
  readonly expiresAt: number;
}

/** A state's metadata once checked; the keys are still to be validated by the caller. */
export interface CheckedState {
  readonly url: string;
  readonly keys: object;
  readonly etag: string | undefined;
  readonly cacheHeaders: CacheHeaders;
  readonly fetchedAt: number;
  readonly expiresAt: number;
}

/** Clock skew tolerated between the instance that exported a state and the one importing it. */
export const MAX_CLOCK_SKEW = 60_000;

export function checkState(
  input: unknown,
  urls: readonly string[],
  limits: { readonly maxTtl: number },
  now: number,
): CheckedState {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) invalid('it is not an object');
  // Snapshot untrusted input; only own, plain data members are read.
  const s = { ...(input as Record<string, unknown>) };
  if (s.version !== 1) invalid(`version ${JSON.stringify(s.version)} is not supported (expected 1)`);
  if (typeof s.url !== 'string' || !urls.includes(s.url)) {
    invalid(`its url ${JSON.stringify(s.url)} is not one of this set's URLs (${urls.join(', ')})`);
  }
  const jwks = s.jwks;
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    invalid('jwks must be a JWK Set object with a keys array');
  }
  if (s.etag !== undefined && typeof s.etag !== 'string') invalid('etag must be a string');
  const headers = s.cacheHeaders;
  if (typeof headers !== 'object' || headers === null) invalid('cacheHeaders must be an object');
  const { cacheControl, expires } = headers as Record<string, unknown>;
  if (cacheControl !== undefined && typeof cacheControl !== 'string')
    invalid('cacheHeaders.cacheControl must be a string');
  if (expires !== undefined && typeof expires !== 'string') invalid('cacheHeaders.expires must be a string');
  const { fetchedAt, expiresAt } = s;
  if (!isTime(fetchedAt) || !isTime(expiresAt)) invalid('fetchedAt and expiresAt must be epoch milliseconds');
  if (fetchedAt > now + MAX_CLOCK_SKEW) invalid(`fetchedAt is ${fetchedAt - now} ms in the future`);
  if (expiresAt < fetchedAt || expiresAt - fetchedAt > limits.maxTtl) {
    invalid(`expiresAt must lie between fetchedAt and fetchedAt + maxTtl (${limits.maxTtl} ms)`);
  }
  return {
    url: s.url,
    keys: jwks as object,
    etag: s.etag,
    cacheHeaders: {
      ...(cacheControl === undefined ? {} : { cacheControl }),
      ...(expires === undefined ? {} : { expires }),
    },
    fetchedAt,
    expiresAt,
  };
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function invalid(why: string): never {
  throw remoteError(
    'ERR_REMOTE_JWKS_STATE',
    `cannot import the RemoteJWKSet state: ${why}; export it again with exportState()`,
  );
}
