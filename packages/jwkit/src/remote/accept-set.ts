/**
 * What a RemoteJWKSet keeps of a fetched (or imported) JWK Set: the keys the strict validator
 * accepts, less every key that carries secret material. RFC 7517 §5 leniency applies: one bad
 * key is dropped and reported, the rest are kept; a set with nothing usable is a failure.
 */

import { JWKError, type Problem, problem } from '../errors/index.js';
import { isPrivate, type JWK, type PublicJWK } from '../jwk/model.js';
import { type JWKSetReport, parseJWKSet } from '../jwk/validate/index.js';
import { RemoteJWKSFetchError } from './errors.js';
import type { DroppedKeyCode } from './events.js';

export interface DroppedKey {
  readonly code: DroppedKeyCode;
  /** Position in the fetched `keys` array, when known. */
  readonly index: number | undefined;
  readonly kid: string | undefined;
  readonly problems: readonly Problem[];
}

/**
 * The usable public keys of `input`. Every key left out is passed to `onDropped` first, so a set
 * that ends up empty is still reported key by key. Throws `RemoteJWKSFetchError` (INVALID,
 * TOO_MANY_KEYS, NO_USABLE_KEYS) naming `url`.
 */
export function acceptRemoteSet(
  input: string | object,
  limits: { readonly maxKeys: number; readonly maxBytes: number },
  url: string,
  onDropped: (dropped: DroppedKey) => void,
): PublicJWK[] {
  let report: JWKSetReport;
  try {
    report = parseJWKSet(input, { maxKeys: limits.maxKeys, maxLength: limits.maxBytes });
  } catch (cause) {
    if (!(cause instanceof JWKError)) throw cause;
    throw new RemoteJWKSFetchError('ERR_REMOTE_JWKS_INVALID', `${url}: not a JWK Set: ${cause.message}`, {
      url,
      status: 200,
      cause,
    });
  }
  if (report.problems.some((p) => p.code === 'SET_TOO_MANY_KEYS')) {
    // Refused rather than truncated: which keys would survive a cut is up to the publisher's order.
    throw new RemoteJWKSFetchError(
      'ERR_REMOTE_JWKS_TOO_MANY_KEYS',
      `${url}: the set has more than maxKeys (${limits.maxKeys}) keys; raise maxKeys if it is legitimate`,
      { url, status: 200 },
    );
  }
  const dropped: DroppedKey[] = report.skipped.map((s) => ({
    code: 'REMOTE_KEY_INVALID',
    index: s.index,
    kid: s.kid,
    problems: s.problems,
  }));
  const keys: PublicJWK[] = [];
  for (const key of report.keys) {
    const secret = secretProblem(key);
    if (secret) dropped.push({ ...secret, index: undefined, kid: key.kid });
    else keys.push(key as PublicJWK);
  }
  for (const d of dropped) onDropped(d);
  if (keys.length === 0) {
    throw new RemoteJWKSFetchError(
      'ERR_REMOTE_JWKS_NO_USABLE_KEYS',
      `${url}: no usable key in the set (${dropped.length} dropped${dropped[0] ? `, first: ${dropped[0].code}` : ''}); the last good set, if any, stays in use`,
      { url, status: 200 },
    );
  }
  return keys;
}

function secretProblem(key: JWK): Pick<DroppedKey, 'code' | 'problems'> | undefined {
  if (key.kty === 'oct') {
    return {
      code: 'REMOTE_KEY_SYMMETRIC',
      problems: [
        problem(
          'error',
          'REMOTE_KEY_SYMMETRIC',
          '',
          'a remote JWK Set published a symmetric (oct) key; a verifier never trusts a shared secret that anyone fetching the set can read. Remove it from the published set',
          'RFC 8725 §3.1',
        ),
      ],
    };
  }
  if (isPrivate(key)) {
    return {
      code: 'REMOTE_KEY_PRIVATE',
      problems: [
        problem(
          'error',
          'REMOTE_KEY_PRIVATE',
          '',
          'a remote JWK Set published a private key; its secret is public, so anyone can forge its signatures. Rotate this key and publish only public members',
          'RFC 7517 §5',
        ),
      ],
    };
  }
  return undefined;
}
