/**
 * Lints for a JWK Set as it is published: what a verifier fetching it will run into. These add
 * to the validator's problems (which, for a published set, already refuse private members, weak
 * keys and expired certificates) the things only a publisher can get wrong: missing
 * kid/alg/use, caching headers, content type, transport, and the discovery document.
 */

import type { JWK } from 'jwkit';
import { type Problem, problem } from 'jwkit';
import { isLoopback, parseCacheControl } from 'jwkit/internal';
import type { HttpReport } from './report.js';

/** A set fetched more rarely than this may hide a freshly published key for too long. */
export const MAX_REASONABLE_MAX_AGE = 86_400;

/** Missing members a verifier needs to pick the right key and pin its algorithm. */
export function keyLints(keys: readonly { jwk: JWK; path: string }[]): Problem[] {
  const out: Problem[] = [];
  for (const { jwk, path } of keys) {
    if (jwk.kid === undefined) {
      out.push(
        problem(
          'warning',
          'PUBLISHED_KID_MISSING',
          path,
          'the key has no "kid"; verifiers match a token\'s kid against it, so give every published key one (e.g. its thumbprint)',
          'RFC 7517 §4.5',
        ),
      );
    }
    if (jwk.alg === undefined) {
      out.push(
        problem(
          'warning',
          'PUBLISHED_ALG_MISSING',
          path,
          'the key has no "alg"; without it a verifier cannot pin the algorithm to the key, so set the one algorithm it signs with',
          'RFC 8725 §3.1',
        ),
      );
    }
    if (jwk.use === undefined && jwk.key_ops === undefined) {
      out.push(
        problem(
          'warning',
          'PUBLISHED_USE_MISSING',
          path,
          'the key has neither "use" nor "key_ops"; set "use": "sig" (or "enc") so it is not used for the other purpose',
          'RFC 7517 §4.2',
        ),
      );
    }
  }
  return out;
}

export function emptySetLint(count: number): Problem[] {
  return count > 0
    ? []
    : [
        problem(
          'warning',
          'PUBLISHED_SET_EMPTY',
          'keys',
          'the set publishes no usable key; no token can be verified with it',
          'RFC 7517 §5',
        ),
      ];
}

/** Transport, content type and caching of the response that carried the set (or discovery). */
export function httpLints(http: HttpReport, what: 'set' | 'discovery'): Problem[] {
  const out: Problem[] = [];
  const url = new URL(http.url);
  const at = what === 'set' ? 'http' : 'discovery.http';
  if (url.protocol !== 'https:') {
    out.push(
      problem(
        isLoopback(url) ? 'warning' : 'error',
        'HTTP_NOT_HTTPS',
        at,
        `${http.url} is served without TLS, so anyone on the path can swap the keys; serve it over https`,
        'RFC 8414 §2',
      ),
    );
  }
  const type = (http.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const allowed = what === 'set' ? ['application/jwk-set+json', 'application/json'] : ['application/json'];
  if (!allowed.includes(type)) {
    out.push(
      problem(
        'warning',
        'HTTP_CONTENT_TYPE',
        at,
        `Content-Type is ${http.contentType ? JSON.stringify(http.contentType) : 'missing'}; serve ${allowed.join(' or ')}`,
        what === 'set' ? 'RFC 7517 §8.5.2' : 'RFC 8414 §3.2',
      ),
    );
  }
  if (what === 'discovery') return out;

  const cc = parseCacheControl(http.cacheControl);
  if (http.cacheControl === undefined && http.expires === undefined) {
    out.push(
      problem(
        'warning',
        'HTTP_CACHE_HEADERS_MISSING',
        at,
        'no Cache-Control or Expires: every client guesses how long to keep the set; send Cache-Control: public, max-age=<seconds>',
        'RFC 9111 §4.2.2',
      ),
    );
  } else if (cc.noStore || cc.noCache) {
    out.push(
      problem(
        'warning',
        'HTTP_NOT_CACHEABLE',
        at,
        `Cache-Control ${JSON.stringify(http.cacheControl)} asks verifiers to refetch the set for every token; allow caching with max-age`,
        'RFC 9111 §5.2.2',
      ),
    );
  } else if (cc.maxAge !== undefined && cc.maxAge > MAX_REASONABLE_MAX_AGE) {
    out.push(
      problem(
        'warning',
        'HTTP_MAX_AGE_LONG',
        at,
        `max-age=${cc.maxAge} lets a verifier keep the set for ${Math.round(cc.maxAge / 3600)} h; a new key must then be published that long before it signs, so keep max-age at or below ${MAX_REASONABLE_MAX_AGE}`,
        'RFC 9111 §5.2.2.1',
      ),
    );
  }
  if (http.etag === undefined && http.lastModified === undefined) {
    out.push(
      problem(
        'warning',
        'HTTP_VALIDATOR_MISSING',
        at,
        'no ETag or Last-Modified: a client cannot revalidate cheaply and downloads the whole set each time; send an ETag',
        'RFC 9110 §8.8',
      ),
    );
  }
  return out;
}

/**
 * The issuer a discovery document at `url` must state (OpenID Connect Discovery §4.3,
 * RFC 8414 §3.3), or `undefined` when the URL has neither well-known form.
 */
export function expectedIssuer(url: URL): string | undefined {
  const oidc = '/.well-known/openid-configuration';
  if (url.pathname.endsWith(oidc)) return `${url.origin}${url.pathname.slice(0, -oidc.length)}`;
  const oauth = '/.well-known/oauth-authorization-server';
  if (url.pathname.startsWith(oauth)) return `${url.origin}${url.pathname.slice(oauth.length)}`;
  return undefined;
}

export function discoveryLints(url: URL, doc: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  const expected = expectedIssuer(url);
  const issuer = doc.issuer;
  if (typeof issuer !== 'string') {
    out.push(
      problem(
        'error',
        'DISCOVERY_ISSUER_MISSING',
        'discovery.issuer',
        'the discovery document has no "issuer" string',
        'RFC 8414 §2',
      ),
    );
  } else if (expected !== undefined && issuer.replace(/\/$/, '') !== expected.replace(/\/$/, '')) {
    out.push(
      problem(
        'error',
        'DISCOVERY_ISSUER_MISMATCH',
        'discovery.issuer',
        `"issuer" is ${JSON.stringify(issuer)} but the document was fetched for ${JSON.stringify(expected)}; clients must reject it, so make them identical`,
        'RFC 8414 §3.3',
      ),
    );
  }
  if (typeof doc.jwks_uri !== 'string') {
    out.push(
      problem(
        'error',
        'DISCOVERY_JWKS_URI_MISSING',
        'discovery.jwks_uri',
        'the discovery document has no "jwks_uri" string',
        'RFC 8414 §2',
      ),
    );
  }
  return out;
}
