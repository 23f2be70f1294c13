/**
 * `jwkit serve --algs ML-DSA-65,ES256` (issue 16 point 5): the key manager makes, seals, publishes,
 * rotates and signs with ML-DSA keys (RFC 9964 AKP) beside classical ones; the seed (`priv`)
 * is never published.
 */

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeJWT } from '../../jwkit/src/jwt/decode.js';
import { verifyJWT } from '../../jwkit/src/jwt/verify.js';
import { JWKSet } from '../../jwkit/src/set/jwk-set.js';
import { MasterKey } from '../src/crypto-at-rest.js';
import { KeyManager } from '../src/key-manager.js';
import { openStore } from '../src/stores/open.js';
import { FakeClock, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('ML-DSA keys in the key manager', () => {
  it('publishes, signs with and rotates ML-DSA-65 beside ES256', async () => {
    const file = join(tmp.dir, 'keys.db');
    const store = await openStore(`sqlite:${file}`);
    const clock = new FakeClock();
    const manager = await KeyManager.open({
      store,
      masterKey: MasterKey.generate().key,
      clock,
      policies: ['ML-DSA-65', 'ES256'],
      policyDefaults: { rotationPeriod: '10d', prePublish: '2d', maxTokenLifetime: '1h' },
      cacheMaxAge: '15m',
      staleWhileRevalidate: '1m',
      skew: '1m',
    });
    const jwks = manager.publication();
    const akp = jwks.keys.filter((k) => k.kty === 'AKP');
    expect(akp.length).toBeGreaterThan(0);
    for (const k of akp) {
      expect(k).not.toHaveProperty('priv');
      expect(k.alg).toBe('ML-DSA-65');
    }
    const token = await manager.sign({ sub: 'pq' }, { alg: 'ML-DSA-65' });
    expect(decodeJWT(token).header.alg).toBe('ML-DSA-65');
    const set = new JWKSet(manager.publication().keys);
    expect((await verifyJWT(token, set, { algorithms: ['ML-DSA-65'], clock: clock.now })).payload.sub).toBe(
      'pq',
    );
    const es = await manager.sign({ sub: 'classic' }, { alg: 'ES256' });
    expect((await verifyJWT(es, set, { algorithms: ['ES256'], clock: clock.now })).payload.sub).toBe(
      'classic',
    );

    const before = manager.list().find((k) => k.alg === 'ML-DSA-65' && k.state === 'current')!;
    await manager.rotate('ML-DSA-65', { actor: 'test' });
    const after = manager.list().find((k) => k.alg === 'ML-DSA-65' && k.state === 'current')!;
    expect(after.kid).not.toBe(before.kid);
    const rotated = new JWKSet(manager.publication().keys);
    // A token signed before the rotation still verifies: the retired key stays published.
    expect(
      (await verifyJWT(token, rotated, { algorithms: ['ML-DSA-65'], clock: clock.now })).payload.sub,
    ).toBe('pq');
    const fresh = await manager.sign({ sub: 'pq2' }, { alg: 'ML-DSA-65' });
    expect(decodeJWT(fresh).header.kid).toBe(after.kid);
    await manager.close();
    await store.close();
  });
});
