/**
 * base64url without padding (RFC 7515 §2, RFC 4648 §5), written for both speed and strictness:
 * `decode` rejects anything a lenient decoder would silently skip or accept.
 */

import { JWKitError } from '../errors/index.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

// Node's Buffer is much faster for large inputs; it is feature-detected, never imported, so the
// core stays free of `node:` imports.
const NodeBuffer = (globalThis as { Buffer?: typeof import('node:buffer').Buffer }).Buffer;

/** What is wrong with a base64url string, or `undefined` when it is canonical. */
export type Base64urlIssue = 'alphabet' | 'padding' | 'length' | 'noncanonical';

/**
 * Checks a base64url string without decoding it. `padding` means the string is otherwise fine
 * but ends in `=` (RFC 7515 §2 forbids it; real providers emit it).
 */
export function checkBase64url(input: string): Base64urlIssue | undefined {
  let end = input.length;
  let padded = false;
  while (end > 0 && input.charCodeAt(end - 1) === 61 /* = */) {
    end--;
    padded = true;
  }
  for (let i = 0; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c >= 128 || DECODE[c]! < 0) return 'alphabet';
  }
  const rem = end % 4;
  if (rem === 1) return 'length';
  if (padded && (input.length % 4 !== 0 || input.length - end > 2 || rem === 0)) return 'length';
  // The unused low bits of the last character must be zero, or two strings decode to the same
  // bytes (RFC 4648 §3.5): a MAC or signature over the text would then not be unique.
  if (rem !== 0) {
    const last = DECODE[input.charCodeAt(end - 1)]!;
    if ((rem === 2 && (last & 0x0f) !== 0) || (rem === 3 && (last & 0x03) !== 0)) return 'noncanonical';
  }
  return padded ? 'padding' : undefined;
}

const ISSUE_TEXT: Record<Base64urlIssue, string> = {
  alphabet: 'contains a character outside the base64url alphabet (A-Z a-z 0-9 - _)',
  padding: 'ends with "=" padding, which base64url in JOSE must omit',
  length: 'has an impossible length for base64url',
  noncanonical: 'is not canonical: the unused bits of its last character are not zero',
};

export function describeBase64urlIssue(issue: Base64urlIssue): string {
  return ISSUE_TEXT[issue];
}

/**
 * Decodes strict base64url. With `allowPadding`, trailing `=` is accepted (lenient input from
 * providers that pad); everything else that is not canonical throws `ERR_BASE64URL`.
 */
export function decode(input: string, options?: { allowPadding?: boolean }): Uint8Array {
  if (typeof input !== 'string') throw new JWKitError('ERR_BASE64URL', 'base64url input must be a string');
  const issue = checkBase64url(input);
  if (issue !== undefined && !(issue === 'padding' && options?.allowPadding)) {
    throw new JWKitError('ERR_BASE64URL', `base64url value ${ISSUE_TEXT[issue]}`);
  }
  return decodeChecked(issue === 'padding' ? input.replace(/=+$/, '') : input);
}

/** Decodes a string already known to be canonical unpadded base64url. */
function decodeChecked(input: string): Uint8Array {
  if (NodeBuffer !== undefined && input.length > 64) {
    // Decode into memory of our own: `Buffer.from(text)` hands out a slice of Node's shared
    // pool, and a view of it would expose unrelated process memory through `.buffer` (issue 13
    // point 8). Writing into a fresh Uint8Array costs no copy.
    const out = new Uint8Array((input.length * 3) >> 2);
    NodeBuffer.from(out.buffer, out.byteOffset, out.byteLength).write(input, 'base64url');
    return out;
  }
  const out = new Uint8Array((input.length * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 4 <= input.length; i += 4) {
    const n =
      (DECODE[input.charCodeAt(i)]! << 18) |
      (DECODE[input.charCodeAt(i + 1)]! << 12) |
      (DECODE[input.charCodeAt(i + 2)]! << 6) |
      DECODE[input.charCodeAt(i + 3)]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  const rem = input.length - i;
  if (rem >= 2) {
    const n = (DECODE[input.charCodeAt(i)]! << 18) | (DECODE[input.charCodeAt(i + 1)]! << 12);
    out[o++] = n >> 16;
    if (rem === 3) out[o++] = ((n | (DECODE[input.charCodeAt(i + 2)]! << 6)) >> 8) & 0xff;
  }
  return out;
}

export function encode(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  if (NodeBuffer !== undefined && bytes.length > 48) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  }
  return encodeWith(bytes, ALPHABET, false);
}

/** Standard base64 with padding (used by `x5c`, RFC 7517 §4.7, and PEM bodies). */
export function encodeStd(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined)
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return encodeWith(bytes, STD_ALPHABET, true);
}

const STD_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes standard padded base64 (x5c, PEM); throws `ERR_BASE64` on anything else. */
export function decodeStd(input: string): Uint8Array {
  if (typeof input !== 'string' || !STD_RE.test(input)) {
    throw new JWKitError('ERR_BASE64', 'value is not standard padded base64 (RFC 4648 §4)');
  }
  return decode(input.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'), {});
}

function encodeWith(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rem = bytes.length - i;
  if (rem === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rem === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}
