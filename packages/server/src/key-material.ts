/**
 * Turning key material into store records and back: generation (asynchronous, off the event
 * loop; RSA keys in a low-priority worker thread, see keygen.ts, so even RSA-4096 never blocks
 * request handling and takes only idle CPU), sealing under the master key, and opening a stored
 * key for signing.
 */

import type { JWK, OctJWK, PrivateJWK, PublicJWK } from 'jwkit';
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
  const publicJwk = jwk.kty === 'oct' ? null : JSON.stringify(canonicalOrder(toPublic(jwk as JWK)));
  return {
    kid,
    alg,
    kty: jwk.kty,
    publicJwk,
    sealedPrivate: masterKey.sealJSON(jwk, aad(kid, alg)),
    origin,
    publicMac: publicJwk === null ? null : bindPublic(masterKey, kid, alg, publicJwk),
  };
}

function publicAad(kid: string, alg: string, publicJwk: string): string {
  return JSON.stringify(['jwkit public key', kid, alg, publicJwk]);
}

/**
 * Binds a public JWK (as stored, exact text) to its kid and alg under the master key: an empty
 * AES-GCM message whose additional data is the record, i.e. a MAC (SP 800-38D GMAC). For keys
 * whose private half is not in the store (a PKCS#11 signer keeps only a reference there), this is
 * what proves the published key; keys with sealed private material are proven by deriving the
 * public half from it (`provenPublic`).
 */
export function bindPublic(masterKey: MasterKey, kid: string, alg: string, publicJwk: string): string {
  return masterKey.seal(new Uint8Array(0), publicAad(kid, alg, publicJwk));
}

/** The outcome of checking one stored key's public form; see `provenPublic`. */
export type PublicProof =
  | { ok: true; jwk: PublicJWK; derived: boolean; mismatch?: string }
  | { ok: false; reason: string };

/**
 * The public JWK the store proves for `key` (issue 13.2: the published set is never
 * unauthenticated database text). With sealed private material (the AEAD binds it to kid and
 * alg), the public JWK is derived from the decrypted private key; a `public_jwk` column that
 * differs is reported (`mismatch`) and the derived key is published instead. Without private
 * material (an opened value with no private member, e.g. a PKCS#11 reference), the column must
 * carry a valid `public_mac` binding. Anything else is refused (`ok: false`).
 */
export function provenPublic(key: StoredKey, masterKey: MasterKey): PublicProof {
  if (key.publicJwk === null) return { ok: false, reason: 'the key has no public form' };
  let opened: unknown = null;
  try {
    if (key.sealedPrivate !== null) opened = masterKey.openJSON(key.sealedPrivate, aad(key.kid, key.alg));
  } catch (e) {
    return { ok: false, reason: `its sealed private key does not open: ${(e as Error).message}` };
  }
  const material = opened as JWK;
  if (
    material !== null &&
    typeof material === 'object' &&
    typeof material.kty === 'string' &&
    isPrivate(material)
  ) {
    let derived: string;
    try {
      derived = JSON.stringify(canonicalOrder(toPublic(material)));
    } catch (e) {
      return { ok: false, reason: `its private key has no valid public form: ${(e as Error).message}` };
    }
    const jwk = JSON.parse(derived) as PublicJWK;
    return key.publicJwk === derived
      ? { ok: true, jwk, derived: true }
      : {
          ok: true,
          jwk,
          derived: true,
          mismatch: 'its public_jwk column differs from the public half of its sealed private key',
        };
  }
  if (!key.publicMac) {
    return { ok: false, reason: 'it has no private material in the store and no public_mac binding' };
  }
  if (!verifyPublicBinding(masterKey, key)) {
    return {
      ok: false,
      reason: 'its public_jwk does not match its public_mac binding (the row was altered)',
    };
  }
  return { ok: true, jwk: JSON.parse(key.publicJwk) as PublicJWK, derived: false };
}

/** True when the row's `public_mac` binds its exact `public_jwk` text to its kid and alg under `masterKey`. */
export function verifyPublicBinding(
  masterKey: MasterKey,
  key: Pick<StoredKey, 'kid' | 'alg' | 'publicJwk' | 'publicMac'>,
): boolean {
  if (!key.publicMac || key.publicJwk === null) return false;
  try {
    masterKey.open(key.publicMac, publicAad(key.kid, key.alg, key.publicJwk));
    return true;
  } catch {
    return false;
  }
}

/** Seals a key's material (a private JWK, or a signer's reference) bound to its kid and alg (restore, rekey). */
export function sealMaterial(masterKey: MasterKey, kid: string, alg: string, material: unknown): string {
  return masterKey.sealJSON(material, aad(kid, alg));
}

/** Opens what `sealMaterial` sealed (throws `ERR_MASTER_KEY_MISMATCH` / `ERR_SEALED_CORRUPT`). */
export function openMaterial(
  masterKey: MasterKey,
  key: Pick<StoredKey, 'kid' | 'alg' | 'sealedPrivate'>,
): unknown {
  if (key.sealedPrivate === null) return null; // held in a token: nothing sealed in the store
  return masterKey.openJSON(key.sealedPrivate, aad(key.kid, key.alg));
}

/**
 * The private JWK of a stored key (throws `ERR_MASTER_KEY_MISMATCH` / `ERR_SEALED_CORRUPT`;
 * `ERR_PKCS11_NOT_EXPORTABLE` for a key held in a PKCS#11 token, which has none in the store).
 */
export function openKey(key: StoredKey, masterKey: MasterKey): SigningJWK {
  if (key.sealedPrivate === null) {
    throw new KeyLifecycleError(
      'ERR_PKCS11_NOT_EXPORTABLE',
      `the key ${JSON.stringify(key.kid)} is held in a PKCS#11 token and never leaves it; sign through the server (KeyManager.sign, POST /admin/sign)`,
    );
  }
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
