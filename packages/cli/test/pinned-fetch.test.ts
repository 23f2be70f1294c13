/**
 * Issue 13.12: the inspector's fetch for targets the user did not name checks the addresses the
 * socket connects to (no DNS-rebinding window after fetchJWKS's own check). Real loopback server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { publicOnlyFetch } from '../src/inspect/pinned-fetch.js';

let server: Server;
let port: number;
let hits = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', etag: '"e"', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"keys":[]}');
    } else res.writeHead(404).end('nope');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

it('refuses a host that resolves to loopback at connect time, and a loopback literal', async () => {
  const f = publicOnlyFetch('not named');
  for (const url of [`http://localhost:${port}/jwks.json`, `http://127.0.0.1:${port}/jwks.json`]) {
    await expect(f(url, { method: 'GET' })).rejects.toMatchObject({
      code: 'ERR_REMOTE_JWKS_PRIVATE_ADDRESS',
    });
  }
  expect(hits).toBe(0);
});

it('answers like fetch where the addresses are allowed (status, headers, streamed body)', async () => {
  const f = publicOnlyFetch('not named', () => undefined);
  const ok = await f(`http://localhost:${port}/jwks.json`, {
    method: 'GET',
    headers: { accept: 'application/json' },
  });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('etag')).toBe('"e"');
  expect(await ok.text()).toBe('{"keys":[]}');
  const missing = await f(`http://localhost:${port}/other`, { method: 'GET' });
  expect(missing.status).toBe(404);
  expect(hits).toBe(2);
});
