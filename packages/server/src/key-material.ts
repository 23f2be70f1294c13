/**
 * Turning key material into store records and back: generation (asynchronous, off the event
 * loop; RSA keys in a low-priority worker thread, see keygen.ts, so even RSA-4096 never blocks
 * request handling and takes only idle CPU), sealing under the master key, and opening a stored
 * key for signing.
 */

import type { JWK, OctJWK, PrivateJWK } from 'jwkit';
import {
  canonicalOrder,
  checkKeyForAlg,
  generateJWK,
  isPrivate,
  parseJWK,
  pemToJWK,
  thumbprint,
  toPublic,
} from 'jwkit';
import type { MasterKey } from './crypto-at-rest.js';
import { KeyLifecycleError, ServerConfigError } from './errors.js';
import { serverBackend } from './keygen.js';
import type { Policy } from './policy.js';
import type { FreshKey } from './schedule.js';
import type { StoredKey } from './stores/store.js';

export type SigningJWK = PrivateJWK | OctJWK;

/** Binds a sealed private key to its record: a sealed value copied to another row does not open. */
function aad(kid: string, alg: string): string {
  return JSON.stringify(['jwkit key', kid, alg]);
}

/** A new key for `policy`, sealed; `use: sig`, `alg` set, `kid` its RFC 7638 thumbprint. */
export async function generateKey(policy: Policy, masterKey: MasterKey): Promise<FreshKey> {
  const jwk = await generateJWK({
    alg: policy.alg,
    use: 'sig',
    backend: serverBackend,
    ...(policy.size === undefined ? {} : { size: policy.size }),
  });
  return sealKey(jwk, policy.alg, 'generated', masterKey);
}

/** A store record for a private key (or oct secret); the public form is kept in the clear. */
export function sealKey(
  jwk: SigningJWK,
  alg: string,
  origin: FreshKey['origin'],
  masterKey: MasterKey,
): FreshKey {
  const kid = jwk.kid;
  if (typeof kid !== 'string' || kid === '') {
    throw new ServerConfigError('ERR_KEY_NO_KID', 'a stored key needs a kid');
  }
  return {
    kid,
    alg,
    kty: jwk.kty,
    publicJwk: jwk.kty === 'oct' ? null : JSON.stringify(canonicalOrder(toPublic(jwk as JWK))),
    sealedPrivate: masterKey.sealJSON(jwk, aad(kid, alg)),
    origin,
  };
}

/** The private JWK of a stored key (throws `ERR_MASTER_KEY_MISMATCH` / `ERR_SEALED_CORRUPT`). */
export function openKey(key: StoredKey, masterKey: MasterKey): SigningJWK {
  return masterKey.openJSON(key.sealedPrivate, aad(key.kid, key.alg)) as SigningJWK;
}

/** A key to import: a JWK (object or JSON text) or PEM text (PKCS#8, PKCS#1, SEC1). */
export type ImportInput = { jwk: object | string } | { pem: string };

/**
 * Reads, validates and seals a private key for import. The alg is `alg`, else the key's own
 * `alg`, else the first of `algs` that suits the key; `kid` defaults to the RFC 7638 thumbprint.
 * Throws `ERR_KEY_NOT_PRIVATE` for a public key (the server signs with what it imports), the
 * core's validation errors for a bad key, `ERR_KEY_ALG_MISMATCH` for a key that does not suit.
 */
export async function readImportedKey(
  input: ImportInput,
  alg: string | undefined,
  algs: readonly string[],
  masterKey: MasterKey,
): Promise<FreshKey> {
  const jwk: JWK = parseJWK('pem' in input ? await pemToJWK(input.pem) : input.jwk);
  if (!isPrivate(jwk)) {
    throw new KeyLifecycleError(
      'ERR_KEY_NOT_PRIVATE',
      'this is a public key; import the private key: the server signs with the keys it holds',
    );
  }
  const chosen = alg ?? (typeof jwk.alg === 'string' ? jwk.alg : algs.find((a) => suits(jwk, a)));
  if (chosen === undefined) {
    throw new KeyLifecycleError(
      'ERR_KEY_ALG_MISMATCH',
      `this ${jwk.kty} key suits none of the configured algorithms (${algs.join(', ')}); say which alg it is for`,
    );
  }
  checkKeyForAlg(jwk, chosen, ['sign']);
  const out = { ...jwk, alg: chosen } as SigningJWK;
  if (out.use === undefined) out.use = 'sig';
  out.kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : thumbprint(jwk);
  return sealKey(canonicalOrder(out), chosen, 'imported', masterKey);
}

function suits(jwk: JWK, alg: string): boolean {
  try {
    checkKeyForAlg(jwk, alg, ['sign']);
    return true;
  } catch {
    return false;
  }
}
