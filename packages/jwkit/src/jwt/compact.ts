/**
 * Parsing the JWS Compact Serialization (RFC 7515 §7.1): three base64url parts separated by
 * dots, checked strictly (RFC 7515 §2: no padding, no other characters, canonical last
 * character), and a protected header that is a JSON object with a well-typed `alg`.
 *
 * A token's header segment is usually shared by every token of an issuer, so decoded and
 * checked headers are cached by their exact base64url text: the cache can only return what
 * parsing that same text would return.
 */

import { checkBase64url, describeBase64urlIssue, encode } from '../encoding/base64url.js';
import { JWTError } from '../errors/index.js';
import { parseJSON } from '../json/parse.js';
import { deepFreeze } from '../set/freeze.js';
import type { JWSHeader } from '../set/key-source.js';
import { strictBase64url, strictBase64urlInternal, strictBase64urlText, utf8Text } from './bytes.js';

/** A compact JWS split into its parts and decoded; nothing verified yet. */
export interface CompactJWS {
  readonly header: Readonly<JWSHeader>;
  /** The payload part as received (empty for detached content), strict base64url. */
  readonly payloadB64: string;
  /**
   * The payload octets as UTF-8 text (what a JWT's claims are parsed from), or `null` when they
   * are not UTF-8; the verifier reports that after the signature (RFC 7519 §7.2 step 10). A JWS
   * payload's octets: `payloadBytes`.
   */
  readonly payloadText: string | null;
  /**
   * The signature part as received, not yet checked: it is only ever used through
   * `signatureBytes` or a backend's `verifyTextSync`, both strict (RFC 7515 §2), and a verifier
   * reports a malformed signature part before any later rejection (`signatureFirst`), so the
   * error is the same as if the parser had checked it (issue 15: HMAC never decodes it).
   */
  readonly signatureB64: string;
  /** BASE64URL(header) '.' BASE64URL(payload), exactly as received. */
  readonly signingInput: string;
}

/** Default bound on a token's length, in characters (protects the parser, not the crypto). */
export const DEFAULT_MAX_TOKEN_LENGTH = 64 * 1024;

const MAX_CACHED_HEADERS = 512;
/** The last header parsed: most services see one issuer's header over and over. */
let lastHeader: CachedHeader | undefined;
/** Headers longer than this (embedded keys, certificate chains) are parsed every time. */
const MAX_CACHED_HEADER_LENGTH = 1024;
/** A parsed header with its base64url text as a string of its own (not a slice of a token). */
interface CachedHeader {
  readonly b64: string;
  readonly header: Readonly<JWSHeader>;
}
const headerCache = new Map<string, CachedHeader>();
/** Off only in tests, to prove cached and uncached verdicts equal (issue 15). */
let cachesOn = true;

/**
 * @internal Test hook: turns the header cache off (and empties it) or back on. The
 * cache-equivalence test runs every vector both ways and compares results.
 */
export function setHeaderCache(enabled: boolean): void {
  cachesOn = enabled;
  headerCache.clear();
  lastHeader = undefined;
}

export function parseCompact(token: unknown, maxLength: number = DEFAULT_MAX_TOKEN_LENGTH): CompactJWS {
  if (typeof token !== 'string') throw new JWTError('ERR_JWT_MALFORMED', 'a JWT must be a string');
  if (token.length > maxLength) {
    throw new JWTError(
      'ERR_JWT_TOO_LONG',
      `the token is ${token.length} characters, more than maxTokenLength (${maxLength})`,
    );
  }
  const dot1 = token.indexOf('.');
  const dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
  if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) throw shapeError(token);
  // The last header again (the common case) is recognised in place, without slicing the token:
  // the exact same characters up to the first dot (issue 15).
  const last = cachesOn ? lastHeader : undefined;
  const header =
    last !== undefined && last.b64.length === dot1 && token.startsWith(last.b64)
      ? last.header
      : parseHeader(token.slice(0, dot1));
  // The payload may be empty (RFC 7515 §7.1 allows an empty payload); its text must still be
  // strict base64url, because the signature covers it as received.
  const payloadB64 = token.slice(dot1 + 1, dot2);
  const payloadText = strictBase64urlText(payloadB64);
  if (payloadText === undefined) decodePart(payloadB64, 'payload'); // throws the precise error
  if (dot2 === token.length - 1)
    throw new JWTError('ERR_JWT_MALFORMED', 'the token has an empty signature part');
  return {
    header,
    payloadB64,
    payloadText: payloadText ?? null,
    signatureB64: token.slice(dot2 + 1),
    signingInput: token.slice(0, dot2),
  };
}

/** The payload octets (already known to be strict base64url), in memory of their own. */
export function payloadBytes(jws: CompactJWS): Uint8Array {
  return strictBase64url(jws.payloadB64)!;
}

/** The signature octets, strictly decoded (throws `ERR_JWT_BASE64URL` like the other parts). */
export function signatureBytes(jws: CompactJWS): Uint8Array {
  return decodePart(jws.signatureB64, 'signature');
}

/**
 * The error to report when verification of `jws` failed with `error`: a malformed signature
 * part first, as a parser that decoded all three parts up front would have (RFC 7515 §5.2
 * step 2 comes before the key and the signature), else `error` itself. Only rejections pay for
 * the check.
 */
export function signatureFirst(jws: CompactJWS, error: unknown): unknown {
  try {
    signatureBytes(jws);
  } catch (malformed) {
    return malformed;
  }
  return error;
}

/**
 * The header's JSON with the strict parser: a header is small and shallow, so nesting is capped
 * (a 64 KiB token can hold 20,000 levels), and duplicate member names are refused rather than
 * resolved to the last one (RFC 7515 §5.2 step 4 allows either; refusing leaves no doubt which
 * `alg` or `kid` the signer meant).
 */
function parseHeaderJSON(bytes: Uint8Array): unknown {
  let parsed: ReturnType<typeof parseJSON>;
  try {
    parsed = parseJSON(utf8Text(bytes), { maxDepth: HEADER_MAX_DEPTH });
  } catch (cause) {
    throw new JWTError(
      'ERR_JWT_HEADER_INVALID',
      `the protected header is not UTF-8 JSON nested at most ${HEADER_MAX_DEPTH} deep (RFC 7515 §5.2 step 3)`,
      { cause },
    );
  }
  // RFC 8259 §8.1 lets a parser skip a byte order mark; a JOSE header is exact UTF-8 JSON whose
  // bytes are signed, so one that starts with U+FEFF is refused, not read (issue 13.13).
  if (parsed.problems.some((p) => p.code === 'JSON_BOM')) {
    throw new JWTError(
      'ERR_JWT_HEADER_INVALID',
      'the protected header starts with a byte order mark (U+FEFF); it must be bare UTF-8 JSON (RFC 7515 §5.2 step 3, RFC 8259 §8.1)',
    );
  }
  const duplicate = parsed.problems.find((p) => p.code === 'JSON_DUPLICATE_MEMBER');
  if (duplicate !== undefined) {
    throw new JWTError(
      'ERR_JWT_HEADER_INVALID',
      `the protected header repeats the member ${duplicate.path} (RFC 7515 §5.2 step 4)`,
    );
  }
  return parsed.value;
}

const HEADER_MAX_DEPTH = 16;

/** The decoded, checked, frozen protected header for a header segment. */
export function parseHeader(headerB64: string): Readonly<JWSHeader> {
  if (cachesOn) {
    if (lastHeader !== undefined && lastHeader.b64 === headerB64) return lastHeader.header;
    const hit = headerCache.get(headerB64);
    if (hit !== undefined) {
      lastHeader = hit;
      return hit.header;
    }
  }
  if (headerB64.length === 0) throw new JWTError('ERR_JWT_MALFORMED', 'the token has an empty header part');
  const bytes = decodePart(headerB64, 'header');
  const header = checkHeaderShape(parseHeaderJSON(bytes));
  if (!cachesOn || headerB64.length > MAX_CACHED_HEADER_LENGTH) return header;
  // `headerB64` is a slice of the token and would keep the whole token alive as a cache key;
  // re-encoding the (canonical) bytes gives the same text as a string of its own.
  const entry: CachedHeader = { b64: encode(bytes), header };
  if (headerCache.size >= MAX_CACHED_HEADERS) headerCache.delete(headerCache.keys().next().value as string);
  headerCache.set(entry.b64, entry);
  lastHeader = entry;
  return header;
}

function decodePart(part: string, name: string): Uint8Array {
  // Header and signature octets never leave jwkit (pooled Buffers are fine); the one part a
  // caller can get, verifyJWS's payload, is decoded into memory of its own by payloadBytes.
  const bytes = strictBase64urlInternal(part);
  if (bytes !== undefined) return bytes;
  const issue = checkBase64url(part) ?? 'noncanonical';
  throw new JWTError('ERR_JWT_BASE64URL', `the ${name} part ${describeBase64urlIssue(issue)} (RFC 7515 §2)`);
}

function shapeError(token: string): JWTError {
  if (token.trimStart().startsWith('{')) {
    return new JWTError(
      'ERR_JWS_JSON_SERIALIZATION',
      'this is a JWS JSON Serialization (RFC 7515 §7.2); jwkit verifies the Compact Serialization only',
    );
  }
  const parts = token.split('.').length;
  if (parts === 5) {
    return new JWTError(
      'ERR_JWT_IS_JWE',
      'this token has 5 parts: it is a JWE (encrypted), not a JWS; decrypt it first',
    );
  }
  return new JWTError(
    'ERR_JWT_MALFORMED',
    `a compact JWS has 3 dot-separated parts, this token has ${parts}`,
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Type checks that do not depend on options (RFC 7515 §4.1). `alg: none` in any spelling,
 * `b64: false` and malformed `crit` are refused here, so no option can let them through.
 */
function checkHeaderShape(value: unknown): Readonly<JWSHeader> {
  const invalid = (message: string) => new JWTError('ERR_JWT_HEADER_INVALID', message);
  if (!isObject(value)) throw invalid('the protected header must be a JSON object (RFC 7515 §4)');
  const h = value as JWSHeader;
  if (typeof h.alg !== 'string' || h.alg.length === 0) {
    throw invalid('the protected header has no "alg" string (RFC 7515 §4.1.1)');
  }
  if (h.alg.toLowerCase() === 'none') {
    throw new JWTError(
      'ERR_JWT_ALG_NONE',
      `"alg": ${JSON.stringify(h.alg)} means an unsecured token (RFC 7519 §6); jwkit never accepts one`,
    );
  }
  for (const m of ['kid', 'typ', 'cty', 'jku', 'x5u', 'x5t', 'x5t#S256'] as const) {
    if (h[m] !== undefined && typeof h[m] !== 'string')
      throw invalid(`header "${m}" must be a string (RFC 7515 §4.1)`);
  }
  if (h.jwk !== undefined && !isObject(h.jwk))
    throw invalid('header "jwk" must be a JSON object (RFC 7515 §4.1.3)');
  if (h.x5c !== undefined && !(Array.isArray(h.x5c) && h.x5c.every((c) => typeof c === 'string'))) {
    throw invalid('header "x5c" must be an array of strings (RFC 7515 §4.1.6)');
  }
  if (h.b64 !== undefined && typeof h.b64 !== 'boolean')
    throw invalid('header "b64" must be a boolean (RFC 7797 §3)');
  if (h.b64 === false) {
    throw new JWTError(
      'ERR_JWT_B64_UNSUPPORTED',
      '"b64": false (unencoded payload, RFC 7797) is not supported; sign the payload base64url-encoded',
    );
  }
  if (h.crit !== undefined) checkCritShape(h);
  return deepFreeze(h);
}

/** Header parameters defined by RFC 7515/7518, which `crit` must not list (RFC 7515 §4.1.11). */
const REGISTERED = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
  'enc',
  'zip',
]);

function checkCritShape(h: JWSHeader): void {
  const crit: unknown = h.crit;
  const invalid = (why: string) =>
    new JWTError('ERR_JWT_CRIT_INVALID', `header "crit" ${why} (RFC 7515 §4.1.11)`);
  if (!Array.isArray(crit) || crit.length === 0) throw invalid('must be a non-empty array');
  const seen = new Set<string>();
  for (const name of crit) {
    if (typeof name !== 'string' || name.length === 0) throw invalid('must hold non-empty strings');
    if (seen.has(name)) throw invalid(`lists ${JSON.stringify(name)} twice`);
    seen.add(name);
    if (REGISTERED.has(name)) throw invalid(`must not list the registered parameter ${JSON.stringify(name)}`);
    if (!Object.hasOwn(h, name))
      throw invalid(`lists ${JSON.stringify(name)}, which the header does not contain`);
  }
}
