/**
 * One bounded GET of a JWK Set: a deadline over the whole exchange (headers and body), a byte
 * cap enforced while the body streams in, redirects followed by hand under a policy, and a
 * conditional request when an ETag is known (RFC 9110 §13.1.2). Nothing here knows about keys.
 */

import { JWKitError } from '../errors/index.js';
import { type LookupFunction, privateAddressOf } from './address-policy.js';
import { parseRetryAfter } from './cache-policy.js';
import type { Clock } from './clock.js';
import { type RemoteErrorCode, RemoteJWKSFetchError, remoteError } from './errors.js';
import { type HttpPolicy, type RedirectPolicy, redirectProblem, transportProblem } from './url-policy.js';

/** The subset of `fetch` RemoteJWKSet calls; the global `fetch` fits, and so do wrappers of it. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface FetchJWKSRequest {
  url: URL;
  fetch: FetchLike;
  headers: Readonly<Record<string, string>>;
  /** Sent as `If-None-Match` (RFC 9110 §13.1.2). */
  etag: string | undefined;
  timeout: number;
  maxBytes: number;
  http: HttpPolicy;
  redirects: RedirectPolicy;
  /**
   * When set, the host of the URL and of every redirect is resolved with it and refused
   * (`ERR_REMOTE_JWKS_PRIVATE_ADDRESS`) if any address is not public. `allowHost`, when set,
   * names a host that is exempt (the one a user typed: they may mean their own network).
   */
  addresses?: { lookup: LookupFunction; allowHost?: (url: URL) => boolean; hint?: string };
  clock: Clock;
  /** Aborts the request when the RemoteJWKSet is closed. */
  signal: AbortSignal;
}

export type FetchJWKSResult =
  | { readonly status: 200; readonly url: URL; readonly headers: Headers; readonly body: string }
  | { readonly status: 304; readonly url: URL; readonly headers: Headers };

/** Redirects are followed by hand so that every hop is checked against the policies. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ACCEPT = 'application/jwk-set+json, application/json;q=0.9, */*;q=0.1';

/**
 * RemoteJWKSet is the cache (Cache-Control, ETag, refetch on an unknown kid): a fetch it makes
 * must reach the origin, never a browser's HTTP cache, which would answer a refetch for a new
 * kid with the set that lacks it (Fetch standard §4.5 "HTTP-network-or-cache fetch"). Only
 * browsers (a window or a web worker) have such a cache; the option is left out elsewhere
 * because some fetch implementations (Cloudflare workerd without its compatibility flag) throw
 * on a `cache` member they do not implement.
 */
const CACHE_MODE: Pick<RequestInit, 'cache'> =
  typeof (globalThis as { document?: unknown }).document === 'object' ||
  typeof (globalThis as { importScripts?: unknown }).importScripts === 'function'
    ? { cache: 'no-store' }
    : {};

export async function fetchJWKS(req: FetchJWKSRequest): Promise<FetchJWKSResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = req.clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, req.timeout);
  const onClose = () => controller.abort();
  req.signal.addEventListener('abort', onClose, { once: true });
  try {
    return await fetchFollowing(req, controller.signal);
  } catch (cause) {
    if (req.signal.aborted)
      throw remoteError('ERR_REMOTE_JWKS_CLOSED', 'the RemoteJWKSet was closed during a fetch');
    if (timedOut) {
      throw fail(
        'ERR_REMOTE_JWKS_TIMEOUT',
        req.url,
        `no complete response within ${req.timeout} ms; raise the timeout option if the server is slow`,
      );
    }
    if (cause instanceof JWKitError) throw cause;
    throw new RemoteJWKSFetchError(
      'ERR_REMOTE_JWKS_NETWORK',
      `${req.url.href}: fetch failed (${describe(cause)})`,
      { url: req.url.href, cause },
    );
  } finally {
    req.clock.clearTimeout(timer);
    req.signal.removeEventListener('abort', onClose);
    // Tears down whatever is still open (a refused redirect's or an oversized body's stream).
    controller.abort();
  }
}

async function fetchFollowing(req: FetchJWKSRequest, signal: AbortSignal): Promise<FetchJWKSResult> {
  const headers = new Headers(req.headers);
  headers.set('accept', ACCEPT);
  if (req.etag !== undefined) headers.set('if-none-match', req.etag);
  let url = req.url;
  for (let hops = 0; ; hops++) {
    await checkAddresses(url, req, signal);
    let res = await abortable(
      req.fetch(url.href, { method: 'GET', headers, redirect: 'manual', signal, ...CACHE_MODE }),
      signal,
    );
    if (res.type === 'opaqueredirect') {
      // Browsers hide a manual redirect's Location; let fetch follow and check where it ended.
      const refusal = redirectProblem(url, url, req.redirects);
      if (refusal) throw fail('ERR_REMOTE_JWKS_REDIRECT', url, refusal);
      res = await abortable(
        req.fetch(url.href, { method: 'GET', headers, redirect: 'follow', signal, ...CACHE_MODE }),
        signal,
      );
      const final = new URL(res.url || url.href);
      checkHop(url, final, req);
      url = final;
    }
    if (REDIRECT_STATUSES.has(res.status)) {
      const location = res.headers.get('location');
      if (location === null)
        throw fail(
          'ERR_REMOTE_JWKS_STATUS',
          url,
          `status ${res.status} without a Location header`,
          res.status,
        );
      const next = new URL(location, url);
      checkHop(url, next, req);
      if (hops >= MAX_REDIRECTS)
        throw fail(
          'ERR_REMOTE_JWKS_REDIRECT',
          url,
          `more than ${MAX_REDIRECTS} redirects; configure the final URL`,
        );
      discard(res);
      url = next;
      continue;
    }
    if (res.status === 304 && req.etag !== undefined) {
      discard(res);
      return { status: 304, url, headers: res.headers };
    }
    if (res.status !== 200) {
      discard(res);
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'), req.clock.now());
      throw new RemoteJWKSFetchError(
        'ERR_REMOTE_JWKS_STATUS',
        `${url.href}: status ${res.status}, expected 200`,
        {
          url: url.href,
          status: res.status,
          ...(retryAfter === undefined ? {} : { retryAfter }),
        },
      );
    }
    const length = Number(res.headers.get('content-length') ?? Number.NaN);
    if (length > req.maxBytes) {
      throw fail(
        'ERR_REMOTE_JWKS_TOO_LARGE',
        url,
        `Content-Length ${length} exceeds maxBytes (${req.maxBytes})`,
        200,
      );
    }
    const body = await readCapped(res, req.maxBytes, signal, url);
    return { status: 200, url, headers: res.headers, body };
  }
}

/** `req.addresses`: refuses a host that is, or resolves to, a non-public address (SSRF). */
async function checkAddresses(url: URL, req: FetchJWKSRequest, signal: AbortSignal): Promise<void> {
  const policy = req.addresses;
  if (policy === undefined || policy.allowHost?.(url)) return;
  const found = await abortable(privateAddressOf(url, policy.lookup), signal);
  if (found === undefined) return;
  const via =
    found.address === url.hostname.replace(/^\[|\]$/g, '') ? '' : ` resolves to ${found.address}, which`;
  throw fail(
    'ERR_REMOTE_JWKS_PRIVATE_ADDRESS',
    url,
    `${found.host}${via} is a ${found.kind} address; ${policy.hint ?? "privateAddresses: 'refuse' fetches from public addresses only"}`,
  );
}

function checkHop(from: URL, to: URL, req: FetchJWKSRequest): void {
  if (from.href === to.href) return;
  const refusal = redirectProblem(from, to, req.redirects);
  if (refusal) throw fail('ERR_REMOTE_JWKS_REDIRECT', to, `redirect from ${from.href}: ${refusal}`);
  const insecure = transportProblem(to, req.http);
  if (insecure) throw fail('ERR_REMOTE_JWKS_INSECURE_URL', to, `redirect from ${from.href}: ${insecure}`);
}

/** Reads the body, failing as soon as it passes `maxBytes` (a Content-Length can lie or be absent). */
async function readCapped(res: Response, maxBytes: number, signal: AbortSignal, url: URL): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), signal);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes)
        throw fail('ERR_REMOTE_JWKS_TOO_LARGE', url, `body exceeds maxBytes (${maxBytes})`, 200);
      chunks.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    throw err;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    // RFC 8259 §8.1: JSON exchanged between systems is UTF-8; a leading BOM is dropped.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new RemoteJWKSFetchError('ERR_REMOTE_JWKS_INVALID', `${url.href}: the body is not valid UTF-8`, {
      url: url.href,
      status: 200,
      cause,
    });
  }
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (a custom fetch may ignore it). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function discard(res: Response): void {
  res.body?.cancel().catch(() => {});
}

function fail(code: RemoteErrorCode, url: URL, message: string, status?: number): RemoteJWKSFetchError {
  return new RemoteJWKSFetchError(code, `${url.href}: ${message}`, {
    url: url.href,
    ...(status === undefined ? {} : { status }),
  });
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
