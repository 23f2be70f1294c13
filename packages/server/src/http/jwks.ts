/**
 * The JWKS endpoint. Everything a response is made of is prepared once per change of the
 * published keys (the body, its strong ETag, its gzip and brotli forms) and, at most once a
 * second, the header sets of every answer (200 per coding, 304). Answering a request is a
 * comparison with the ETag, a lookup of the coding, and the prepared status, headers and bytes:
 * `JWKSEndpoint.answer`, used as is by the Node fast path (node.ts) and wrapped in a `Response`
 * for fetch-style runtimes.
 *
 * Caching: `max-age` comes from the key schedule (see schedule.ts `cacheLifetime`): a cache can
 * never hold a response past the moment a key it lacks starts signing, even counting the
 * `stale-while-revalidate` window. `ETag` + `If-None-Match` make revalidation a 304.
 */

import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { JWKSet } from 'jwkit';
import { strongETag } from 'jwkit/internal';
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
  const text = JSON.stringify(new JWKSet(publication.keys).toJSON());
  const body = Buffer.from(text, 'utf8');
  return {
    revision: publication.revision,
    // The same tag as `JWKSet.etag()`, without serializing the set a second time.
    etag: strongETag(text),
    // Copies in their own ArrayBuffers (a small Buffer may be a view of Node's shared pool).
    identity: new Uint8Array(body),
    gzip: new Uint8Array(gzipSync(body, { level: 9 })),
    // Brotli quality 5, not 11: a JWKS is mostly base64 of random numbers, so 11 saves about 1%
    // of the bytes and costs 2-4 ms (vs 0.1 ms) of the event loop at every key change.
    br: new Uint8Array(
      brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
    ),
  };
}

/** The Cache-Control value for a response served now. */
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

export type Coding = 'br' | 'gzip' | 'identity';

/** `br`, `gzip` or `identity`, the best coding `Accept-Encoding` allows (RFC 9110 §12.5.3). */
export function pickEncoding(header: string | null | undefined): Coding {
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

/** One prepared answer: shared by every request until the keys or the Cache-Control value change; never mutate. */
export interface JWKSAnswer {
  readonly status: 200 | 304;
  readonly headers: Readonly<Record<string, string>>;
  /** `null` for a 304. HEAD requests get the 200 headers; the runtime drops the body. */
  readonly body: Uint8Array<ArrayBuffer> | null;
}

interface Answers {
  readonly revision: number;
  readonly etag: string;
  readonly notModified: JWKSAnswer;
  readonly identity: JWKSAnswer;
  readonly gzip: JWKSAnswer;
  readonly br: JWKSAnswer;
}

export interface JWKSEndpointOptions {
  /** `jwk-set+json` (default, RFC 7517 §8.5) or `json` for clients that insist on application/json. */
  contentType?: 'jwk-set+json' | 'json';
  /** More headers on every answer, made part of the prepared header sets (e.g. `x-jwkit-worker`). */
  headers?: Readonly<Record<string, string>>;
}

/** Distinct `Accept-Encoding` values remembered; clients send a handful, so this is never reached in practice. */
const MAX_REMEMBERED_CODINGS = 64;

/** The answers of `GET`/`HEAD` on the JWKS, kept prepared for the manager's current publication. */
export class JWKSEndpoint {
  readonly #manager: KeyManager;
  readonly #contentType: string;
  readonly #headers: Readonly<Record<string, string>>;
  #prepared: PreparedJWKS | undefined;
  #answers: Answers | undefined;
  #answersAt = Number.NEGATIVE_INFINITY;
  readonly #codings = new Map<string, Coding>();

  constructor(manager: KeyManager, options: JWKSEndpointOptions = {}) {
    this.#manager = manager;
    this.#contentType = options.contentType === 'json' ? 'application/json' : 'application/jwk-set+json';
    this.#headers = options.headers ?? {};
  }

  /** The answer to a request with these `If-None-Match` and `Accept-Encoding` values. */
  answer(
    ifNoneMatchHeader: string | null | undefined,
    acceptEncoding: string | null | undefined,
  ): JWKSAnswer {
    const answers = this.#current();
    if (ifNoneMatchHeader && ifNoneMatch(ifNoneMatchHeader, answers.etag)) return answers.notModified;
    return answers[acceptEncoding ? this.#coding(acceptEncoding) : 'identity'];
  }

  /** The answer as a fetch `Response`. */
  respond(request: Request): Response {
    const a = this.answer(request.headers.get('if-none-match'), request.headers.get('accept-encoding'));
    return new Response(a.body, { status: a.status, headers: a.headers });
  }

  /** The prepared answers, rebuilt when the keys changed and at most once a second for Cache-Control. */
  #current(): Answers {
    const publication = this.#manager.publication();
    const now = this.#manager.clock.now();
    const answers = this.#answers;
    if (
      answers !== undefined &&
      answers.revision === publication.revision &&
      now - this.#answersAt < 1000 &&
      now >= this.#answersAt
    ) {
      return answers;
    }
    if (this.#prepared?.revision !== publication.revision) this.#prepared = prepareJWKS(publication);
    this.#answersAt = now;
    this.#answers = buildAnswers(
      this.#prepared,
      cacheControl(this.#manager),
      this.#contentType,
      this.#headers,
    );
    return this.#answers;
  }

  #coding(header: string): Coding {
    let coding = this.#codings.get(header);
    if (coding === undefined) {
      coding = pickEncoding(header);
      if (this.#codings.size < MAX_REMEMBERED_CODINGS) this.#codings.set(header, coding);
    }
    return coding;
  }
}

function buildAnswers(
  prepared: PreparedJWKS,
  control: string,
  contentType: string,
  headers: Readonly<Record<string, string>>,
): Answers {
  const common = {
    ...headers,
    etag: prepared.etag,
    'cache-control': control,
    vary: 'Accept-Encoding',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'ETag',
    'x-content-type-options': 'nosniff',
  };
  const ok = (coding: Coding): JWKSAnswer => {
    const body = prepared[coding];
    return Object.freeze({
      status: 200,
      headers: Object.freeze({
        ...common,
        'content-type': contentType,
        'content-length': String(body.length),
        ...(coding === 'identity' ? {} : { 'content-encoding': coding }),
      }),
      body,
    });
  };
  return {
    revision: prepared.revision,
    etag: prepared.etag,
    notModified: Object.freeze({ status: 304, headers: Object.freeze(common), body: null }),
    identity: ok('identity'),
    gzip: ok('gzip'),
    br: ok('br'),
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
