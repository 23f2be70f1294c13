/**
 * JWK <-> WebCrypto CryptoKey, in every runtime with `globalThis.crypto.subtle`. Which key types
 * work depends on the runtime (Ed448/X448 exist in Node and Firefox, not Chromium; secp256k1 is
 * in no WebCrypto); anything the runtime lacks is an `UnsupportedError`, never a DOMException.
 */

import { ConversionError, JWKitError, UnsupportedError } from '../errors/index.js';
import { checkKeyForAlg } from '../jwk/key-alg.js';
import { keyMaterial } from '../jwk/material.js';
import type { JWK } from '../jwk/model.js';
import { canonicalOrder, isPrivate } from '../jwk/model.js';
import { parseJWK } from '../jwk/validate/index.js';
import { type AlgorithmInfo, getAlgorithm, type KeyOp } from '../registry.js';

export interface CryptoKeyOptions {
  /**
   * The CryptoKey's `extractable` flag. Default: true for public keys, false for private and
   * secret keys (pass true to export them again with cryptoKeyToJWK).
   */
  extractable?: boolean;
}

const PRIVATE_OPS: readonly string[] = ['sign', 'decrypt', 'unwrapKey', 'deriveKey', 'deriveBits'];

/** The WebCrypto algorithm for a JWS/JWE `alg` and a key, or `UnsupportedError`. */
function webAlgorithm(info: AlgorithmInfo, jwk: JWK): Algorithm & Record<string, unknown> {
  const crv = jwk.crv as string | undefined;
  switch (info.family) {
    case 'HMAC':
      return { name: 'HMAC', hash: info.hash };
    case 'RSASSA-PKCS1-v1_5':
    case 'RSA-PSS':
      return { name: info.family, hash: info.hash };
    // RFC 7518 §4.3: plain RSA-OAEP uses SHA-1 (the registry's `hash` names only SHA-2 sizes).
    case 'RSA-OAEP':
      return { name: 'RSA-OAEP', hash: info.oaepHash };
    case 'ECDSA':
      if (crv === 'secp256k1') break;
      return { name: 'ECDSA', namedCurve: crv };
    case 'EdDSA':
      return { name: crv! };
    case 'ECDH-ES':
      return jwk.kty === 'OKP' ? { name: crv! } : { name: 'ECDH', namedCurve: crv };
    case 'AES-KW':
      return { name: 'AES-KW' };
    case 'AES-GCM-KW':
      return { name: 'AES-GCM' };
    case 'content':
      if (info.alg.endsWith('GCM')) return { name: 'AES-GCM' };
      break;
  }
  throw new UnsupportedError(`WebCrypto has no CryptoKey for ${info.alg}${crv ? ` on ${crv}` : ''}`);
}

/** Usages a key gets when the caller names none: everything its half of the pair can do. */
function defaultUsages(info: AlgorithmInfo, jwk: JWK): KeyOp[] {
  const priv = isPrivate(jwk);
  switch (info.family) {
    case 'HMAC':
      return ['sign', 'verify'];
    case 'RSA-OAEP':
      return priv ? ['decrypt', 'unwrapKey'] : ['encrypt', 'wrapKey'];
    case 'ECDH-ES':
      return priv ? ['deriveBits', 'deriveKey'] : [];
    case 'AES-KW':
      return ['wrapKey', 'unwrapKey'];
    case 'AES-GCM-KW':
      return ['wrapKey', 'unwrapKey'];
    case 'content':
      return ['encrypt', 'decrypt'];
    default:
      return priv ? ['sign'] : ['verify'];
  }
}

/**
 * A CryptoKey for `jwk` and `alg`. The key must suit the algorithm and allow the usages (same
 * checks as importKey: `ERR_KEY_ALG_MISMATCH`, `ERR_KEY_USE`, `ERR_KEY_OPS`,
 * `ERR_KEY_NOT_PRIVATE`). When every usage is a public one (verify, encrypt, wrapKey), a private
 * JWK is imported as its public key. Default usages: what the key's half can do with `alg`.
 */
export async function jwkToCryptoKey(
  jwk: JWK,
  alg: string,
  usages?: KeyUsage | readonly KeyUsage[],
  options?: CryptoKeyOptions,
): Promise<CryptoKey> {
  const info = getAlgorithm(alg);
  if (!info) throw new UnsupportedError(`unknown algorithm ${JSON.stringify(alg)}`);
  const ops = (
    usages === undefined ? defaultUsages(info, jwk) : typeof usages === 'string' ? [usages] : [...usages]
  ) as KeyOp[];
  checkKeyForAlg(jwk, alg, ops);
  jwk = parseJWK(jwk); // the material itself, as importKey does
  const algorithm = webAlgorithm(info, jwk);
  const withPrivate = isPrivate(jwk) && (jwk.kty === 'oct' || ops.some((op) => PRIVATE_OPS.includes(op)));
  const extractable = options?.extractable ?? !withPrivate;
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new UnsupportedError('this runtime has no WebCrypto (globalThis.crypto.subtle)');
  try {
    return await subtle.importKey(
      'jwk',
      keyMaterial(jwk, withPrivate) as JsonWebKey,
      algorithm,
      extractable,
      ops as KeyUsage[],
    );
  } catch (cause) {
    if ((cause as Error)?.name === 'NotSupportedError') {
      throw new UnsupportedError(
        `this runtime's WebCrypto does not support ${algorithm.name} keys (${alg})`,
        { cause },
      );
    }
    throw new ConversionError(
      'ERR_KEY_IMPORT',
      `WebCrypto cannot import this key for ${alg}: ${(cause as Error)?.message}; check the key with validateJWK`,
      { cause },
    );
  }
}

/** WebCrypto names no `alg` for these; the JWS one follows from the curve. */
const ALG_BY_CURVE: Record<string, string> = Object.assign(Object.create(null), {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
  Ed25519: 'Ed25519',
  Ed448: 'Ed448',
});

/**
 * The JWK of an extractable CryptoKey: key material in canonical order, plus `alg` when the
 * key's WebCrypto algorithm names exactly one JOSE algorithm (RSA, HMAC, AES-KW from WebCrypto's
 * own export; ES256/384/512 and Ed25519/Ed448 from the curve; none for ECDH and AES-GCM, which
 * serve several). WebCrypto's `ext` and `key_ops` are not copied. Throws
 * `ERR_KEY_NOT_EXTRACTABLE` for a non-extractable key.
 */
export async function cryptoKeyToJWK(key: CryptoKey): Promise<JWK> {
  if (
    key === null ||
    typeof key !== 'object' ||
    typeof key.algorithm !== 'object' ||
    typeof key.type !== 'string'
  ) {
    throw new ConversionError('ERR_KEY_EXPORT', 'cryptoKeyToJWK needs a WebCrypto CryptoKey');
  }
  if (!key.extractable) {
    throw new JWKitError(
      'ERR_KEY_NOT_EXTRACTABLE',
      `this ${key.type} ${key.algorithm.name} CryptoKey is not extractable; import it with extractable: true to export it`,
    );
  }
  let exported: JsonWebKey;
  try {
    exported = await globalThis.crypto.subtle.exportKey('jwk', key);
  } catch (cause) {
    throw new UnsupportedError(`WebCrypto cannot export this ${key.algorithm.name} key as a JWK`, { cause });
  }
  const jwk = keyMaterial(exported as JWK, key.type !== 'public') as Record<string, unknown>;
  const alg = joseAlg(key.algorithm.name, exported);
  if (alg !== undefined) jwk.alg = alg;
  return canonicalOrder(jwk) as JWK;
}

function joseAlg(name: string, exported: JsonWebKey): string | undefined {
  // ECDH keys serve ECDH-ES and each ECDH-ES+A*KW; AES-GCM keys serve A*GCM and A*GCMKW.
  if (name === 'ECDH' || name === 'X25519' || name === 'X448' || name === 'AES-GCM') return undefined;
  if (typeof exported.alg === 'string' && getAlgorithm(exported.alg)) return exported.alg;
  return typeof exported.crv === 'string' ? ALG_BY_CURVE[exported.crv] : undefined;
}
