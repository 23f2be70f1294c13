/**
 * Key custody: where the private half of a `jwkit serve` key lives, behind one small interface
 * the key manager uses for everything that touches private keys: make a key for a policy, sign
 * a JWS Signing Input with it, destroy it, and list what the custody holds (for the reconcile
 * at start). Two implementations: `software` (today's path: the key is made in this process and
 * sealed in the store under the master key) and `pkcs11` (the key is made in a PKCS#11 token
 * and never leaves it; the store keeps only its public JWK and the object's identity).
 *
 * A cloud KMS (AWS KMS, Google Cloud KMS, Vault transit) fits the same interface: see
 * docs/guides/hsm.md "Other key custody backends" for how each call maps.
 */

import type { PublicJWK } from 'jwkit';
import type { ExternalSigner } from 'jwkit/internal';
import type { SigningJWK } from '../key-material.js';
import type { Policy } from '../policy.js';
import type { FreshKey } from '../schedule.js';
import type { StoredKey } from '../stores/store.js';

export type CustodyKind = 'software' | 'pkcs11';

/**
 * What the store row says about a key held outside the store (the `custody` column, as JSON):
 * the kind, the token it was made in (label, for logs and for the operator), and the object's
 * label (= kid) by which it is found again.
 */
export interface CustodyRef {
  readonly kind: 'pkcs11';
  /** The token's label (or its description when the URI names none). */
  readonly token: string;
  /** CKA_LABEL of the key pair: the kid. */
  readonly label: string;
}

/** One key the custody holds, as it reports it (read back from the custody, not from the store). */
export interface CustodyObject {
  /** The kid, or a pending label for a key pair whose generation did not finish. */
  readonly label: string;
  readonly alg: string;
  /** The public key as the custody holds it (a pending object may have none). */
  readonly publicJwk?: PublicJWK;
  /** Made but never relabelled to its kid: a generation a crash interrupted. */
  readonly pending: boolean;
}

/** Signs for one stored key. */
export interface KeySigner extends ExternalSigner {
  readonly kid: string;
  readonly alg: string;
  readonly kind: CustodyKind;
  /** The JWS Signature over the JWS Signing Input (RFC 7515 §5.1; ECDSA as R‖S, RFC 7518 §3.4). */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** Software keys only: the private JWK (`KeyManager.signingKey()`, signing through jwkit's fast path). */
  readonly jwk?: SigningJWK;
}

export interface KeyCustody {
  readonly kind: CustodyKind;
  /** For logs and /readyz, e.g. "PKCS#11 SoftHSM token 'jwkit' (slot 1)". */
  readonly description: string;
  /**
   * Makes a key for `policy` and resolves with its store record (the schedule sets its state
   * and times). For a custody outside the store the key exists there, labelled with its kid,
   * before this resolves: the caller commits the record next (crash in between: an object the
   * store does not know, destroyed by the reconcile at the next start).
   */
  generate(policy: Policy): Promise<FreshKey>;
  /** The signer of a stored key held by this custody. */
  signer(key: StoredKey): KeySigner;
  /** Destroys the private key labelled `label` (true) or finds none (false). */
  destroy(label: string): Promise<boolean>;
  /** Every key this custody made and still holds (pending ones flagged). Software: none, the store holds them. */
  inventory(): Promise<CustodyObject[]>;
  close(): Promise<void>;
}

/**
 * The custody recorded in a stored key's row: null for a sealed software key. Any other value is
 * a key held outside the store, never a software key: text that does not parse still names a
 * PKCS#11 object labelled with the kid (the label is the kid by construction).
 */
export function custodyRefOf(key: Pick<StoredKey, 'custody' | 'kid'>): CustodyRef | null {
  if (key.custody === null || key.custody === undefined) return null;
  try {
    const ref = JSON.parse(key.custody) as Partial<CustodyRef>;
    if (ref?.kind === 'pkcs11' && typeof ref.label === 'string') {
      return { kind: 'pkcs11', token: String(ref.token ?? ''), label: ref.label };
    }
  } catch {
    // below
  }
  return { kind: 'pkcs11', token: '', label: key.kid };
}

export function custodyKindOf(key: Pick<StoredKey, 'custody' | 'kid'>): CustodyKind {
  return custodyRefOf(key)?.kind ?? 'software';
}
