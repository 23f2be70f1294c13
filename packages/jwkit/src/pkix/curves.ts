/**
 * Curve arithmetic the formats need, all from @noble/curves through math/curves.ts (the one map
 * from curve names to implementations; no hand-written cryptography):
 * decoding and checking EC points (SEC1 §2.3.4), and deriving a public key from a private one
 * when a file omits it (SEC1 ECPrivateKey without `publicKey`, RFC 8410 PKCS#8 v1).
 */

import { edwardsCurve, montgomeryCurve, weierstrassCurve } from '../math/curves.js';
import type { CurveInfo } from '../registry.js';
import { invalidKey } from './members.js';

function weierstrass(curve: CurveInfo) {
  const c = weierstrassCurve(curve.crv);
  if (c === undefined) throw invalidKey(`${curve.crv} is not an EC curve`);
  return c;
}

/**
 * Splits an encoded EC point into fixed-length coordinates, after checking it is on the curve.
 * Compressed points (0x02/0x03) are decompressed: openssl writes them with `-conv_form compressed`.
 */
export function decodePoint(curve: CurveInfo, bytes: Uint8Array): { x: Uint8Array; y: Uint8Array } {
  let raw: Uint8Array;
  try {
    raw = weierstrass(curve).Point.fromBytes(bytes).toBytes(false);
  } catch {
    throw invalidKey(`the public key is not a valid point on ${curve.crv} (SEC1 §2.3.4)`);
  }
  return { x: raw.subarray(1, 1 + curve.size), y: raw.subarray(1 + curve.size) };
}

/** The uncompressed encoding 0x04 || x || y of a point, checked to be on the curve. */
export function encodePoint(curve: CurveInfo, x: Uint8Array, y: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + 2 * curve.size);
  out[0] = 4;
  out.set(x, 1);
  out.set(y, 1 + curve.size);
  decodePoint(curve, out);
  return out;
}

/** The public point d·G, uncompressed; throws when d is 0 or not below the group order. */
export function ecPublicFromPrivate(curve: CurveInfo, d: Uint8Array): Uint8Array {
  try {
    return weierstrass(curve).getPublicKey(d, false);
  } catch {
    throw invalidKey(`the ${curve.crv} private key is out of range (it must be in [1, n-1])`);
  }
}

/** The RFC 8032 / RFC 7748 public key of an OKP private key. */
export function okpPublicFromPrivate(curve: CurveInfo, d: Uint8Array): Uint8Array {
  const c = edwardsCurve(curve.crv) ?? montgomeryCurve(curve.crv)?.curve;
  if (c === undefined) throw invalidKey(`${curve.crv} is not an OKP curve`);
  if (d.length !== curve.privateSize) {
    throw invalidKey(`an ${curve.crv} private key is ${curve.privateSize} bytes, not ${d.length}`);
  }
  try {
    return c.getPublicKey(d);
  } catch {
    throw invalidKey(`the ${curve.crv} private key cannot be used`);
  }
}
