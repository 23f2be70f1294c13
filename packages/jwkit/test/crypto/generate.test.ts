import { describe, expect, it } from 'vitest';
import { BACKENDS, nodeBackend } from '../../../../test/helpers/backends.js';
import { generateJWK, resolveGenerate } from '../../src/crypto/generate.js';
import { importKey } from '../../src/crypto/import.js';
import { decode } from '../../src/encoding/base64url.js';
import { canonicalOrder, toPublic } from '../../src/jwk/model.js';
import { thumbprint } from '../../src/jwk/thumbprint.js';
import { ALGORITHMS, algorithmKtys, CURVES } from '../../src/registry.js';

describe('resolveGenerate: alg alone picks kty, curve and size from the registry', () => {
  const live = Object.values(ALGORITHMS).filter((a) => !a.deprecated);

  it.each(live.map((a) => [a.alg, a] as const))('%s', (_alg, info) => {
    const r = resolveGenerate({ alg: info.alg });
    expect(r.info).toBe(info);
    expect(r.kty).toBe(algorithmKtys(info)[0]);
    if (info.crvs) expect(r.crv).toBe(info.crvs[0]);
    if (info.kty === 'oct') expect(r.size).toBe(info.exactBits ?? info.minBits ?? 256);
  });

  it.each(Object.values(CURVES).map((c) => [c.crv, c] as const))(
    'crv %s alone gets its default alg',
    (_crv, curve) => {
      expect(resolveGenerate({ crv: curve.crv })).toMatchObject({
        kty: curve.kty,
        crv: curve.crv,
        info: { alg: curve.defaultAlg },
      });
    },
  );

  it('kty alone gets a default alg; oct picks the HMAC that its size allows', () => {
    expect(resolveGenerate({ kty: 'RSA' }).info.alg).toBe('RS256');
    expect(resolveGenerate({ kty: 'EC' })).toMatchObject({ crv: 'P-256', info: { alg: 'ES256' } });
    expect(resolveGenerate({ kty: 'OKP' })).toMatchObject({ crv: 'Ed25519', info: { alg: 'Ed25519' } });
    expect(resolveGenerate({ kty: 'oct' })).toMatchObject({ size: 256, info: { alg: 'HS256' } });
    expect(resolveGenerate({ kty: 'oct', size: 512 }).info.alg).toBe('HS512');
    expect(resolveGenerate({ kty: 'oct', size: 400 }).info.alg).toBe('HS384');
  });

  it('ECDH-ES on OKP picks X25519, and honours an explicit X448', () => {
    expect(resolveGenerate({ alg: 'ECDH-ES', kty: 'OKP' }).crv).toBe('X25519');
    expect(resolveGenerate({ alg: 'ECDH-ES+A256KW', crv: 'X448' })).toMatchObject({
      kty: 'OKP',
      crv: 'X448',
    });
  });

  it.each([
    [{}, /say what to generate/],
    [{ alg: 'none' }, /unknown algorithm/],
    [{ alg: 'constructor' }, /unknown algorithm/],
    [{ alg: 'ES256', crv: 'P-384' }, /P-256/],
    [{ alg: 'ES256', kty: 'RSA' }, /EC key/],
    [{ alg: 'HS256', size: 128 }, /at least 256 bits/],
    [{ alg: 'A128KW', size: 256 }, /exactly 128 bits/],
    [{ alg: 'RS256', size: 1024 }, /at least 2048 bits/],
    [{ alg: 'ES256', size: 256 }, /omit "size"/],
    [{ kty: 'EC', crv: 'Ed25519' }, /belongs to kty OKP/],
    [{ crv: 'P-192' }, /unknown curve/],
    [{ kty: 'DSA' }, /unknown key type/],
    [{ alg: 'EdDSA' }, /deprecated.*allowDeprecated/],
    [{ alg: 'RSA1_5' }, /deprecated/],
  ])('refuses %j with ERR_GENERATE_OPTIONS', (options, message) => {
    expect(() => resolveGenerate(options as Parameters<typeof resolveGenerate>[0])).toThrow(
      expect.objectContaining({ code: 'ERR_GENERATE_OPTIONS', message: expect.stringMatching(message) }),
    );
  });

  it('allows a deprecated algorithm when asked', () => {
    expect(resolveGenerate({ alg: 'EdDSA', allowDeprecated: true })).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
    });
  });
});

describe.each(BACKENDS)('generateJWK, $name backend', ({ backend }) => {
  it.each(['ES256', 'ES384', 'ES512', 'ES256K', 'Ed25519', 'Ed448', 'HS256', 'HS512', 'PS256'])(
    '%s: a key that signs and verifies, with alg and a thumbprint kid',
    async (alg) => {
      const jwk = await generateJWK({ alg, backend });
      expect(jwk.alg).toBe(alg);
      expect(jwk.kid).toBe(thumbprint(jwk));
      expect(Object.keys(jwk)).toEqual(Object.keys(canonicalOrder(jwk)));
      const data = new TextEncoder().encode('hello');
      const sig = await backend.sign(await importKey(jwk, alg, 'sign', { backend }), data);
      const pub = jwk.kty === 'oct' ? jwk : toPublic(jwk);
      expect(await backend.verify(await importKey(pub, alg, 'verify', { backend }), data, sig)).toBe(true);
    },
  );

  it('sets use and key_ops when given, and a custom or no kid', async () => {
    const jwk = await generateJWK({
      alg: 'ES256',
      use: 'sig',
      keyOps: ['sign', 'verify'],
      kid: 'k1',
      backend,
    });
    expect(jwk).toMatchObject({ use: 'sig', key_ops: ['sign', 'verify'], kid: 'k1' });
    expect('kid' in (await generateJWK({ crv: 'X25519', kid: false, backend }))).toBe(false);
  });

  it('makes enc keys: X448 for ECDH-ES, 192-bit oct for A192KW', async () => {
    expect(await generateJWK({ alg: 'ECDH-ES', crv: 'X448', backend })).toMatchObject({
      kty: 'OKP',
      crv: 'X448',
      alg: 'ECDH-ES',
    });
    const aes = await generateJWK({ alg: 'A192KW', backend });
    expect(decode(aes.k as string).length).toBe(24);
  });

  it.each([
    [{ alg: 'ES256', use: 'enc' }, /"use": "enc" contradicts/],
    [{ alg: 'ES256', keyOps: ['encrypt'] }, /does not fit ES256/],
    [{ alg: 'ES256', keyOps: ['sign', 'sign'] }, /listed twice/],
    [{ alg: 'ES256', keyOps: ['fly'] }, /unknown key operation/],
    [{ alg: 'ES256', keyOps: [] }, /non-empty/],
    [{ alg: 'ES256', use: 'other' }, /"sig" or "enc"/],
    [{ alg: 'ES256', kid: '' }, /kid/],
  ])('refuses %j with ERR_GENERATE_OPTIONS', async (options, message) => {
    await expect(generateJWK({ ...(options as object), backend })).rejects.toMatchObject({
      code: 'ERR_GENERATE_OPTIONS',
      message: expect.stringMatching(message),
    });
  });

  it('refuses RSA sizes outside 2048..16384 with ERR_GENERATE_SIZE', async () => {
    await expect(generateJWK({ alg: 'RS256', size: 16392, backend })).rejects.toMatchObject({
      code: 'ERR_GENERATE_SIZE',
    });
  });
});

describe('generateJWK on node', () => {
  it('RSA generation leaves the event loop free (node:crypto generateKeyPair, not the Sync form)', async () => {
    let ticked = false;
    const pending = generateJWK({ alg: 'RS256', size: 3072, backend: nodeBackend });
    setImmediate(() => {
      ticked = true;
    });
    const jwk = await pending;
    expect(ticked).toBe(true);
    expect(decode(jwk.n as string).length).toBe(384);
  });
});
