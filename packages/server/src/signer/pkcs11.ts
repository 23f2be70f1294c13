/**
 * PKCS#11 key custody: keys made inside a token (pkcs11/ is the token layer) that never leave
 * it. The store row keeps the public JWK, the schedule and the object's identity (`custody`:
 * token label and object label = kid), and no private material (`sealed_private` is null).
 *
 * The proof that a published key is what the store says is the token itself (issue 17): the
 * public key read back from the token object must have the stored public JWK's RFC 7638
 * thumbprint (and the kid as label); where a master key exists, the row's `public_mac` binding
 * must hold too. A missing object or a different key is refused: not published, logged, and
 * reported by /readyz.
 */

import { canonicalOrder, type PublicJWK, thumbprint } from 'jwkit';
import type { MasterKey } from '../crypto-at-rest.js';
import { bindPublic, type PublicProof, verifyPublicBinding } from '../key-material.js';
import type { Pkcs11Token } from '../pkcs11/index.js';
import type { Policy } from '../policy.js';
import type { FreshKey } from '../schedule.js';
import type { StoredKey } from '../stores/store.js';
import type { CustodyObject, CustodyRef, KeyCustody, KeySigner } from './custody.js';

/** What this module needs of a token: pkcs11/index.ts `Pkcs11Token` (P1's token layer). */
export type TokenLike = Pick<
  Pkcs11Token,
  'description' | 'missingMechanism' | 'generate' | 'sign' | 'list' | 'destroy' | 'close'
>;

export class Pkcs11Custody implements KeyCustody {
  readonly kind = 'pkcs11' as const;
  readonly description: string;
  readonly #token: TokenLike;
  readonly #tokenName: string;
  readonly #masterKey: MasterKey | undefined;

  /**
   * `tokenName`: the URI's `token` attribute (what the row records); default the token's
   * description. `masterKey`: binds each new row's public JWK (`public_mac`) when the store has
   * one; without it the token alone proves the key (`provenByToken`).
   */
  constructor(token: TokenLike, options: { tokenName?: string; masterKey?: MasterKey | undefined } = {}) {
    this.#token = token;
    this.#tokenName = options.tokenName ?? token.description;
    this.#masterKey = options.masterKey;
    this.description = `PKCS#11 ${token.description}`;
  }

  /** Null when the token can sign `alg`, else the mechanism it lacks (e.g. `CKM_EDDSA`). */
  missingMechanism(alg: string): string | null {
    return this.#token.missingMechanism(alg);
  }

  async generate(policy: Policy): Promise<FreshKey> {
    // The token layer makes the pair under a pending label and relabels it to its thumbprint kid
    // before it resolves: a crash before the relabel leaves a pending object, after it an object
    // the store does not know yet; the reconcile at start destroys both (the key manager records
    // the object in the store's audit trail first: see KeyManager #claim).
    const made = await this.#token.generate(
      policy.alg,
      policy.size === undefined ? {} : { size: policy.size },
    );
    const kid = made.label;
    const publicJwk = JSON.stringify(canonicalOrder({ ...made.publicJwk, kid, alg: policy.alg, use: 'sig' }));
    const ref: CustodyRef = { kind: 'pkcs11', token: this.#tokenName, label: kid };
    return {
      kid,
      alg: policy.alg,
      kty: made.publicJwk.kty,
      publicJwk,
      sealedPrivate: null,
      origin: 'generated',
      publicMac: this.#masterKey ? bindPublic(this.#masterKey, kid, policy.alg, publicJwk) : null,
      custody: JSON.stringify(ref),
    };
  }

  signer(key: StoredKey): KeySigner {
    const token = this.#token;
    return {
      kind: 'pkcs11',
      kid: key.kid,
      alg: key.alg,
      sign: (data) => token.sign(key.kid, key.alg, data),
    };
  }

  destroy(label: string): Promise<boolean> {
    return this.#token.destroy(label);
  }

  async inventory(): Promise<CustodyObject[]> {
    return (await this.#token.list()).map((k) => ({
      label: k.label,
      alg: k.alg,
      pending: k.pending,
      ...(k.publicJwk === undefined ? {} : { publicJwk: k.publicJwk }),
    }));
  }

  close(): Promise<void> {
    return this.#token.close();
  }
}

/**
 * The public JWK the token proves for a stored PKCS#11 key: `onToken` is the public key read back
 * from the object labelled with the kid (undefined: no such object). See the module comment.
 */
export function provenByToken(
  key: StoredKey,
  onToken: PublicJWK | undefined,
  masterKey: MasterKey | undefined,
): PublicProof {
  if (key.publicJwk === null) return { ok: false, reason: 'the key has no public form' };
  if (onToken === undefined) {
    return {
      ok: false,
      reason: 'its PKCS#11 object is missing from the token (no key pair labelled with this kid)',
    };
  }
  let stored: PublicJWK;
  try {
    stored = JSON.parse(key.publicJwk) as PublicJWK;
    if (thumbprint(stored) !== thumbprint(onToken)) {
      return {
        ok: false,
        reason:
          'the public key of its PKCS#11 object differs from the stored public_jwk (the row or the token object was replaced)',
      };
    }
  } catch (e) {
    return { ok: false, reason: `its public_jwk is not a valid public key: ${(e as Error).message}` };
  }
  if (stored.kid !== key.kid) {
    return { ok: false, reason: 'its public_jwk carries another kid' };
  }
  if (masterKey && key.publicMac && !verifyPublicBinding(masterKey, key)) {
    return {
      ok: false,
      reason: 'its public_jwk does not match its public_mac binding (the row was altered)',
    };
  }
  return { ok: true, jwk: stored, derived: false };
}
