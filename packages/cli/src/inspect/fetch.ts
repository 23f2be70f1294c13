/**
 * Fetching what `jwkit inspect URL` lints: a JWK Set, or an issuer's discovery document and then
 * its `jwks_uri`. Uses the remote client's bounded fetch (deadline, byte cap, redirects checked
 * hop by hop); plain http is fetched, then reported, since linting is the point.
 */

import { fetchJWKS, systemClock } from 'jwkit/internal';
import { MAX_INPUT_BYTES } from '../io.js';
import type { HttpReport } from './report.js';

export interface Fetched {
  url: URL;
  body: string;
  http: HttpReport;
}

export async function fetchDocument(url: URL, timeout: number): Promise<Fetched> {
  const res = await fetchJWKS({
    url,
    fetch: (u, init) => fetch(u, init),
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
