import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { arbitraryKey, type KeyType, rsaPool, runs } from '../../../../test/helpers/keys.js';
import { cryptoKeyToJWK, jwkToCryptoKey } from '../../src/crypto/cryptokey.js';
import { encode } from '../../src/encoding/base64url.js';
import { keyMaterial } from '../../src/jwk/material.js';
import type { JWK, RSAPrivateJWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';

let rsa: RSAPrivateJWK[] = [];
beforeAll(async () => {
  rsa = await rsaPool(2);
});

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: { code?: string }) => e.code,
  );

/** Every key type Node's WebCrypto holds, with an algorithm for it and the alg the export carries. */
const CASES: [type: KeyType, alg: string, exportedAlg: string | undefined][] = [
  ['RSA', 'RS256', 'RS256'],
  ['RSA', 'PS384', 'PS384'],
  ['RSA', 'RSA-OAEP', 'RSA-OAEP'],
  ['RSA', 'RSA-OAEP-256', 'RSA-OAEP-256'],
  ['P-256', 'ES256', 'ES256'],
  ['P-384', 'ES384', 'ES384'],
  ['P-521', 'ES512', 'ES512'],
  ['P-256', 'ECDH-ES', undefined],
  ['Ed25519', 'Ed25519', 'Ed25519'],
  ['Ed448', 'EdDSA', 'Ed448'],
  ['X25519', 'ECDH-ES+A128KW', undefined],
  ['X448', 'ECDH-ES', undefined],
  ['oct', 'HS256', 'HS256'],
];

describe('JWK -> CryptoKey -> JWK', () => {
  it.each(CASES)(
    'is the identity on the key material of random %s keys used with %s',
    async (type, alg, exportedAlg) => {
      await fc.assert(
        fc.asyncProperty(arbitraryKey(type, rsa), async (jwk) => {
          const priv = await jwkToCryptoKey(jwk, alg, undefined, { extractable: true });
          expect(priv.type).toBe(jwk.kty === 'oct' ? 'secret' : 'private');
          const back = await cryptoKeyToJWK(priv);
          expect(keyMaterial(back, true)).toEqual(keyMaterial(jwk, true));
          expect(back.alg).toBe(exportedAlg);
          if (jwk.kty !== 'oct') {
            const pub = await jwkToCryptoKey(toPublic(jwk), alg);
            expect(pub.type).toBe('public');
            expect(await cryptoKeyToJWK(pub)).toEqual(
              exportedAlg ? { ...keyMaterial(jwk, false), alg: exportedAlg } : keyMaterial(jwk, false),
            );
          }
        }),
        { numRuns: runs(type === 'RSA' ? 2 : 5) },
      );
    },
  );

  it('round-trips AES keys for key wrapping and content encryption', async () => {
    for (const [alg, bytes, exportedAlg] of [
      ['A128KW', 16, 'A128KW'],
      ['A256GCMKW', 32, undefined],
      ['A192GCM', 24, undefined],
    ] as const) {
      const jwk: JWK = { kty: 'oct', k: encode(new Uint8Array(bytes).fill(7)) };
      const back = await cryptoKeyToJWK(await jwkToCryptoKey(jwk, alg, undefined, { extractable: true }));
      expect(back).toEqual(exportedAlg ? { ...jwk, alg: exportedAlg } : jwk);
    }
  });
});

describe('jwkToCryptoKey', () => {
  const ec = () => fc.sample(arbitraryKey('P-256'), { numRuns: 1, seed: 3 })[0]!;

  it('gives each half of the pair the usages it can have by default', async () => {
    expect((await jwkToCryptoKey(ec(), 'ES256')).usages).toEqual(['sign']);
    expect((await jwkToCryptoKey(toPublic(ec()), 'ES256')).usages).toEqual(['verify']);
    expect([...(await jwkToCryptoKey(ec(), 'ECDH-ES')).usages].sort()).toEqual(['deriveBits', 'deriveKey']);
    expect((await jwkToCryptoKey(toPublic(ec()), 'ECDH-ES')).usages).toEqual([]);
    expect([...(await jwkToCryptoKey(toPublic(rsa[0]!), 'RSA-OAEP-256')).usages].sort()).toEqual([
      'encrypt',
      'wrapKey',
    ]);
  });

  it('imports a private JWK as its public key when only public usages are asked for', async () => {
    const key = await jwkToCryptoKey(ec(), 'ES256', 'verify');
    expect(key.type).toBe('public');
    expect(key.extractable).toBe(true);
  });

  it('makes private and secret keys non-extractable unless asked', async () => {
    const key = await jwkToCryptoKey(ec(), 'ES256');
    expect(key.extractable).toBe(false);
    expect(await code(cryptoKeyToJWK(key))).toBe('ERR_KEY_NOT_EXTRACTABLE');
    expect((await jwkToCryptoKey({ kty: 'oct', k: encode(new Uint8Array(32)) }, 'HS256')).extractable).toBe(
      false,
    );
  });

  it('refuses keys that do not allow the algorithm or the usage', async () => {
    expect(await code(jwkToCryptoKey({ ...ec(), alg: 'ES384' }, 'ES256'))).toBe('ERR_KEY_ALG_MISMATCH');
    expect(await code(jwkToCryptoKey(ec(), 'ES384'))).toBe('ERR_KEY_ALG_MISMATCH');
    expect(await code(jwkToCryptoKey({ ...ec(), use: 'enc' }, 'ES256'))).toBe('ERR_KEY_USE');
    expect(await code(jwkToCryptoKey({ ...ec(), key_ops: ['verify'] }, 'ES256', 'sign'))).toBe('ERR_KEY_OPS');
    expect(await code(jwkToCryptoKey(toPublic(ec()), 'ES256', 'sign'))).toBe('ERR_KEY_NOT_PRIVATE');
    expect(await code(jwkToCryptoKey({ kty: 'oct', k: encode(new Uint8Array(16)) }, 'HS256'))).toBe(
      'ERR_KEY_ALG_MISMATCH',
    );
  });

  it('refuses what WebCrypto has no key for as unsupported', async () => {
    const k1 = fc.sample(arbitraryKey('secp256k1'), { numRuns: 1 })[0]!;
    expect(await code(jwkToCryptoKey(k1, 'ES256K'))).toBe('ERR_UNSUPPORTED');
    expect(await code(jwkToCryptoKey(rsa[0]!, 'RSA1_5'))).toBe('ERR_UNSUPPORTED');
    expect(await code(jwkToCryptoKey({ kty: 'oct', k: encode(new Uint8Array(32)) }, 'dir'))).toBe(
      'ERR_UNSUPPORTED',
    );
    expect(await code(jwkToCryptoKey({ kty: 'oct', k: encode(new Uint8Array(32)) }, 'A128CBC-HS256'))).toBe(
      'ERR_UNSUPPORTED',
    );
    expect(await code(jwkToCryptoKey(ec(), 'nope'))).toBe('ERR_UNSUPPORTED');
  });

  it("refuses broken material with the validator's ERR_JWK_INVALID before any import", async () => {
    const jwk = toPublic(ec()) as JWK & { x: string };
    expect(await code(jwkToCryptoKey({ ...jwk, y: jwk.x }, 'ES256'))).toBe('ERR_JWK_INVALID');
  });
});

describe('cryptoKeyToJWK', () => {
  it('refuses things that are not CryptoKeys', async () => {
    expect(await code(cryptoKeyToJWK({} as CryptoKey))).toBe('ERR_KEY_EXPORT');
    expect(await code(cryptoKeyToJWK(null as unknown as CryptoKey))).toBe('ERR_KEY_EXPORT');
  });

  it('drops WebCrypto key_ops and ext', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const jwk = await cryptoKeyToJWK(pair.privateKey);
    expect(Object.keys(jwk)).toEqual(['kty', 'alg', 'crv', 'x', 'y', 'd']);
  });
});
