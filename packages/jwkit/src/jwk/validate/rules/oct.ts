/** Symmetric (oct) key rules (RFC 7518 §6.4). Sizes per algorithm come from the registry. */

import { ALGORITHMS } from '../../../registry.js';
import type { Rule } from '../context.js';
import { memberBytes } from '../decode.js';

/** The smallest key any registered oct algorithm with a size rule accepts (128 bits: A128KW, A128GCM). */
const SMALLEST_OCT_BITS = Math.min(
  ...Object.values(ALGORITHMS)
    .filter((a) => a.kty === 'oct')
    .map((a) => a.exactBits ?? a.minBits ?? Number.POSITIVE_INFINITY),
);

/** k: present and non-empty; without an `alg`, at least the smallest size any algorithm accepts. */
export const octKey: Rule = (ctx) => {
  const k = memberBytes(ctx, 'k');
  if (k === undefined) return;
  ctx.bits = k.length * 8;
  if (k.length === 0) {
    ctx.report(
      'OCT_KEY_EMPTY',
      'k',
      '"k" is empty: a MAC or cipher with an empty key offers no protection; generate a random key',
    );
    return;
  }
  // With an alg, the alg rule checks the exact size that algorithm needs.
  if (!ctx.has('alg') && ctx.bits < SMALLEST_OCT_BITS) {
    ctx.report(
      'OCT_KEY_SHORT',
      'k',
      `"k" is ${ctx.bits} bits; no registered algorithm accepts a key under ${SMALLEST_OCT_BITS} bits (HS256 needs 256). Generate a longer random key`,
    );
  }
};

export const OCT_RULES: readonly Rule[] = [octKey];
