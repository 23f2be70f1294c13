import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../src/crypto-at-rest.js';
import { KeyManager } from '../src/key-manager.js';
import { serve } from '../src/serve.js';
import { openStore } from '../src/stores/open.js';
import { bundleServeProcess, removeBundles, startServer } from './fixtures/process.js';
import { tempDir } from './helpers.js';

const TOKEN = 'serve-test-admin-token-0123456789';
const tmp = tempDir();
const saved = { master: process.env.JWKIT_MASTER_KEY, admin: process.env.JWKIT_ADMIN_TOKEN };
beforeAll(() => {
  delete process.env.JWKIT_MASTER_KEY;
  delete process.env.JWKIT_ADMIN_TOKEN;
});
afterAll(() => {
  removeBundles();
  if (saved.master !== undefined) process.env.JWKIT_MASTER_KEY = saved.master;
  if (saved.admin !== undefined) process.env.JWKIT_ADMIN_TOKEN = saved.admin;
  tmp.cleanup();
});

describe('serve()', () => {
  it('starts on a fresh SQLite store, creates a 0600 master key with a warning, and prints where it listens', async () => {
    const lines: string[] = [];
    const dir = join(tmp.dir, 'fresh');
    const server = await serve({
      store: `sqlite:${join(dir, 'keys.db')}`,
      port: 0,
      log: (l) => lines.push(l),
      webRoot: false,
    });
    try {
      expect(lines.some((l) => l.includes(`listening on ${server.url}`))).toBe(true);
      expect(lines.some((l) => /warn .*created a new master key in .*master\.key/.test(l))).toBe(true);
      expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'keys.db')).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const res = await fetch(`${server.url}/.well-known/jwks.json`);
      expect(res.status).toBe(200);
      const { keys } = (await res.json()) as { keys: { alg: string }[] };
      expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
      expect((await fetch(`${server.url}/admin/keys`)).status).toBe(404);
    } finally {
      await server.close();
    }
    // a restart reuses the key file and the keys, without a new warning
    const again: string[] = [];
    const second = await serve({
      store: `sqlite:${join(dir, 'keys.db')}`,
      port: 0,
      log: (l) => again.push(l),
      webRoot: false,
    });
    try {
      expect(again.some((l) => l.includes('created a new master key'))).toBe(false);
      expect(second.manager.list()).toHaveLength(2);
    } finally {
      await second.close();
    }
  });

  it('refuses to start on a store whose master key is missing, instead of making a new one', async () => {
    const dir = join(tmp.dir, 'lost-key');
    const first = await serve({
      store: `sqlite:${join(dir, 'keys.db')}`,
      port: 0,
      log: () => {},
      webRoot: false,
    });
    await first.close();
    await expect(
      serve({
        store: `sqlite:${join(dir, 'keys.db')}`,
        port: 0,
        log: () => {},
        masterKeyFile: join(dir, 'other.key'),
      }),
    ).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_MISSING' });
  });

  it('reports a port in use and a weak admin token clearly', async () => {
    const dir = join(tmp.dir, 'errors');
    const store = `sqlite:${join(dir, 'keys.db')}`;
    const a = await serve({ store, port: 0, log: () => {}, webRoot: false });
    try {
      await expect(serve({ store, port: a.port, log: () => {}, webRoot: false })).rejects.toMatchObject({
        code: 'ERR_LISTEN',
        message: expect.stringContaining('already in use'),
      });
    } finally {
      await a.close();
    }
    await expect(serve({ store, port: 0, adminToken: 'short', log: () => {} })).rejects.toMatchObject({
      code: 'ERR_ADMIN_TOKEN',
    });
  });

  it('serves the web app, discovery and the admin API (token from a file) when configured', async () => {
    const dir = join(tmp.dir, 'full');
    mkdirSync(join(dir, 'web'), { recursive: true });
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>jwkit web</title>');
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const server = await serve({
      store: `sqlite:${join(dir, 'keys.db')}`,
      port: 0,
      algs: ['Ed25519'],
      issuer: 'https://id.example',
      adminTokenFile: join(dir, 'token'),
      webRoot: join(dir, 'web'),
      log: () => {},
    });
    try {
      expect(await (await fetch(`${server.url}/`)).text()).toContain('jwkit web');
      expect(
        ((await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as { issuer: string })
          .issuer,
      ).toBe('https://id.example');
      // /admin is on the private listener; the public one answers 404 (issue 14.4)
      expect(
        (await fetch(`${server.url}/admin/keys`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
      ).toBe(404);
      const res = await fetch(`${server.adminUrl}/admin/sign`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ claims: { sub: 'x' } }),
      });
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('keeps answering JWKS requests while an RSA-4096 key is generated for a rotation', async () => {
    // A store whose current RS256 key already exists (imported), so start-up generates nothing
    // and the one RSA-4096 generation happens inside POST /admin/rotate.
    const storeUrl = `sqlite:${join(tmp.dir, 'rsa4096', 'keys.db')}`;
    const { key: masterKey, text } = MasterKey.generate();
    const store = await openStore(storeUrl);
    const setup = await KeyManager.open({ store, masterKey, policies: ['RS256'], schedule: false });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    await setup.importKey({ jwk: rsa }, { activate: true });
    await setup.close();
    await store.close();

    const server = await serve({
      store: storeUrl,
      masterKey: text,
      port: 0,
      algs: ['RS256'],
      rsaBits: 4096,
      updatePolicy: true,
      adminToken: TOKEN,
      log: () => {},
      webRoot: false,
    });
    try {
      let done = false;
      const rotating = fetch(`${server.adminUrl}/admin/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      }).then(async (res) => {
        done = true;
        return (await res.json()) as { rotated: { kid: string }[] };
      });
      let answered = 0;
      while (!done) {
        const res = await fetch(`${server.url}/.well-known/jwks.json`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        answered++;
      }
      const { rotated } = await rotating;
      const jwks = (await (await fetch(`${server.url}/jwks.json`)).json()) as {
        keys: { kid: string; n: string }[];
      };
      expect(jwks.keys.find((k) => k.kid === rotated[0]!.kid)!.n).toHaveLength(683); // 4096 bits in base64url
      // Requests were answered all along: generation ran off the event loop.
      expect(answered).toBeGreaterThan(3);
    } finally {
      await server.close();
    }
  });
});

describe('serve process', () => {
  it('shuts down cleanly on SIGTERM', async () => {
    const bundle = await bundleServeProcess();
    const server = startServer(bundle, {
      store: `sqlite:${join(tmp.dir, 'proc', 'keys.db')}`,
      port: 0,
      webRoot: false,
    });
    const url = await server.ready;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('shutting down');
  });
});
