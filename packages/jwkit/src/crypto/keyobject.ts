/**
 * JWK <-> `node:crypto` KeyObject (Node only; exported from src/index.node.ts). Both directions
 * cover every key type jwkit knows: RSA (including RSA-PSS-restricted KeyObjects), EC P-256,
 * P-384, P-521 and secp256k1, OKP Ed25519, Ed448, X25519, X448, and oct.
 */

import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { decode } from '../encoding/base64url.js';
import { ConversionError, UnsupportedError } from '../errors/index.js';
import { keyMaterial } from '../jwk/material.js';
import type { JWK } from '../jwk/model.js';
import { canonicalOrder, isPrivate } from '../jwk/model.js';

/**
 * A KeyObject for the key: a private KeyObject when the JWK has private members, a secret one
 * for `oct`, a public one otherwise. Only the key material is read (`alg`, `use`, `key_ops` are
 * jwkit's business, see importKey). Throws `ConversionError` `ERR_KEY_IMPORT` when node:crypto
 * rejects the material (e.g. an EC point off its curve) and `UnsupportedError` for key types it
 * cannot hold (multi-prime RSA).
 */
export function jwkToKeyObject(jwk: JWK): KeyObject {
  if (jwk === null || typeof jwk !== 'object')
    throw new ConversionError('ERR_KEY_IMPORT', 'a JWK must be an object');
  const priv = isPrivate(jwk);
  const material = keyMaterial(jwk, priv);
  try {
    if (material.kty === 'oct') return createSecretKey(decode(material.k ?? '', { allowPadding: false }));
    // node's typings want its own JsonWebKey shape; the material object is exactly that.
    const key = { key: material as import('node:crypto').JsonWebKey, format: 'jwk' as const };
    return priv ? createPrivateKey(key) : createPublicKey(key);
  } catch (cause) {
    throw new ConversionError(
      'ERR_KEY_IMPORT',
      `node:crypto cannot import this ${describe(jwk)} key: ${(cause as Error).message}; check the key with validateJWK`,
      { cause },
    );
  }
}

/**
 * The JWK of a KeyObject: private members included for private and secret KeyObjects (call
 * `toPublic` before publishing). Members come out in canonical order; no `alg`, `use` or `kid`
 * is invented, except that an RSA-PSS-restricted key whose parameters match RFC 7518 §3.5
 * (MGF1 with the same hash, salt = hash length) gets `alg: PS256/384/512`.
 */
export function keyObjectToJWK(key: KeyObject): JWK {
  if (key === null || typeof key !== 'object' || typeof (key as KeyObject).export !== 'function') {
    throw new ConversionError('ERR_KEY_EXPORT', 'keyObjectToJWK needs a node:crypto KeyObject');
  }
  if (key.type === 'secret') return canonicalOrder(key.export({ format: 'jwk' }) as JWK);
  const type = key.asymmetricKeyType;
  if (type === 'rsa-pss') return rsaPssToJWK(key);
  // ML-DSA KeyObjects (Node 24.7+) export as AKP JWKs with alg, pub and the seed priv (RFC 9964).
  // (@types/node 20 does not list them yet.)
  const mlDsa = ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'].includes(String(type));
  if (
    !mlDsa &&
    type !== 'rsa' &&
    type !== 'ec' &&
    !(type && ['ed25519', 'ed448', 'x25519', 'x448'].includes(type))
  ) {
    throw new UnsupportedError(`a ${type ?? 'unknown'} KeyObject has no JWK form jwkit supports`);
  }
  try {
    return canonicalOrder(key.export({ format: 'jwk' }) as JWK);
  } catch (cause) {
    // e.g. an EC key on a curve JWK has no name for (brainpool, secp224r1).
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new UnsupportedError(`this ${type}${curve ? ` ${curve}` : ''} KeyObject has no JWK form`, {
      cause,
    });
  }
}

const PSS_HASHES: Record<string, { alg: string; length: number }> = Object.assign(Object.create(null), {
  sha256: { alg: 'PS256', length: 32 },
  'sha2-256': { alg: 'PS256', length: 32 },
  sha384: { alg: 'PS384', length: 48 },
  'sha2-384': { alg: 'PS384', length: 48 },
  sha512: { alg: 'PS512', length: 64 },
  'sha2-512': { alg: 'PS512', length: 64 },
});

/**
 * node:crypto refuses to export RSA-PSS keys as JWK; the key itself is a plain RSA key inside a
 * SPKI/PKCS#8 wrapper whose AlgorithmIdentifier carries the PSS parameters (RFC 4055 §3.1), so
 * unwrap the inner PKCS#1 structure and export that.
 */
function rsaPssToJWK(key: KeyObject): JWK {
  const priv = key.type === 'private';
  const der = new Uint8Array(key.export({ format: 'der', type: priv ? 'pkcs8' : 'spki' }));
  // SPKI: SEQUENCE { AlgorithmIdentifier, BIT STRING }; PKCS#8: SEQUENCE { INTEGER, AlgorithmIdentifier, OCTET STRING }
  const outer = readTLV(der, 0);
  let at = outer.start;
  if (priv) at = readTLV(der, at).end;
  at = readTLV(der, at).end;
  const inner = readTLV(der, at);
  const pkcs1 = Buffer.from(der.subarray(priv ? inner.start : inner.start + 1, inner.end));
  const rsa = priv
    ? createPrivateKey({ key: pkcs1, format: 'der', type: 'pkcs1' })
    : createPublicKey({ key: pkcs1, format: 'der', type: 'pkcs1' });
  const jwk = rsa.export({ format: 'jwk' }) as JWK;
  const details = key.asymmetricKeyDetails;
  const hash = details?.hashAlgorithm ? PSS_HASHES[details.hashAlgorithm] : undefined;
  // Only the exact RFC 7518 §3.5 parameters have a JWK form (issue 13 point 6): anything else,
  // or no parameters at all, would become an RSA key that also verifies RS256.
  if (
    hash === undefined ||
    details?.mgf1HashAlgorithm !== details?.hashAlgorithm ||
    details?.saltLength !== hash.length
  ) {
    throw new ConversionError(
      'ERR_RSA_PSS_PARAMS',
      `this RSA-PSS KeyObject is ${
        details?.hashAlgorithm === undefined
          ? 'not restricted to parameters'
          : `restricted to ${details.hashAlgorithm}, MGF1 with ${details.mgf1HashAlgorithm}, salt ${details.saltLength}`
      }, which no JWS algorithm matches; JWK can express only PS256, PS384 and PS512 (hash = MGF1 hash, salt = hash length, RFC 7518 §3.5)`,
    );
  }
  jwk.alg = hash.alg;
  return canonicalOrder(jwk);
}

/** One DER TLV (definite lengths only, which is all DER allows). */
function readTLV(der: Uint8Array, offset: number): { start: number; end: number } {
  let at = offset + 1;
  const first = der[at++];
  if (first === undefined) throw new ConversionError('ERR_KEY_EXPORT', 'truncated DER from node:crypto');
  let length = first;
  if (first & 0x80) {
    length = 0;
    for (let n = first & 0x7f; n > 0; n--) length = length * 256 + (der[at++] ?? 0);
  }
  if (at + length > der.length) throw new ConversionError('ERR_KEY_EXPORT', 'truncated DER from node:crypto');
  return { start: at, end: at + length };
}

function describe(jwk: JWK): string {
  return typeof jwk.crv === 'string' ? `${String(jwk.kty)} ${jwk.crv}` : String(jwk.kty);
}
