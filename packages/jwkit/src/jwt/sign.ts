/**
 * Producing compact JWS / JWT (RFC 7515 §5.1, RFC 7519 §7.1). Output is canonical: unpadded
 * base64url, `alg` first in the header, never `alg: none`.
 */

import { getBackend } from '../crypto/active.js';
import type { CryptoBackend, KeyHandle } from '../crypto/backend.js';
import { JWTError } from '../errors/index.js';
import type { JWK } from '../jwk/model.js';
import { type AlgorithmInfo, getAlgorithm } from '../registry.js';
import { asciiBytes, bytesBase64url, utf8Base64url, utf8Bytes } from './bytes.js';
import type { JWTPayload } from './claims.js';
import { signingHandle } from './key-input.js';
import { seconds } from './seconds.js';

export interface SignOptions {
  /** The JWS algorithm. Default: the key's `alg`; one of them is required. */
  alg?: string;
  /** Header `kid`. Default: the key's `kid`; `false` leaves it out. */
  kid?: string | false;
  /** Header `typ`. Default `'JWT'` for signJWT, none for signJWS; `false` leaves it out. */
  typ?: string | false;
  /** More protected header members. `alg`, `kid`, `typ`, `b64` and `crit` cannot be set here. */
  header?: Record<string, unknown>;
  /** Crypto backend. Default: the active one. */
  backend?: CryptoBackend;
}

export interface SignJWTOptions extends SignOptions {
  /** Sets `iat`: `true` (default) for now, a NumericDate, or `false` to leave it as the payload has it. */
  issuedAt?: boolean | number;
  /** Sets `exp` this long after now (seconds or `'15m'`). */
  expiresIn?: number | string;
  /** Sets `nbf` this long after now (seconds or `'30s'`; 0 for now). */
  notBefore?: number | string;
  issuer?: string;
  subject?: string;
  audience?: string | string[];
  jwtId?: string;
  /** Current time in ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

const RESERVED = new Set(['alg', 'kid', 'typ', 'b64', 'crit']);

/** The options when the caller gives none: one shared object, not one per call (issue 15). */
const NO_OPTIONS: SignJWTOptions = Object.freeze({});

/** Signs `payload` (octets, or text taken as UTF-8) as a compact JWS. */
export function signJWS(
  payload: Uint8Array | string,
  key: JWK,
  options: SignOptions = NO_OPTIONS,
): Promise<string> {
  try {
    const bytes = typeof payload === 'string' ? utf8Bytes(payload) : payload;
    if (!(bytes instanceof Uint8Array))
      throw new JWTError('ERR_JWT_SIGN_PAYLOAD', 'the JWS payload must be a string or a Uint8Array');
    return settled(sign(bytesBase64url(bytes), key, options, undefined));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Signs a JWT. Options that set claims (`issuedAt`, `expiresIn`, `issuer`...) override the same
 * claims in `payload`; `payload` itself is not modified.
 */
export function signJWT(
  payload: JWTPayload,
  key: JWK,
  options: SignJWTOptions = NO_OPTIONS,
): Promise<string> {
  try {
    return settled(sign(jwtPayloadSegment(payload, options), key, options, 'JWT'));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A token as a promise. With a cached key handle and a synchronous backend the whole signature
 * is computed without awaiting (issue 15): one already-resolved promise, no async function
 * frames or extra microtasks.
 */
const settled = (token: string | Promise<string>): Promise<string> =>
  typeof token === 'string' ? Promise.resolve(token) : token;

/** BASE64URL(JSON(claims)) of a JWT: `payload` with the claims `options` set (shared with sign-with.ts). */
export function jwtPayloadSegment(payload: JWTPayload, options: SignJWTOptions): string {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new JWTError('ERR_JWT_SIGN_PAYLOAD', 'a JWT payload must be a JSON object (RFC 7519 §4)');
  }
  const now = Math.floor((options.clock ?? Date.now)() / 1000);
  if (onlyIssuedAt(payload, options)) {
    // The common call: the payload's own JSON with `iat` appended, which is the text of
    // `{ ...payload, iat }` (same members in the same order, `iat` last) without the copy.
    const iat = JSON.stringify(typeof options.issuedAt === 'number' ? options.issuedAt : now);
    const text = serialize(payload);
    return utf8Base64url(text === '{}' ? `{"iat":${iat}}` : `${text.slice(0, -1)},"iat":${iat}}`);
  }
  const claims: JWTPayload = { ...payload };
  if (options.issuedAt !== false) claims.iat = typeof options.issuedAt === 'number' ? options.issuedAt : now;
  if (options.expiresIn !== undefined) claims.exp = now + Math.floor(seconds(options.expiresIn, 'expiresIn'));
  if (options.notBefore !== undefined) claims.nbf = now + Math.floor(seconds(options.notBefore, 'notBefore'));
  if (options.issuer !== undefined) claims.iss = options.issuer;
  if (options.subject !== undefined) claims.sub = options.subject;
  if (options.audience !== undefined) claims.aud = options.audience;
  if (options.jwtId !== undefined) claims.jti = options.jwtId;
  return utf8Base64url(serialize(claims));
}

function serialize(claims: JWTPayload): string {
  try {
    return JSON.stringify(claims);
  } catch (cause) {
    throw new JWTError('ERR_JWT_SIGN_PAYLOAD', 'the JWT payload cannot be serialized as JSON', { cause });
  }
}

/**
 * Whether the options set `iat` and nothing else, on a payload that has no `iat` of its own and
 * serializes as itself (no `toJSON`).
 */
function onlyIssuedAt(payload: JWTPayload, options: SignJWTOptions): boolean {
  return (
    options.issuedAt !== false &&
    options.expiresIn === undefined &&
    options.notBefore === undefined &&
    options.issuer === undefined &&
    options.subject === undefined &&
    options.audience === undefined &&
    options.jwtId === undefined &&
    !Object.hasOwn(payload, 'iat') &&
    typeof (payload as { toJSON?: unknown }).toJSON !== 'function'
  );
}

function sign(
  /** BASE64URL(payload), already encoded. */
  payloadSegment: string,
  key: JWK,
  options: SignOptions,
  defaultTyp: string | undefined,
): string | Promise<string> {
  const alg = signatureAlgorithm(options.alg ?? key?.alg);
  const backend = options.backend ?? getBackend();
  const pending = signingHandle(key, alg, backend);
  if (pending instanceof Promise) {
    return pending.then((handle) => signWith(handle, backend, alg, payloadSegment, key, options, defaultTyp));
  }
  return signWith(pending, backend, alg, payloadSegment, key, options, defaultTyp);
}

function signWith(
  handle: KeyHandle,
  backend: CryptoBackend,
  alg: AlgorithmInfo,
  payloadSegment: string,
  key: JWK,
  options: SignOptions,
  defaultTyp: string | undefined,
): string | Promise<string> {
  const signingInput = `${protectedHeaderSegment(alg, options, key.kid, defaultTyp)}.${payloadSegment}`;
  const data = asciiBytes(signingInput);
  if (backend.signSync !== undefined)
    return `${signingInput}.${bytesBase64url(backend.signSync(handle, data))}`;
  return backend.sign(handle, data).then((signature) => `${signingInput}.${bytesBase64url(signature)}`);
}

/** The registry entry of a JWS signature algorithm name (never `none`); shared with sign-with.ts. */
export function signatureAlgorithm(algName: unknown): AlgorithmInfo {
  if (typeof algName !== 'string') {
    throw new JWTError('ERR_JWT_SIGN_ALG', 'no algorithm: pass options.alg or use a key with "alg"');
  }
  if (algName.toLowerCase() === 'none')
    throw new JWTError('ERR_JWT_ALG_NONE', 'jwkit never produces unsecured ("alg": "none") tokens');
  const alg = getAlgorithm(algName);
  if (alg === undefined || alg.use !== 'sig') {
    throw new JWTError(
      'ERR_JWT_ALG_UNSUPPORTED',
      `${JSON.stringify(algName)} is not a JWS signature algorithm (RFC 7518 §3.1)`,
    );
  }
  return alg;
}

/** BASE64URL(UTF8(JWS Protected Header)) (RFC 7515 §5.1 steps 5-6): `alg` first, then typ, kid, the caller's members. */
export function protectedHeaderSegment(
  alg: AlgorithmInfo,
  options: SignOptions,
  keyKid: unknown,
  defaultTyp: string | undefined,
): string {
  const typ = options.typ ?? defaultTyp;
  const kid = options.kid ?? keyKid;
  // The common call (no extra members, string or absent typ and kid) is answered by the last
  // header built for the same alg, typ and kid: the same JSON text, so the same segment.
  const memo = options.header === undefined && plain(typ) && plain(kid);
  const last = lastHeader;
  if (memo && last !== undefined && last.alg === alg.alg && last.typ === typ && last.kid === kid)
    return last.segment;
  const header: Record<string, unknown> = { alg: alg.alg };
  if (typ !== undefined && typ !== false) header.typ = typ;
  if (kid !== undefined && kid !== false) header.kid = kid;
  if (options.header === undefined) {
    const segment = headerSegment(JSON.stringify(header));
    if (memo) lastHeader = { alg: alg.alg, typ, kid, segment };
    return segment;
  }
  for (const [name, value] of Object.entries(options.header)) {
    if (RESERVED.has(name)) {
      throw new JWTError(
        'ERR_JWT_SIGN_HEADER',
        `header member ${JSON.stringify(name)} is set by jwkit or not supported; use the option for it`,
      );
    }
    header[name] = value;
  }
  return headerSegment(JSON.stringify(header));
}

/** The last header built for a call without extra members (see protectedHeaderSegment). */
let lastHeader: { alg: string; typ: unknown; kid: unknown; segment: string } | undefined;
const plain = (v: unknown): boolean => v === undefined || v === false || typeof v === 'string';

/**
 * The header segment for a header's JSON text, remembered: a signer emits a handful of headers.
 * Keyed by the exact JSON text, so the cache returns what encoding that text would (bounded).
 */
const MAX_HEADER_SEGMENTS = 256;
const headerSegments = new Map<string, string>();
function headerSegment(json: string): string {
  let segment = headerSegments.get(json);
  if (segment === undefined) {
    segment = utf8Base64url(json);
    if (headerSegments.size >= MAX_HEADER_SEGMENTS)
      headerSegments.delete(headerSegments.keys().next().value as string);
    headerSegments.set(json, segment);
  }
  return segment;
}
