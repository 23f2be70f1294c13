import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/stores/open.js';
import type { KeyStore, StoredKey } from '../src/stores/store.js';
import { dropSchema, PG_URL, tempDir, uniqueSchema } from './helpers.js';

function key(kid: string, state: StoredKey['state'], alg = 'ES256'): StoredKey {
  return {
    kid,
    alg,
    kty: 'EC',
    state,
    publicJwk: JSON.stringify({ kty: 'EC', kid }),
    sealedPrivate: `v1.sealed.${kid}`,
    createdAt: 1,
    activatesAt: 2,
    retiresAt: 3,
    expiresAt: state === 'retired' ? 4 : null,
    revokedAt: null,
    origin: 'generated',
    publicMac: null,
  };
}

const tmp = tempDir();
const schema = uniqueSchema('stores');
afterAll(async () => {
  tmp.cleanup();
  await dropSchema(schema);
});

const backends: [string, () => Promise<KeyStore>][] = [
  ['sqlite', () => openStore(`sqlite:${join(tmp.dir, 'keys.db')}`)],
  ['postgres', () => openStore(`${PG_URL}?schema=${schema}`)],
];

describe.each(backends)('%s store', (_kind, open) => {
  let store: KeyStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it('starts empty at version 0 and commits a mutation atomically with a version bump', async () => {
    const s0 = await store.load();
    expect(s0).toEqual({ version: 0, keys: [], keyCheck: null, policy: null });
    expect(
      await store.commit(0, {
        upsert: [key('a', 'current'), key('b', 'next')],
        remove: [],
        keyCheck: 'check',
      }),
    ).toBe(true);
    const s1 = await store.load();
    expect(s1.version).toBe(1);
    expect(s1.keyCheck).toBe('check');
    expect(s1.keys.map((k) => [k.kid, k.state])).toEqual([
      ['a', 'current'],
      ['b', 'next'],
    ]);
    expect(s1.keys[0]).toEqual(key('a', 'current'));
    expect(await store.version()).toBe(1);
  });

  it('refuses a commit based on a stale version and changes nothing', async () => {
    const before = await store.load();
    expect(await store.commit(before.version - 1, { upsert: [key('zzz', 'next')], remove: ['a'] })).toBe(
      false,
    );
    expect(await store.load()).toEqual(before);
  });

  it('lets exactly one of many concurrent commits on the same version win', async () => {
    const { version } = await store.load();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.commit(version, { upsert: [key(`race-${i}`, 'retired')], remove: [] }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const after = await store.load();
    expect(after.version).toBe(version + 1);
    expect(after.keys.filter((k) => k.kid.startsWith('race-'))).toHaveLength(1);
  });

  it('swaps the current key in one commit (the one-current index holds after each statement)', async () => {
    const { version } = await store.load();
    const ok = await store.commit(version, {
      upsert: [key('b', 'current'), key('a', 'retired')],
      remove: [],
    });
    expect(ok).toBe(true);
    const states = Object.fromEntries((await store.load()).keys.map((k) => [k.kid, k.state]));
    expect(states.a).toBe('retired');
    expect(states.b).toBe('current');
  });

  it('rejects a second current key for an alg and rolls the whole commit back', async () => {
    const before = await store.load();
    await expect(
      store.commit(before.version, { upsert: [key('c', 'current')], remove: ['a'] }),
    ).rejects.toMatchObject({
      name: 'StoreError',
    });
    expect(await store.load()).toEqual(before);
  });

  it('keeps the key check once set', async () => {
    const { version } = await store.load();
    await store.commit(version, { upsert: [], remove: [], keyCheck: 'other' });
    expect((await store.load()).keyCheck).toBe('check');
  });
});

describe('openStore', () => {
  it('refuses an unknown scheme without echoing credentials', async () => {
    await expect(openStore('mysql://user:pw@host/db')).rejects.toMatchObject({
      code: 'ERR_STORE_CONFIG',
      message: expect.not.stringContaining('pw'),
    });
  });

  it('reports an unreachable PostgreSQL as ERR_STORE_UNAVAILABLE', async () => {
    await expect(openStore('postgres://postgres@127.0.0.1:1/none', { timeout: 2000 })).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
  });

  it('notifies watchers on PostgreSQL when another connection commits', async () => {
    const watchSchema = uniqueSchema('watch');
    const a = await openStore(PG_URL, { schema: watchSchema });
    const b = await openStore(PG_URL, { schema: watchSchema });
    try {
      const notified = new Promise<void>((done) => b.watch?.(done));
      // Give LISTEN a moment to be registered: commit until the notification arrives.
      let version = 0;
      let got = false;
      notified.then(() => {
        got = true;
      });
      for (let i = 0; i < 50 && !got; i++) {
        await a.commit(version++, { upsert: [], remove: [] });
        await new Promise((r) => setTimeout(r, 50));
      }
      await notified;
    } finally {
      await a.close();
      await b.close();
      await dropSchema(watchSchema);
    }
  });
});
