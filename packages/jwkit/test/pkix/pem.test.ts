/**
 * JWK <-> PEM/DER round trips for random keys of every type, in every format each type has,
 * checked against node:crypto's own reading of the PEM jwkit writes.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type RSAPSSKeyPairKeyObjectOptions,
} from 'node:crypto';
import { ed448, x448 } from '@noble/curves/ed448.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../../test/helpers/backends.js';
import { encode } from '../../src/encoding/base64url.js';
import { ConversionError, UnsupportedError } from '../../src/errors/index.js';
import type { JWK, PrivateJWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { bitString, encodeDER, oid, sequence, TAG, unsignedInteger } from '../../src/pkix/asn1.js';
import { derToJWK, jwkToDER, jwkToPEM, pemToJWK, pemToJWKs } from '../../src/pkix/convert.js';
import { CURVES } from '../../src/registry.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

/** Private formats per key type (public keys: spki, plus pkcs1 for RSA). */
const PRIVATE_FORMATS = { RSA: ['pkcs8', 'pkcs1'], EC: ['pkcs8', 'sec1'], OKP: ['pkcs8'] } as const;

function bytesOf(n: bigint, size: number): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(size * 2, '0'), 'hex'));
}

const WEIERSTRASS = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 } as const;
const OKP = { Ed25519: ed25519, Ed448: ed448, X25519: x25519, X448: x448 } as const;

/** EC keys from any scalar in [1, n-1], so edge scalars (1, n-1, leading zero bytes) occur. */
const ecKey: fc.Arbitrary<PrivateJWK> = fc
  .constantFrom(...(Object.keys(WEIERSTRASS) as (keyof typeof WEIERSTRASS)[]))
  .chain((crv) => {
    const curve = WEIERSTRASS[crv];
    const size = CURVES[crv]!.size;
    return fc.bigInt({ min: 1n, max: curve.Point.Fn.ORDER - 1n }).map((s) => {
      const d = bytesOf(s, size);
      const pub = curve.getPublicKey(d, false);
      return {
        kty: 'EC',
        crv,
        x: encode(pub.subarray(1, 1 + size)),
        y: encode(pub.subarray(1 + size)),
        d: encode(d),
      };
    });
  });

const okpKey: fc.Arbitrary<PrivateJWK> = fc
  .constantFrom(...(Object.keys(OKP) as (keyof typeof OKP)[]))
  .chain((crv) => {
    const size = CURVES[crv]!.privateSize;
    return fc
      .uint8Array({ minLength: size, maxLength: size })
      .map((d) => ({ kty: 'OKP', crv, x: encode(OKP[crv].getPublicKey(d)), d: encode(d) }));
  });

/** RSA keys cannot be drawn cheaply, so both backends generate a small pool up front. */
const rsaPool: PrivateJWK[] = [];
beforeAll(async () => {
  for (const { backend } of BACKENDS)
    rsaPool.push((await backend.generate({ kty: 'RSA', bits: 2048 })) as PrivateJWK);
  rsaPool.push((await BACKENDS[0]!.backend.generate({ kty: 'RSA', bits: 3072 })) as PrivateJWK);
});
const rsaKey = fc.nat(2).map((i) => rsaPool[i]!);
const anyKey = fc.oneof(ecKey, okpKey, rsaKey);

/** node:crypto's reading of a PEM, as a JWK: an independent check of what jwkit wrote. */
function nodeReads(pem: string, isPrivate: boolean): JWK {
  return (isPrivate ? createPrivateKey(pem) : createPublicKey(pem)).export({ format: 'jwk' }) as JWK;
}

describe('round trips for random keys', () => {
  it('key -> JWK -> PEM (every private format) -> JWK is identity, and node:crypto agrees', async () => {
    await fc.assert(
      fc.asyncProperty(anyKey, async (jwk) => {
        for (const format of PRIVATE_FORMATS[jwk.kty as keyof typeof PRIVATE_FORMATS]) {
          const pem = await jwkToPEM(jwk, { format });
          expect(await pemToJWK(pem)).toEqual(jwk);
          expect(await derToJWK(await jwkToDER(jwk, { format }))).toEqual(jwk);
          expect(nodeReads(pem, true)).toEqual(jwk);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('public key -> PEM (spki, and pkcs1 for RSA) -> JWK is identity', async () => {
    await fc.assert(
      fc.asyncProperty(anyKey, async (priv) => {
        const jwk = toPublic(priv);
        for (const format of jwk.kty === 'RSA' ? (['spki', 'pkcs1'] as const) : (['spki'] as const)) {
          const pem = await jwkToPEM(jwk, { format });
          expect(await pemToJWK(pem)).toEqual(jwk);
          expect(nodeReads(pem, false)).toEqual(jwk);
        }
        // A private key written as spki gives its public part.
        expect(await pemToJWK(await jwkToPEM(priv, { format: 'spki' }))).toEqual(jwk);
      }),
      { numRuns: RUNS },
    );
  });

  it('encrypted PKCS#8 with a random passphrase is identity, and node:crypto decrypts it', async () => {
    await fc.assert(
      fc.asyncProperty(anyKey, fc.string({ maxLength: 40 }), async (jwk, passphrase) => {
        const pem = await jwkToPEM(jwk, { passphrase, iterations: 1000 });
        expect(await pemToJWK(pem, { passphrase })).toEqual(jwk);
        expect(createPrivateKey({ key: pem, passphrase }).export({ format: 'jwk' })).toEqual(jwk);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

describe('what each format accepts', () => {
  const ec = { kty: 'EC', crv: 'P-256', ...p256Key() } as PrivateJWK;

  function p256Key() {
    const d = new Uint8Array(32).fill(7);
    const pub = p256.getPublicKey(d, false);
    return { x: encode(pub.subarray(1, 33)), y: encode(pub.subarray(33)), d: encode(d) };
  }

  it('defaults to pkcs8 for private keys and spki for public ones', async () => {
    expect(await jwkToPEM(ec)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(await jwkToPEM(toPublic(ec))).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('writes 64-column lines and a final newline (RFC 7468 §3)', async () => {
    const pem = await jwkToPEM(rsaPool[0]!);
    const body = pem.split('\n').slice(1, -2);
    expect(body.slice(0, -1).every((l) => l.length === 64)).toBe(true);
    expect(pem.endsWith('-----END PRIVATE KEY-----\n')).toBe(true);
  });

  it.each([
    [{ format: 'pkcs1' }, 'ERR_FORMAT_UNSUPPORTED'],
    [{ format: 'sec1', public: true }, 'ERR_FORMAT_UNSUPPORTED'],
    [{ format: 'pkcs8', public: true }, 'ERR_FORMAT_UNSUPPORTED'],
    [{ format: 'sec1', passphrase: 'x' }, 'ERR_FORMAT_UNSUPPORTED'],
    [{ format: 'spki', passphrase: 'x' }, 'ERR_FORMAT_UNSUPPORTED'],
    [{ format: 'der' }, 'ERR_FORMAT_UNSUPPORTED'],
  ] as const)('%o is refused with %s', async (opts, code) => {
    const key = 'public' in opts ? toPublic(ec) : ec;
    const { public: _, ...options } = { public: false, ...opts };
    await expect(jwkToPEM(key, options as never)).rejects.toMatchObject({ code });
  });

  it('oct keys have no PEM form', async () => {
    await expect(jwkToPEM({ kty: 'oct', k: 'AAAA' })).rejects.toMatchObject({ code: 'ERR_OCT_NO_PEM' });
  });

  it('refuses a JWK whose private key does not match its public key', async () => {
    const other = { ...ec, x: encode(p256.getPublicKey(new Uint8Array(32).fill(9), false).subarray(1, 33)) };
    await expect(jwkToPEM(other)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' });
    const okp = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: encode(new Uint8Array(32)),
      d: encode(new Uint8Array(32).fill(1)),
    } as const;
    await expect(jwkToPEM(okp)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' });
  });

  it('refuses an EC point that is not on the curve and coordinates of the wrong length', async () => {
    const off = { ...toPublic(ec), y: encode(new Uint8Array(32).fill(1)) };
    await expect(jwkToPEM(off)).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' });
    const short = { ...toPublic(ec), x: encode(new Uint8Array(31)) };
    await expect(jwkToPEM(short)).rejects.toThrow(/needs exactly 32/);
  });

  it('refuses an RSA private key without CRT members, and multi-prime keys', async () => {
    const { p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...dOnly } = rsaPool[0]! as Record<string, unknown>;
    await expect(jwkToPEM(dOnly as JWK)).rejects.toThrow(
      /needs? all of d, p, q, dp, dq, qi|lacks p, q, dp, dq, qi/,
    );
    await expect(jwkToPEM({ ...rsaPool[0]!, oth: [] } as JWK)).rejects.toBeInstanceOf(UnsupportedError);
  });

  it('encrypts with PBKDF2-HMAC-SHA256 and AES-256-CBC by default, 600000 iterations', async () => {
    const der = await jwkToDER(ec, { passphrase: 'p' });
    const hex = Buffer.from(der).toString('hex');
    expect(hex).toContain('06092a864886f70d01050d'); // pbes2
    expect(hex).toContain('06082a864886f70d0209'); // hmacWithSHA256
    expect(hex).toContain('060960864801650304012a'); // aes256-CBC (…01 2a)
    expect(hex).toContain('02030927c0'); // INTEGER 600000
    expect(await derToJWK(der, { passphrase: 'p' })).toEqual(ec);
  });
});

describe('RSA-PSS keys (RFC 4055)', () => {
  // @types/node declares saltLength as a string; node:crypto wants a number.
  const pss = (options: object) => ({ modulusLength: 2048, ...options }) as RSAPSSKeyPairKeyObjectOptions;

  it('read as RSA, with alg set when the parameters name a JWS algorithm', async () => {
    const { privateKey } = generateKeyPairSync(
      'rsa-pss',
      pss({ hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 48 }),
    );
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const jwk = await pemToJWK(pem);
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'PS384' });
    const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
    expect(await pemToJWK(spki)).toEqual({ ...toPublic(jwk) });
    // Written back as an ordinary rsaEncryption key: JWK carries the restriction in alg only.
    expect(await jwkToPEM(jwk, { format: 'spki' })).toMatch(
      /^-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAA/,
    );
  });

  it('without parameters, or with ones JWS cannot name, refused (issue 13 point 6)', async () => {
    // Read as plain RSA (as jwkit did), such a key would also verify RS256: its restriction lost.
    for (const options of [{}, { hashAlgorithm: 'sha256', saltLength: 20 }, { hashAlgorithm: 'sha1' }]) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa-pss', pss(options));
      for (const pem of [
        publicKey.export({ type: 'spki', format: 'pem' }) as string,
        privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      ]) {
        await expect(pemToJWK(pem), JSON.stringify(options)).rejects.toMatchObject({
          code: 'ERR_RSA_PSS_PARAMS',
        });
      }
    }
  });
});

describe('PKCS#8 v2 (OneAsymmetricKey with the public key, RFC 5958)', () => {
  const d = new Uint8Array(32).fill(3);
  const v2 = (x: Uint8Array) =>
    sequence(
      unsignedInteger(new Uint8Array([1])),
      sequence(oid('1.3.101.112')),
      encodeDER(TAG.OCTET_STRING, encodeDER(TAG.OCTET_STRING, d)),
      encodeDER(0x81, new Uint8Array([0]), x),
    );

  it('reads the key when the public key belongs to it', async () => {
    const x = ed25519.getPublicKey(d);
    expect(await derToJWK(v2(x))).toEqual({ kty: 'OKP', crv: 'Ed25519', x: encode(x), d: encode(d) });
  });

  it('refuses a public key that does not belong to the private key', async () => {
    await expect(derToJWK(v2(ed25519.getPublicKey(new Uint8Array(32))))).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    });
  });
});

describe('pemToJWK and pemToJWKs', () => {
  it('pemToJWKs reads several blocks with text around them; pemToJWK refuses them', async () => {
    const a = await jwkToPEM(rsaPool[0]!);
    const b = await jwkToPEM(toPublic(rsaPool[1]!), { format: 'pkcs1' });
    const text = `Bag Attributes: none\r\n${a.replace(/\n/g, '\r\n')}\nsome notes\n  ${b}trailing`;
    expect(await pemToJWKs(text)).toEqual([rsaPool[0], toPublic(rsaPool[1]!)]);
    await expect(pemToJWK(text)).rejects.toMatchObject({ code: 'ERR_PEM_MULTIPLE_BLOCKS' });
  });

  it.each([
    ['OPENSSH PRIVATE KEY', /ssh-keygen -p -m PKCS8/],
    ['CERTIFICATE REQUEST', /openssl req/],
    ['DSA PRIVATE KEY', /DSA/],
    ['FOO BAR', /jwkit reads PUBLIC KEY/],
  ])('an unknown label %s is a clear error', async (label, hint) => {
    const err = await pemToJWKs(`-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConversionError);
    expect(err).toMatchObject({ code: 'ERR_PEM_UNKNOWN_LABEL' });
    expect((err as Error).message).toMatch(hint);
  });

  it('a DSA key is unsupported, naming the algorithm', async () => {
    // An SPKI with the DSA algorithm OID (1.2.840.10040.4.1) and a stand-in key.
    const spki = sequence(
      sequence(oid('1.2.840.10040.4.1')),
      bitString(unsignedInteger(new Uint8Array([1, 2, 3]))),
    );
    const err = await derToJWK(spki).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(/DSA/);
  });

  it('derToJWK recognises each structure without a label', async () => {
    const key = rsaPool[0]!;
    for (const format of ['pkcs8', 'pkcs1', 'spki'] as const) {
      const expected = format === 'spki' ? toPublic(key) : key;
      expect(await derToJWK(await jwkToDER(key, { format }))).toEqual(expected);
    }
    expect(await derToJWK(await jwkToDER(toPublic(key), { format: 'pkcs1' }))).toEqual(toPublic(key));
    await expect(derToJWK(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]))).rejects.toMatchObject({
      code: 'ERR_DER_STRUCTURE',
    });
  });
});
