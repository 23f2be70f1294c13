/**
 * On a backend without synchronous verify (WebCrypto), a key that is already imported takes the
 * one-promise path (`verifyOneAwait` in jwt/verify.ts); a cold key takes `verifySlow`. Both must
 * give the same verdict and the same error code for every token: each variant below is verified
 * once against a fresh set (cold) and once against a set warmed by a valid token (warm).
 */
import { describe, expect, it } from 'vitest';
import { webBackend } from '../../../../test/helpers/backends.js';
import { generateJWK } from '../../src/crypto/generate.js';
import { JWKitError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { signJWT } from '../../src/jwt/sign.js';
import { verifyJWS, verifyJWT } from '../../src/jwt/verify.js';
import { JWKSet } from '../../src/set/jwk-set.js';

const ALGS = ['RS256', 'PS256', 'ES256', 'Ed25519', 'HS256'] as const;

const outcome = (p: Promise<{ key: JWK }>): Promise<string> =>
  p.then(
    (r) => `ok ${r.key.kid}`,
    (e: unknown) => (e instanceof JWKitError ? e.code : `not a JWKitError: ${String(e)}`),
  );

describe.each(ALGS)('%s on WebCrypto: warm (one await) and cold (slow path) agree', (alg) => {
  it('for valid, tampered, malformed, expired, foreign-kid and wrong-alg tokens', async () => {
    const key = (await generateJWK({ alg, kid: `k-${alg}`, backend: webBackend })) as JWK;
    const other = (await generateJWK({
      alg: alg === 'ES256' ? 'ES384' : 'ES256',
      kid: `k-${alg}`,
      backend: webBackend,
    })) as JWK;
    const pub = alg === 'HS256' ? key : (toPublic(key) as JWK);
    const options = { backend: webBackend, issuer: 'https://issuer.example' } as const;
    const good = await signJWT({ sub: 'a' }, key, { ...options, expiresIn: '5m' });
    const [h, p, s] = good.split('.') as [string, string, string];
    const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
    const variants = {
      good,
      tampered: `${h}.${p}.${flipped}`,
      malformed: `${h}.${p}.${s}=`,
      payloadChanged: `${h}.${p.slice(0, -1)}${p.at(-1) === 'A' ? 'B' : 'A'}.${s}`,
      expired: await signJWT({ sub: 'a', exp: 1 }, key, { ...options }),
      wrongIssuer: await signJWT({ sub: 'a' }, key, { backend: webBackend, issuer: 'https://other.example' }),
      unknownKid: await signJWT({ sub: 'a' }, key, { ...options, kid: 'nobody' }),
      otherAlgSameKid: await signJWT({ sub: 'a' }, other, { ...options }),
    };
    const warmJWT = new JWKSet([pub]);
    const warmJWS = new JWKSet([pub]);
    await verifyJWT(good, warmJWT, options);
    await verifyJWS(good, warmJWS, options);
    for (const [name, token] of Object.entries(variants)) {
      const cold = await outcome(verifyJWT(token, new JWKSet([pub]), options));
      expect(await outcome(verifyJWT(token, warmJWT, options)), `verifyJWT ${name}`).toBe(cold);
      const coldJWS = await outcome(verifyJWS(token, new JWKSet([pub]), options));
      expect(await outcome(verifyJWS(token, warmJWS, options)), `verifyJWS ${name}`).toBe(coldJWS);
      if (name === 'good') expect(cold).toBe(`ok k-${alg}`);
      else if (name !== 'expired' && name !== 'wrongIssuer') expect(coldJWS).not.toMatch(/^ok/);
    }
    // A direct JWK (no set) takes the same path once its handle is cached.
    await verifyJWT(good, pub, options);
    expect(await outcome(verifyJWT(variants.tampered, pub, options))).toBe('ERR_JWT_SIGNATURE_INVALID');
  });
});
