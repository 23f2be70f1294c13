/**
 * Importing a JWK for one signature algorithm. Before any crypto runs, the key must suit the
 * algorithm (registry rules: kty, curve, minimum size) and allow the operation through its own
 * `alg`, `use` and `key_ops` members, so a key published for encryption, or restricted to
 * another algorithm, is never used to verify a token.
 */

import { UnsupportedError } from '../errors/index.js';
import { checkKeyForAlg } from '../jwk/key-alg.js';
import type { JWK } from '../jwk/model.js';
import { parseJWK } from '../jwk/validate/index.js';
import { getBackend } from './active.js';
import type { CryptoBackend, KeyHandle, KeyUsage } from './backend.js';

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
