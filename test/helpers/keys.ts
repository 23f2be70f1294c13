/**
 * Random keys of every type for property tests. EC and OKP keys derive from fast-check byte
 * arrays (reproducible and shrinkable); RSA keys come from a small pool generated once per test
 * file, because an RSA key cannot be derived cheaply from a seed.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { ed448, x448 } from '@noble/curves/ed448.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { encode } from '../../packages/jwkit/src/encoding/base64url.js';
import type { OctJWK, PrivateJWK, RSAPrivateJWK } from '../../packages/jwkit/src/jwk/model.js';

/** fast-check run count: `base` in CI, scaled by FUZZ_RUNS for long runs. */
export function runs(base: number): number {
  const fuzz = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(fuzz) && fuzz > 0 ? Math.max(base, fuzz) : base;
}

const WEIERSTRASS = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 } as const;
const EDWARDS = { Ed25519: ed25519, Ed448: ed448 } as const;
const MONTGOMERY = { X25519: x25519, X448: x448 } as const;

export type KeyType =
  | 'RSA'
  | 'oct'
  | keyof typeof WEIERSTRASS
  | keyof typeof EDWARDS
  | keyof typeof MONTGOMERY;
export const KEY_TYPES: readonly KeyType[] = [
  'RSA',
  'oct',
  'P-256',
  'P-384',
  'P-521',
  'secp256k1',
  'Ed25519',
  'Ed448',
  'X25519',
  'X448',
];

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

/** A random private key (or oct secret) of `type`; RSA draws from `rsaPool`. */
export function arbitraryKey(
  type: KeyType,
  rsaPool: readonly RSAPrivateJWK[] = [],
): fc.Arbitrary<PrivateJWK | OctJWK> {
  if (type === 'RSA') return fc.constantFrom(...rsaPool);
  if (type === 'oct')
    return fc.uint8Array({ minLength: 32, maxLength: 96 }).map((k) => ({ kty: 'oct', k: encode(k) }));
  if (type in WEIERSTRASS) {
    const curve = WEIERSTRASS[type as keyof typeof WEIERSTRASS];
    return bytes(curve.lengths.seed!).map((seed) => {
      const d = curve.utils.randomSecretKey(seed);
      const pub = curve.getPublicKey(d, false); // 04 || x || y
      const size = (pub.length - 1) / 2;
      return {
        kty: 'EC',
        crv: type,
        x: encode(pub.subarray(1, 1 + size)),
        y: encode(pub.subarray(1 + size)),
        d: encode(d),
      };
    });
  }
  const scheme =
    type in EDWARDS ? EDWARDS[type as keyof typeof EDWARDS] : MONTGOMERY[type as keyof typeof MONTGOMERY];
  return bytes(scheme.lengths.secretKey!).map((d) => ({
    kty: 'OKP',
    crv: type,
    x: encode(scheme.getPublicKey(d)),
    d: encode(d),
  }));
}

/** `count` RSA private JWKs of `bits`, generated off the event loop. */
export async function rsaPool(count: number, bits = 2048): Promise<RSAPrivateJWK[]> {
  const gen = promisify(generateKeyPair);
  const pairs = await Promise.all(
    Array.from({ length: count }, () => gen('rsa', { modulusLength: bits, publicExponent: 0x10001 })),
  );
  return pairs.map((p) => p.privateKey.export({ format: 'jwk' }) as RSAPrivateJWK);
}
