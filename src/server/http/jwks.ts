/**
 * The JWKS endpoint. The body, its strong ETag and its gzip and brotli forms are prepared once
 * per change of the published keys; a request only picks a prepared form and sets the headers.
 *
 * Caching: `max-age` comes from the key schedule (see schedule.ts `cacheLifetime`): a cache can
 * never hold a response past the moment a key it lacks starts signing, even counting the
 * `stale-while-revalidate` window. `ETag` + `If-None-Match` make revalidation a 304.
 */

import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { JWKSet } from '../../set/jwk-set.js';
import type { KeyManager, Publication } from '../key-manager.js';

export interface PreparedJWKS {
  readonly revision: number;
  readonly etag: string;
  readonly identity: Uint8Array<ArrayBuffer>;
  readonly gzip: Uint8Array<ArrayBuffer>;
  readonly br: Uint8Array<ArrayBuffer>;
}

/** Serializes a publication through `JWKSet` (public members only, oct keys left out) and compresses it. */
export function prepareJWKS(publication: Publication): PreparedJWKS {
  const set = new JWKSet(publication.keys);
  const body = Buffer.from(JSON.stringify(set.toJSON()), 'utf8');
  return {
    revision: publication.revision,
    etag: set.etag(),
    // Copies in their own ArrayBuffers (a small Buffer may be a view of Node's shared pool).
    identity: new Uint8Array(body),
    gzip: new Uint8Array(gzipSync(body, { level: 9 })),
    br: new Uint8Array(
      brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
    ),
  };
}

/** The Cache-Control value for a response served now; recomputed at most once a second. */
export function cacheControl(manager: KeyManager): string {
  const { maxAge, staleWhileRevalidate } = manager.cacheLifetime();
  if (maxAge === 0 && staleWhileRevalidate === 0) return 'public, max-age=0, must-revalidate';
  return staleWhileRevalidate > 0
    ? `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}`
    : `public, max-age=${maxAge}`;
}

/** True when an `If-None-Match` value matches `etag` (RFC 9110 §13.1.2: weak comparison, `*` matches). */
export function ifNoneMatch(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = etag.replace(/^W\//, '');
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || tag.replace(/^W\//, '') === opaque) return true;
  }
  return false;
}

/** `br`, `gzip` or `identity`, the best coding `Accept-Encoding` allows (RFC 9110 §12.5.3). */
export function pickEncoding(header: string | null | undefined): 'br' | 'gzip' | 'identity' {
  if (!header) return 'identity';
  let br = false;
  let gzip = false;
  let star = false;
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (name === 'br') br = true;
    else if (name === 'gzip' || name === 'x-gzip') gzip = true;
    else if (name === '*') star = true;
  }
  return br || star ? 'br' : gzip ? 'gzip' : 'identity';
}

export interface JWKSHandlerOptions {
  /** `jwk-set+json` (default, RFC 7517 §8.5) or `json` for clients that insist on application/json. */
  contentType?: 'jwk-set+json' | 'json';
}

/** A `Request -> Response` handler for GET and HEAD of the JWKS. */
export function jwksHandler(
  manager: KeyManager,
  options: JWKSHandlerOptions = {},
): (request: Request) => Response {
  const contentType = options.contentType === 'json' ? 'application/json' : 'application/jwk-set+json';
  let prepared: PreparedJWKS | undefined;
  let control = '';
  let controlAt = Number.NEGATIVE_INFINITY;
  let controlRevision = -1;
  return (request) => {
    const publication = manager.publication();
    if (prepared?.revision !== publication.revision) prepared = prepareJWKS(publication);
    const now = manager.clock.now();
    if (now - controlAt >= 1000 || now < controlAt || controlRevision !== prepared.revision) {
      control = cacheControl(manager);
      controlAt = now;
      controlRevision = prepared.revision;
    }
    const headers: Record<string, string> = {
      etag: prepared.etag,
      'cache-control': control,
      vary: 'Accept-Encoding',
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'ETag',
      'x-content-type-options': 'nosniff',
    };
    if (ifNoneMatch(request.headers.get('if-none-match'), prepared.etag)) {
      return new Response(null, { status: 304, headers });
    }
    const encoding = pickEncoding(request.headers.get('accept-encoding'));
    const body = prepared[encoding];
    headers['content-type'] = contentType;
    headers['content-length'] = String(body.length);
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    return new Response(body, { status: 200, headers });
  };
}

/** The CORS preflight answer for the public endpoints (If-None-Match is not a CORS-safelisted header). */
export function preflight(): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': 'If-None-Match, Cache-Control',
      'access-control-max-age': '86400',
    },
  });
}
