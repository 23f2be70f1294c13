/**
 * Reading key material out of a JWK for encoding, and the one error code for key material that
 * is wrong in a way no format can carry (`ERR_KEY_INVALID`).
 */

import { decode } from '../encoding/base64url.js';
import { ConversionError } from '../errors/index.js';

export function invalidKey(message: string): ConversionError {
  return new ConversionError('ERR_KEY_INVALID', message);
}

/**
 * A base64url member as bytes. Padding is tolerated (lenient in, RFC 7517 §5); anything else
 * that is not base64url is an error naming the member.
 */
export function memberBytes(jwk: Readonly<Record<string, unknown>>, name: string): Uint8Array {
  const v = jwk[name];
  if (typeof v !== 'string' || v.length === 0) {
    throw invalidKey(`the ${String(jwk.kty)} JWK has no "${name}" member (a base64url string is required)`);
  }
  try {
    return decode(v, { allowPadding: true });
  } catch {
    throw invalidKey(
      `JWK member "${name}" is not base64url (RFC 7515 §2); re-encode it without "+", "/" or spaces`,
    );
  }
}

/** A fixed-length member (EC coordinates and `d`, OKP keys: RFC 7518 §6.2.1.2, RFC 8037 §2). */
export function fixedMember(jwk: Readonly<Record<string, unknown>>, name: string, size: number): Uint8Array {
  const b = memberBytes(jwk, name);
  if (b.length !== size) {
    throw invalidKey(`JWK member "${name}" is ${b.length} bytes; ${String(jwk.crv)} needs exactly ${size}`);
  }
  return b;
}

/** Left-pads or strips leading zeros so that an integer fits `size` bytes (SEC1 private keys). */
export function toFixed(bytes: Uint8Array, size: number, what: string): Uint8Array {
  let i = 0;
  while (bytes.length - i > size && bytes[i] === 0) i++;
  const b = bytes.subarray(i);
  if (b.length > size) throw invalidKey(`${what} is ${b.length} bytes, longer than the curve's ${size}`);
  if (b.length === size) return b;
  const out = new Uint8Array(size);
  out.set(b, size - b.length);
  return out;
}
