/**
 * The node:http listener `jwkit serve` runs: its JWKS fast path must answer exactly as the app's
 * fetch route does (bytes, headers, 304, HEAD, codings), everything else must reach the app, and
 * /metrics must count both.
 */

import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../src/crypto-at-rest.js';
import { createApp } from '../src/http/app.js';
import { createNodeListener } from '../src/http/node.js';
import { KeyManager } from '../src/key-manager.js';
import { openStore } from '../src/stores/open.js';
import type { KeyStore } from '../src/stores/store.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
let store: KeyStore;
let manager: KeyManager;
let server: Server;
let base: string;

beforeAll(async () => {
  store = await openStore(`sqlite:${join(tmp.dir, 'keys.db')}`);
  manager = await KeyManager.open({ store, masterKey: MasterKey.generate().key, policies: ['ES256'] });
  server = createServer(createNodeListener(manager));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => {
    server.close(done);
    server.closeAllConnections();
  });
  await manager.close();
  await store.close();
  tmp.cleanup();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP/1.1 exchange: the bytes as sent (fetch would decompress them). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((done, fail) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

const JWKS_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'cache-control',
  'vary',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-content-type-options',
];

describe('createNodeListener', () => {
  it('answers the JWKS with the same bytes and headers as the fetch route', async () => {
    const viaFetch = await createApp(manager).fetch(new Request('http://localhost/.well-known/jwks.json'));
    const expected = Buffer.from(await viaFetch.arrayBuffer());
    for (const path of ['/.well-known/jwks.json', '/jwks.json', '/jwks.json?from=query']) {
      const res = await raw(path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expected);
      for (const h of JWKS_HEADERS) expect(res.headers[h], h).toBe(viaFetch.headers.get(h));
      expect(res.headers['content-encoding']).toBeUndefined();
    }
  });

  it('serves the prepared gzip and brotli bytes, 304 on a matching ETag, and HEAD without a body', async () => {
    const plain = await raw('/jwks.json');
    const br = await raw('/jwks.json', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-length']).toBe(String(br.body.length));
    expect(brotliDecompressSync(br.body)).toEqual(plain.body);
    const gz = await raw('/jwks.json', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body)).toEqual(plain.body);

    const etag = plain.headers.etag as string;
    const notModified = await raw('/jwks.json', { 'if-none-match': `"x", W/${etag}` });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.body.length).toBe(0);

    const head = await raw('/.well-known/jwks.json', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(plain.body.length));
    expect(head.body.length).toBe(0);
  });

  it('serves a new set and ETag once the keys change', async () => {
    const before = await raw('/jwks.json');
    await manager.rotate('ES256');
    const after = await raw('/jwks.json', { 'if-none-match': before.headers.etag as string });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const kids = (JSON.parse(after.body.toString()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(kids).toEqual(manager.publication().keys.map((k) => k.kid));
  });

  it('hands every other request to the app, and counts both paths at /metrics', async () => {
    expect((await raw('/healthz')).status).toBe(200);
    expect((await raw('/jwks.json', {}, 'POST')).status).toBe(404);
    expect((await raw('/nothing')).status).toBe(404);
    const preflight = await raw('/jwks.json', { origin: 'https://a.example' }, 'OPTIONS');
    expect(preflight.status).toBe(204);

    const count = async (status: number) => {
      const text = (await raw('/metrics')).body.toString();
      const m = new RegExp(
        `^jwkit_http_requests_total\\{route="jwks",status="${status}"\\} (\\d+)$`,
        'm',
      ).exec(text);
      return Number(m?.[1] ?? 0);
    };
    const ok = await count(200);
    const notModified = await count(304);
    const etag = (await raw('/jwks.json')).headers.etag as string;
    await raw('/jwks.json?via=app');
    await raw('/jwks.json', { 'if-none-match': etag });
    expect(await count(200)).toBe(ok + 2);
    expect(await count(304)).toBe(notModified + 1);
  });
});
