/** EC key rules (RFC 7518 §6.2, RFC 8812 §3.1). */

import { encode } from '../../../encoding/base64url.js';
import { equalBytes } from '../../../encoding/bytes.js';
import { bytesToBigInt } from '../../../math/bigint.js';
import { weierstrassCurve } from '../../../math/curves.js';
import type { KeyContext, Rule } from '../context.js';
import { memberBytes } from '../decode.js';
import { curve } from './common.js';

/**
 * `member` as exactly `size` octets (RFC 7518 §6.2.1.2: "the full size of a coordinate"). A
 * value that is only mis-padded (leading zeros dropped, or a DER sign byte added) is accepted
 * with a warning and fixed; a value that does not fit is `'too-large'`, reported by the caller.
 */
function fixedLength(
  ctx: KeyContext,
  member: string,
  size: number,
  code: 'EC_COORD_LENGTH' | 'EC_PRIVATE_LENGTH',
): Uint8Array | 'too-large' | undefined {
  const bytes = memberBytes(ctx, member);
  if (bytes === undefined || bytes.length === size) return bytes;
  let fixed: Uint8Array;
  if (bytes.length < size) {
    fixed = new Uint8Array(size);
    fixed.set(bytes, size - bytes.length);
  } else {
    const extra = bytes.subarray(0, bytes.length - size);
    if (extra.some((b) => b !== 0)) return 'too-large';
    fixed = bytes.slice(bytes.length - size);
  }
  ctx.decoded.set(member, fixed);
  ctx.canonical.set(member, encode(fixed));
  ctx.report(
    code,
    member,
    `"${member}" is ${bytes.length} octets; on ${ctx.curve!.crv} it must be exactly ${size}. Accepted and re-padded; the publisher should encode the full length`,
  );
  return fixed;
}

/** x and y: exact length, then a point on the curve (not the identity, coordinates below p). */
export const ecPublicPoint: Rule = (ctx) => {
  const info = ctx.curve;
  if (info === undefined) return;
  const coords = (['x', 'y'] as const).map((m) => {
    const v = fixedLength(ctx, m, info.size, 'EC_COORD_LENGTH');
    if (v === 'too-large') {
      ctx.report(
        'EC_POINT_NOT_ON_CURVE',
        m,
        `"${m}" is larger than any ${info.crv} field element, so (x, y) is not a point of the curve; the key is corrupt or for another curve`,
        m === 'x' ? 'RFC 7518 §6.2.1.2' : 'RFC 7518 §6.2.1.3',
      );
      return undefined;
    }
    return v;
  });
  const [x, y] = coords;
  if (x === undefined || y === undefined) return;
  const impl = weierstrassCurve(info.crv);
  if (impl === undefined) return;
  const encoded = new Uint8Array(1 + 2 * info.size);
  encoded[0] = 4;
  encoded.set(x, 1);
  encoded.set(y, 1 + info.size);
  try {
    impl.Point.fromBytes(encoded).assertValidity();
  } catch {
    ctx.report(
      'EC_POINT_NOT_ON_CURVE',
      'y',
      `(x, y) is not a point of ${info.crv}; using it would allow invalid-curve attacks, so the key is rejected. Check that "crv" is right and the coordinates are intact`,
    );
  }
};

/** d: exact length, 1 <= d < n, and d·G = (x, y) (RFC 7518 §6.2.2.1). */
export const ecPrivateScalar: Rule = (ctx) => {
  const info = ctx.curve;
  if (info === undefined || !ctx.has('d')) return;
  const impl = weierstrassCurve(info.crv);
  if (impl === undefined) return;
  const d = fixedLength(ctx, 'd', info.privateSize, 'EC_PRIVATE_LENGTH');
  if (d === undefined) return;
  const order = impl.Point.Fn.ORDER;
  const scalar = d === 'too-large' ? order : bytesToBigInt(d);
  if (d === 'too-large' || scalar === 0n || scalar >= order) {
    ctx.report(
      'EC_PRIVATE_OUT_OF_RANGE',
      'd',
      `"d" must be between 1 and the order of ${info.crv} minus 1; the key is corrupt`,
    );
    return;
  }
  if (ctx.reported('EC_POINT_NOT_ON_CURVE') || d.length !== impl.Point.Fn.BYTES) return;
  const x = memberBytes(ctx, 'x');
  const y = memberBytes(ctx, 'y');
  if (x === undefined || y === undefined) return;
  const pub = impl.getPublicKey(d, false);
  if (!equalBytes(pub.subarray(1, 1 + info.size), x) || !equalBytes(pub.subarray(1 + info.size), y)) {
    ctx.report(
      'EC_PRIVATE_MISMATCH',
      'd',
      `d·G is not (x, y): the private scalar belongs to another key; export the key pair again from its source`,
    );
  }
};

export const EC_RULES: readonly Rule[] = [curve, ecPublicPoint, ecPrivateScalar];
