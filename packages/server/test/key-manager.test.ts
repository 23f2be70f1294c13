import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../jwkit/src/errors/index.js';
import { decodeJWT } from '../../jwkit/src/jwt/decode.js';
import { verifyJWT } from '../../jwkit/src/jwt/verify.js';
import { JWKSet } from '../../jwkit/src/set/jwk-set.js';
import { MasterKey } from '../src/crypto-at-rest.js';
import { KeyManager, type KeyManagerOptions } from '../src/key-manager.js';
import { checkInvariants } from '../src/schedule.js';
import { openStore } from '../src/stores/open.js';
import type { KeyStore } from '../src/stores/store.js';
import { DAY, FakeClock, HOUR, MINUTE, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

const POLICY = { rotationPeriod: '10d', prePublish: '2d', maxTokenLifetime: '1h' };
const SETTINGS = { cacheMaxAge: '15m', staleWhileRevalidate: '1m', skew: '1m' } as const;

async function setup(extra: Partial<KeyManagerOptions> = {}) {
  const store = await openStore(`sqlite:${join(tmp.dir, `keys-${n++}.db`)}`);
  const clock = new FakeClock();
  const masterKey = MasterKey.generate().key;
  const events: string[] = [];
  const options: KeyManagerOptions = {
    store,
    masterKey,
    clock,
    policies: ['ES256', 'Ed25519'],
    policyDefaults: POLICY,
    ...SETTINGS,
    onEvent: (e) => {
      if (e.type === 'rotated') events.push(`rotated ${e.alg}`);
    },
    ...extra,
  };
  const manager = await KeyManager.open(options);
  return { store, clock, masterKey, manager, options, events };
}

function published(m: KeyManager): string[] {
  return m.publication().keys.map((k) => String(k.kid));
}

function current(m: KeyManager, alg: string) {
  return m.list().find((k) => k.alg === alg && k.state === 'current')!;
}

describe('KeyManager lifecycle (fake clock, SQLite file)', () => {
  it('starts with one current key per alg, published, and no next key before the lead time', async () => {
    const { manager, store } = await setup();
    expect(manager.list().map((k) => [k.alg, k.state])).toEqual([
      ['ES256', 'current'],
      ['Ed25519', 'current'],
    ]);
    expect(published(manager)).toHaveLength(2);
    expect(checkInvariants(manager.snapshot().keys, manager.settings)).toEqual([]);
    expect(manager.health()).toMatchObject({ ready: true, store: 'ok', missing: [] });
    await manager.close();
    await store.close();
  });

  it('publishes the next key prePublish before it signs, rotates on time, and retires for token life + cache', async () => {
    const { manager, clock, store, events } = await setup();
    const t0 = clock.now();
    const first = current(manager, 'ES256').kid;
    clock.advance(8 * DAY - MINUTE);
    await manager.tick();
    expect(manager.list().filter((k) => k.state === 'next')).toHaveLength(0);
    clock.advance(MINUTE);
    await manager.tick();
    const next = manager.list().find((k) => k.alg === 'ES256' && k.state === 'next')!;
    expect(Date.parse(next.activates)).toBe(t0 + 10 * DAY);
    expect(published(manager)).toContain(next.kid);
    clock.advance(2 * DAY);
    await manager.tick();
    expect(current(manager, 'ES256').kid).toBe(next.kid);
    const retired = manager.list().find((k) => k.kid === first)!;
    expect(retired.state).toBe('retired');
    // token lifetime 1h + cache 15m + stale 1m + skew 1m
    expect(Date.parse(retired.expires!) - Date.parse(retired.retires)).toBe(HOUR + 17 * MINUTE);
    expect(events).toEqual(['rotated ES256', 'rotated Ed25519', 'rotated ES256', 'rotated Ed25519']);
    clock.advance(HOUR + 17 * MINUTE);
    await manager.tick();
    expect(manager.list().some((k) => k.kid === first)).toBe(false);
    expect(published(manager)).not.toContain(first);
    await manager.close();
    await store.close();
  });

  it('keeps every invariant over 40 periods: one signer, pre-publication, no token outliving its key, safe cache lifetimes', async () => {
    const { manager, clock, store } = await setup();
    const firstSeen = new Map<string, number>();
    const activated = new Map<string, number>();
    const tokens: { token: string; kid: string; exp: number }[] = [];
    const responses: { at: number; kids: Set<string>; until: number }[] = [];
    const step = 13 * HOUR; // does not divide the period: ticks land at every phase of the schedule
    const end = clock.now() + 40 * 10 * DAY;
    let promotions = 0;
    while (clock.now() < end) {
      await manager.tick();
      const now = clock.now();
      expect(checkInvariants(manager.snapshot().keys, manager.settings)).toEqual([]);
      const kids = published(manager);
      for (const kid of kids) if (!firstSeen.has(kid)) firstSeen.set(kid, now);
      for (const alg of ['ES256', 'Ed25519']) {
        const cur = current(manager, alg);
        if (!activated.has(cur.kid)) {
          activated.set(cur.kid, now);
          promotions++;
        }
      }
      const token = await manager.sign({ sub: 'u' }, { alg: 'ES256', expiresIn: '1h' });
      tokens.push({ token, kid: String(decodeJWT(token).header.kid), exp: now + HOUR });
      // every token that is still valid verifies against the published set
      const set = new JWKSet(manager.publication().keys);
      for (const t of tokens.filter((x) => x.exp > now)) {
        expect(kids).toContain(t.kid);
        await verifyJWT(t.token, set, { algorithms: ['ES256'], clock: () => now });
      }
      const { maxAge, staleWhileRevalidate } = manager.cacheLifetime();
      responses.push({ at: now, kids: new Set(kids), until: now + (maxAge + staleWhileRevalidate) * 1000 });
      clock.advance(step);
    }
    // ~40 rotations per alg, none duplicated
    expect(promotions).toBeGreaterThanOrEqual(2 * 39);
    expect(promotions).toBeLessThanOrEqual(2 * 41);
    // Pre-publication: every key after the first ones was published at least prePublish before it signed.
    for (const [kid, at] of activated) {
      if (firstSeen.get(kid)! > responses[0]!.at)
        expect(at - firstSeen.get(kid)!).toBeGreaterThanOrEqual(2 * DAY);
    }
    // A cached response never outlives the activation of a key it lacks.
    for (const r of responses) {
      for (const [kid, at] of activated)
        if (!r.kids.has(kid) && at > r.at) expect(r.until).toBeLessThanOrEqual(at);
    }
    await manager.close();
    await store.close();
  });

  it('after downtime, still pre-publishes the next key before it signs (the current key signs a little longer)', async () => {
    const { manager, clock, store } = await setup({ policies: ['ES256'] });
    const first = current(manager, 'ES256');
    clock.advance(25 * DAY); // down through the announcement and the rotation
    await manager.tick();
    const next = manager.list().find((k) => k.state === 'next')!;
    expect(current(manager, 'ES256').kid).toBe(first.kid);
    expect(Date.parse(next.activates)).toBe(clock.now() + 2 * DAY);
    expect(Date.parse(current(manager, 'ES256').retires)).toBe(clock.now() + 2 * DAY);
    expect(manager.cacheLifetime().maxAge).toBe(15 * 60);
    clock.advance(2 * DAY);
    await manager.tick();
    expect(current(manager, 'ES256').kid).toBe(next.kid);
    await manager.close();
    await store.close();
  });

  it('limits max-age so a cache refetches before an unannounced key can sign', async () => {
    const { manager, clock, store } = await setup({
      policies: ['ES256'],
      policyDefaults: { ...POLICY, prePublish: '10m' },
    });
    clock.advance(10 * DAY - 10 * MINUTE - 1);
    await manager.tick();
    // the next key is announced in 1 ms and activates 10 min later: 10m - skew 1m = 9 min of cacheability
    expect(manager.cacheLifetime()).toEqual({ maxAge: 8 * 60, staleWhileRevalidate: 60 });
    clock.advance(1);
    await manager.tick();
    expect(manager.cacheLifetime()).toEqual({ maxAge: 15 * 60, staleWhileRevalidate: 60 });
    await manager.close();
    await store.close();
  });

  it('rotates on demand, revokes (out of the set at once; a revoked signer is replaced), and refuses unknown kids', async () => {
    const { manager, clock, store } = await setup({ policies: ['ES256'] });
    const first = current(manager, 'ES256').kid;
    const [rotated] = await manager.rotate('ES256');
    expect(rotated!.kid).not.toBe(first);
    expect(manager.list().find((k) => k.kid === first)!.state).toBe('retired');
    await expect(manager.rotate('RS512')).rejects.toMatchObject({ code: 'ERR_ALG_NOT_CONFIGURED' });
    clock.advance(MINUTE);
    const revoked = await manager.revoke(rotated!.kid);
    expect(revoked.state).toBe('revoked');
    expect(published(manager)).not.toContain(rotated!.kid);
    expect(current(manager, 'ES256').kid).not.toBe(rotated!.kid);
    await expect(manager.revoke(rotated!.kid)).rejects.toMatchObject({ code: 'ERR_KEY_REVOKED' });
    await expect(manager.revoke('nope')).rejects.toMatchObject({ code: 'ERR_KEY_UNKNOWN' });
    expect(checkInvariants(manager.snapshot().keys, manager.settings)).toEqual([]);
    await manager.close();
    await store.close();
  });

  it('imports PEM and JWK private keys as next or current, and refuses public or unsuitable keys', async () => {
    const { manager, store } = await setup({ policies: ['ES256', 'RS256'] });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const asNext = await manager.importKey({ pem });
    expect(asNext).toMatchObject({ alg: 'ES256', state: 'next', origin: 'imported' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const asCurrent = await manager.importKey({ jwk: { ...rsa, kid: 'my-rsa' } }, { activate: true });
    expect(asCurrent).toMatchObject({ kid: 'my-rsa', alg: 'RS256', state: 'current' });
    const token = await manager.sign({ sub: 'x' }, { alg: 'RS256' });
    expect(decodeJWT(token).header.kid).toBe('my-rsa');
    await expect(manager.importKey({ jwk: { ...rsa, kid: 'my-rsa' } })).rejects.toMatchObject({
      code: 'ERR_KEY_EXISTS',
    });
    const pub = ec.publicKey.export({ format: 'jwk' });
    await expect(manager.importKey({ jwk: pub })).rejects.toMatchObject({ code: 'ERR_KEY_NOT_PRIVATE' });
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    await expect(manager.importKey({ jwk: ed })).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' });
    expect(checkInvariants(manager.snapshot().keys, manager.settings)).toEqual([]);
    await manager.close();
    await store.close();
  });

  it('signs with iat/exp/iss, caps expiresIn at maxTokenLifetime', async () => {
    const { manager, clock, store } = await setup({ policies: ['ES256'] });
    const token = await manager.sign({ sub: 'a' }, { expiresIn: '15m', issuer: 'https://issuer.example' });
    const { payload } = decodeJWT(token);
    expect(payload).toMatchObject({ sub: 'a', iss: 'https://issuer.example', iat: clock.now() / 1000 });
    expect(payload.exp).toBe(clock.now() / 1000 + 900);
    expect(decodeJWT(await manager.sign({ iss: 'mine' }, { issuer: 'other' })).payload.iss).toBe('mine');
    await expect(manager.sign({}, { expiresIn: '2h' })).rejects.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' });
    await manager.close();
    await store.close();
  });

  it('reopens the same store with every key, and refuses a different master key', async () => {
    const { manager, store, options } = await setup();
    const before = manager.list();
    await manager.close();
    const again = await KeyManager.open(options);
    expect(again.list()).toEqual(before);
    await again.close();
    await expect(KeyManager.open({ ...options, masterKey: MasterKey.generate().key })).rejects.toMatchObject({
      code: 'ERR_MASTER_KEY_MISMATCH',
    });
    await store.close();
  });

  it('refuses other algorithms than the stored policy; retires a dropped alg only on purpose (issue 14.1)', async () => {
    const { manager, store, options, clock } = await setup();
    await manager.close();
    // A restart with a shorter --algs no longer retires a signing key silently: it refuses.
    await expect(
      KeyManager.open({ ...options, policies: ['ES256'], retireUnconfigured: true }),
    ).rejects.toMatchObject({
      code: 'ERR_POLICY_MISMATCH',
      message: expect.stringContaining('--algs: the store has ES256,Ed25519, the flags say ES256'),
    });
    expect(
      (await store.load()).keys.filter((k) => k.alg === 'Ed25519' && k.state === 'current'),
    ).toHaveLength(1);
    // Without policy options, the stored policy is used as it is.
    const reopened = await KeyManager.open({ store: options.store, masterKey: options.masterKey, clock });
    expect(reopened.policies.map((p) => p.alg)).toEqual(['ES256', 'Ed25519']);
    await reopened.close();
    const retiring = await KeyManager.open({
      ...options,
      policies: ['ES256'],
      retireUnconfigured: true,
      updatePolicy: true,
    });
    const ed = retiring.list().find((k) => k.alg === 'Ed25519')!;
    expect(ed.state).toBe('retired');
    // kept for its tokens (1h), the cache (15m + 1m) and the skew (1m) after it stopped signing
    expect(Date.parse(ed.expires!) - clock.now()).toBeGreaterThanOrEqual(HOUR + 17 * 60_000);
    expect(retiring.policies.map((p) => p.alg)).toEqual(['ES256']);
    await retiring.close();
    await store.close();
  });
});

describe('KeyManager when the store fails', () => {
  it('keeps serving the published set and signing from memory, reports not ready, and recovers without loss', async () => {
    const real = await openStore(`sqlite:${join(tmp.dir, 'flaky.db')}`);
    let down = false;
    const fail = () => Promise.reject(new StoreError('ERR_STORE_UNAVAILABLE', 'store down'));
    const flaky: KeyStore = {
      kind: 'sqlite',
      description: 'flaky',
      load: () => (down ? fail() : real.load()),
      version: () => (down ? fail() : real.version()),
      commit: (v, m) => (down ? fail() : real.commit(v, m)),
      close: () => real.close(),
    };
    const clock = new FakeClock();
    const events: string[] = [];
    const manager = await KeyManager.open({
      store: flaky,
      masterKey: MasterKey.generate().key,
      clock,
      policies: ['ES256'],
      policyDefaults: POLICY,
      onEvent: (e) => events.push(e.type),
    });
    const before = manager.publication();
    down = true;
    clock.advance(9 * DAY);
    await expect(manager.tick()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    await expect(manager.rotate()).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    expect(manager.publication()).toBe(before);
    expect(manager.health()).toMatchObject({ ready: false, store: 'unavailable' });
    expect(decodeJWT(await manager.sign({})).header.kid).toBe(before.keys[0]!.kid);
    // past the planned retirement plus skew, it stops signing rather than outlive a replica's retirement
    clock.advance(DAY + 2 * MINUTE);
    await expect(manager.sign({})).rejects.toMatchObject({ code: 'ERR_NO_SIGNING_KEY' });
    down = false;
    await manager.tick();
    expect(manager.health()).toMatchObject({ ready: true, store: 'ok' });
    expect(events).toContain('store-error');
    expect(events).toContain('store-recovered');
    expect(manager.list().map((k) => k.state)).toEqual(['current', 'next']);
    expect(await manager.sign({})).toBeTypeOf('string');
    await manager.close();
    await flaky.close();
  });
});
