/**
 * The key-material view of a JWK that both backends hand to their native importers. Only
 * `kty`, `crv` and the RFC 7518 §6 / RFC 8037 §2 material members are copied: `alg`, `use`,
 * `key_ops` and `ext` would make WebCrypto's and OpenSSL's own JWK checks disagree with ours
 * (jwkit checks those members itself, in src/jwk/import.ts), and copying keeps the caller's
 * object untouched.
 */

import { UnsupportedError } from '../errors/index.js';
import { isKty, KTY_MEMBERS } from '../registry.js';
import type { JWK } from './model.js';

export interface KeyMaterial {
  kty: string;
  crv?: string;
  [member: string]: string | undefined;
}

/** Copies the material members (public only unless `withPrivate`); throws for multi-prime RSA. */
export function keyMaterial(jwk: JWK, withPrivate: boolean): KeyMaterial {
  const kty = jwk.kty;
  if (!isKty(kty)) throw new UnsupportedError(`key type ${JSON.stringify(kty)} is not supported`);
  if (jwk.oth !== undefined) {
    // RFC 7518 §6.3.2.7: neither WebCrypto nor node:crypto imports multi-prime RSA JWKs.
    throw new UnsupportedError('multi-prime RSA keys ("oth") are not supported by WebCrypto or node:crypto');
  }
  const spec = KTY_MEMBERS[kty];
  const out: KeyMaterial = { kty };
  // RFC 9964 §3: an AKP key's alg is part of its material (node:crypto and WebCrypto need it).
  if (kty === 'AKP') copy(jwk, out, 'alg');
  for (const m of spec.required) copy(jwk, out, m);
  if (withPrivate) for (const m of spec.private) if (m !== 'oth') copy(jwk, out, m);
  return out;
}

function copy(jwk: JWK, out: KeyMaterial, member: string): void {
  const v = jwk[member];
  if (typeof v === 'string') out[member] = v;
}

/** RSA modulus length in bits, from the base64url `n` (ignoring leading zero octets). */
export function rsaModulusBits(n: Uint8Array): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}
