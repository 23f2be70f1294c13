/**
 * Both crypto backends: sign/verify across backends for every signature algorithm, verify never
 * throwing on malformed signatures, import errors, generation and digests.
 */
import * as nobleMlDsa from '@noble/post-quantum/ml-dsa.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, nodeBackend, webBackend } from '../../../../test/helpers/backends.js';
import { arbitraryKey, type KeyType, rsaPool, runs } from '../../../../test/helpers/keys.js';
import { readJSON } from '../../../../test/helpers/vectors.js';
import type { CryptoBackend, KeyHandle } from '../../src/crypto/backend.js';
import { createWebBackend } from '../../src/crypto/web.js';
import { decode, encode } from '../../src/encoding/base64url.js';
import type { JWK, OctJWK, PrivateJWK, RSAPrivateJWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { signatureAlgorithms } from '../../src/registry.js';

const text = (s: string) => new TextEncoder().encode(s);

/** The key type each signature algorithm needs. */
const KEY_FOR_ALG: Record<string, KeyType | 'AKP'> = {
  HS256: 'oct',
  HS384: 'oct',
  HS512: 'oct',
  RS256: 'RSA',
  RS384: 'RSA',
  RS512: 'RSA',
  PS256: 'RSA',
  PS384: 'RSA',
  PS512: 'RSA',
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
  ES256K: 'secp256k1',
  EdDSA: 'Ed25519',
  Ed25519: 'Ed25519',
  Ed448: 'Ed448',
  'ML-DSA-44': 'AKP',
  'ML-DSA-65': 'AKP',
  'ML-DSA-87': 'AKP',
};

const ALL_BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['webcrypto', webBackend],
  ['webcrypto (noble only)', createWebBackend({ nativeCurves: false })],
];

let rsa: RSAPrivateJWK[] = [];
beforeAll(async () => {
  rsa = await rsaPool(2);
});

/** A key for `alg` that meets its size rules (HS384/512 need longer secrets). */
function keyFor(alg: string, seed = 1): PrivateJWK | OctJWK {
  const type = KEY_FOR_ALG[alg]!;
  if (type === 'oct') return { kty: 'oct', k: encode(new Uint8Array(64).fill(seed)) };
  if (type === 'AKP') {
    // RFC 9964 §4: priv is the seed; pub is what FIPS 204 KeyGen derives from it.
    const ml =
      { 'ML-DSA-44': nobleMlDsa.ml_dsa44, 'ML-DSA-65': nobleMlDsa.ml_dsa65 }[alg] ?? nobleMlDsa.ml_dsa87;
    const priv = new Uint8Array(32).fill(seed);
    return { kty: 'AKP', alg, pub: encode(ml.keygen(priv).publicKey), priv: encode(priv) } as PrivateJWK;
  }
  return fc.sample(arbitraryKey(type, rsa), { numRuns: 1, seed })[0]!;
}

function publicOf(jwk: JWK): JWK {
  return jwk.kty === 'oct' ? jwk : toPublic(jwk);
}

describe('every signature algorithm, across backends', () => {
  const algs = signatureAlgorithms().map((a) => a.alg);

  it('covers every signature algorithm of the registry', () => {
    expect(algs.sort()).toEqual(Object.keys(KEY_FOR_ALG).sort());
  });

  it.each(algs)('%s: a signature made by each backend verifies on every backend', async (alg) => {
    const jwk = keyFor(alg);
    const data = text(`payload for ${alg}`);
    for (const [signerName, signer] of ALL_BACKENDS) {
      const signature = await signer.sign(await signer.importKey(jwk, alg, 'sign'), data);
      for (const [verifierName, verifier] of ALL_BACKENDS) {
        const handle = await verifier.importKey(publicOf(jwk), alg, 'verify');
        expect(await verifier.verify(handle, data, signature), `${signerName} -> ${verifierName}`).toBe(true);
        const tampered = Uint8Array.from(data);
        tampered[0]! ^= 1;
        expect(
          await verifier.verify(handle, tampered, signature),
          `${signerName} -> ${verifierName}, tampered`,
        ).toBe(false);
      }
    }
  });

  it.each(algs)('%s: verify says false, never throws, for malformed signatures', async (alg) => {
    const jwk = keyFor(alg);
    const data = text('data');
    for (const [name, backend] of ALL_BACKENDS) {
      const good = await backend.sign(await backend.importKey(jwk, alg, 'sign'), data);
      const handle = await backend.importKey(publicOf(jwk), alg, 'verify');
      const bad = [
        new Uint8Array(0),
        good.subarray(0, good.length - 1),
        Uint8Array.from([...good, 0]),
        new Uint8Array(good.length),
        new Uint8Array(good.length).fill(0xff),
        Uint8Array.from([0, ...good]).subarray(0, good.length),
      ];
      for (const sig of bad)
        expect(await backend.verify(handle, data, sig), `${name}: ${sig.length} octets`).toBe(false);
    }
  });
});

describe.each(BACKENDS)('$name backend', ({ name, backend }) => {
  it('rejects ECDSA signatures whose r or s is 0 or at least n (RFC 7518 §3.4, CVE-2022-21449)', async () => {
    const jwk = keyFor('ES256');
    const handle = await backend.importKey(toPublic(jwk), 'ES256', 'verify');
    const n = decode('_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE');
    const one = new Uint8Array(32);
    one[31] = 1;
    const zero = new Uint8Array(32);
    for (const [r, s] of [
      [zero, zero],
      [one, zero],
      [zero, one],
      [n, one],
      [one, n],
    ] as const) {
      expect(await backend.verify(handle, text('x'), Uint8Array.from([...r, ...s]))).toBe(false);
    }
  });

  it('accepts a high-S ES256K signature, as JWS does not require low S (RFC 8812 §3.2)', async () => {
    const jwk = keyFor('ES256K');
    const data = text('malleable');
    const signature = await backend.sign(await backend.importKey(jwk, 'ES256K', 'sign'), data);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
    const flipped = Uint8Array.from([
      ...signature.subarray(0, 32),
      ...Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
    ]);
    const handle = await backend.importKey(toPublic(jwk), 'ES256K', 'verify');
    expect(await backend.verify(handle, data, signature)).toBe(true);
    expect(await backend.verify(handle, data, flipped)).toBe(true);
  });

  it('reproduces the deterministic RFC 8037 A.4 Ed25519 signature', async () => {
    const okp = readJSON<Record<string, Record<string, string>>>('vectors', 'rfc', 'rfc8037-okp.json');
    const key = okp['A.1_ed25519_private_jwk'] as unknown as JWK;
    const a4 = okp['A.4_ed25519_signing']!;
    const signature = await backend.sign(
      await backend.importKey(key, 'EdDSA', 'sign'),
      text(a4.signing_input!),
    );
    expect(Buffer.from(signature).toString('hex')).toBe(a4.signature_hex);
  });

  it('computes SHA-1 and SHA-2 digests', async () => {
    const abc = text('abc');
    expect(Buffer.from(await backend.digest('SHA-1', abc)).toString('hex')).toBe(
      'a9993e364706816aba3e25717850c26c9cd0d89d',
    );
    expect(Buffer.from(await backend.digest('SHA-256', abc)).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect((await backend.digest('SHA-384', abc)).length).toBe(48);
    expect((await backend.digest('SHA-512', abc)).length).toBe(64);
  });

  describe('import errors', () => {
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: { code?: string }) => e.code,
      );

    it('refuses to sign with a public key', async () => {
      expect(await code(backend.importKey(toPublic(keyFor('ES256')), 'ES256', 'sign'))).toBe(
        'ERR_KEY_NOT_PRIVATE',
      );
    });

    it('refuses a key of the wrong type or curve for the algorithm', async () => {
      expect(await code(backend.importKey(keyFor('ES256'), 'RS256', 'verify'))).toBe('ERR_KEY_ALG_MISMATCH');
      expect(await code(backend.importKey(keyFor('ES384'), 'ES256', 'verify'))).toBe('ERR_KEY_ALG_MISMATCH');
      expect(await code(backend.importKey(keyFor('HS256'), 'ES256', 'verify'))).toBe('ERR_KEY_ALG_MISMATCH');
    });

    it('refuses unknown and non-signature algorithms as unsupported', async () => {
      expect(await code(backend.importKey(keyFor('RS256'), 'RSA-OAEP', 'verify'))).toBe('ERR_UNSUPPORTED');
      expect(await code(backend.importKey(keyFor('RS256'), 'none', 'verify'))).toBe('ERR_UNSUPPORTED');
      expect(await code(backend.importKey(keyFor('RS256'), 'constructor', 'verify'))).toBe('ERR_UNSUPPORTED');
    });

    it('refuses an EC point that is not on its curve with ERR_KEY_IMPORT', async () => {
      const jwk = toPublic(keyFor('ES256')) as JWK & { y: string };
      const y = decode(jwk.y);
      y[31]! ^= 1;
      expect(await code(backend.importKey({ ...jwk, y: encode(y) }, 'ES256', 'verify'))).toBe(
        'ERR_KEY_IMPORT',
      );
      const k1 = toPublic(keyFor('ES256K')) as JWK & { y: string };
      const y1 = decode(k1.y);
      y1[31]! ^= 1;
      expect(await code(backend.importKey({ ...k1, y: encode(y1) }, 'ES256K', 'verify'))).toBe(
        'ERR_KEY_IMPORT',
      );
    });

    it('refuses multi-prime RSA keys as unsupported', async () => {
      const jwk = { ...keyFor('RS256'), oth: [{ r: 'AQ', d: 'AQ', t: 'AQ' }] };
      expect(await code(backend.importKey(jwk, 'RS256', 'sign'))).toBe('ERR_UNSUPPORTED');
    });

    it('refuses handles of the other backend and handles used for the other operation', async () => {
      const other = name === 'node' ? webBackend : nodeBackend;
      const foreign = await other.importKey(toPublic(keyFor('ES256')), 'ES256', 'verify');
      expect(await code(backend.verify(foreign, text('x'), new Uint8Array(64)))).toBe('ERR_KEY_HANDLE');
      const verifyOnly: KeyHandle = await backend.importKey(toPublic(keyFor('ES256')), 'ES256', 'verify');
      expect(await code(backend.sign(verifyOnly, text('x')))).toBe('ERR_KEY_USAGE');
    });

    it('never mutates the JWK it imports', async () => {
      const jwk = { ...keyFor('RS256'), alg: 'RS256', use: 'sig', kid: 'k' };
      const before = structuredClone(jwk);
      await backend.importKey(Object.freeze(jwk), 'RS256', 'sign');
      await backend.importKey(jwk, 'RS256', 'verify');
      expect(jwk).toEqual(before);
    });
  });

  describe('generate', () => {
    it.each([
      ['EC', 'P-256', 'ES256'],
      ['EC', 'P-384', 'ES384'],
      ['EC', 'P-521', 'ES512'],
      ['EC', 'secp256k1', 'ES256K'],
      ['OKP', 'Ed25519', 'Ed25519'],
      ['OKP', 'Ed448', 'Ed448'],
    ] as const)('makes a working %s %s key', async (kty, crv, alg) => {
      const jwk = await backend.generate({ kty, crv });
      expect(jwk).toMatchObject({ kty, crv });
      expect(Object.keys(jwk).sort()).toEqual(
        kty === 'EC' ? ['crv', 'd', 'kty', 'x', 'y'] : ['crv', 'd', 'kty', 'x'],
      );
      const data = text('generated');
      const sig = await backend.sign(await backend.importKey(jwk, alg, 'sign'), data);
      expect(
        await nodeBackend.verify(await nodeBackend.importKey(toPublic(jwk), alg, 'verify'), data, sig),
      ).toBe(true);
    });

    it.each(['X25519', 'X448'])('makes an %s key whose x derives from d', async (crv) => {
      const jwk = (await backend.generate({ kty: 'OKP', crv })) as PrivateJWK & { x: string; d: string };
      expect(decode(jwk.x).length).toBe(crv === 'X25519' ? 32 : 56);
      const { x25519 } = await import('@noble/curves/ed25519.js');
      const { x448 } = await import('@noble/curves/ed448.js');
      const scheme = crv === 'X25519' ? x25519 : x448;
      expect(encode(scheme.getPublicKey(decode(jwk.d)))).toBe(jwk.x);
    });

    it('makes RSA keys of the requested size with e = 65537', async () => {
      const jwk = (await backend.generate({ kty: 'RSA', bits: 2048 })) as RSAPrivateJWK;
      expect(jwk.e).toBe('AQAB');
      expect(decode(jwk.n).length).toBe(256);
      expect(Object.keys(jwk).sort()).toEqual(['d', 'dp', 'dq', 'e', 'kty', 'n', 'p', 'q', 'qi']);
    });

    it('makes oct keys of the requested size', async () => {
      const jwk = (await backend.generate({ kty: 'oct', bits: 384 })) as OctJWK;
      expect(decode(jwk.k).length).toBe(48);
    });

    it.each([
      [{ kty: 'RSA', bits: 1024 }],
      [{ kty: 'RSA', bits: 16392 }],
      [{ kty: 'RSA', bits: 2049 }],
      [{ kty: 'oct', bits: 100 }],
      [{ kty: 'oct', bits: 0 }],
      [{ kty: 'EC', crv: 'P-256', bits: 256 }],
    ] as const)('refuses size %j with ERR_GENERATE_SIZE', async (spec) => {
      await expect(backend.generate(spec)).rejects.toMatchObject({ code: 'ERR_GENERATE_SIZE' });
    });

    it('refuses unknown curves as unsupported', async () => {
      await expect(backend.generate({ kty: 'EC', crv: 'P-192' })).rejects.toMatchObject({
        code: 'ERR_UNSUPPORTED',
      });
      await expect(backend.generate({ kty: 'EC', crv: 'Ed25519' })).rejects.toMatchObject({
        code: 'ERR_UNSUPPORTED',
      });
    });
  });
});

describe('node backend synchronous path', () => {
  it('signs and verifies synchronously with the same results as the async API', async () => {
    const jwk = keyFor('RS256');
    const signer = nodeBackend.importKeySync!(jwk, 'RS256', 'sign');
    const verifier = nodeBackend.importKeySync!(toPublic(jwk), 'RS256', 'verify');
    const data = text('sync');
    const sig = nodeBackend.signSync!(signer, data);
    expect(nodeBackend.verifySync!(verifier, data, sig)).toBe(true);
    expect(await nodeBackend.verify(verifier, data, sig)).toBe(true);
    // RS256 is deterministic: both paths give the same octets.
    expect(Buffer.from(await nodeBackend.sign(signer, data)).equals(Buffer.from(sig))).toBe(true);
  });

  it('a verify handle of a private JWK holds only the public key', () => {
    const handle = nodeBackend.importKeySync!(keyFor('ES256'), 'ES256', 'verify') as KeyHandle & {
      keyObject: { type: string };
    };
    expect(handle.keyObject.type).toBe('public');
  });

  it('property: sign then verify holds for random EC and OKP keys', () => {
    for (const [alg, type] of [
      ['ES256', 'P-256'],
      ['ES256K', 'secp256k1'],
      ['Ed448', 'Ed448'],
    ] as const) {
      fc.assert(
        fc.property(arbitraryKey(type), fc.uint8Array({ maxLength: 64 }), (jwk, data) => {
          const sig = nodeBackend.signSync!(nodeBackend.importKeySync!(jwk, alg, 'sign'), data);
          return nodeBackend.verifySync!(nodeBackend.importKeySync!(toPublic(jwk), alg, 'verify'), data, sig);
        }),
        { numRuns: runs(10) },
      );
    }
  });
});
