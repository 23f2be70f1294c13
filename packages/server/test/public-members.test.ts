/**
 * No private member in any public response, for every key type the server can hold, and no
 * plaintext private key in the store: the secret values themselves are searched for in every
 * response body and in the raw database bytes.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../src/crypto-at-rest.js';
import { createApp } from '../src/http/app.js';
import { KeyManager } from '../src/key-manager.js';
import { openKey } from '../src/key-material.js';
import { openStore } from '../src/stores/open.js';
import type { KeyStore } from '../src/stores/store.js';
import { dropSchema, PG_URL, PRIVATE_MEMBERS, tempDir, uniqueSchema } from './helpers.js';

// RSA (PKCS#1 v1.5 and PSS), EC on every curve, OKP Ed25519 and Ed448, and an HMAC secret.
const ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'ES256K', 'Ed25519', 'Ed448', 'HS256'];
const TOKEN = 'admin-token-0123456789abcdef';

const tmp = tempDir();
const schema = uniqueSchema('public');
const masterKey = MasterKey.generate().key;
let store: KeyStore;
let manager: KeyManager;
let secrets: string[];

beforeAll(async () => {
  store = await openStore(`sqlite:${join(tmp.dir, 'keys.db')}`);
  manager = await KeyManager.open({
    store,
    masterKey,
    policies: ALGS,
    policyDefaults: { rotationPeriod: '10d', prePublish: '10d' }, // next keys at once: every state published
  });
  await manager.rotate(); // and a retired key of every alg
  secrets = manager
    .snapshot()
    .keys.flatMap((k) => {
      const jwk = openKey(k, masterKey) as Record<string, unknown>;
      return PRIVATE_MEMBERS.filter((m) => typeof jwk[m] === 'string').map((m) => jwk[m] as string);
    })
    .filter((s) => s.length >= 16);
});
afterAll(async () => {
  await manager.close();
  await store.close();
  tmp.cleanup();
  await dropSchema(schema);
});

function assertNoSecret(text: string, where: string): void {
  for (const s of secrets) expect(text.includes(s), `${where} leaks a private value`).toBe(false);
}

function privateMembersIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(privateMembersIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(PRIVATE_MEMBERS.includes(k) ? [k] : []),
    ...privateMembersIn(v),
  ]);
}

describe('public output', () => {
  it('holds keys of every type in every published state', () => {
    const kinds = new Set(manager.snapshot().keys.map((k) => `${k.alg} ${k.state}`));
    for (const alg of ALGS)
      for (const state of ['current', 'next', 'retired']) expect(kinds).toContain(`${alg} ${state}`);
    expect(secrets.length).toBeGreaterThan(ALGS.length * 3);
  });

  it('publishes public members only, every non-oct key, and never the oct key', async () => {
    const app = createApp(manager, { issuer: 'https://issuer.example', adminToken: TOKEN });
    const res = await app.fetch(new Request('http://localhost/.well-known/jwks.json'));
    const body = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(privateMembersIn(body)).toEqual([]);
    expect(body.keys.some((k) => k.kty === 'oct')).toBe(false);
    const expected = manager
      .snapshot()
      .keys.filter((k) => k.alg !== 'HS256')
      .map((k) => k.kid)
      .sort();
    expect(body.keys.map((k) => String(k.kid)).sort()).toEqual(expected);
  });

  it('leaks no private value in any public response, in any encoding', async () => {
    const app = createApp(manager, { issuer: 'https://issuer.example', adminToken: TOKEN });
    const paths = [
      '/.well-known/jwks.json',
      '/jwks.json',
      '/.well-known/openid-configuration',
      '/healthz',
      '/readyz',
      '/metrics',
      '/nothing-here',
      '/admin/keys', // without the token: the 401 body
    ];
    for (const path of paths) {
      for (const enc of ['identity', 'gzip', 'br']) {
        const res = await app.fetch(
          new Request(`http://localhost${path}`, { headers: { 'accept-encoding': enc } }),
        );
        const raw = Buffer.from(await res.arrayBuffer());
        const coding = res.headers.get('content-encoding');
        const text = (
          coding === 'br' ? brotliDecompressSync(raw) : coding === 'gzip' ? gunzipSync(raw) : raw
        ).toString();
        assertNoSecret(text, `${path} (${enc})`);
        if (res.headers.get('content-type')?.includes('json'))
          expect(privateMembersIn(JSON.parse(text))).toEqual([]);
      }
    }
    // The admin key list is not public, but it reports about keys and never carries them.
    const list = await app.fetch(
      new Request('http://localhost/admin/keys', { headers: { authorization: `Bearer ${TOKEN}` } }),
    );
    const text = await list.text();
    assertNoSecret(text, '/admin/keys');
    expect(privateMembersIn(JSON.parse(text))).toEqual([]);
  });

  it('leaves no plaintext private key in the SQLite files', () => {
    for (const f of readdirSync(tmp.dir).filter((n) => n.startsWith('keys.db'))) {
      assertNoSecret(readFileSync(join(tmp.dir, f)).toString('latin1'), f);
    }
  });

  it('leaves no plaintext private key in PostgreSQL', async () => {
    const pgStore = await openStore(PG_URL, { schema });
    try {
      const { keys } = await store.load();
      expect(await pgStore.commit(0, { upsert: keys, remove: [] })).toBe(true);
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const rows = await client.query(`SELECT * FROM "${schema}".jwkit_keys`);
        expect(rows.rows).toHaveLength(keys.length);
        assertNoSecret(JSON.stringify(rows.rows), 'jwkit_keys');
      } finally {
        await client.end();
      }
    } finally {
      await pgStore.close();
    }
  });
});
