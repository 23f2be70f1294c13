/**
 * Strong entity tags (RFC 9110 §8.8.3) for serialized sets: the SHA-256 of the exact bytes, so
 * two servers publishing the same set agree on the tag and any change of a byte changes it.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { encode } from '../encoding/base64url.js';

const encoder = new TextEncoder();

/** A quoted strong ETag of `body` (base64url SHA-256, 43 characters inside the quotes). */
export function strongETag(body: string): string {
  return `"${encode(sha256(encoder.encode(body)))}"`;
}
