/**
 * Importing a JWK for one signature algorithm. Before any crypto runs, the key must suit the
 * algorithm (registry rules: kty, curve, minimum size) and allow the operation through its own
 * `alg`, `use` and `key_ops` members, so a key published for encryption, or restricted to
 * another algorithm, is never used to verify a token.
 */

import { getBackend } from '../crypto/active.js';
import type { CryptoBackend, KeyHandle, KeyUsage } from '../crypto/backend.js';
import { rsaModulusBits } from '../crypto/jwk-material.js';
import { JWKitError, UnsupportedError } from '../errors.js';
import { type AlgorithmInfo, algorithmAllowsKey, getAlgorithm, isKty, type KeyOp } from '../registry.js';
import { decode } from './base64url.js';
import type { JWK } from './model.js';
import { isPrivate } from './model.js';
import { parseJWK } from './validate/index.js';

export interface ImportOptions {
  /** The backend to import into; default: the active one (`getBackend()`). */
  backend?: CryptoBackend;
}

/**
 * Imports `jwk` for signing or verifying with `alg`. Throws `JWKError` (`ERR_JWK_INVALID`) when
 * the key material is invalid, `JWKitError` with code `ERR_KEY_ALG_MISMATCH`, `ERR_KEY_USE`, `ERR_KEY_OPS` or `ERR_KEY_NOT_PRIVATE` when the key
 * does not allow it, `UnsupportedError` for an unknown or non-signature `alg`, and whatever the
 * backend throws for material it cannot use (`ConversionError` `ERR_KEY_IMPORT`).
 */
export async function importKey(
  jwk: JWK,
  alg: string,
  usage: KeyUsage,
  options?: ImportOptions,
): Promise<KeyHandle> {
  const info = checkKeyForAlg(jwk, alg, [usage]);
  if (info.use !== 'sig')
    throw new UnsupportedError(`${alg} is not a signature algorithm; importKey signs and verifies only`);
  // The key material last, after the registry rules give their specific codes: a bad key can
  // make forged signatures verify (e = 1 turns the padded digest into a valid RS256 signature).
  return (options?.backend ?? getBackend()).importKey(parseJWK(jwk), alg, usage);
}

/** Key size in bits for the registry's size rules: the RSA modulus or the oct key length. */
export function keyBits(jwk: JWK): number | undefined {
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string')
    return rsaModulusBits(decode(jwk.n, { allowPadding: true }));
  if (jwk.kty === 'oct' && typeof jwk.k === 'string') return decode(jwk.k, { allowPadding: true }).length * 8;
  return undefined;
}

/**
 * Checks that `jwk` may be used with `alg` for every one of `ops` (JWK `key_ops` names); returns
 * the algorithm. Shared by importKey and jwkToCryptoKey so both refuse the same keys.
 */
export function checkKeyForAlg(jwk: JWK, alg: string, ops: readonly KeyOp[]): AlgorithmInfo {
  if (jwk === null || typeof jwk !== 'object')
    throw new JWKitError('ERR_KEY_ALG_MISMATCH', 'a JWK must be an object');
  const info = getAlgorithm(alg);
  if (!info) throw new UnsupportedError(`unknown algorithm ${JSON.stringify(alg)}`);
  const kty = jwk.kty;
  if (!isKty(kty)) throw new UnsupportedError(`key type ${JSON.stringify(kty)} is not supported`);
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new JWKitError(
      'ERR_KEY_ALG_MISMATCH',
      `this key is restricted to ${JSON.stringify(jwk.alg)} by its "alg" member (RFC 7517 §4.4), not ${alg}`,
    );
  }
  if ((kty === 'EC' || kty === 'OKP') && typeof jwk.crv !== 'string') {
    throw new JWKitError('ERR_KEY_ALG_MISMATCH', `an ${kty} key needs "crv" to be used with ${alg}`);
  }
  const reason = algorithmAllowsKey(info, kty, jwk.crv as string | undefined, keyBits(jwk));
  if (reason) throw new JWKitError('ERR_KEY_ALG_MISMATCH', `${reason} (${info.rfc})`);
  if (jwk.use !== undefined && jwk.use !== info.use) {
    throw new JWKitError(
      'ERR_KEY_USE',
      `this key is published with "use": ${JSON.stringify(jwk.use)}, so it cannot be used for ${alg} (RFC 7517 §4.2)`,
    );
  }
  if (jwk.key_ops !== undefined) {
    const allowed = Array.isArray(jwk.key_ops) ? jwk.key_ops : [];
    const missing = ops.filter((op) => !allowed.includes(op));
    if (missing.length > 0) {
      throw new JWKitError(
        'ERR_KEY_OPS',
        `this key's "key_ops" does not include ${missing.map((m) => JSON.stringify(m)).join(', ')} (RFC 7517 §4.3)`,
      );
    }
  }
  const needsPrivate = ops.some(
    (op) =>
      op === 'sign' || op === 'decrypt' || op === 'unwrapKey' || op === 'deriveKey' || op === 'deriveBits',
  );
  if (needsPrivate && !isPrivate(jwk)) {
    throw new JWKitError(
      'ERR_KEY_NOT_PRIVATE',
      `${ops.join('/')} with ${alg} needs a private key; this JWK has no "d"`,
    );
  }
  return info;
}
