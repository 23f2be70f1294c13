/** The bounded fetch against a real HTTP server on 127.0.0.1. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteJWKSError } from '../../src/errors/index.js';
import { systemClock } from '../../src/remote/clock.js';
import { RemoteJWKSFetchError } from '../../src/remote/errors.js';
import { type FetchJWKSRequest, fetchJWKS } from '../../src/remote/fetch-jwks.js';
import { gate, JWKSServer, sendJSON } from './helpers/jwks-server.js';

let server: JWKSServer;
beforeEach(async () => {
  server = await JWKSServer.start();
});
afterEach(async () => {
  await server.close();
});

function request(overrides: Partial<FetchJWKSRequest> = {}): FetchJWKSRequest {
  return {
    url: new URL(server.url()),
    fetch: (url, init) => fetch(url, init),
    headers: {},
    etag: undefined,
    timeout: 5_000,
    maxBytes: 1024,
    http: 'loopback',
    redirects: 'refuse',
    clock: systemClock,
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function failure(req: FetchJWKSRequest): Promise<RemoteJWKSFetchError> {
  const err = await fetchJWKS(req).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteJWKSFetchError);
  return err as RemoteJWKSFetchError;
}

/** Resolves when the server sees the client drop the connection of the current response. */
function clientHangUp(res: import('node:http').ServerResponse): Promise<void> {
  return new Promise((resolve) => res.on('close', () => resolve()));
}

describe('fetchJWKS', () => {
  it('returns a 200 body with its headers and asks for JWK Set JSON', async () => {
    server.handler = (_req, res) =>
      sendJSON(res, { keys: [] }, { 'cache-control': 'max-age=60', etag: '"v1"' });
    const res = await fetchJWKS(request({ headers: { 'user-agent': 'jwkit-test' } }));
    expect(res.status).toBe(200);
    expect(res.status === 200 && JSON.parse(res.body)).toEqual({ keys: [] });
    expect(res.headers.get('etag')).toBe('"v1"');
    expect(server.requests[0]?.headers.accept).toMatch(/^application\/jwk-set\+json/);
    expect(server.requests[0]?.headers['user-agent']).toBe('jwkit-test');
    expect(server.requests[0]?.headers['if-none-match']).toBeUndefined();
  });

  it('sends If-None-Match and reports 304', async () => {
    server.handler = (req, res) => res.writeHead(req.headers['if-none-match'] === '"v1"' ? 304 : 200).end();
    const res = await fetchJWKS(request({ etag: '"v1"' }));
    expect(res.status).toBe(304);
  });

  it('treats a 304 to an unconditional request as a bad status', async () => {
    server.handler = (_req, res) => res.writeHead(304).end();
    expect((await failure(request())).code).toBe('ERR_REMOTE_JWKS_STATUS');
  });

  it('reports a 5xx with its status and Retry-After', async () => {
    server.handler = (_req, res) => res.writeHead(503, { 'retry-after': '120' }).end('down');
    const err = await failure(request());
    expect(err.code).toBe('ERR_REMOTE_JWKS_STATUS');
    expect(err.status).toBe(503);
    expect(err.retryAfter).toBe(120);
    expect(err.url).toBe(server.url());
  });

  it('times out when the server never answers', async () => {
    const hold = gate();
    server.handler = () => hold.promise;
    const err = await failure(request({ timeout: 200 }));
    expect(err.code).toBe('ERR_REMOTE_JWKS_TIMEOUT');
    hold.open();
  });

  it('times out a slow-loris body dripping a byte at a time, and hangs up', async () => {
    let hungUp: Promise<void> | undefined;
    server.handler = (_req, res) => {
      hungUp = clientHangUp(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const drip = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(drip));
    };
    const err = await failure(request({ timeout: 300 }));
    expect(err.code).toBe('ERR_REMOTE_JWKS_TIMEOUT');
    await hungUp;
  });

  it('refuses a Content-Length over maxBytes without reading the body', async () => {
    server.handler = (_req, res) => sendJSON(res, { keys: [], pad: 'x'.repeat(2048) });
    const err = await failure(request());
    expect(err.code).toBe('ERR_REMOTE_JWKS_TOO_LARGE');
    expect(err.message).toMatch(/Content-Length/);
  });

  it('stops reading a chunked body at maxBytes, and hangs up', async () => {
    let hungUp: Promise<void> | undefined;
    server.handler = (_req, res) => {
      hungUp = clientHangUp(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      const flood = setInterval(() => res.write('x'.repeat(256)), 1);
      res.on('close', () => clearInterval(flood));
    };
    const err = await failure(request());
    expect(err.code).toBe('ERR_REMOTE_JWKS_TOO_LARGE');
    expect(err.message).toMatch(/body exceeds maxBytes \(1024\)/);
    await hungUp;
  });

  it('accepts a chunked body of exactly maxBytes and refuses one byte more', async () => {
    const body = `{"keys":[],"p":"${'x'.repeat(1024 - 18)}"}`;
    expect(body.length).toBe(1024);
    let extra = '';
    server.handler = (_req, res) => {
      res.writeHead(200);
      res.write(body.slice(0, 500));
      res.end(body.slice(500) + extra);
    };
    const res = await fetchJWKS(request());
    expect(res.status === 200 && res.body).toBe(body);
    extra = ' ';
    expect((await failure(request())).code).toBe('ERR_REMOTE_JWKS_TOO_LARGE');
  });

  it('rejects a body that is not UTF-8', async () => {
    server.handler = (_req, res) => res.writeHead(200).end(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect((await failure(request())).code).toBe('ERR_REMOTE_JWKS_INVALID');
  });

  it('refuses redirects by default and never requests the target', async () => {
    server.handler = (req, res) => {
      if (req.url === '/jwks.json') res.writeHead(302, { location: '/elsewhere' }).end();
      else sendJSON(res, { keys: [] });
    };
    const err = await failure(request());
    expect(err.code).toBe('ERR_REMOTE_JWKS_REDIRECT');
    expect(server.count('/elsewhere')).toBe(0);
  });

  it('follows a same-origin redirect under redirects: same-origin', async () => {
    server.handler = (req, res) => {
      if (req.url === '/jwks.json') res.writeHead(301, { location: '/v2/jwks.json' }).end();
      else sendJSON(res, { keys: [] });
    };
    const res = await fetchJWKS(request({ redirects: 'same-origin' }));
    expect(res.status).toBe(200);
    expect(res.url.href).toBe(server.url('/v2/jwks.json'));
  });

  it('refuses a cross-origin redirect under same-origin and follows it under any', async () => {
    const other = await JWKSServer.start((_req, res) => sendJSON(res, { keys: [] }));
    try {
      server.handler = (_req, res) => res.writeHead(307, { location: other.url() }).end();
      expect((await failure(request({ redirects: 'same-origin' }))).code).toBe('ERR_REMOTE_JWKS_REDIRECT');
      expect(other.count()).toBe(0);
      const res = await fetchJWKS(request({ redirects: 'any' }));
      expect(res.url.href).toBe(other.url());
      expect(other.count()).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('gives up after five redirects', async () => {
    server.handler = (req, res) => res.writeHead(302, { location: `${req.url}x` }).end();
    const err = await failure(request({ redirects: 'same-origin' }));
    expect(err.code).toBe('ERR_REMOTE_JWKS_REDIRECT');
    expect(server.count()).toBe(6);
  });

  it('never follows an https -> http downgrade, whatever the policy', async () => {
    // The https origin is simulated by a fetch that answers it with a redirect to the real
    // (http) server; the real server must never be asked.
    const downgrade = async (url: string, init: RequestInit): Promise<Response> =>
      url.startsWith('https:')
        ? new Response(null, { status: 302, headers: { location: server.url() } })
        : fetch(url, init);
    const err = await failure(
      request({
        url: new URL('https://idp.example/jwks.json'),
        fetch: downgrade,
        redirects: 'any',
        http: 'allow',
      }),
    );
    expect(err.code).toBe('ERR_REMOTE_JWKS_REDIRECT');
    expect(err.message).toMatch(/https to http/);
    expect(server.count()).toBe(0);
  });

  it('checks where a browser-style opaque redirect ended', async () => {
    // Browsers answer redirect: 'manual' with an opaque response that hides Location; fetchJWKS
    // then lets fetch follow and checks the final URL. Simulated over the real server.
    const other = await JWKSServer.start((_req, res) => sendJSON(res, { keys: [] }));
    try {
      server.handler = (_req, res) => res.writeHead(302, { location: other.url() }).end();
      const browserFetch = async (url: string, init: RequestInit): Promise<Response> => {
        if (init.redirect !== 'manual') return fetch(url, init);
        const opaque = new Response(null, { status: 200 });
        Object.defineProperty(opaque, 'type', { value: 'opaqueredirect' });
        return opaque;
      };
      expect((await failure(request({ fetch: browserFetch }))).code).toBe('ERR_REMOTE_JWKS_REDIRECT');
      expect((await failure(request({ fetch: browserFetch, redirects: 'same-origin' }))).code).toBe(
        'ERR_REMOTE_JWKS_REDIRECT',
      );
      const res = await fetchJWKS(request({ fetch: browserFetch, redirects: 'any' }));
      expect(res.url.href).toBe(other.url());
    } finally {
      await other.close();
    }
  });

  it('refuses a redirect to a non-loopback http URL under the default http policy', async () => {
    server.handler = (_req, res) => res.writeHead(302, { location: 'http://idp.example/jwks.json' }).end();
    expect((await failure(request({ redirects: 'any' }))).code).toBe('ERR_REMOTE_JWKS_INSECURE_URL');
  });

  it('reports a refused connection as a network error', async () => {
    const gone = server.url();
    await server.close();
    server = await JWKSServer.start();
    const err = await failure(request({ url: new URL(gone) }));
    expect(err.code).toBe('ERR_REMOTE_JWKS_NETWORK');
  });

  it('gives up on a custom fetch that ignores its signal', async () => {
    const never = () => new Promise<Response>(() => {});
    expect((await failure(request({ fetch: never, timeout: 50 }))).code).toBe('ERR_REMOTE_JWKS_TIMEOUT');
  });

  it('aborts with ERR_REMOTE_JWKS_CLOSED when its owner closes', async () => {
    const hold = gate();
    server.handler = () => hold.promise;
    const closer = new AbortController();
    const pending = fetchJWKS(request({ signal: closer.signal }));
    closer.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteJWKSError);
    expect((err as RemoteJWKSError).code).toBe('ERR_REMOTE_JWKS_CLOSED');
    hold.open();
  });
});
