/**
 * JWK thumbprints (RFC 7638) and thumbprint URIs (RFC 9278). Synchronous: the hash comes from
 * @noble/hashes, so a `kid` can be derived anywhere without awaiting WebCrypto.
 */

import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { checkBase64url, decode, describeBase64urlIssue, encode } from '../encoding/base64url.js';
import { JWKitError, UnsupportedError } from '../errors/index.js';
import { getCurve, isKty, type Kty, THUMBPRINT_MEMBERS } from '../registry.js';

export type ThumbprintHash = 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES: Record<ThumbprintHash, { fn: (b: Uint8Array) => Uint8Array; uri: string }> = Object.assign(
  Object.create(null),
  {
    'SHA-256': { fn: sha256, uri: 'sha-256' },
    'SHA-384': { fn: sha384, uri: 'sha-384' },
    'SHA-512': { fn: sha512, uri: 'sha-512' },
  },
);

/**
 * The RFC 7638 §3.2 hash input: the required members only, in lexicographic order, no
 * whitespace. Private and optional members never take part (§3.2.1), so a private key and its
 * public key have the same thumbprint.
 *
 * The values are those of the key's canonical form (issue 13 point 4), so that every spelling of
 * one key has one thumbprint, the same that `parseJWK`'s canonical copy gets: trailing `=` and
 * the standard alphabet (`+`, `/`) are read as base64url (RFC 7638 §3.3 says the values are
 * unpadded base64url), leading zero octets of RSA `n` and `e` are dropped (Base64urlUInt is the
 * minimum number of octets, RFC 7518 §2), and EC coordinates are padded to the curve's full
 * size (RFC 7518 §6.2.1.2). A value that has no canonical form (other characters, a mix of both
 * alphabets, an impossible length, non-zero trailing bits) is refused with
 * `ERR_THUMBPRINT_INPUT` rather than hashed as it stands.
 */
export function thumbprintInput(jwk: { kty: string; [member: string]: unknown }): string {
  if (jwk === null || typeof jwk !== 'object')
    throw new JWKitError('ERR_THUMBPRINT_INPUT', 'a JWK must be an object');
  const kty = jwk.kty;
  if (!isKty(kty)) throw new UnsupportedError(`no thumbprint is defined for key type ${JSON.stringify(kty)}`);
  const parts: string[] = [];
  for (const m of THUMBPRINT_MEMBERS[kty]) {
    let v = jwk[m];
    if (typeof v !== 'string') {
      throw new JWKitError(
        'ERR_THUMBPRINT_INPUT',
        `a ${kty} thumbprint needs the member "${m}" as a string (RFC 7638 §3.2); the key has ${v === undefined ? 'none' : typeof v}`,
      );
    }
    // `alg` is a name in the AKP input (RFC 9964 §6), like kty and crv; the rest are base64url.
    if (m !== 'kty' && m !== 'crv' && m !== 'alg') v = canonicalValue(kty, jwk.crv, m, v);
    // JSON.stringify escapes exactly as RFC 7638 §3.3 requires (RFC 8259 string syntax).
    parts.push(`${JSON.stringify(m)}:${JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Characters that only standard base64 uses, and those only base64url uses. */
const STD_ONLY = /[+/]/;
const URL_ONLY = /[-_]/;

/** The canonical base64url spelling of a member, or ERR_THUMBPRINT_INPUT. */
function canonicalValue(kty: Kty, crv: unknown, member: string, value: string): string {
  const unsigned = kty === 'RSA';
  const size = kty === 'EC' ? getCurve(crv)?.size : undefined;
  // The common case, already canonical, costs one scan and no decoding.
  if (
    checkBase64url(value) === undefined &&
    !(unsigned && value.length > 2 && startsWithZeroOctet(value)) &&
    (size === undefined || value.length === Math.ceil((size * 4) / 3))
  ) {
    return value;
  }
  // Trailing `=` is dropped whatever its count, as RFC 7638 §3.3 reads values unpadded.
  let text = value.replace(/=+$/, '');
  if (STD_ONLY.test(text)) {
    if (URL_ONLY.test(text)) throw notCanonical(member, 'mixes the base64url and standard alphabets');
    text = text.replace(/\+/g, '-').replace(/\//g, '_');
  }
  const issue = checkBase64url(text);
  if (issue !== undefined) throw notCanonical(member, describeBase64urlIssue(issue));
  let bytes = decode(text);
  if (unsigned) {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    bytes = bytes.subarray(start);
  } else if (size !== undefined && bytes.length !== size) {
    let start = 0;
    while (bytes.length - start > size && bytes[start] === 0) start++;
    const fixed = new Uint8Array(size);
    if (bytes.length - start > size) throw notCanonical(member, `is longer than a ${String(crv)} coordinate`);
    fixed.set(bytes.subarray(start), size - (bytes.length - start));
    bytes = fixed;
  }
  return encode(bytes);
}

/** Whether base64url text starts with a zero octet: 'A' (six zero bits), then 'A'..'P' (two more). */
function startsWithZeroOctet(value: string): boolean {
  const second = value.charCodeAt(1);
  return value.charCodeAt(0) === 65 && second >= 65 && second <= 80;
}

function notCanonical(member: string, why: string): JWKitError {
  return new JWKitError(
    'ERR_THUMBPRINT_INPUT',
    `"${member}" ${why}, so it has no canonical base64url form to hash (RFC 7638 §3.3); re-encode it as base64url`,
  );
}

function hashOf(hash: ThumbprintHash) {
  const h = typeof hash === 'string' && Object.hasOwn(HASHES, hash) ? HASHES[hash] : undefined;
  if (!h)
    throw new UnsupportedError(
      `thumbprint hash must be SHA-256, SHA-384 or SHA-512, not ${JSON.stringify(hash)}`,
    );
  return h;
}

/** The base64url RFC 7638 thumbprint of a JWK (default SHA-256, the usual `kid`). */
export function thumbprint(
  jwk: { kty: string; [member: string]: unknown },
  hash: ThumbprintHash = 'SHA-256',
): string {
  const h = hashOf(hash);
  return encode(h.fn(new TextEncoder().encode(thumbprintInput(jwk))));
}

/** The RFC 9278 URI, e.g. `urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbL...`. */
export function thumbprintURI(
  jwk: { kty: string; [member: string]: unknown },
  hash: ThumbprintHash = 'SHA-256',
): string {
  return `urn:ietf:params:oauth:jwk-thumbprint:${hashOf(hash).uri}:${thumbprint(jwk, hash)}`;
}
