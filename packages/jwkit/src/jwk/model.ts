/**
 * The JWK data model (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2). These are plain JSON shapes: a
 * validated JWK is a fresh object owned by jwkit, never the caller's object.
 */

import { JWKitError } from '../errors/index.js';
import type { KeyOp, Kty } from '../registry.js';
import { COMMON_MEMBERS, KTY_MEMBERS } from '../registry.js';

interface JWKCommon {
  /** RFC 7517 §4.2 */
  use?: string;
  /** RFC 7517 §4.3 */
  key_ops?: KeyOp[];
  /** RFC 7517 §4.4 */
  alg?: string;
  /** RFC 7517 §4.5 */
  kid?: string;
  /** RFC 7517 §4.6 (must be https) */
  x5u?: string;
  /** RFC 7517 §4.7: standard base64 (not base64url) DER certificates, leaf first. */
  x5c?: string[];
  /** RFC 7517 §4.8: base64url SHA-1 of the leaf's DER. */
  x5t?: string;
  /** RFC 7517 §4.9: base64url SHA-256 of the leaf's DER. */
  'x5t#S256'?: string;
  /** WebCrypto's extractable flag; accepted on input, never emitted. */
  ext?: boolean;
  [member: string]: unknown;
}

export interface RSAPublicJWK extends JWKCommon {
  kty: 'RSA';
  n: string;
  e: string;
}
export interface RSAPrivateJWK extends RSAPublicJWK {
  d: string;
  p: string;
  q: string;
  dp: string;
  dq: string;
  qi: string;
}
export interface ECPublicJWK extends JWKCommon {
  kty: 'EC';
  crv: string;
  x: string;
  y: string;
}
export interface ECPrivateJWK extends ECPublicJWK {
  d: string;
}
export interface OKPPublicJWK extends JWKCommon {
  kty: 'OKP';
  crv: string;
  x: string;
}
export interface OKPPrivateJWK extends OKPPublicJWK {
  d: string;
}
/** RFC 9964 §3: an Algorithm Key Pair; `alg` is required and says what `pub` and `priv` hold. */
export interface AKPPublicJWK extends JWKCommon {
  kty: 'AKP';
  alg: string;
  /** The public key, base64url (ML-DSA: FIPS 204 §7.2 pkEncode). */
  pub: string;
}
export interface AKPPrivateJWK extends AKPPublicJWK {
  /** The private key, base64url (ML-DSA: the 32-octet seed, RFC 9964 §4). */
  priv: string;
}
export interface OctJWK extends JWKCommon {
  kty: 'oct';
  k: string;
}

export type PublicJWK = RSAPublicJWK | ECPublicJWK | OKPPublicJWK | AKPPublicJWK;
export type PrivateJWK = RSAPrivateJWK | ECPrivateJWK | OKPPrivateJWK | AKPPrivateJWK;
/** Any key jwkit handles. `oct` is secret: it has no public form. */
export type JWK = PublicJWK | PrivateJWK | OctJWK;

export interface JWKSetJSON {
  keys: JWK[];
  [member: string]: unknown;
}

/** True when the key carries secret material (`d` for RSA/EC/OKP, or any `oct` key). */
export function isPrivate(jwk: { kty: string; [m: string]: unknown }): boolean {
  if (jwk.kty === 'oct') return true;
  // RFC 9964 §3: an AKP key's private information is `priv` (the ML-DSA seed).
  if (jwk.kty === 'AKP') return jwk.priv !== undefined;
  return jwk.d !== undefined;
}

/**
 * Every member that is private for some key type of the registry (RSA `d`, `p`, ..., EC/OKP `d`,
 * oct `k`, and whatever a new key type adds), computed from `KTY_MEMBERS` so a new row is covered
 * without touching this function.
 */
function privateMembers(): ReadonlySet<string> {
  const all = new Set<string>();
  for (const spec of Object.values(KTY_MEMBERS)) for (const m of spec.private) all.add(m);
  return all;
}

/**
 * The public form of a key: every member that is private for ANY key type in the registry is
 * removed, plus `ext` (WebCrypto noise). Issue 13 point 1: stripping only the key's own private
 * members let an EC key carrying `"k"` (or RSA `p`, or another type's private member) publish
 * it through `JWKSet.toJSON()` and the JWKS endpoint. Such members are stripped, not refused:
 * they are never part of the public key (RFC 7517 §4 allows unknown members, but a value under
 * a private member's name is treated as secret), and stripping keeps the good key publishable.
 * The key's own required members are always kept. Other unknown members are kept (RFC 7517 §4:
 * "members that are not understood MUST be ignored", and a publisher may rely on them).
 * Throws for `oct`, which has no public form: returning it would publish the secret.
 */
export function toPublic<T extends JWK>(jwk: T): PublicJWK {
  if (jwk.kty === 'oct') {
    throw new PublicFormError();
  }
  const priv = privateMembers();
  const own = KTY_MEMBERS[jwk.kty as Kty]?.required ?? [];
  const out: Record<string, unknown> = {};
  for (const [m, v] of Object.entries(jwk)) {
    if ((priv.has(m) && !own.includes(m)) || m === 'ext') continue;
    out[m] = v;
  }
  if (out.key_ops !== undefined && Array.isArray(out.key_ops)) {
    // A public key can only verify / encrypt / wrap (RFC 7517 §4.3); drop the private ops.
    const ops = (out.key_ops as string[]).filter(
      (op) => op === 'verify' || op === 'encrypt' || op === 'wrapKey',
    );
    if (ops.length > 0) out.key_ops = ops;
    else delete out.key_ops;
  }
  return out as unknown as PublicJWK;
}

class PublicFormError extends JWKitError {
  constructor() {
    super(
      'ERR_JWK_NO_PUBLIC_FORM',
      'an oct (symmetric) key has no public form: publishing it would publish the secret; keep it out of public sets',
    );
  }
}

/**
 * Canonical member order for output: kty first, then the key material in registry order, then
 * the common members, then anything else in input order. Stable output makes diffs and ETags
 * stable.
 */
export function canonicalOrder<T extends Record<string, unknown>>(jwk: T): T {
  const kty = jwk.kty as Kty;
  const spec = KTY_MEMBERS[kty];
  const material = spec ? [...spec.required, ...spec.private.filter((m) => !spec.required.includes(m))] : [];
  const order = [
    'kty',
    ...COMMON_MEMBERS.filter((m) => m === 'kid' || m === 'use' || m === 'alg'),
    ...material,
  ];
  const out: Record<string, unknown> = {};
  for (const m of order) if (jwk[m] !== undefined) out[m] = jwk[m];
  for (const m of COMMON_MEMBERS) if (jwk[m] !== undefined && !(m in out)) out[m] = jwk[m];
  for (const [m, v] of Object.entries(jwk)) if (v !== undefined && !(m in out)) out[m] = v;
  return out as T;
}
