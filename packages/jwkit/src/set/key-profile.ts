/**
 * What selection and caching need to know about a key, computed once when the key enters a set:
 * its type, curve, size and identity. Keeping this beside the (frozen, jwkit-owned) JWK means a
 * selection never re-decodes key material.
 */

import { UnsupportedError } from '../errors/index.js';
import { keyBits } from '../jwk/key-alg.js';
import type { JWK } from '../jwk/model.js';
import { thumbprintInput } from '../jwk/thumbprint.js';
import { isKty, type Kty } from '../registry.js';

export interface KeyProfile {
  readonly kty: Kty;
  readonly crv: string | undefined;
  /** RSA modulus bits or oct key bits; `undefined` for EC/OKP, whose curve fixes the size. */
  readonly bits: number | undefined;
  /**
   * The key's identity: the RFC 7638 §3 thumbprint input (the required members in lexicographic
   * order). Two JWKs have the same identity exactly when they have the same thumbprint, and
   * building it costs no hash, so caches can key on it even for fresh objects on every call.
   */
  readonly id: string;
}

/** Describes a key that has already been validated (kty and members known to be well formed). */
export function keyProfile(jwk: JWK): KeyProfile {
  const kty = jwk.kty;
  if (!isKty(kty)) throw new UnsupportedError(`key type ${JSON.stringify(kty)} is not supported`);
  const crv = typeof jwk.crv === 'string' ? jwk.crv : undefined;
  return { kty, crv, bits: keyBits(jwk), id: thumbprintInput(jwk) };
}
