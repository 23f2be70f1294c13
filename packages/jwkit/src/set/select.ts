/**
 * Key selection for a JWS header: the one set of rules every caller uses (JWKSet, RemoteJWKSet,
 * verifyJWT with a single key, jose's key function).
 *
 * 1. `kid` exact when the header has one (RFC 7515 §4.1.4); otherwise every key is a candidate.
 * 2. The header's `alg` must be a registered signature algorithm; it decides kty, curve and
 *    minimum size through the registry (`algorithmAllowsKey`), so an oct key is never picked for
 *    an asymmetric algorithm and an RSA/EC/OKP key never for HS* (RFC 8725 §2.1, §3.1).
 * 3. The key's own `use`, `key_ops` and `alg` must allow verification with that algorithm
 *    (RFC 7517 §4.2-§4.4).
 * 4. No match and several matches are distinct errors; what to do with several is the caller's
 *    explicit `MultipleMatchPolicy`.
 */

import { KeySelectionError } from '../errors/index.js';
import type { JWK } from '../jwk/model.js';
import { type AlgorithmInfo, algorithmAllowsKey, getAlgorithm } from '../registry.js';
import type { KeyProfile } from './key-profile.js';
import type { JWSHeader, MultipleMatchPolicy } from './key-source.js';

export interface SelectableKey {
  readonly jwk: JWK;
  readonly info: KeyProfile;
}

/** The signature algorithm a header names; `KeySelectionError` when there is none. */
export function headerAlgorithm(header: Pick<JWSHeader, 'alg'>): AlgorithmInfo {
  const alg = header?.alg;
  const info = getAlgorithm(alg);
  if (info === undefined || info.use !== 'sig') {
    throw new KeySelectionError(
      'ERR_JWKS_ALG_UNSUPPORTED',
      `the header's "alg" ${JSON.stringify(alg)} is not a registered JWS signature algorithm (RFC 7518 §3.1); no key can be selected for it`,
    );
  }
  return info;
}

/**
 * Why this key cannot verify a JWS signed with `alg`, or `undefined` when it can.
 * The reason completes the sentence "the key cannot verify <alg>: ...".
 */
export function verificationRejection(jwk: JWK, info: KeyProfile, alg: AlgorithmInfo): string | undefined {
  // RFC 7517 §4.2: a key published for encryption is not a signature key.
  if (jwk.use !== undefined && jwk.use !== 'sig') return `its "use" is ${JSON.stringify(jwk.use)}, not "sig"`;
  // RFC 7517 §4.3: when present, key_ops lists every permitted operation.
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return `its "key_ops" ${JSON.stringify(jwk.key_ops)} do not include "verify"`;
  }
  // RFC 7517 §4.4 / RFC 8725 §3.1: a key bound to an algorithm is used with that algorithm only.
  if (jwk.alg !== undefined && jwk.alg !== alg.alg) return `it is bound to "alg" ${JSON.stringify(jwk.alg)}`;
  return algorithmAllowsKey(alg, info.kty, info.crv, info.bits);
}

/**
 * The keys of `keys` that may verify a JWS with this header, in set order: one key unless the
 * policy is `'try-all'`. Throws `KeySelectionError` `ERR_JWKS_NO_MATCHING_KEY` or
 * `ERR_JWKS_MULTIPLE_MATCHING_KEYS`.
 */
export function selectKeys<K extends SelectableKey>(
  keys: readonly K[],
  header: Pick<JWSHeader, 'alg' | 'kid'>,
  policy: MultipleMatchPolicy = 'reject',
): K[] {
  const alg = headerAlgorithm(header);
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') {
    throw new KeySelectionError(
      'ERR_JWKS_NO_MATCHING_KEY',
      'the header\'s "kid" is not a string (RFC 7515 §4.1.4)',
    );
  }
  const matches: K[] = [];
  let sameKid = 0;
  let firstReason: string | undefined;
  for (const key of keys) {
    if (kid !== undefined && key.jwk.kid !== kid) continue;
    sameKid++;
    const reason = verificationRejection(key.jwk, key.info, alg);
    if (reason === undefined) matches.push(key);
    else firstReason ??= `key ${describe(key.jwk)}: ${reason}`;
  }
  if (matches.length === 0) throw noMatch(keys.length, kid, alg.alg, sameKid, firstReason);
  if (matches.length > 1) {
    if (policy === 'first') return matches.slice(0, 1);
    if (policy !== 'try-all') {
      throw new KeySelectionError(
        'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
        `${matches.length} keys can verify ${alg.alg}${kid === undefined ? ' and the header has no "kid"' : ` with "kid" ${JSON.stringify(kid)}`}; give every key a distinct kid, or choose a multipleMatches policy ('first' or 'try-all')`,
      );
    }
  }
  return matches;
}

function noMatch(
  size: number,
  kid: string | undefined,
  alg: string,
  sameKid: number,
  firstReason: string | undefined,
): KeySelectionError {
  let message: string;
  if (size === 0) message = 'the key set is empty';
  else if (kid !== undefined && sameKid === 0) {
    message = `no key has "kid" ${JSON.stringify(kid)} (the set has ${size} key${size === 1 ? '' : 's'}); the token may be signed with a key the set does not (yet) hold`;
  } else {
    message = `no key can verify ${alg}${firstReason ? ` (${firstReason})` : ''}`;
  }
  return new KeySelectionError('ERR_JWKS_NO_MATCHING_KEY', message);
}

function describe(jwk: JWK): string {
  return jwk.kid !== undefined ? JSON.stringify(jwk.kid) : `(${jwk.kty}, no kid)`;
}
