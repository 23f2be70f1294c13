/** RSA key rules (RFC 7518 §6.3, RFC 8017 §3). */

import { encode } from '../../../encoding/base64url.js';
import { bitLength, bytesToBigInt, gcd, lcm, modPow } from '../../../math/bigint.js';
import { RSA_MAX_BITS } from '../../../registry.js';
import type { KeyContext, Rule } from '../context.js';
import { memberBytes } from '../decode.js';
import { fermatFactors, hasRocaFingerprint, smallFactor } from './rsa-weak.js';

/** Above this size the d-only consistency check (one full exponentiation) costs too much. */
const D_ONLY_CHECK_MAX_BITS = 4096;

const INTEGER_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const CRT_MEMBERS = ['p', 'q', 'dp', 'dq', 'qi'] as const;

/** The member as an integer, once decoded (`undefined` when absent or undecodable). */
function int(ctx: KeyContext, member: string): bigint | undefined {
  const bytes = memberBytes(ctx, member);
  return bytes === undefined ? undefined : bytesToBigInt(bytes);
}

/** n, when it decoded and is small enough for arithmetic. */
function modulus(ctx: KeyContext): bigint | undefined {
  const bytes = memberBytes(ctx, 'n');
  if (bytes === undefined || bytes.length * 8 > RSA_MAX_BITS + 8) return undefined;
  const n = bytesToBigInt(bytes);
  return bitLength(n) <= RSA_MAX_BITS ? n : undefined;
}

/**
 * Base64urlUInt (RFC 7518 §2): "the minimum number of octets needed to represent the value".
 * A leading zero octet (a DER sign byte carried over) is accepted with a warning and dropped.
 */
export const rsaIntegers: Rule = (ctx) => {
  for (const m of INTEGER_MEMBERS) {
    const bytes = memberBytes(ctx, m);
    if (bytes === undefined || bytes.length < 2 || bytes[0] !== 0) continue;
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const minimal = bytes.subarray(start);
    ctx.decoded.set(m, minimal);
    ctx.canonical.set(m, encode(minimal));
    ctx.report(
      'RSA_INT_LEADING_ZERO',
      m,
      `"${m}" starts with ${start} zero octet${start > 1 ? 's' : ''} (a DER sign byte?); Base64urlUInt must use the fewest octets. Accepted; the publisher should strip it`,
    );
  }
};

/** Modulus size: at least `minRSABits` (RFC 7518 §3.3: 2048 "MUST"), at most 16384. */
export const rsaModulusSize: Rule = (ctx) => {
  const bytes = memberBytes(ctx, 'n');
  if (bytes === undefined) return;
  if (bytes.length * 8 > RSA_MAX_BITS + 8) {
    ctx.report(
      'RSA_MODULUS_TOO_LONG',
      'n',
      `the modulus is over ${RSA_MAX_BITS} bits; jwkit accepts RSA keys up to ${RSA_MAX_BITS} bits`,
    );
    return;
  }
  const bits = bitLength(bytesToBigInt(bytes));
  ctx.bits = bits;
  if (bits > RSA_MAX_BITS) {
    ctx.report(
      'RSA_MODULUS_TOO_LONG',
      'n',
      `the modulus is ${bits} bits; jwkit accepts RSA keys up to ${RSA_MAX_BITS} bits`,
    );
  } else if (bits < ctx.options.minRSABits) {
    ctx.report(
      'RSA_MODULUS_TOO_SHORT',
      'n',
      `the modulus is ${bits} bits, below the minimum of ${ctx.options.minRSABits}; replace the key with a 2048-bit or larger one (or lower minRSABits for legacy keys you must accept)`,
    );
  }
};

/** e must be odd, greater than 1 and smaller than n (RFC 8017 §3.1). */
export const rsaExponent: Rule = (ctx) => {
  const bytes = memberBytes(ctx, 'e');
  if (bytes === undefined) return;
  const nBytes = memberBytes(ctx, 'n');
  if (nBytes !== undefined && bytes.length > nBytes.length) {
    ctx.report(
      'RSA_EXPONENT_INVALID',
      'e',
      'the public exponent is larger than the modulus; use e = 65537 (AQAB)',
    );
    return;
  }
  const e = bytesToBigInt(bytes);
  const n = modulus(ctx);
  let why: string | undefined;
  if (e <= 1n) why = `e = ${e} gives no encryption at all (m^e = m)`;
  else if (e % 2n === 0n) why = 'an even e has no inverse modulo λ(n), so no private key exists';
  else if (n !== undefined && e >= n) why = 'e is not smaller than n';
  if (why) {
    ctx.report('RSA_EXPONENT_INVALID', 'e', `invalid public exponent: ${why}; use e = 65537 (AQAB)`);
  } else if (e > RSA_MAX_EXPONENT) {
    // Issue 13 point 5: a huge e makes every verification a long exponentiation (a 3072-bit
    // key with a 3072-bit e costs ~100 times a normal one). Go and BoringSSL refuse e above 2^32
    // too; every real key uses 65537.
    ctx.report(
      'RSA_EXPONENT_TOO_LARGE',
      'e',
      `the public exponent is ${bitLength(e)} bits; jwkit accepts e up to 2^32 (verification with a larger e is a denial-of-service lever); use e = 65537 (AQAB)`,
    );
  }
};

/** The largest public exponent accepted (issue 13 point 5; Go's crypto/rsa and BoringSSL agree). */
export const RSA_MAX_EXPONENT = 2n ** 32n;

/** Known-weak moduli: a small factor, the ROCA fingerprint, primes close enough for Fermat. */
export const rsaWeakModulus: Rule = (ctx) => {
  const n = modulus(ctx);
  if (n === undefined || bitLength(n) < 256) return;
  const factor = smallFactor(n);
  if (factor !== undefined) {
    ctx.report(
      'RSA_MODULUS_SMALL_FACTOR',
      'n',
      `the modulus is divisible by ${factor}, so it is not a product of two large primes; generate a new key`,
    );
    return;
  }
  if (hasRocaFingerprint(n)) {
    ctx.report(
      'RSA_WEAK_ROCA',
      'n',
      'the modulus has the ROCA fingerprint (Infineon RSALib, CVE-2017-15361) and can be factored; revoke it and generate a new key with a fixed library',
    );
    return;
  }
  if (fermatFactors(n) !== undefined) {
    ctx.report(
      'RSA_WEAK_FERMAT',
      'n',
      'the two primes of this modulus are so close that Fermat factorisation recovers them in moments (CVE-2022-26320); revoke it and generate a new key',
    );
  }
};

/**
 * RFC 7518 §6.3.2: "d" makes a private key; if any of p, q, dp, dq, qi is present all must be;
 * "oth" (more than two primes) is parsed but not supported by jwkit or WebCrypto.
 */
export const rsaPrivateMembers: Rule = (ctx) => {
  if (ctx.has('oth')) {
    ctx.report(
      'RSA_MULTIPRIME_UNSUPPORTED',
      'oth',
      'this is a multi-prime RSA key ("oth"); jwkit and WebCrypto support two-prime keys only. Use a two-prime key',
    );
    return;
  }
  const present = CRT_MEMBERS.filter((m) => ctx.has(m));
  if (!ctx.has('d')) {
    if (present.length > 0) {
      ctx.report(
        'RSA_PRIVATE_INCOMPLETE',
        'd',
        `the key has ${present.join(', ')} but no "d"; a private key needs "d" (or remove the private members to make it public)`,
      );
    }
    return;
  }
  if (present.length === 0) {
    ctx.report(
      'RSA_PRIVATE_WITHOUT_CRT',
      'd',
      'the private key has "d" but none of p, q, dp, dq, qi; WebCrypto and node:crypto cannot import it. Export the key with all CRT members',
    );
  } else if (present.length < CRT_MEMBERS.length) {
    const missing = CRT_MEMBERS.filter((m) => !ctx.has(m));
    ctx.report(
      'RSA_PRIVATE_INCOMPLETE',
      missing[0],
      `the private key has ${present.join(', ')} but lacks ${missing.join(', ')}; all CRT members must be present together`,
    );
  }
};

/** The private members belong to n and e (RFC 8017 §3.2). */
export const rsaPrivateConsistency: Rule = (ctx) => {
  if (ctx.has('oth') || ctx.reported('RSA_PRIVATE_INCOMPLETE')) return;
  const n = modulus(ctx);
  const e = int(ctx, 'e');
  const d = int(ctx, 'd');
  if (n === undefined || e === undefined || e === 0n || d === undefined || n < 3n) return;
  const mismatch = (member: string, what: string) =>
    ctx.report(
      'RSA_PRIVATE_MISMATCH',
      member,
      `${what}: the private members do not belong to this public key; export the key pair again from its source`,
    );
  if (d <= 0n || d >= n) return mismatch('d', 'd is not between 0 and n');
  // Bound the arithmetic below by the size of n: no private member may be longer.
  const long = CRT_MEMBERS.find(
    (m) => (memberBytes(ctx, m)?.length ?? 0) > (memberBytes(ctx, 'n')?.length ?? 0),
  );
  if (long !== undefined) return mismatch(long, `"${long}" is longer than n`);
  const [p, q, dp, dq, qi] = CRT_MEMBERS.map((m) => int(ctx, m));
  if (p === undefined || q === undefined || dp === undefined || dq === undefined || qi === undefined) {
    if (CRT_MEMBERS.some((m) => ctx.has(m))) return; // undecodable members were reported
    // d only: one exponentiation checks that d inverts e, while it stays affordable.
    if (bitLength(n) <= D_ONLY_CHECK_MAX_BITS && gcd(2n, n) === 1n && modPow(modPow(2n, e, n), d, n) !== 2n) {
      mismatch('d', '(2^e)^d mod n is not 2');
    }
    return;
  }
  if (p <= 1n || q <= 1n || p * q !== n) return mismatch('p', 'p × q is not n');
  if ((d * e) % lcm(p - 1n, q - 1n) !== 1n) return mismatch('d', 'd × e is not 1 modulo λ(n)');
  if (dp <= 0n || (dp * e) % (p - 1n) !== 1n) return mismatch('dp', 'dp × e is not 1 modulo p − 1');
  if (dq <= 0n || (dq * e) % (q - 1n) !== 1n) return mismatch('dq', 'dq × e is not 1 modulo q − 1');
  if (qi <= 0n || qi >= p || (qi * q) % p !== 1n)
    return mismatch('qi', 'qi is not the inverse of q modulo p');
};

export const RSA_RULES: readonly Rule[] = [
  rsaIntegers,
  rsaModulusSize,
  rsaExponent,
  rsaWeakModulus,
  rsaPrivateMembers,
  rsaPrivateConsistency,
];
