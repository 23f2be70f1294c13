/** OKP key rules (RFC 8037 §2; Ed25519/Ed448 per RFC 8032, X25519/X448 per RFC 7748). */

import { equalBytes } from '../../../encoding/bytes.js';
import { bytesToBigInt } from '../../../math/bigint.js';
import { edwardsCurve, montgomeryCurve } from '../../../math/curves.js';
import type { Rule } from '../context.js';
import { memberBytes } from '../decode.js';
import { curve } from './common.js';

/** x: exactly the curve's key length (RFC 8037 §2), and a usable point. */
export const okpPublicKey: Rule = (ctx) => {
  const info = ctx.curve;
  if (info === undefined) return;
  const x = memberBytes(ctx, 'x');
  if (x === undefined) return;
  if (x.length !== info.size) {
    ctx.report(
      'OKP_KEY_LENGTH',
      'x',
      `"x" is ${x.length} octets; a ${info.crv} public key is exactly ${info.size}`,
    );
    return;
  }
  const ed = edwardsCurve(info.crv);
  if (ed !== undefined) {
    let point: ReturnType<typeof ed.Point.fromBytes>;
    try {
      // RFC 8032 §5.1.3 / §5.2.3 decoding, strict (no ZIP-215 leniency): y < p, x recoverable.
      point = ed.Point.fromBytes(x, false);
    } catch {
      ctx.report(
        'OKP_POINT_INVALID',
        'x',
        `"x" does not decode to a point of ${info.crv} (RFC 8032 §5.1.3); the key is corrupt or not an ${info.crv} key`,
        info.crv === 'Ed448' ? 'RFC 8032 §5.2.3' : 'RFC 8032 §5.1.3',
      );
      return;
    }
    // A small-order public key admits universal forgeries (R = a small-order point, S = 0
    // satisfies the cofactorless verification equation for many messages), and OpenSSL and
    // WebCrypto accept such signatures; so this is an error, unlike low-order X25519/X448 keys.
    if (point.isSmallOrder()) {
      ctx.report(
        'OKP_SMALL_ORDER_KEY',
        'x',
        `"x" is a point of small order: anyone can forge signatures that verify under it, without the private key. Remove this key and generate a new one`,
      );
    }
    return;
  }
  const mont = montgomeryCurve(info.crv);
  if (mont === undefined) return;
  // RFC 7748 §5: u is little-endian; X25519 ignores the top bit; values >= p are reduced.
  const u = bytesToBigInt(x.slice().reverse());
  const masked = mont.maskTopBit ? u & ((1n << 255n) - 1n) : u;
  if (masked !== u || masked >= mont.p) {
    ctx.report(
      'OKP_NONCANONICAL',
      'x',
      `"x" is a non-canonical ${info.crv} u-coordinate (top bit set or not reduced modulo p); RFC 7748 §5 says to accept it, but the publisher should reduce it`,
    );
  }
  if (mont.lowOrder.includes(masked % mont.p)) {
    ctx.report(
      'OKP_LOW_ORDER_POINT',
      'x',
      `"x" is a ${info.crv} point of small order: every shared secret with it is zero (RFC 7748 §6.1). Do not use this key`,
    );
  }
};

/** d: exactly the curve's private length, and the public key it derives equals x (RFC 8037 §2). */
export const okpPrivateKey: Rule = (ctx) => {
  const info = ctx.curve;
  if (info === undefined || !ctx.has('d')) return;
  const d = memberBytes(ctx, 'd');
  if (d === undefined) return;
  if (d.length !== info.privateSize) {
    ctx.report(
      'OKP_PRIVATE_LENGTH',
      'd',
      `"d" is ${d.length} octets; a ${info.crv} private key is exactly ${info.privateSize}`,
    );
    return;
  }
  const x = memberBytes(ctx, 'x');
  if (x === undefined || ctx.reported('OKP_KEY_LENGTH', 'OKP_POINT_INVALID')) return;
  const impl = edwardsCurve(info.crv) ?? montgomeryCurve(info.crv)?.curve;
  if (impl === undefined) return;
  let derived: Uint8Array | undefined;
  try {
    derived = impl.getPublicKey(d);
  } catch {
    derived = undefined;
  }
  if (derived === undefined || !equalBytes(derived, x)) {
    ctx.report(
      'OKP_PRIVATE_MISMATCH',
      'd',
      `the public key derived from "d" is not "x": the private key belongs to another key; export the key pair again from its source`,
    );
  }
};

export const OKP_RULES: readonly Rule[] = [curve, okpPublicKey, okpPrivateKey];
