/**
 * JWK thumbprints (RFC 7638) and thumbprint URIs (RFC 9278). Synchronous: the hash comes from
 * @noble/hashes, so a `kid` can be derived anywhere without awaiting WebCrypto.
 */

import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { encode } from '../encoding/base64url.js';
import { JWKitError, UnsupportedError } from '../errors/index.js';
import { isKty, THUMBPRINT_MEMBERS } from '../registry.js';

export type ThumbprintHash = 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES: Record<ThumbprintHash, { fn: (b: Uint8Array) => Uint8Array; uri: string }> = Object.assign(
  Object.create(null),
  {
    'SHA-256': { fn: sha256, uri: 'sha-256' },
    'SHA-384': { fn: sha384, uri: 'sha-384' },
    'SHA-512': { fn: sha512, uri: 'sha-512' },
  },
);

/** Members whose values are base64url (the rest, `kty` and `crv`, are names). */
const BASE64URL_MEMBERS = new Set(['n', 'e', 'x', 'y', 'k']);

/**
 * The RFC 7638 §3.2 hash input: the required members only, in lexicographic order, no
 * whitespace. Trailing `=` padding on base64url values is dropped first (§3.3 says the values
 * are unpadded base64url), so a padded key from a lenient provider has the thumbprint of its
 * canonical form. Private and optional members never take part (§3.2.1), so a private key and
 * its public key have the same thumbprint.
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
    if (BASE64URL_MEMBERS.has(m)) v = v.replace(/=+$/, '');
    // JSON.stringify escapes exactly as RFC 7638 §3.3 requires (RFC 8259 string syntax).
    parts.push(`${JSON.stringify(m)}:${JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
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
