/**
 * Fetching what `jwkit inspect URL` lints: a JWK Set, or an issuer's discovery document and then
 * its `jwks_uri`. Uses the remote client's bounded fetch (deadline, byte cap, redirects checked
 * hop by hop); plain http is fetched, then reported, since linting is the point.
 *
 * Address policy (issue 13.12): the URL the user typed may be anything (it is their network);
 * every other target (a discovery document's `jwks_uri`, a redirect to another host) is a URL
 * chosen by whoever serves the document, so its host is resolved and refused when any address
 * is loopback, private, link-local or otherwise not public (`ERR_REMOTE_JWKS_PRIVATE_ADDRESS`),
 * unless `--allow-private`. Otherwise a third party's document could make the inspector read
 * internal services or the cloud metadata endpoint (169.254.169.254) and print them.
 */

import { fetchJWKS, systemClock, systemLookup } from 'jwkit/internal';
import { CLIError } from '../exit.js';
import { MAX_INPUT_BYTES } from '../io.js';
import { publicOnlyFetch } from './pinned-fetch.js';
import type { HttpReport } from './report.js';

export interface Fetched {
  url: URL;
  body: string;
  http: HttpReport;
}

/** Which targets may be fetched: `named` is the URL the user gave on the command line. */
export interface FetchPolicy {
  readonly named: URL;
  readonly allowPrivate: boolean;
}

const HINT =
  'it was not named on the command line, and jwkit inspect fetches private, loopback and link-local addresses only when you name them (inspect that URL directly, or pass --allow-private)';

function addressPolicy(policy: FetchPolicy) {
  if (policy.allowPrivate) return {};
  const lookup = systemLookup();
  if (lookup === undefined) throw new CLIError('ERR_CLI_INTERNAL', 'node:dns is not available');
  const named = (u: URL) => u.host === policy.named.host;
  // Checked twice: fetchJWKS resolves each hop before its request, and the connection itself
  // only goes to public addresses (no window for DNS rebinding between the two).
  const pinned = publicOnlyFetch(HINT);
  return {
    addresses: { lookup, allowHost: named, hint: HINT },
    fetch: (u: string, init: RequestInit) => (named(new URL(u)) ? fetch(u, init) : pinned(u, init)),
  };
}

export async function fetchDocument(url: URL, timeout: number, policy: FetchPolicy): Promise<Fetched> {
  const res = await fetchJWKS({
    url,
    fetch: (u, init) => fetch(u, init),
    ...addressPolicy(policy),
    headers: { 'user-agent': 'jwkit-inspect' },
    etag: undefined,
    timeout,
    maxBytes: MAX_INPUT_BYTES,
    http: 'allow',
    redirects: 'any',
    clock: systemClock,
    signal: new AbortController().signal,
  });
  if (res.status !== 200) throw new Error('unreachable: no conditional request was sent');
  const h = res.headers;
  const http: HttpReport = { url: res.url.href, status: res.status };
  const set = (key: keyof HttpReport, name: string) => {
    const v = h.get(name);
    if (v !== null) (http as unknown as Record<string, string>)[key] = v;
  };
  set('contentType', 'content-type');
  set('cacheControl', 'cache-control');
  set('expires', 'expires');
  set('etag', 'etag');
  set('lastModified', 'last-modified');
  set('age', 'age');
  return { url: res.url, body: res.body.charCodeAt(0) === 0xfeff ? res.body.slice(1) : res.body, http };
}

/** The discovery URL for an issuer URL given without a well-known path (OIDC Discovery §4). */
export function discoveryURL(issuer: URL): URL | undefined {
  if (issuer.pathname.includes('/.well-known/')) return undefined;
  return new URL(`${issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration`);
}

/**
 * The usual JWK Set location for a URL given without a well-known path: `<url>/.well-known/jwks.json`
 * (what `jwkit serve` and many issuers publish; there is no discovery document to say so).
 */
export function wellKnownJWKSURL(base: URL): URL | undefined {
  if (base.pathname.includes('/.well-known/')) return undefined;
  return new URL(`${base.origin}${base.pathname.replace(/\/$/, '')}/.well-known/jwks.json`);
}
