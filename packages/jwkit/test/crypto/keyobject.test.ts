import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../../test/helpers/backends.js';
import { arbitraryKey, KEY_TYPES, rsaPool, runs } from '../../../../test/helpers/keys.js';
import { importKey } from '../../src/crypto/import.js';
import { jwkToKeyObject, keyObjectToJWK } from '../../src/crypto/keyobject.js';
import { keyMaterial } from '../../src/jwk/material.js';
import type { JWK, RSAPrivateJWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';

let rsa: RSAPrivateJWK[] = [];
beforeAll(async () => {
  rsa = await rsaPool(2);
});

// @types/node types the RSA-PSS saltLength as a string; node:crypto wants a number.
const rsaPss = (options: {
  modulusLength: number;
  hashAlgorithm?: string;
  mgf1HashAlgorithm?: string;
  saltLength?: number;
}) => generateKeyPairSync('rsa-pss', options as unknown as { modulusLength: number });

// DH has no JWK form; @types/node has no overload for generating one.
const dhKey = () =>
  (generateKeyPairSync as (type: string, options: object) => { publicKey: KeyObject })('dh', {
    group: 'modp14',
  });

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};

describe('JWK -> KeyObject -> JWK', () => {
  it.each(KEY_TYPES)('is the identity on the key material of random %s keys (private and public)', (type) => {
    fc.assert(
      fc.property(arbitraryKey(type, rsa), (jwk) => {
        const priv = jwkToKeyObject(jwk);
        expect(priv.type).toBe(jwk.kty === 'oct' ? 'secret' : 'private');
        expect(keyObjectToJWK(priv)).toEqual(keyMaterial(jwk, true));
        if (jwk.kty !== 'oct') {
          const pub = jwkToKeyObject(toPublic(jwk));
          expect(pub.type).toBe('public');
          expect(keyObjectToJWK(pub)).toEqual(keyMaterial(jwk, false));
        }
      }),
      { numRuns: runs(type === 'RSA' ? 2 : 8) },
    );
  });

  it('emits members in canonical order and never invents alg, use or kid', () => {
    const jwk = keyObjectToJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    expect(Object.keys(jwk)).toEqual(['kty', 'crv', 'x', 'y', 'd']);
  });
});

describe('RSA-PSS KeyObjects', () => {
  it('export as RSA JWKs with alg PS256 when the parameters are those of RFC 7518 §3.5', async () => {
    const { privateKey, publicKey } = rsaPss({
      modulusLength: 2048,
      hashAlgorithm: 'sha256',
      mgf1HashAlgorithm: 'sha256',
      saltLength: 32,
    });
    const priv = keyObjectToJWK(privateKey);
    const pub = keyObjectToJWK(publicKey);
    expect(priv).toMatchObject({ kty: 'RSA', alg: 'PS256' });
    expect(pub).toEqual(toPublic(priv));
    // The exported key is the same key: a signature made by the PSS KeyObject verifies as PS256.
    const data = Buffer.from('pss');
    const sig = sign('sha256', data, { key: privateKey, padding: 6, saltLength: 32 });
    for (const { backend } of BACKENDS) {
      expect(await backend.verify(await importKey(pub, 'PS256', 'verify', { backend }), data, sig)).toBe(
        true,
      );
    }
  });

  it('are refused when unrestricted or when the parameters are not a JWS algorithm (issue 13 point 6)', () => {
    expect(code(() => keyObjectToJWK(rsaPss({ modulusLength: 2048 }).publicKey))).toBe('ERR_RSA_PSS_PARAMS');
    const odd = rsaPss({
      modulusLength: 2048,
      hashAlgorithm: 'sha256',
      saltLength: 20,
    });
    expect(code(() => keyObjectToJWK(odd.privateKey))).toBe('ERR_RSA_PSS_PARAMS');
    expect(code(() => keyObjectToJWK(odd.publicKey))).toBe('ERR_RSA_PSS_PARAMS');
  });
});

describe('errors', () => {
  it('refuses KeyObjects with no JWK form as unsupported', () => {
    expect(code(() => keyObjectToJWK(dhKey().publicKey))).toBe('ERR_UNSUPPORTED');
    expect(
      code(() => keyObjectToJWK(generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).publicKey)),
    ).toBe('ERR_UNSUPPORTED');
  });

  it('refuses non-KeyObjects with ERR_KEY_EXPORT', () => {
    expect(code(() => keyObjectToJWK({} as never))).toBe('ERR_KEY_EXPORT');
    expect(code(() => keyObjectToJWK(null as never))).toBe('ERR_KEY_EXPORT');
  });

  it('refuses material node:crypto rejects with ERR_KEY_IMPORT, naming the key type', () => {
    const jwk = keyObjectToJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey) as JWK & {
      y: string;
    };
    const offCurve = { ...jwk, y: jwk.x } as JWK;
    expect(code(() => jwkToKeyObject(offCurve))).toBe('ERR_KEY_IMPORT');
    expect(() => jwkToKeyObject(offCurve)).toThrow(/EC P-256/);
    expect(code(() => jwkToKeyObject({ kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }))).toBe('ERR_KEY_IMPORT');
    expect(code(() => jwkToKeyObject(null as never))).toBe('ERR_KEY_IMPORT');
  });

  it('refuses unknown key types and multi-prime RSA as unsupported', () => {
    expect(code(() => jwkToKeyObject({ kty: 'DSA' } as never))).toBe('ERR_UNSUPPORTED');
    expect(code(() => jwkToKeyObject({ ...rsa[0]!, oth: [] }))).toBe('ERR_UNSUPPORTED');
  });

  it('reads only the key material: alg, use and key_ops do not reach node:crypto', () => {
    const jwk = { ...toPublic(rsa[0]!), alg: 'PS256', use: 'enc', key_ops: ['encrypt'], ext: false } as JWK;
    const key = jwkToKeyObject(jwk);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(keyObjectToJWK(key)).toEqual(keyMaterial(jwk, false));
  });
});
