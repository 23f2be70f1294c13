import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateJWK } from '../../src/crypto/generate.js';
import { signJWTWith } from '../../src/internal.js';
import { toPublic } from '../../src/jwk/model.js';
import { signJWT } from '../../src/jwt/sign.js';
import { verifyJWT } from '../../src/jwt/verify.js';

describe('signJWTWith', () => {
  it('builds the header and claims as signJWT does; the token verifies with the public key', async () => {
    const jwk = await generateJWK({ alg: 'ES256', kid: 'k1' });
    const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    const signer = {
      alg: 'ES256',
      kid: 'k1',
      sign: (data: Uint8Array) =>
        new Uint8Array(nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })),
    };
    const at = Date.UTC(2030, 0, 1);
    const options = { expiresIn: 60, issuer: 'https://issuer.test', clock: () => at };
    const external = await signJWTWith({ sub: 'a' }, signer, options);
    const internal = await signJWT({ sub: 'a' }, jwk, { ...options, alg: 'ES256' });
    // Same signing input; only the (randomised) ECDSA signature differs.
    expect(external.split('.').slice(0, 2)).toEqual(internal.split('.').slice(0, 2));
    const { payload, header } = await verifyJWT(external, toPublic(jwk), {
      algorithms: ['ES256'],
      clock: () => at,
    });
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: 'k1' });
    expect(payload).toMatchObject({ sub: 'a', iss: 'https://issuer.test', exp: at / 1000 + 60 });
  });

  it('refuses an alg option other than the signer’s, and alg none', async () => {
    const signer = { alg: 'ES256', sign: () => new Uint8Array(64) };
    await expect(signJWTWith({}, signer, { alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_JWT_SIGN_ALG',
    });
    await expect(signJWTWith({}, { alg: 'none', sign: () => new Uint8Array(1) })).rejects.toMatchObject({
      code: 'ERR_JWT_ALG_NONE',
    });
  });

  it('refuses an empty signature from the signer', async () => {
    await expect(signJWTWith({}, { alg: 'ES256', sign: () => new Uint8Array(0) })).rejects.toMatchObject({
      code: 'ERR_JWT_SIGN_KEY',
    });
  });
});
