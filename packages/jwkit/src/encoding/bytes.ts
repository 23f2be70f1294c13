/**
 * Byte helpers shared by every layer (issue 11 point 5: one copy each instead of several):
 * hex text, equality and big-endian integers. Plain code, no cryptography and no `node:` import.
 */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex without separators (`toHex(b).toUpperCase()` is the `openssl x509 -serial` form). */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b]!;
  return s;
}

/**
 * Whether two byte strings are equal. The time depends on the length only, never on where the
 * first difference is, so it is also safe for comparing secrets of public length.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Big-endian unsigned octets to an integer (empty input is 0). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(`0x${toHex(bytes)}`);
}
