/**
 * The few integer helpers validation needs (RSA consistency and weak-key checks). Modular
 * exponentiation comes from @noble/curves; these are plain arithmetic, not cryptography.
 */

export { pow as modPow } from '@noble/curves/abstract/modular.js';
export { bytesToBigInt } from '../encoding/bytes.js';

/** Number of bits in a non-negative integer (0 for 0). */
export function bitLength(n: bigint): number {
  if (n <= 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex[0]!, 16)));
}

/** Residues of squares modulo 64 and 45045 (= 9·5·7·11·13): cheap filters before a square root. */
const SQUARES_64 = squaresModulo(64);
const SQUARES_45045 = squaresModulo(45045);

function squaresModulo(m: number): Uint8Array {
  const out = new Uint8Array(m);
  for (let i = 0; i < m; i++) out[(i * i) % m] = 1;
  return out;
}

/** Whether n >= 0 is a perfect square. */
export function isSquare(n: bigint): boolean {
  if (n < 0n) return false;
  if (SQUARES_64[Number(n & 63n)] === 0 || SQUARES_45045[Number(n % 45045n)] === 0) return false;
  const r = isqrt(n);
  return r * r === n;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function lcm(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  return (a / gcd(a, b)) * b;
}

/** floor(sqrt(n)) by Newton's method; n >= 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Start above the root: 2^ceil(bits/2).
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}
