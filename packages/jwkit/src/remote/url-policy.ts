/**
 * Which URLs a RemoteJWKSet may fetch, and which redirects it may follow. A JWK Set decides
 * which signatures are trusted, so it must come over an authenticated channel: https, or
 * loopback (where no network attacker sits between client and server).
 */

import { remoteError } from './errors.js';

/**
 * - `'refuse'`: https only;
 * - `'loopback'` (default): https, plus http to `localhost`, `127.0.0.1` or `[::1]`;
 * - `'allow'`: any http URL (a network attacker can then substitute the keys).
 */
export type HttpPolicy = 'refuse' | 'loopback' | 'allow';

/**
 * - `'refuse'` (default): a 3xx response is a failure;
 * - `'same-origin'`: follow redirects that keep scheme, host and port;
 * - `'any'`: follow redirects to other origins too.
 * https -> http is refused under every policy.
 */
export type RedirectPolicy = 'refuse' | 'same-origin' | 'any';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** Why `url` may not be fetched under `http`, or `undefined` when it may. */
export function transportProblem(url: URL, http: HttpPolicy): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `${url.protocol} URLs cannot serve a JWK Set; use https`;
  if (http === 'allow' || (http === 'loopback' && isLoopback(url))) return undefined;
  return http === 'loopback'
    ? `http is allowed for localhost, 127.0.0.1 and [::1] only; use https, or set http: 'allow' if a network attacker cannot reach this link`
    : `http is refused (http: 'refuse'); use https`;
}

/** Parses and checks one configured URL; throws `RemoteJWKSError` at construction time. */
export function parseSourceURL(input: unknown, http: HttpPolicy): URL {
  let url: URL;
  try {
    if (typeof input !== 'string' && !(input instanceof URL)) throw new TypeError('not a string or URL');
    url = new URL(input);
  } catch (cause) {
    throw remoteError(
      'ERR_REMOTE_JWKS_OPTIONS',
      `${String(input)} is not an absolute URL; pass e.g. https://issuer.example/.well-known/jwks.json`,
      cause,
    );
  }
  if (url.username || url.password) {
    // The URL shows up in events and errors (and so in logs); credentials belong in `headers`.
    throw remoteError(
      'ERR_REMOTE_JWKS_OPTIONS',
      `${url.origin}: credentials in the URL would end up in logs; pass them in the headers option`,
    );
  }
  const problem = transportProblem(url, http);
  if (problem) throw remoteError('ERR_REMOTE_JWKS_INSECURE_URL', `${url.href}: ${problem}`);
  return url;
}

/** Why the redirect `from` -> `to` may not be followed, or `undefined` when it may. */
export function redirectProblem(from: URL, to: URL, policy: RedirectPolicy): string | undefined {
  if (policy === 'refuse')
    return `redirects are refused (redirects: 'refuse'); configure the final URL, or set redirects: 'same-origin'`;
  if (from.protocol === 'https:' && to.protocol !== 'https:')
    return `refusing a redirect from https to ${to.protocol}`;
  if (policy === 'same-origin' && from.origin !== to.origin) {
    return `refusing a cross-origin redirect (redirects: 'same-origin'); configure the final URL, or set redirects: 'any'`;
  }
  return undefined;
}
