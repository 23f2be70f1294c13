/**
 * Text <-> bytes for the JWS layer. Node's Buffer is feature-detected, never imported, so this
 * module stays isomorphic; where it exists it is the faster path for short strings.
 */

import { decode, encode } from '../encoding/base64url.js';

const NodeBuffer = (globalThis as { Buffer?: typeof import('node:buffer').Buffer }).Buffer;
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes of a string known to be ASCII (a JWS signing input after the base64url check). The
 * signature is computed over exactly these octets: RFC 7515 §5.2 step 8 says ASCII(BASE64URL(
 * header) || '.' || BASE64URL(payload)) as received, never a re-encoding.
 */
export function asciiBytes(text: string): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.from(text, 'latin1') : encoder.encode(text);
}

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid sequences throw a TypeError instead of becoming U+FFFD. */
export function utf8Text(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/**
 * Decodes strict base64url (RFC 7515 §2: unpadded, URL alphabet only, canonical last character),
 * or returns `undefined` when the text is not strict base64url. Node's decoder is lenient (it
 * skips foreign characters and stops at `=`), so its result only counts when re-encoding it gives
 * back the exact text: one native decode and encode, several times faster than a checked decode
 * in JavaScript on signature-sized inputs.
 */
export function strictBase64url(text: string): Uint8Array | undefined {
  if (NodeBuffer !== undefined) {
    // Decoded into a Uint8Array of our own, never a view of Node's shared buffer pool, whose
    // `.buffer` would expose unrelated process memory (issue 13 point 8). A plain Uint8Array:
    // callers get the same type on every runtime.
    const out = new Uint8Array((text.length * 3) >> 2);
    const b = NodeBuffer.from(out.buffer, out.byteOffset, out.byteLength);
    const written = b.write(text, 'base64url');
    return written === out.length && b.toString('base64url') === text ? out : undefined;
  }
  try {
    return decode(text);
  } catch {
    return undefined;
  }
}

/**
 * `strictBase64url` for octets that never leave jwkit (a signature, a claims set that is parsed
 * next): on Node the decoded Buffer may sit in Node's shared pool, which saves two allocations
 * per part and token (issue 15). Anything handed to a caller is decoded by `strictBase64url`
 * instead, so the issue 13.8 property (no caller sees a view of the pool) holds.
 */
export function strictBase64urlInternal(text: string): Uint8Array | undefined {
  if (NodeBuffer === undefined) return strictBase64url(text);
  const b = NodeBuffer.from(text, 'base64url');
  return b.toString('base64url') === text ? b : undefined;
}

/** Longest base64url text decoded through the shared scratch buffer (a 64 KiB token's payload fits). */
const MAX_SCRATCH_TEXT = 64 * 1024;
let textScratch: import('node:buffer').Buffer | undefined;

/**
 * The UTF-8 text of strict base64url `b64`: `undefined` when `b64` is not strict base64url,
 * `null` when its octets are not UTF-8 (so the caller can report that at its own step). On Node
 * the octets go through one scratch buffer and never become a Buffer of their own (issue 15: a
 * claims set is decoded straight to the text JSON.parse reads). Lenient UTF-8 decoding turns
 * every bad sequence into U+FFFD, so only text that contains U+FFFD is checked strictly; a
 * byte order mark is kept, as `utf8Text` keeps it.
 */
export function strictBase64urlText(b64: string): string | null | undefined {
  if (NodeBuffer === undefined || b64.length > MAX_SCRATCH_TEXT) {
    const bytes = strictBase64urlInternal(b64);
    if (bytes === undefined) return undefined;
    try {
      return utf8Text(bytes);
    } catch {
      return null;
    }
  }
  let buf = textScratch;
  if (buf === undefined || buf.length < b64.length) {
    buf = NodeBuffer.alloc(Math.min(MAX_SCRATCH_TEXT, Math.max(b64.length, 2048)));
    textScratch = buf;
  }
  const n = buf.write(b64, 0, 'base64url');
  if (buf.toString('base64url', 0, n) !== b64) return undefined;
  const text = buf.toString('utf8', 0, n);
  if (text.indexOf('\uFFFD') >= 0) {
    try {
      strictDecoder.decode(buf.subarray(0, n));
    } catch {
      return null;
    }
  }
  return text;
}

/** A reused buffer for `asciiScratch` and `utf8Base64url` (Node; the caller consumes it at once). */
let outScratch: import('node:buffer').Buffer | undefined;
function outBuffer(length: number): import('node:buffer').Buffer | undefined {
  if (NodeBuffer === undefined || length > MAX_SCRATCH_TEXT) return undefined;
  if (outScratch === undefined || outScratch.length < length)
    outScratch = NodeBuffer.alloc(Math.min(MAX_SCRATCH_TEXT, Math.max(length, 2048)));
  return outScratch;
}

/**
 * BASE64URL(UTF8(text)) (RFC 7515 §2): on Node in one write and one encode through a reused
 * buffer, with no Buffer object per call (issue 15: a signer encodes a claims set per token).
 */
export function utf8Base64url(text: string): string {
  const buf = outBuffer(text.length * 3);
  if (buf === undefined) return encode(encoder.encode(text));
  const n = buf.write(text, 0, 'utf8');
  return buf.toString('base64url', 0, n);
}

/** Unpadded base64url of octets; Node's native encoder where there is one. */
export function bytesBase64url(bytes: Uint8Array): string {
  if (NodeBuffer === undefined) return encode(bytes);
  const b = NodeBuffer.isBuffer(bytes)
    ? bytes
    : NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.toString('base64url');
}
