/**
 * The @noble/curves implementation behind each registered curve name (registry.ts CURVES).
 * Synchronous and isomorphic, so validation can check points without WebCrypto.
 */

import { ed448, x448 } from '@noble/curves/ed448.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

export type WeierstrassCurve = typeof p256;
export type EdwardsCurve = typeof ed25519;
export type MontgomeryCurve = typeof x25519;

const WEIERSTRASS: Readonly<Record<string, WeierstrassCurve>> = Object.assign(Object.create(null), {
  'P-256': p256,
  'P-384': p384,
  'P-521': p521,
  secp256k1,
});

const EDWARDS: Readonly<Record<string, EdwardsCurve>> = Object.assign(Object.create(null), {
  Ed25519: ed25519,
  Ed448: ed448,
});

export interface MontgomeryInfo {
  readonly curve: MontgomeryCurve;
  /** The field prime (shared with Ed25519 / Ed448). */
  readonly p: bigint;
  /** RFC 7748 §5: X25519 ignores the top bit of the u-coordinate; X448 does not. */
  readonly maskTopBit: boolean;
  /**
   * The u-coordinates (mod p) of points whose order divides the cofactor, on the curve or its
   * twist: every shared secret with them is zero (RFC 7748 §6). For X25519 these are the five
   * values D. J. Bernstein lists at https://cr.yp.to/ecdh.html#validate (also libsodium's
   * blocklist); curve448 has cofactor 4 and only 0, 1 and p - 1.
   */
  readonly lowOrder: readonly bigint[];
}

const P25519 = ed25519.Point.Fp.ORDER;
const P448 = ed448.Point.Fp.ORDER;

const MONTGOMERY: Readonly<Record<string, MontgomeryInfo>> = Object.assign(Object.create(null), {
  X25519: {
    curve: x25519,
    p: P25519,
    maskTopBit: true,
    lowOrder: [
      0n,
      1n,
      P25519 - 1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n,
    ],
  },
  X448: { curve: x448, p: P448, maskTopBit: false, lowOrder: [0n, 1n, P448 - 1n] },
});

export function weierstrassCurve(crv: string): WeierstrassCurve | undefined {
  return WEIERSTRASS[crv];
}

export function edwardsCurve(crv: string): EdwardsCurve | undefined {
  return EDWARDS[crv];
}

export function montgomeryCurve(crv: string): MontgomeryInfo | undefined {
  return MONTGOMERY[crv];
}
