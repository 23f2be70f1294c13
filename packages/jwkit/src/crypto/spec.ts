/**
 * Input checks both backends make before touching native crypto, so that a misuse fails the same
 * way (same code, same message) on node:crypto and on WebCrypto.
 */

import { JWKitError, UnsupportedError } from '../errors/index.js';
import type { JWK } from '../jwk/model.js';
import { isPrivate } from '../jwk/model.js';
import {
  type AlgorithmInfo,
  algorithmKtys,
  type CurveInfo,
  getAlgorithm,
  getCurve,
  RSA_MAX_BITS,
  RSA_MIN_BITS,
} from '../registry.js';
import type { GenerateSpec, KeyUsage } from './backend.js';

/** oct keys: whole octets, at most 8192 bits (HMAC hashes longer keys anyway, RFC 2104 §3). */
export const OCT_MAX_BITS = 8192;

/** The signature algorithm `alg`, checked against the key's type and curve and the usage. */
export function signatureAlgorithmFor(jwk: JWK, alg: string, usage: KeyUsage): AlgorithmInfo {
  const info = getAlgorithm(alg);
  if (!info) throw new UnsupportedError(`unknown algorithm ${JSON.stringify(alg)}`);
  if (info.use !== 'sig') {
    throw new UnsupportedError(
      `${alg} is a ${info.use === 'enc' ? 'key-management/encryption' : ''} algorithm; only signature algorithms can sign or verify`,
    );
  }
  if (usage !== 'sign' && usage !== 'verify') {
    throw new JWKitError('ERR_KEY_USAGE', `usage must be "sign" or "verify", not ${JSON.stringify(usage)}`);
  }
  if (jwk === null || typeof jwk !== 'object')
    throw new JWKitError('ERR_KEY_ALG_MISMATCH', 'a JWK must be an object');
  if (!algorithmKtys(info).includes(jwk.kty)) {
    throw new JWKitError('ERR_KEY_ALG_MISMATCH', `${alg} needs a ${info.kty} key, not ${String(jwk.kty)}`);
  }
  if (info.crvs && !info.crvs.includes(jwk.crv as string)) {
    throw new JWKitError(
      'ERR_KEY_ALG_MISMATCH',
      `${alg} needs curve ${info.crvs.join(' or ')}, not ${String(jwk.crv)}`,
    );
  }
  if (usage === 'sign' && !isPrivate(jwk)) {
    throw new JWKitError(
      'ERR_KEY_NOT_PRIVATE',
      `signing with ${alg} needs a private key; this JWK has no "${jwk.kty === 'AKP' ? 'priv' : 'd'}"`,
    );
  }
  if (info.akp !== undefined && jwk.alg !== info.alg) {
    // RFC 9964 §3: an AKP key is bound to its alg; the same octets under another alg are another key.
    throw new JWKitError(
      'ERR_KEY_ALG_MISMATCH',
      `this AKP key is for ${JSON.stringify(jwk.alg)}, not ${alg}; an AKP key is used only with its own "alg" (RFC 9964 §3)`,
    );
  }
  return info;
}

/** The AKP algorithm of a generate spec (RFC 9964 §3: the alg decides everything). */
export function akpAlgorithmFor(spec: GenerateSpec): AlgorithmInfo {
  const info = getAlgorithm(spec.alg);
  if (info?.akp === undefined) {
    throw new JWKitError(
      'ERR_GENERATE_OPTIONS',
      `an AKP key is generated for one algorithm; give "alg" (ML-DSA-44, ML-DSA-65 or ML-DSA-87), not ${JSON.stringify(spec.alg)}`,
    );
  }
  return info;
}

/** The curve of an EC/OKP generate spec, or of a JWK; `UnsupportedError` when unknown or of another kty. */
export function curveFor(kty: string, crv: unknown): CurveInfo {
  const curve = getCurve(crv);
  if (!curve || curve.kty !== kty) {
    throw new UnsupportedError(`${kty} curve ${JSON.stringify(crv)} is not supported`);
  }
  return curve;
}

/** Validates a generate spec's size; returns the size in bits to use. */
export function generateBits(spec: GenerateSpec): number {
  const { kty, bits } = spec;
  if (kty === 'RSA') {
    const n = bits ?? RSA_MIN_BITS;
    if (!Number.isInteger(n) || n < RSA_MIN_BITS || n > RSA_MAX_BITS || n % 8 !== 0) {
      throw new JWKitError(
        'ERR_GENERATE_SIZE',
        `RSA keys are generated with ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits in whole octets (RFC 7518 §3.3), not ${String(bits)}`,
      );
    }
    return n;
  }
  if (kty === 'oct') {
    const n = bits ?? 256;
    if (!Number.isInteger(n) || n < 8 || n > OCT_MAX_BITS || n % 8 !== 0) {
      throw new JWKitError(
        'ERR_GENERATE_SIZE',
        `oct keys are generated in whole octets up to ${OCT_MAX_BITS} bits, not ${String(bits)}`,
      );
    }
    return n;
  }
  if (bits !== undefined) {
    throw new JWKitError(
      'ERR_GENERATE_SIZE',
      kty === 'AKP'
        ? 'AKP key sizes follow from "alg" (FIPS 204 Table 2); omit the size'
        : `${kty} key sizes follow from the curve; omit the size and pick "crv"`,
    );
  }
  return 0;
}
