/**
 * Verifying a compact JWS / JWT (RFC 7515 §5.2, RFC 7519 §7.2, RFC 8725).
 *
 * Order of checks: shape and strict base64url, header (never `alg: none`, never `b64: false`,
 * no unknown `crit`), algorithm allowed, key selected by the shared rules, signature over the
 * received ASCII, and only then the payload and its claims: nothing from an unverified payload
 * reaches the caller or an error message.
 *
 * Fast path: when the backend verifies synchronously (node:crypto) and the key source can answer
 * from its cache (a JWKSet after the first token of a key), the whole verification runs without
 * a promise hop; `verifyJWT` then returns an already-settled promise.
 */

import { getBackend } from '../crypto/active.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { encode } from '../encoding/base64url.js';
import { JWTError } from '../errors/index.js';
import type { JWK } from '../jwk/model.js';
import { isPrivate } from '../jwk/model.js';
import { parseJWK } from '../jwk/validate/index.js';
import { type AlgorithmInfo, getAlgorithm } from '../registry.js';
import { importCached } from '../set/key-cache.js';
import { keyEntry } from '../set/key-entry.js';
import type { JWSHeader, MultipleMatchPolicy, SelectedKey, SelectKeyOptions } from '../set/key-source.js';
import { verificationRejection } from '../set/select.js';
import { asciiBytes, utf8Bytes, utf8Text } from './bytes.js';
import { type ClaimOptions, checkClaims, type JWTPayload } from './claims.js';
import { type CompactJWS, parseCompact, payloadBytes, signatureBytes, signatureFirst } from './compact.js';
import { asJWKitError, directKey, isKeySource, type KeyInput } from './key-input.js';

/** A key embedded in the header, offered to `trustEmbeddedKey`. */
export interface EmbeddedKey {
  /** The header's `jwk`, validated and public (RFC 7515 §4.1.3). */
  readonly jwk: JWK;
  readonly header: Readonly<JWSHeader>;
}

export interface VerifyJWSOptions {
  /**
   * Accepted `alg` values. Without it, the selected key must carry `alg` and the header must
   * match it (RFC 8725 §3.1: the verifier, not the token, decides the algorithm).
   */
  algorithms?: readonly string[];
  /** Extension header names (RFC 7515 §4.1.11) the caller processes itself. Default none. */
  crit?: readonly string[];
  /** Several matching keys: `'reject'` (default), `'first'` or `'try-all'`. */
  multipleMatches?: MultipleMatchPolicy;
  /** Crypto backend. Default: the active one (node:crypto on Node, WebCrypto elsewhere). */
  backend?: CryptoBackend;
  /** Longest token accepted, in characters. Default 65536. */
  maxTokenLength?: number;
  /**
   * Trust a key embedded in the header's `jwk` when this returns true (for example, when its
   * thumbprint is pinned). The key is still validated, must be public and must suit `alg`.
   * Default: the header's `jwk` is ignored, like `x5c`, `x5u` and `jku` (never fetched).
   */
  trustEmbeddedKey?: (key: EmbeddedKey) => boolean | Promise<boolean>;
  /**
   * Maps a header `jku` URL to the key source to use for it (for example, a RemoteJWKSet from an
   * allow-list); returning `undefined` rejects the token. Default: `jku` is ignored.
   */
  resolveJku?: (
    url: string,
    header: Readonly<JWSHeader>,
  ) => KeyInput | undefined | Promise<KeyInput | undefined>;
  /**
   * The content of a JWS with detached content (RFC 7515 Appendix F): the token's payload part
   * is empty and the signature covers this payload (text is taken as UTF-8). Default: none.
   */
  detachedPayload?: Uint8Array | string;
}

export interface VerifyJWTOptions extends VerifyJWSOptions, ClaimOptions {}

export interface VerifiedJWS {
  /** The payload octets (RFC 7515 §5.2 step 6). */
  readonly payload: Uint8Array;
  readonly header: Readonly<JWSHeader>;
  /** The key that verified the signature (public form; the key itself for oct). */
  readonly key: JWK;
}

export interface VerifiedJWT<P extends JWTPayload = JWTPayload> {
  readonly payload: P;
  readonly header: Readonly<JWSHeader>;
  readonly key: JWK;
}

/** A parsed token and its algorithm, after the checks that need no key. */
interface Prepared {
  readonly jws: CompactJWS;
  readonly alg: AlgorithmInfo;
  readonly backend: CryptoBackend;
}

/** The options when the caller gives none: one shared object, not one per token (issue 15). */
const NO_OPTIONS: VerifyJWTOptions = Object.freeze({});

/** Verifies a compact JWS; resolves to its payload octets, header and key. */
export function verifyJWS(
  token: string,
  key: KeyInput,
  options: VerifyJWSOptions = NO_OPTIONS,
): Promise<VerifiedJWS> {
  let jws: CompactJWS | undefined;
  try {
    jws = parseCompact(token, options.maxTokenLength);
    const prep = prepare(jws, options);
    const selected = verifyFast(prep, key, options);
    if (selected !== undefined) return Promise.resolve(toJWS(jws, selected, options));
    const verified = jws;
    const pending = verifyOneAwait(prep, key, options);
    if (pending !== undefined) return pending.then((s) => toJWS(verified, s, options));
    return verifySlow(prep, key, options);
  } catch (error) {
    return Promise.reject(jws === undefined ? error : signatureFirst(jws, error));
  }
}

/** Verifies a JWT: the JWS, then its JSON claims set and the claim options. */
export function verifyJWT<P extends JWTPayload = JWTPayload>(
  token: string,
  key: KeyInput,
  options: VerifyJWTOptions = NO_OPTIONS,
): Promise<VerifiedJWT<P>> {
  let jws: CompactJWS | undefined;
  let selected: SelectedKey | undefined;
  try {
    jws = parseCompact(token, options.maxTokenLength);
    const prep = prepare(jws, options);
    selected = verifyFast(prep, key, options);
    if (selected === undefined) {
      const verified = jws;
      const pending = verifyOneAwait(prep, key, options);
      if (pending !== undefined) return pending.then((s) => toJWT<P>(verified, s.jwk, options));
      return verifySlow(prep, key, options).then((r) => toJWTFromJWS<P>(r, options));
    }
  } catch (error) {
    return Promise.reject(jws === undefined ? error : signatureFirst(jws, error));
  }
  // The signature verified (so its part is well formed): only the claims are left.
  try {
    return Promise.resolve(toJWT<P>(jws, selected.jwk, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Synchronous `verifyJWT` for hot paths on Node: needs a backend that verifies synchronously
 * (node:crypto) and a key source that can answer without I/O (a JWKSet, a JWK, a RemoteJWKSet
 * whose set holds the key). Throws `ERR_JWT_SYNC_UNAVAILABLE` otherwise: use `verifyJWT`.
 */
export function verifyJWTSync<P extends JWTPayload = JWTPayload>(
  token: string,
  key: KeyInput,
  options: VerifyJWTOptions = NO_OPTIONS,
): VerifiedJWT<P> {
  const jws = parseCompact(token, options.maxTokenLength);
  let selected: SelectedKey | undefined;
  try {
    selected = verifyFast(prepare(jws, options), key, options);
    if (selected === undefined) {
      throw new JWTError(
        'ERR_JWT_SYNC_UNAVAILABLE',
        'this verification needs asynchronous work (WebCrypto, a key not yet fetched or imported, or an embedded/jku key); use verifyJWT',
      );
    }
  } catch (error) {
    throw signatureFirst(jws, error);
  }
  return toJWT<P>(jws, selected.jwk, options);
}

/** The checks that need no key (RFC 7515 §5.2 steps 4-5, RFC 8725 §3.1). */
function prepare(jws: CompactJWS, options: VerifyJWSOptions): Prepared {
  const header = jws.header;
  const alg = getAlgorithm(header.alg);
  if (alg === undefined || alg.use !== 'sig') {
    throw new JWTError(
      'ERR_JWT_ALG_UNSUPPORTED',
      `"alg" ${JSON.stringify(header.alg)} is not a JWS signature algorithm jwkit knows (RFC 7518 §3.1)`,
    );
  }
  if (options.algorithms !== undefined && !options.algorithms.includes(alg.alg)) {
    throw new JWTError('ERR_JWT_ALG_NOT_ALLOWED', `"alg" ${alg.alg} is not in the algorithms option`);
  }
  if (header.crit !== undefined) {
    // RFC 7515 §4.1.11: a recipient that does not understand a critical extension must reject.
    // `b64` is understood (RFC 7797); `b64: false` was already refused by the parser.
    for (const name of header.crit) {
      if (name !== 'b64' && !options.crit?.includes(name)) {
        throw new JWTError(
          'ERR_JWT_CRIT_UNSUPPORTED',
          `the header marks ${JSON.stringify(name)} critical and it is not understood; list it in the crit option if your code checks it`,
        );
      }
    }
  }
  return { jws, alg, backend: options.backend ?? getBackend() };
}

/**
 * The selection options for the common call (no multipleMatches option): one object per
 * backend, reused, instead of one per token. Key sources only read it.
 */
let lastSelectOptions: SelectKeyOptions = Object.freeze({ backend: getBackend() });
function selectOptions(options: VerifyJWSOptions, backend: CryptoBackend): SelectKeyOptions {
  if (options.multipleMatches !== undefined) return { multipleMatches: options.multipleMatches, backend };
  if (lastSelectOptions.backend !== backend) lastSelectOptions = Object.freeze({ backend });
  return lastSelectOptions;
}

/**
 * The key that verifies `prep` when it can be chosen without I/O (a set or JWK whose handle for
 * this backend is already imported), after the key checks; `undefined` when choosing it needs to
 * await (an import, a fetch, an embedded or jku key, `try-all`): the caller then takes the slow
 * path, which does the same checks in the same order.
 */
function keyWithoutIO(prep: Prepared, key: KeyInput, options: VerifyJWSOptions): SelectedKey | undefined {
  const { jws, alg, backend } = prep;
  const header = jws.header;
  if (options.multipleMatches === 'try-all') return undefined;
  if (options.trustEmbeddedKey !== undefined && header.jwk !== undefined) return undefined;
  if (options.resolveJku !== undefined && header.jku !== undefined) return undefined;
  const selected = isKeySource(key)
    ? key.selectKeySync?.(header, selectOptions(options, backend))
    : directKey(key, alg, backend, true);
  if (selected !== undefined) checkKey(selected, header, options);
  return selected;
}

/**
 * The whole verification without awaiting: the key that verified the signature, or `undefined`
 * when something needs to await (the caller then takes the slow path from the start).
 */
function verifyFast(prep: Prepared, key: KeyInput, options: VerifyJWSOptions): SelectedKey | undefined {
  const { jws, backend } = prep;
  if (backend.verifySync === undefined) return undefined;
  const selected = keyWithoutIO(prep, key, options);
  if (selected === undefined) return undefined;
  // RFC 7515 §5.2 step 8: the signing input exactly as received (ASCII after the base64url check).
  const handle = selected.handle;
  let valid: boolean;
  if (options.detachedPayload !== undefined) {
    valid = backend.verifySync(handle, signedData(jws, options), signatureBytes(jws));
  } else if (backend.verifyTextSync !== undefined) {
    valid = backend.verifyTextSync(handle, jws.signingInput, jws.signatureB64);
  } else if (backend.verifyAsciiSync !== undefined) {
    valid = backend.verifyAsciiSync(handle, jws.signingInput, signatureBytes(jws));
  } else {
    valid = backend.verifySync(handle, asciiBytes(jws.signingInput), signatureBytes(jws));
  }
  if (!valid) throw badSignature();
  return selected;
}

/**
 * For a backend without synchronous verify (WebCrypto: browsers, workerd, Deno's ECDSA): when
 * the key is selected without I/O (already imported), the signature check is the only thing
 * that awaits, and it is one promise instead of an async chain (issue 12: the per-token cost
 * shows where the primitive is fast, RS256 in Chromium). A malformed signature part is still
 * the error reported first: the caller's catch puts it first (`signatureFirst`).
 */
function verifyOneAwait(
  prep: Prepared,
  key: KeyInput,
  options: VerifyJWSOptions,
): Promise<SelectedKey> | undefined {
  const { jws, backend } = prep;
  if (backend.verifySync !== undefined) return undefined;
  const selected = keyWithoutIO(prep, key, options);
  if (selected === undefined) return undefined;
  const valid = backend.verify(selected.handle, signedData(jws, options), signatureBytes(jws));
  return valid.then((ok) => {
    if (!ok) throw badSignature();
    return selected;
  });
}

async function verifySlow(prep: Prepared, key: KeyInput, options: VerifyJWSOptions): Promise<VerifiedJWS> {
  const { jws, backend } = prep;
  const header = jws.header;
  // Decoded first: a malformed signature part is reported before anything about the key.
  const signature = signatureBytes(jws);
  const candidates = await candidateKeys(prep, key, options);
  const data = signedData(jws, options);
  for (const selected of candidates) {
    checkKey(selected, header, options);
    if (await backend.verify(selected.handle, data, signature)) return toJWS(jws, selected, options);
  }
  throw badSignature();
}

async function candidateKeys(
  prep: Prepared,
  key: KeyInput,
  options: VerifyJWSOptions,
): Promise<SelectedKey[]> {
  const { jws, alg, backend } = prep;
  const header = jws.header;
  if (options.trustEmbeddedKey !== undefined && header.jwk !== undefined) {
    return [await embeddedKey(header, alg, backend, options.trustEmbeddedKey)];
  }
  if (options.resolveJku !== undefined && header.jku !== undefined) {
    const resolved = await options.resolveJku(header.jku, header);
    if (resolved === undefined) {
      throw new JWTError(
        'ERR_JWT_JKU_NOT_TRUSTED',
        `the header's "jku" ${JSON.stringify(header.jku)} is not trusted`,
      );
    }
    key = resolved;
  }
  const select = selectOptions(options, backend);
  try {
    if (!isKeySource(key)) return [await directKey(key, alg, backend, false)];
    // selectKeys returns one key unless the policy (the option or the source's default) is 'try-all'.
    if (key.selectKeys !== undefined) return await key.selectKeys(header, select);
    return [await key.selectKey(header, select)];
  } catch (error) {
    throw asJWKitError(error);
  }
}

async function embeddedKey(
  header: Readonly<JWSHeader>,
  alg: AlgorithmInfo,
  backend: CryptoBackend,
  trust: NonNullable<VerifyJWSOptions['trustEmbeddedKey']>,
): Promise<SelectedKey> {
  const invalid = (why: string, cause?: unknown) =>
    new JWTError('ERR_JWT_HEADER_KEY_INVALID', `the header's "jwk" ${why}`, { cause });
  let entry: ReturnType<typeof keyEntry>;
  try {
    entry = keyEntry(parseJWK(header.jwk as object));
  } catch (cause) {
    throw invalid('is not a valid JWK', cause);
  }
  if (isPrivate(entry.jwk)) throw invalid('carries secret key material; an embedded key must be public');
  const reason = verificationRejection(entry.jwk, entry.info, alg);
  if (reason !== undefined) throw invalid(`cannot verify ${alg.alg}: ${reason}`);
  if (!(await trust({ jwk: entry.jwk, header }))) {
    throw new JWTError(
      'ERR_JWT_HEADER_KEY_NOT_TRUSTED',
      'the key embedded in the header was not trusted by trustEmbeddedKey',
    );
  }
  return { jwk: entry.jwk, handle: await importCached(backend, entry.jwk, alg.alg, 'verify', entry.info.id) };
}

/** The algorithm policy on the selected key (the selection rules already matched alg and type). */
function checkKey(selected: SelectedKey, header: Readonly<JWSHeader>, options: VerifyJWSOptions): void {
  const keyAlg = selected.jwk.alg;
  if (keyAlg !== undefined && keyAlg !== header.alg) {
    throw new JWTError(
      'ERR_JWT_ALG_NOT_ALLOWED',
      `the selected key is bound to ${keyAlg}, the token says ${header.alg}`,
    );
  }
  if (options.algorithms === undefined && keyAlg === undefined) {
    throw new JWTError(
      'ERR_JWT_ALG_NOT_ALLOWED',
      `the selected key has no "alg" and no algorithms option was given, so ${header.alg} is not allowed; set "alg" on the key or pass algorithms`,
    );
  }
  if (selected.handle.alg !== header.alg || selected.handle.usage !== 'verify') {
    throw new JWTError(
      'ERR_JWT_KEY_UNUSABLE',
      `the key source returned a ${selected.handle.alg} ${selected.handle.usage} key`,
    );
  }
}

/**
 * The signed octets: the signing input as received, or with the detached content (RFC 7515
 * Appendix F) base64url-encoded in the empty payload part.
 */
function signedData(jws: CompactJWS, options: VerifyJWSOptions): Uint8Array {
  const detached = options.detachedPayload;
  if (detached === undefined) return asciiBytes(jws.signingInput);
  return asciiBytes(`${jws.signingInput}${encode(detachedBytes(jws, detached))}`);
}

function detachedBytes(jws: CompactJWS, detached: Uint8Array | string): Uint8Array {
  if (jws.payloadB64 !== '') {
    throw new JWTError(
      'ERR_JWT_MALFORMED',
      'detachedPayload was given but the token carries a payload; a detached JWS has an empty payload part',
    );
  }
  return typeof detached === 'string' ? utf8Bytes(detached) : detached;
}

/** The verified JWS as the caller gets it: the payload as a plain Uint8Array of its own. */
function toJWS(jws: CompactJWS, selected: SelectedKey, options: VerifyJWSOptions): VerifiedJWS {
  const detached = options.detachedPayload;
  const payload = detached === undefined ? payloadBytes(jws) : detachedBytes(jws, detached);
  return { payload, header: jws.header, key: selected.jwk };
}

function badSignature(): JWTError {
  return new JWTError('ERR_JWT_SIGNATURE_INVALID', 'the signature does not verify with the selected key');
}

/** The claims of a JWS whose signature verified (RFC 7519 §7.2 steps 9-10, then the claim rules). */
function toJWT<P extends JWTPayload>(jws: CompactJWS, key: JWK, options: VerifyJWTOptions): VerifiedJWT<P> {
  const detached = options.detachedPayload;
  const payload = (
    detached === undefined ? claimsFromText(jws.payloadText) : parseClaims(detachedBytes(jws, detached))
  ) as P;
  checkClaims(payload, jws.header, options);
  return { payload, header: jws.header, key };
}

function toJWTFromJWS<P extends JWTPayload>(jws: VerifiedJWS, options: ClaimOptions): VerifiedJWT<P> {
  const payload = parseClaims(jws.payload) as P;
  checkClaims(payload, jws.header, options);
  return { payload, header: jws.header, key: jws.key };
}

/** The payload as a JWT Claims Set: UTF-8 JSON holding an object (RFC 7519 §7.2 step 10). */
export function parseClaims(bytes: Uint8Array): JWTPayload {
  let text: string | null;
  try {
    text = utf8Text(bytes);
  } catch {
    text = null;
  }
  return claimsFromText(text);
}

/** `parseClaims` of the payload's text (`null`: its octets are not UTF-8). */
export function claimsFromText(text: string | null): JWTPayload {
  let value: unknown;
  try {
    if (text === null) throw new TypeError('the payload octets are not UTF-8');
    value = JSON.parse(text);
  } catch (cause) {
    throw new JWTError(
      'ERR_JWT_PAYLOAD_INVALID',
      'the payload is not UTF-8 JSON, so it is not a JWT claims set',
      { cause },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JWTError(
      'ERR_JWT_PAYLOAD_INVALID',
      'the payload must be a JSON object (a JWT claims set, RFC 7519 §4)',
    );
  }
  return value as JWTPayload;
}
