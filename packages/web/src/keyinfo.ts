/** Facts about a key for display: its size and a one-line description. */

import type { JWK } from 'jwkit';
import { getCurve } from 'jwkit';
import { keyBits as sizeRuleBits } from './lib.js';

type LooseKey = { kty?: unknown; [m: string]: unknown };

/**
 * RSA modulus bits, oct key bits, or the curve's size; `undefined` when it cannot be read (the
 * page also describes keys that failed validation).
 */
export function keyBits(jwk: LooseKey): number | undefined {
  if (jwk.kty === 'EC' || jwk.kty === 'OKP') return getCurve(jwk.crv)?.bits;
  try {
    return sizeRuleBits(jwk as JWK);
  } catch {
    return undefined;
  }
}

/** "RSA 2048", "EC P-256", "OKP Ed25519", "AKP ML-DSA-65", "oct 256". */
export function describeKey(jwk: LooseKey): string {
  const kty = typeof jwk.kty === 'string' ? jwk.kty : '?';
  if (kty === 'EC' || kty === 'OKP') return `${kty} ${typeof jwk.crv === 'string' ? jwk.crv : '?'}`;
  // RFC 9964 §3: an AKP key's size is its algorithm's parameter set.
  if (kty === 'AKP') return `AKP ${typeof jwk.alg === 'string' ? jwk.alg : '?'}`;
  const bits = keyBits(jwk);
  return bits === undefined ? kty : `${kty} ${bits}`;
}

/** A safe file name stem from a kid or thumbprint. */
export function fileStem(jwk: JWK, fallback: string): string {
  const base = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : fallback;
  return base.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || 'key';
}
