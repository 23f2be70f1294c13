/**
 * The crypto backend interface (DESIGN principle 5). Implementations: `node.ts` on `node:crypto`
 * KeyObjects (synchronous, fast), `web.ts` on WebCrypto plus @noble/curves for what browsers lack
 * (secp256k1, Ed448, X448), `noble.ts` on @noble/curves alone (synchronous), and `routed.ts`,
 * which sends each key kind to the backend that has it and is fastest on the runtime (issue 12).
 * The same test suite runs against each.
 */

import type { JWK, OctJWK, PrivateJWK } from '../jwk/model.js';
import type { HashName, Kty } from '../registry.js';

export type KeyUsage = 'sign' | 'verify';

/** An imported key bound to one algorithm and one usage; opaque outside its backend. */
export interface KeyHandle {
  readonly alg: string;
  readonly usage: KeyUsage;
  readonly backend: BackendName;
}

/** A backend's name; a key handle records the one that imported it (never `routed`). */
export type BackendName = 'node' | 'webcrypto' | 'noble' | 'routed';

export interface GenerateSpec {
  kty: Kty;
  /** EC and OKP curve. */
  crv?: string;
  /** RSA modulus bits or oct key bits. */
  bits?: number;
  /** AKP: the algorithm the key is for (RFC 9964 §3), e.g. `ML-DSA-65`. */
  alg?: string;
}

export interface CryptoBackend {
  readonly name: BackendName;
  /**
   * Imports a validated JWK for one algorithm and usage. The caller has already checked that the
   * key suits `alg` (registry rules); the backend only maps it to its native key type.
   * Throws `UnsupportedError` when this runtime cannot use the key.
   */
  importKey(jwk: JWK, alg: string, usage: KeyUsage): Promise<KeyHandle>;
  /** Synchronous `importKey`, where the backend can (node:crypto); same checks and errors. */
  importKeySync?(jwk: JWK, alg: string, usage: KeyUsage): KeyHandle;
  /** JWS signature over `data` (ECDSA in IEEE P1363 r||s form, RFC 7518 §3.4). */
  sign(key: KeyHandle, data: Uint8Array): Promise<Uint8Array>;
  /** Returns false (never throws) for a wrong or malformed signature. */
  verify(key: KeyHandle, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Synchronous variants where the backend can; the JWT fast path uses them when present. */
  signSync?(key: KeyHandle, data: Uint8Array): Uint8Array;
  verifySync?(key: KeyHandle, data: Uint8Array, signature: Uint8Array): boolean;
  /**
   * `verifySync` over an ASCII string (a JWS signing input, RFC 7515 §5.2 step 8, already checked
   * to be base64url and dots): the backend turns it into octets only if its primitive needs them
   * (HMAC hashes the string directly, saving a buffer per token). Optional (speed, issue 15).
   */
  verifyAsciiSync?(key: KeyHandle, ascii: string, signature: Uint8Array): boolean;
  /**
   * `verifyAsciiSync` with the signature as the JWS's base64url text: true only when the text is
   * the canonical unpadded base64url (RFC 7515 §2) of a valid signature. Lets HMAC compare text
   * and skip decoding the tag. Optional (speed, issue 15).
   */
  verifyTextSync?(key: KeyHandle, ascii: string, signatureB64: string): boolean;
  /** A new private JWK (or oct key) with only key material and `kty`/`crv` set. */
  generate(spec: GenerateSpec): Promise<PrivateJWK | OctJWK>;
  digest(hash: HashName | 'SHA-1', data: Uint8Array): Promise<Uint8Array>;
}
